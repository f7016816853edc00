"""Visit selectors: who reads which visit, visits due, open actions, per-project counts and the
visits_open_actions figure."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.tests import test_visit_support as support
from sanqu.projects.tests.factories import make_project
from sanqu.projects.tests.test_visit_support import TODAY, action_of, close, visit_to
from sanqu.projects.visit_selectors import (
    open_action_counts,
    open_actions_figure,
    open_actions_for,
    visits_due,
    visits_for,
)
from sanqu.testing import World

working_day_and_files = support.working_day_and_files
project = support.project


def test_it_shows_a_project_visit_to_the_county_the_organisation_and_its_worker(
    world: World, project: Project
) -> None:
    visit = visit_to(world, project)
    for username in ("city", "leader", "chengkou", "yangguang", "worker"):
        assert list(visits_for(world[username])) == [visit], username
    for username in ("wanzhou", "mentor", "editor"):
        assert not visits_for(world[username]).exists(), username


def test_it_shows_a_station_visit_to_the_worker_posted_there_not_to_another_organisation(
    world: World,
) -> None:
    visit = visit_to(world, station=world.station)
    assert list(visits_for(world["worker"])) == [visit]
    assert not visits_for(world["yangguang"]).exists()  # 阳光 does not run the station
    assert not visits_for(world["wanzhou"]).exists()


def test_it_lists_visits_due_for_the_supervising_side(world: World, project: Project) -> None:
    late = visit_to(world, project, visited_on=None, findings="", planned_on=dt.date(2017, 9, 1))
    soon = visit_to(world, project, visited_on=None, findings="", planned_on=TODAY + dt.timedelta(days=14))
    visit_to(world, project, visited_on=None, findings="", planned_on=TODAY + dt.timedelta(days=15))
    visit_to(world, project)  # recorded
    due = list(visits_due(world["chengkou"], TODAY))
    assert due == [late, soon] and [visit.late for visit in due] == [True, False]
    assert list(visits_due(world["city"], TODAY, days=30))[:2] == [late, soon]
    assert not visits_due(world["wanzhou"], TODAY).exists()
    assert not visits_due(world["yangguang"], TODAY).exists()


def test_it_gives_the_owner_their_open_actions_and_the_county_section_all_of_its_county(
    world: World, project: Project
) -> None:
    visit = visit_to(world, project)
    overdue = action_of(world, visit, owner="yangguang", due_on=dt.date(2017, 9, 10))
    pending = action_of(world, visit, owner="worker", due_on=dt.date(2017, 9, 30))
    done = action_of(world, visit, owner="yangguang")
    close(world, done)
    mine = list(open_actions_for(world["yangguang"], TODAY))
    assert mine == [overdue] and mine[0].overdue
    assert list(open_actions_for(world["worker"], TODAY)) == [pending]
    county = list(open_actions_for(world["chengkou"], TODAY))
    assert county == [overdue, pending] and [a.overdue for a in county] == [True, False]
    assert not open_actions_for(world["wanzhou"], TODAY).exists()
    assert not open_actions_for(world["city"], TODAY).exists()  # owns none, not the county section


def test_it_counts_open_and_overdue_actions_per_project_in_one_query(world: World, project: Project) -> None:
    other = make_project(world, year=2018)
    quiet = make_project(world, year=2016)
    visit = visit_to(world, project)
    action_of(world, visit, due_on=dt.date(2017, 9, 10))
    action_of(world, visit, due_on=dt.date(2017, 9, 30))
    close(world, action_of(world, visit))
    action_of(world, visit_to(world, other), due_on=dt.date(2017, 9, 30))
    with CaptureQueriesContext(connection) as queries:
        counts = open_action_counts([project, other, quiet], TODAY)
    assert len(queries) == 1
    assert counts == {project.pk: (2, 1), other.pk: (1, 0), quiet.pk: (0, 0)}
    assert open_action_counts(Project.objects.filter(pk=project.pk), TODAY) == {project.pk: (2, 1)}


def test_it_counts_the_figure_as_of_a_date(world: World, project: Project) -> None:
    wanzhou_project = make_project(world, county=world.wanzhou, organisation=world.wanzhou_org)
    visit = visit_to(world, project, visited_on=dt.date(2017, 6, 1))
    on_time = action_of(world, visit, due_on=dt.date(2017, 6, 30))
    late = action_of(world, visit, due_on=dt.date(2017, 6, 30))
    open_overdue = action_of(world, visit, due_on=dt.date(2017, 7, 31))
    action_of(world, visit, due_on=dt.date(2017, 12, 31))  # open, not yet due
    VisitAction.objects.filter(pk=on_time.pk).update(closed_on=dt.date(2017, 6, 20))
    VisitAction.objects.filter(pk=late.pk).update(closed_on=dt.date(2017, 7, 10))
    VisitAction.objects.filter(pk=open_overdue.pk).update(closed_on=dt.date(2017, 9, 1))  # after as-of
    # A visit recorded after the date, and one to another county, do not count.
    action_of(world, visit_to(world, project, visited_on=dt.date(2017, 9, 1)), due_on=dt.date(2017, 9, 30))
    MonitoringVisit.objects.create(
        kind="inspection",
        county=world.wanzhou,
        project=wanzhou_project,
        planned_on=dt.date(2017, 5, 1),
        visited_on=dt.date(2017, 5, 1),
        visitors="万州",
        findings="x",
    ).actions.create(action="x", owner=world["wanzhou"], due_on=dt.date(2017, 5, 2))
    as_of = dt.date(2017, 8, 15)
    with CaptureQueriesContext(connection) as queries:
        figure = open_actions_figure(world.chengkou.path, as_of)
    assert len(queries) == 1
    assert figure == {"open": 2, "overdue": 1, "closed_on_time": 1, "closed_late": 1}
    assert open_actions_figure(world.chongqing.path, as_of) == {
        "open": 3,
        "overdue": 2,
        "closed_on_time": 1,
        "closed_late": 1,
    }
    assert open_actions_figure(world.jiming.path, as_of) == {
        "open": 0,
        "overdue": 0,
        "closed_on_time": 0,
        "closed_late": 0,
    }
    assert open_actions_figure(world.chengkou.path, dt.date(2017, 5, 31))["open"] == 0

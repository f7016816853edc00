"""Livelihood projects: create and update in scope, outcome measures over time, the latest values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.projects.selectors import latest_measures, livelihood_projects_for, measure_history
from sanqu.projects.services import (
    livelihood_measure_record,
    livelihood_project_create,
    livelihood_project_update,
)
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
Indicator = LivelihoodMeasure.Indicator


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _project(world: World, actor: str = "chengkou") -> LivelihoodProject:
    return livelihood_project_create(
        actor=world[actor],
        name="心悦手工坊",
        kind=LivelihoodProject.Kind.WORKSHOP,
        region=world.jiming,
        organisation=world.yangguang,
        started_on=dt.date(2017, 4, 1),
        households_reached=36,
        products="手工布鞋、丝网花",
        sales_channels="线上网店、线下展销",
    )


def test_it_creates_a_project_in_the_county_of_its_village_and_audits_it(world: World) -> None:
    project = _project(world)

    assert project.county == world.chengkou
    assert AuditEntry.objects.filter(action="create", object_type="projects.livelihoodproject").exists()


def test_it_refuses_the_leader_and_answers_404_to_another_county(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _project(world, actor="leader")
    with pytest.raises(PermissionDenied):
        _project(world, actor="wanzhou")
    project = _project(world)
    with pytest.raises(Http404):
        livelihood_project_update(actor=world["wanzhou"], project=project, data={"households_reached": 1})
    with pytest.raises(PermissionDenied):
        livelihood_project_update(actor=world["leader"], project=project, data={"households_reached": 1})
    assert not livelihood_projects_for(world["wanzhou"]).exists()


def test_it_updates_and_names_the_changed_fields(world: World) -> None:
    project = _project(world)

    livelihood_project_update(actor=world["worker"], project=project, data={"households_reached": 52})

    entry = AuditEntry.objects.filter(action="update", object_id=str(project.pk)).get()
    assert entry.detail["changed"] == ["households_reached"]


def test_it_keeps_the_measures_over_time_and_shows_the_latest_of_each(world: World) -> None:
    project = _project(world)
    for day, indicator, label, value in [
        (dt.date(2017, 10, 1), Indicator.AREA_MU, "核桃", "300"),
        (dt.date(2017, 10, 1), Indicator.AREA_MU, "雪莲果", "120"),
        (dt.date(2018, 4, 1), Indicator.AREA_MU, "核桃", "500"),
        (dt.date(2018, 4, 1), Indicator.AREA_MU, "雪莲果", "300"),
        (dt.date(2018, 6, 30), Indicator.INCOME_PER_HOUSEHOLD, "", "6000"),
        (dt.date(2018, 6, 30), Indicator.VISITS, "", "11"),
    ]:
        livelihood_measure_record(
            actor=world["worker"],
            project=project,
            measured_on=day,
            indicator=indicator,
            label=label,
            value=Decimal(value),
        )

    assert measure_history(project).count() == 6
    latest = {(row.indicator, row.label): row.value for row in latest_measures(project)}
    assert latest == {
        ("area_mu", "核桃"): Decimal("500"),
        ("area_mu", "雪莲果"): Decimal("300"),
        ("income_per_household", ""): Decimal("6000"),
        ("visits", ""): Decimal("11"),
    }
    assert AuditEntry.objects.filter(object_type="projects.livelihoodmeasure").count() == 6


def test_it_refuses_a_measure_in_the_future_before_the_start_or_twice(world: World) -> None:
    project = _project(world)

    def record(day: dt.date) -> None:
        livelihood_measure_record(
            actor=world["worker"],
            project=project,
            measured_on=day,
            indicator=Indicator.SALES,
            value=Decimal(1200),
        )

    for day in (dt.date(2018, 7, 11), dt.date(2017, 3, 31)):
        with pytest.raises(ValidationError):
            record(day)
    record(dt.date(2018, 7, 1))
    with pytest.raises(ValidationError):
        record(dt.date(2018, 7, 1))
    assert project.measures.count() == 1


def test_it_does_not_register_the_same_project_twice_in_a_village(world: World) -> None:
    _project(world)
    with pytest.raises(ValidationError) as refusal:
        _project(world)
    assert "name" in refusal.value.message_dict
    assert LivelihoodProject.objects.count() == 1


def test_it_shows_a_project_to_the_city_county_organisation_and_workers_posted_there(world: World) -> None:
    project = _project(world)
    everyone = [
        "city",
        "leader",
        "chengkou",
        "wanzhou",
        "yangguang",
        "worker",
        "mentor",
        "editor",
        "reviewer",
    ]

    seen = {name for name in everyone if livelihood_projects_for(world[name]).filter(pk=project.pk).exists()}

    assert seen == {"city", "leader", "chengkou", "yangguang", "worker"}

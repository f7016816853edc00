"""Evaluation reads: who sees what, the grade of each project, grade counts for the figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.projects import evaluation_services as services
from sanqu.projects.evaluation_selectors import evaluations_for, grade_counts, grades_of
from sanqu.projects.models import EvaluationScheme, Project, ProjectEvaluation
from sanqu.projects.tests.factories import make_project, make_scheme
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _evaluate(
    world: World, project: Project, kind: str, day: dt.date, fraction: str | None, actor: str = "city"
) -> ProjectEvaluation:
    """An evaluation scored at `fraction` of every weight and submitted (a draft when None)."""
    scheme = EvaluationScheme.objects.first() or make_scheme()
    evaluation = services.evaluation_start(
        actor=world[actor], project=project, kind=kind, scheme=scheme, evaluated_on=day, evaluators="评估组"
    )
    if fraction is None:
        return evaluation
    scores = {i.pk: (i.weight * Decimal(fraction), "依据", None) for i in scheme.indicators.all()}
    services.evaluation_score(actor=world[actor], evaluation=evaluation, scores=scores, summary="结论")
    return services.evaluation_submit(actor=world[actor], evaluation=evaluation)


def _projects(world: World) -> dict[str, Project]:
    return {
        "c2016": make_project(world, year=2016),
        "c2017": make_project(world, year=2017),
        "w2017": make_project(world, year=2017, county=world.wanzhou, organisation=world.wanzhou_org),
        "none": make_project(world, year=2018),
    }


def test_it_gives_the_latest_submitted_grade_final_over_midterm_in_one_query(world: World) -> None:
    projects = _projects(world)
    _evaluate(world, projects["c2016"], "midterm", dt.date(2016, 7, 1), "0.7")
    final = _evaluate(world, projects["c2016"], "final", dt.date(2016, 12, 20), "0.95")
    midterm = _evaluate(world, projects["c2017"], "midterm", dt.date(2017, 7, 1), "0.85")
    _evaluate(world, projects["w2017"], "midterm", dt.date(2017, 7, 1), None)

    with CaptureQueriesContext(connection) as queries:
        grades = grades_of(Project.objects.all())
    assert len(queries) == 1
    assert grades == {projects["c2016"].pk: final, projects["c2017"].pk: midterm}
    assert grades[projects["c2016"].pk].grade == "excellent" and grades[projects["c2017"].pk].grade == "good"
    with CaptureQueriesContext(connection) as queries:
        assert grades_of(list(projects.values())) == grades
    assert len(queries) == 1


def test_it_counts_submitted_grades_by_kind_under_a_region_up_to_a_date(world: World) -> None:
    projects = _projects(world)
    _evaluate(world, projects["c2016"], "midterm", dt.date(2016, 7, 1), "0.7")  # fair
    _evaluate(world, projects["c2016"], "final", dt.date(2016, 12, 20), "0.95")  # excellent
    _evaluate(world, projects["c2017"], "midterm", dt.date(2017, 7, 1), "0.5")  # poor
    _evaluate(world, projects["w2017"], "midterm", dt.date(2017, 7, 2), "0.85")  # good
    _evaluate(world, projects["none"], "midterm", dt.date(2018, 7, 1), None)  # a draft never counts

    zero = {"excellent": 0, "good": 0, "fair": 0, "poor": 0}
    assert grade_counts("50", TODAY) == {
        "midterm": {**zero, "fair": 1, "poor": 1, "good": 1},
        "final": {**zero, "excellent": 1},
    }
    assert grade_counts(world.chengkou.path, TODAY) == {
        "midterm": {**zero, "fair": 1, "poor": 1},
        "final": {**zero, "excellent": 1},
    }
    assert grade_counts(world.wanzhou.path, dt.date(2017, 7, 1)) == {"midterm": zero, "final": zero}
    assert grade_counts("50", dt.date(2016, 12, 19)) == {"midterm": {**zero, "fair": 1}, "final": zero}


def test_it_shows_evaluations_to_those_who_see_the_project(world: World) -> None:
    projects = _projects(world)
    chengkou = _evaluate(world, projects["c2017"], "midterm", dt.date(2017, 7, 1), None)
    wanzhou = _evaluate(world, projects["w2017"], "midterm", dt.date(2017, 7, 1), None)
    seen = {name: set(evaluations_for(world[name])) for name in ("city", "leader", "chengkou", "wanzhou")}
    assert seen["city"] == seen["leader"] == {chengkou, wanzhou}
    assert seen["chengkou"] == {chengkou} and seen["wanzhou"] == {wanzhou}
    assert set(evaluations_for(world["yangguang"])) == {chengkou}
    assert set(evaluations_for(world["worker"])) == {chengkou}
    assert not evaluations_for(world["mentor"]).exists()

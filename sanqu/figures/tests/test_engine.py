"""The figures engine on the hand-built programme of `factories.py`.

Each expected value is reasoned out in the comments of `build_programme`: at D = 2014-12-31 the
receiving counties are 城口, 万州 and 开州; 江北 never receives.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.cases.models import Case, ServiceType, TargetGroup
from sanqu.figures.engine import FigureError, baseline_date, compute_figures, parse_as_of, resolve_scope
from sanqu.figures.tests.factories import (
    D,
    Kind,
    Programme,
    activity,
    assess,
    beneficiary,
    case,
    certificate,
    dispatch,
    group_with_sessions,
    livelihood,
    person,
    service,
)
from sanqu.orgs.models import Organisation
from sanqu.projects.models import Grade, LivelihoodProject, ProgrammeYear, ProjectEvaluation, Target
from sanqu.workforce.models import Dispatch


def by_type(**counts: int) -> dict[str, int]:
    return {kind: counts.get(kind, 0) for kind in Kind.values}


def by_group(**counts: int) -> dict[str, int]:
    return {code: counts.get(code, 0) for code in TargetGroup.objects.values_list("code", flat=True)}


def by_stage(**counts: int) -> dict[str, int]:
    return {stage: counts.get(stage, 0) for stage in Case.Stage.values}


def by_reason(**counts: int) -> dict[str, int]:
    return {reason: counts.get(reason, 0) for reason in Dispatch.LeaveReason.values}


def people_side(
    *, retention: tuple[int, int, int, float | None], reasons: dict[str, int], quota: tuple[int, int, int],
    levels: tuple[int, int],
) -> dict[str, object]:  # fmt: skip
    ended, completed, left_early, rate = retention
    return {
        "dispatch_retention": {
            "ended": ended,
            "completed": completed,
            "left_early": left_early,
            "rate": rate,
        },
        "early_leavers_by_reason": reasons,
        "trainees_vs_quota": dict(zip(("quota", "recommended", "completed"), quota, strict=True)),
        "certified_by_level": {"assistant": levels[0], "intermediate": levels[1], "senior": 0},
        "incentive_claims_paid": {"count": 0, "amount": "0.00"},
        "volunteer_hours": 0.0,
    }


def no_projects() -> dict[str, object]:
    """The hand-built programme has no county projects: project supervision's figures are empty."""
    return {
        "projects_total": 0,
        "project_progress": {target: {"goal": 0, "done": 0, "percent": None} for target in Target.values},
        "report_timeliness": {"due": 0, "on_time": 0, "late": 0, "missing": 0, "rate": None},
        "visits_open_actions": {"open": 0, "overdue": 0, "closed_on_time": 0, "closed_late": 0},
        "evaluation_grades": {kind: dict.fromkeys(Grade.values, 0) for kind in ProjectEvaluation.Kind.values},
    }


def by_service(**counts: int) -> dict[str, int]:
    return {code: counts.get(code, 0) for code in ServiceType.objects.values_list("code", flat=True)}


def test_it_computes_every_figure_for_the_municipality(programme: Programme) -> None:
    assert compute_figures(scope=programme.chongqing, as_of=D) == {
        "receiving_counties": 3,
        "dispatched_total": 4,
        "dispatched_people": 3,
        "trained_total": 2,
        "organisations_total": 4,
        "organisations_by_type": by_type(social_service_agency=2, association=1, foundation=1),
        "counties_with_organisations": 2,
        "organisations_baseline": 3,
        "organisations_added": 1,
        "certified_total": 4,
        "certified_baseline": 3,
        "certified_growth_multiple": 0.3,
        "incentive_counties": 2,
        # Restricted people count: b1 is a child under 14, b3 a community-correction subject.
        "beneficiaries_by_group": by_group(
            left_behind_children=1,
            left_behind_elderly=1,
            elderly_in_difficulty=1,
            disabled=1,
            community_correction=1,
            registered_poor=2,
        ),
        "cases_by_stage": by_stage(intake=1, assessment=1, plan=1, intervention=1, evaluation=1, closed=1),
        "services_by_type": by_service(
            growth_support=2, emotional_comfort=1, psychosocial_support=1, counselling=1, policy_publicity=1
        ),
        "service_hours": 10.5,
        "group_sessions": 3,
        "community_attendance": 49,
        "livelihood_households": 42,
        # p1's 2013 term completed, p2 left early (family); traineeships, not people: t1 counts twice.
        **people_side(retention=(2, 1, 1, 50.0), reasons=by_reason(family=1), quota=(5, 5, 3), levels=(4, 1)),
        **no_projects(),
    }


def test_it_keeps_a_county_scope_to_the_county(programme: Programme) -> None:
    assert compute_figures(scope=programme.chengkou, as_of=D) == {
        "receiving_counties": 1,
        "dispatched_total": 2,
        "dispatched_people": 1,
        "trained_total": 1,
        "organisations_total": 2,
        "organisations_by_type": by_type(social_service_agency=1, association=1),
        "counties_with_organisations": 1,
        "organisations_baseline": 1,
        "organisations_added": 1,
        "certified_total": 1,
        "certified_baseline": 1,
        "certified_growth_multiple": 0.0,
        "incentive_counties": 1,
        "beneficiaries_by_group": by_group(left_behind_children=1, left_behind_elderly=1, registered_poor=2),
        "cases_by_stage": by_stage(intake=1, intervention=1, closed=1),
        "services_by_type": by_service(growth_support=2, emotional_comfort=1),
        "service_hours": 4.5,
        "group_sessions": 2,
        "community_attendance": 35,
        "livelihood_households": 30,
        **people_side(retention=(1, 1, 0, 100.0), reasons=by_reason(), quota=(2, 2, 2), levels=(1, 1)),
        **no_projects(),
    }


def test_it_resolves_a_former_code_to_the_current_county(programme: Programme) -> None:
    scope = resolve_scope("500234")
    assert scope == programme.kaizhou
    assert compute_figures(scope=scope, as_of=D) == {
        "receiving_counties": 1,
        "dispatched_total": 0,
        "dispatched_people": 0,
        "trained_total": 0,
        "organisations_total": 2,
        "organisations_by_type": by_type(social_service_agency=1, foundation=1),
        "counties_with_organisations": 1,
        "organisations_baseline": 1,
        "organisations_added": 1,
        "certified_total": 2,
        "certified_baseline": 1,
        "certified_growth_multiple": 1.0,
        "incentive_counties": 1,
        "beneficiaries_by_group": by_group(disabled=1, elderly_in_difficulty=1),
        "cases_by_stage": by_stage(assessment=1),  # withdrew, then reopened with a new assessment
        "services_by_type": by_service(counselling=1),
        "service_hours": 0.5,
        "group_sessions": 0,
        "community_attendance": 0,  # its activity is after D
        "livelihood_households": 12,
        # Nothing ended in 开州: no retention rate rather than 0 %.
        **people_side(retention=(0, 0, 0, None), reasons=by_reason(), quota=(1, 1, 0), levels=(2, 0)),
        **no_projects(),
    }


def test_it_counts_only_what_existed_at_an_earlier_date(programme: Programme) -> None:
    # 2014-03-01: the 2014 year has not started, so 开州 is not yet a receiving county; C is still
    # registered; 万州's title subsidy is still in force.
    assert compute_figures(scope=programme.chongqing, as_of=dt.date(2014, 3, 1)) == {
        "receiving_counties": 2,
        "dispatched_total": 2,
        "dispatched_people": 2,
        "trained_total": 1,
        "organisations_total": 3,
        "organisations_by_type": by_type(social_service_agency=2, association=1),
        "counties_with_organisations": 2,
        "organisations_baseline": 2,
        "organisations_added": 1,
        "certified_total": 2,
        "certified_baseline": 2,
        "certified_growth_multiple": 0.0,
        "incentive_counties": 2,
        "beneficiaries_by_group": by_group(left_behind_elderly=1, registered_poor=1),
        "cases_by_stage": by_stage(intervention=1),  # C1: approved, not yet evaluated
        "services_by_type": by_service(emotional_comfort=1),
        "service_hours": 1.0,
        "group_sessions": 0,
        "community_attendance": 0,
        "livelihood_households": 0,
        # p2 has left (after 100 days); p1's 2013 term runs to 2014-06-09: 0 % retained so far.
        **people_side(retention=(1, 0, 1, 0.0), reasons=by_reason(family=1), quota=(2, 2, 1), levels=(2, 0)),
        **no_projects(),
    }


def test_it_gives_zeros_before_the_programme_and_no_multiple_without_a_baseline(programme: Programme) -> None:
    figures = compute_figures(scope=programme.chongqing, as_of=dt.date(2013, 5, 31))
    assert figures["receiving_counties"] == 0
    assert figures["organisations_total"] == 0
    assert figures["certified_baseline"] == 0
    assert figures["certified_growth_multiple"] is None


def test_it_gives_zeros_for_a_county_outside_the_programme(programme: Programme) -> None:
    figures = compute_figures(scope=programme.jiangbei, as_of=D)
    assert figures["receiving_counties"] == 0
    assert figures["organisations_total"] == 0
    assert figures["certified_total"] == 0
    assert figures["incentive_counties"] == 0


def test_it_takes_the_baseline_from_the_first_programme_year(programme: Programme) -> None:
    assert baseline_date() == dt.date(2012, 12, 31)


def test_it_uses_a_constant_number_of_queries(programme: Programme) -> None:
    with CaptureQueriesContext(connection) as small:
        compute_figures(scope=programme.chongqing, as_of=D)
    sender = Organisation.objects.get(name="江北戊社工中心")
    year = ProgrammeYear.objects.get(year=2014)
    for index in range(30):
        someone = person(f"新人{index}", programme.wanzhou)
        dispatch(someone, year, sender, programme.wanzhou, dt.date(2014, 7, 1))
        certificate(someone, programme.wanzhou, dt.date(2014, 7, 1))
        helped = beneficiary(f"对象{index}", programme.wanzhou, dt.date(2014, 7, 1), dt.date(1950, 1, 1),
                             "left_behind_elderly")  # fmt: skip
        opened = case(helped, someone, dt.date(2014, 7, 2), f"N{index}")
        assess(opened, dt.date(2014, 7, 3))
        service(programme.wanzhou, dt.date(2014, 7, 4), "daily_care", "1.0", someone, case=opened)
        group_with_sessions(programme.wanzhou, someone, dt.date(2014, 7, 5))
        activity(programme.wanzhou, dt.date(2014, 7, 6), someone, left_behind_elderly=2)
        livelihood(programme.wanzhou, LivelihoodProject.Kind.OTHER, dt.date(2014, 7, 7), 1, sender)
    with CaptureQueriesContext(connection) as large:
        figures = compute_figures(scope=programme.chongqing, as_of=D)
    assert figures["dispatched_total"] == 34
    assert figures["certified_total"] == 34
    assert figures["cases_by_stage"] == by_stage(
        intake=1, assessment=31, plan=1, intervention=1, evaluation=1, closed=1
    )
    assert figures["service_hours"] == 40.5
    assert (figures["group_sessions"], figures["community_attendance"]) == (33, 109)
    assert figures["livelihood_households"] == 72
    assert len(large) == len(small) <= 26  # 14 seed and case work, 7 people side, 5 projects (none here)


def test_it_refuses_an_unknown_scope_and_a_bad_date(programme: Programme) -> None:
    with pytest.raises(FigureError, match="999999"):
        resolve_scope("999999")
    for text in ("2018-02-30", "abc", "2018/07/10"):
        with pytest.raises(FigureError, match="YYYY-MM-DD"):
            parse_as_of(text)
    assert parse_as_of("2099-01-01") == dt.date(2099, 1, 1)
    with pytest.raises(FigureError):
        compute_figures(scope=programme.chongqing, as_of="2014-12-31")  # type: ignore[arg-type]

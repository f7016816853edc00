"""Property tests: the figures of random programmes against counts made independently from the specs.

`programmes()` draws a programme as plain values; `expected_figures` counts every covered key of
`compute_figures` from those values alone, following the definitions in the docstrings of
`sanqu.figures.engine` and of each figure function (workforce, training, incentives, volunteers,
projects). Nothing here calls the engine's helpers or reads a queryset to compute an expectation:
only the managed lists (target groups, service types, in their order) come from the database,
since they are the programme's input.

Each hypothesis example is written inside a savepoint that is rolled back afterwards, so every
example starts from the same database (the region tree built once per test) on SQLite and on
PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sanqu.cases.models import Case, CasePlan, Closure, ServiceType, TargetGroup
from sanqu.figures.dashboard import county_figures
from sanqu.figures.engine import FIGURE_LABELS, cases_by_stage, compute_figures
from sanqu.figures.tests.programmes import (
    COUNTIES,
    REGIONS,
    SCOPES,
    BeneficiarySpec,
    CaseSpec,
    OrgSpec,
    PlanSpec,
    ProgrammeSpec,
    YearSpec,
    build_regions,
    programmes,
    save_programme,
)
from sanqu.incentives.models import IncentiveClaim
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, Dispatch

# Keys whose definitions live in rule modules of their own (report schedules, progress against
# targets, visit actions and evaluations): no independent count of them here.
NOT_COVERED = {
    "project_progress": "done is what projects.progress counts per target from every kind of record "
    "between a project's start and end; a second model of those rules is its own test",
    "report_timeliness": "due dates come from projects.report_schedule (periods, grace days); "
    "the drawn programmes write no reports",
    "visits_open_actions": "the drawn programmes write no supervision visits or actions",
    "evaluation_grades": "the drawn programmes write no project evaluations",
}

# Every example writes its programme, so shrinking a failure costs minutes: the phases stop before
# it, and a failure prints the programme as drawn (test_a_plan_replaced_… shows the minimal one).
PROPERTY_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# Regions as the engine's docstring describes them: a scope holds a record when the path of the
# region the record names starts with the scope's path (2 digits for the municipality, 6 for a
# county, the whole code below).


def path(key: str) -> str:
    code, _name, level, _parent = REGIONS[key]
    return {Region.Level.PROVINCE: code[:2], Region.Level.COUNTY: code[:6]}.get(level, code)


def within(scope: str, key: str) -> bool:
    return path(key).startswith(path(scope))


def one_decimal(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def rate(part: int, whole: int, *, times: int) -> float | None:
    if whole == 0:
        return None
    return float((Decimal(part) * times / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def managed(model: type[TargetGroup] | type[ServiceType]) -> list[tuple[str, bool]]:
    """(code, active) of a managed list in its order: the programme's input, read from the database."""
    return list(model.objects.order_by("sort_order", "id").values_list("code", "active"))


def by_code(order: list[tuple[str, bool]], counts: dict[str, int]) -> dict[str, int]:
    """Every active entry, and a retired one only when something counts under it."""
    return {code: counts.get(code, 0) for code, active in order if active or counts.get(code, 0)}


# The independent counts -------------------------------------------------------------------------


class Expect:
    """Every covered figure of one programme for one scope and date, counted from the spec."""

    def __init__(self, spec: ProgrammeSpec, scope: str, as_of: dt.date) -> None:
        self.spec, self.scope, self.as_of = spec, scope, as_of
        first = min(year.year for year in spec.years)
        self.baseline = dt.date(first - 1, 12, 31)
        # Receiving counties as of D: counties of the scope in a year started by D.
        self.receiving = {
            county
            for year in spec.years
            if year.starts_on <= as_of
            for county in year.quotas
            if within(scope, county)
        }

    def headline(self) -> dict[str, Any]:
        spec, d, here = self.spec, self.as_of, self.scope
        started = [term for term in spec.dispatches if within(here, term.county) and term.started_on <= d]
        trained = {
            trainee.person
            for trainee in spec.trainees
            if within(here, trainee.county) and trainee.completed_on is not None and trainee.completed_on <= d
        }

        def active(org: Any, day: dt.date) -> bool:
            return org.registered_on <= day and (org.deregistered_on is None or org.deregistered_on > day)

        organisations = [org for org in spec.organisations if org.social_work and org.home in self.receiving]
        now = [org for org in organisations if active(org, d)]
        then = [org for org in organisations if active(org, self.baseline)]
        certificates = [held for held in spec.certificates if held.county in self.receiving]
        certified = len({held.person for held in certificates if held.obtained_on <= d})
        certified_then = len({held.person for held in certificates if held.obtained_on <= self.baseline})
        in_force = {
            policy.county
            for policy in spec.policies
            if policy.county in self.receiving
            and policy.effective_from <= d
            and (policy.effective_until is None or policy.effective_until >= d)
        }
        return {
            "receiving_counties": len(self.receiving),
            "dispatched_total": len(started),
            "dispatched_people": len({term.person for term in started}),
            "trained_total": len(trained),
            "organisations_total": len(now),
            "organisations_by_type": {
                kind: sum(1 for org in now if org.kind == kind) for kind in Organisation.Kind.values
            },
            "counties_with_organisations": len({org.home for org in now}),
            "organisations_baseline": len(then),
            "organisations_added": len(now) - len(then),
            "certified_total": certified,
            "certified_baseline": certified_then,
            "certified_growth_multiple": rate(certified - certified_then, certified_then, times=1),
            "incentive_counties": len(in_force),
        }

    def work(self) -> dict[str, Any]:
        spec, d, here = self.spec, self.as_of, self.scope
        people = [
            person
            for person in spec.beneficiaries
            if within(here, person.place) and person.registered_on <= d
        ]
        groups = {
            code: sum(1 for person in people if code in person.groups) for code, _ in managed(TargetGroup)
        }
        records = [
            record for record in spec.services if within(here, record.county) and record.served_on <= d
        ]
        types = {
            code: sum(1 for record in records if record.service_type == code)
            for code, _ in managed(ServiceType)
        }
        return {
            "beneficiaries_by_group": by_code(managed(TargetGroup), groups),
            "cases_by_stage": self.cases_by_stage(),
            "services_by_type": by_code(managed(ServiceType), types),
            "service_hours": one_decimal(sum((record.hours for record in records), Decimal(0))),
            "group_sessions": sum(
                1 for group in spec.groups if within(here, group.county) for day in group.sessions if day <= d
            ),
            "community_attendance": sum(
                sum(activity.headcounts.values())
                for activity in spec.activities
                if within(here, activity.county) and activity.held_on <= d
            ),
            "livelihood_households": sum(
                project.households
                for project in spec.livelihoods
                if within(here, project.county) and project.started_on <= d
            ),
        }

    def cases_by_stage(self) -> dict[str, int]:
        counts = dict.fromkeys(Case.Stage.values, 0)
        for case in self.spec.cases:
            if within(self.scope, case.county) and case.opened_on <= self.as_of:
                counts[stage_as_of(case, self.as_of)] += 1
        return counts

    def people_side(self) -> dict[str, Any]:
        spec, d, here = self.spec, self.as_of, self.scope
        ended = [
            term
            for term in spec.dispatches
            if within(here, term.county)
            and term.status in (Dispatch.Status.COMPLETED, Dispatch.Status.LEFT_EARLY)
            and term.ended_on is not None
            and term.ended_on <= d
        ]
        completed = sum(1 for term in ended if term.status == Dispatch.Status.COMPLETED)
        left = [term for term in ended if term.status == Dispatch.Status.LEFT_EARLY]
        started_years = {index for index, year in enumerate(spec.years) if year.starts_on <= d}
        trainees = [
            trainee
            for trainee in spec.trainees
            if trainee.year in started_years and within(here, trainee.county)
        ]
        held = [
            certificate
            for certificate in spec.certificates
            if certificate.county in self.receiving and certificate.obtained_on <= d
        ]
        paid = [
            claim
            for claim in spec.claims
            if claim.status == IncentiveClaim.Status.PAID
            and claim.paid_on is not None
            and claim.paid_on <= d
            and within(here, spec.policies[claim.policy].county)
        ]
        hours = sum(
            (
                service.hours
                for service in spec.volunteer_services
                if within(here, service.county) and service.served_on <= d
            ),
            Decimal(0),
        )
        return {
            "dispatch_retention": {
                "ended": len(ended),
                "completed": completed,
                "left_early": len(left),
                "rate": rate(completed, len(ended), times=100),
            },
            "early_leavers_by_reason": {
                reason: sum(1 for term in left if term.leave_reason == reason)
                for reason in Dispatch.LeaveReason.values
            },
            "trainees_vs_quota": {
                "quota": sum(
                    quota
                    for index in started_years
                    for county, quota in spec.years[index].quotas.items()
                    if within(here, county)
                ),
                "recommended": len(trainees),
                "completed": sum(
                    1
                    for trainee in trainees
                    if trainee.completed_on is not None and trainee.completed_on <= d
                ),
            },
            "certified_by_level": {
                level: len({certificate.person for certificate in held if certificate.level == level})
                for level in Certificate.Level.values
            },
            "incentive_claims_paid": {
                "count": len(paid),
                "amount": str(sum((claim.amount for claim in paid), Decimal(0)).quantize(Decimal("0.01"))),
            },
            "volunteer_hours": one_decimal(hours),
        }

    def projects(self) -> dict[str, Any]:
        signed = [
            project
            for project in self.spec.projects
            if within(self.scope, project.county) and project.signed_on <= self.as_of
        ]
        return {"projects_total": len(signed)}

    def all(self) -> dict[str, Any]:
        return {**self.headline(), **self.work(), **self.people_side(), **self.projects()}


def stage_as_of(case: Any, as_of: dt.date) -> str:
    """The engine docstring's rule, read plainly.

    The latest of assessment, plan, plan approval, evaluation and approved closure on or before the
    date decides (on the same day the later stage wins); a plan drafted after an approval (that is
    not older than the latest assessment) is a revision during intervention. A plan counts as
    approved on the day it was approved; with approval off, on the day it was drafted. A closure
    counts once approved (with approval off, once written), on its closing date.
    """
    Stage = Case.Stage
    events: list[tuple[dt.date, int, str]] = []
    events += [(day, 1, Stage.ASSESSMENT) for day in case.assessments if day <= as_of]
    events += [(plan.drafted_on, 2, Stage.PLAN) for plan in case.plans if plan.drafted_on <= as_of]
    approvals = [
        plan.approved_on for plan in case.plans if plan.approved_on is not None and plan.approved_on <= as_of
    ]
    events += [(day, 3, Stage.INTERVENTION) for day in approvals]
    events += [(day, 4, Stage.EVALUATION) for day in case.evaluations if day <= as_of]
    events += [
        (closure.closed_on, 5, Stage.CLOSED)
        for closure in case.closures
        if closure.status == Closure.Status.APPROVED and closure.closed_on <= as_of
    ]
    if not events:
        return Stage.INTAKE
    _day, _order, stage = max(events)
    if stage == Stage.PLAN and approvals:
        assessed = max((day for day in case.assessments if day <= as_of), default=None)
        if assessed is None or max(approvals) >= assessed:
            return Stage.INTERVENTION
    return stage


# Fixtures and drawing ----------------------------------------------------------------------------


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    return build_regions()


@contextlib.contextmanager
def rollback() -> Iterator[None]:
    """A savepoint per hypothesis example, rolled back whatever happens inside it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def as_of_dates(spec: ProgrammeSpec) -> st.SearchStrategy[dt.date]:
    """Dates worth asking about: before the baseline, inside and after the programme, and every date
    the programme names with the day either side (where ≤ and < part)."""
    first = min(year.starts_on for year in spec.years)
    last = max(year.ends_on for year in spec.years)
    baseline = dt.date(first.year - 1, 12, 31)
    named = sorted(
        {
            day + dt.timedelta(days=shift)
            for day in spec.dates() | {baseline, first, last}
            for shift in (-1, 0, 1)
        }
    )
    return st.one_of(
        st.sampled_from(named),
        st.dates(min_value=baseline - dt.timedelta(days=400), max_value=baseline),
        st.dates(min_value=first, max_value=last),
        st.dates(min_value=last, max_value=last + dt.timedelta(days=800)),
    )


def differences(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    return [
        f"{key}: engine {actual.get(key)!r} ≠ independent {value!r}"
        for key, value in expected.items()
        if actual.get(key) != value
    ]


# The properties ----------------------------------------------------------------------------------


def empty_programme() -> ProgrammeSpec:
    """One programme year (2014, 城口 receiving) and nothing else."""
    return ProgrammeSpec(
        years=[YearSpec(2014, dt.date(2014, 6, 1), dt.date(2015, 5, 31), {"chengkou": 1})], people=[],
        organisations=[OrgSpec("social_service_agency", "chengkou", dt.date(2012, 1, 1), None, True)],
        dispatches=[], trainees=[], certificates=[], policies=[], claims=[], volunteers=[],
        volunteer_services=[], beneficiaries=[], cases=[], services=[], groups=[], activities=[],
        livelihoods=[], projects=[], retired_target_group=None, retired_service_type=None,
    )  # fmt: skip


def test_every_key_is_covered_or_listed_with_a_reason(regions: dict[str, Region]) -> None:
    covered = set(Expect(empty_programme(), "chongqing", dt.date(2015, 1, 1)).all())
    assert not covered & set(NOT_COVERED)
    assert covered | set(NOT_COVERED) == set(FIGURE_LABELS)


@PROPERTY_SETTINGS
@given(spec=programmes(), data=st.data())
def test_figures_equal_independent_counts(
    regions: dict[str, Region], spec: ProgrammeSpec, data: st.DataObject
) -> None:
    with rollback():
        save_programme(spec, regions)
        for _ in range(3):
            scope = data.draw(st.sampled_from(SCOPES), label="scope")
            as_of = data.draw(as_of_dates(spec), label="as_of")
            actual = compute_figures(scope=regions[scope], as_of=as_of)
            expected = Expect(spec, scope, as_of).all()
            wrong = differences(actual, expected)
            assert not wrong, f"scope {scope}, as of {as_of}:\n" + "\n".join(wrong)
            for key in ("beneficiaries_by_group", "services_by_type"):
                assert list(actual[key]) == list(expected[key]), f"{key} is not in the managed list's order"


@PROPERTY_SETTINGS
@given(spec=programmes())
def test_case_stages_follow_the_records_on_every_date_they_name(
    regions: dict[str, Region], spec: ProgrammeSpec
) -> None:
    """cases_by_stage on each date a case record names and the day either side, municipality-wide."""
    days = sorted(
        {
            day + dt.timedelta(days=shift)
            for case in spec.cases
            for day in case.dates_of()
            for shift in (-1, 0, 1)
        }
    )
    with rollback():
        save_programme(spec, regions)
        for as_of in days:
            expected = Expect(spec, "chongqing", as_of).cases_by_stage()
            assert cases_by_stage(scope=regions["chongqing"], as_of=as_of) == expected, f"as of {as_of}"


DASHBOARD_KEYS = (
    "dispatched_total", "dispatched_people", "trained_total", "organisations_total", "certified_total",
    "certified_baseline", "certified_growth_multiple", "incentive_counties", "beneficiaries_by_group",
    "services_by_type", "service_hours", "projects_total", "dispatch_retention",
)  # fmt: skip


@PROPERTY_SETTINGS
@given(spec=programmes(), data=st.data())
def test_county_rows_equal_independent_counts_per_county(
    regions: dict[str, Region], spec: ProgrammeSpec, data: st.DataObject
) -> None:
    with rollback():
        save_programme(spec, regions)
        scope = data.draw(st.sampled_from(["chongqing", *COUNTIES, "jiming", "wuxi"]), label="scope")
        as_of = data.draw(as_of_dates(spec), label="as_of")
        rows = county_figures(scope=regions[scope], as_of=as_of)
        receiving = Expect(spec, scope, as_of).receiving
        assert [row["code"] for row in rows] == sorted(REGIONS[county][0] for county in receiving)
        for row in rows:
            county = next(key for key in receiving if REGIONS[key][0] == row["code"])
            each = Expect(spec, county, as_of)
            expected = {key: value for key, value in each.all().items() if key in DASHBOARD_KEYS}
            expected["beneficiaries"] = sum(
                1
                for person in spec.beneficiaries
                if within(county, person.place) and person.registered_on <= as_of
            )
            expected["services"] = sum(expected["services_by_type"].values())
            wrong = differences(row, expected)
            assert not wrong, f"county {county} (scope {scope}), as of {as_of}:\n" + "\n".join(wrong)


def test_a_plan_replaced_before_review_is_no_approval(regions: dict[str, Region]) -> None:
    """plan_submit marks a version still awaiting review 已修订 (superseded) without reviewing it:
    as of a date before any approval, the case is at 计划, not 介入."""
    Status = CasePlan.Status
    case = CaseSpec(
        beneficiary=0, county="chengkou", opened_on=dt.date(2014, 3, 1), approval_required=True,
        stage=Case.Stage.PLAN, assessments=[dt.date(2014, 3, 2)],
        plans=[
            PlanSpec(dt.date(2014, 3, 3), Status.SUPERSEDED, None, None),
            PlanSpec(dt.date(2014, 3, 10), Status.SUBMITTED, None, None),
        ],
    )  # fmt: skip
    spec = empty_programme()
    spec.beneficiaries = [BeneficiarySpec("chaping", dt.date(2014, 3, 1), [])]
    spec.cases = [case]
    as_of = dt.date(2014, 3, 5)
    assert stage_as_of(case, as_of) == Case.Stage.PLAN
    with rollback():
        save_programme(spec, regions)
        figures = compute_figures(scope=regions["chengkou"], as_of=as_of)
        assert figures["cases_by_stage"] == Expect(spec, "chengkou", as_of).cases_by_stage()

"""`sanqu generate`: its output passes the same validation as real data, and the same seed gives the
same rows. A small programme is generated once for the module, in a transaction rolled back after."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models, transaction

from sanqu.cases.models import (
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    GroupAttendance,
    GroupSession,
    ServiceRecord,
)
from sanqu.cases.models.beneficiaries import CHILD_AGE
from sanqu.cases.services.beneficiaries import _check_consent, find_by_id_number
from sanqu.cases.services.service_records import service_errors
from sanqu.demo.generate import COLUMNS, digest, digest_models
from sanqu.lib import clock, creditcode, idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, Project
from sanqu.projects.progress import progress_of
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Dispatch, Person
from sanqu.workforce.services import find_person_by_id_number

SMALL = [
    "--counties",
    "2",
    "--years",
    "2",
    "--stations-per-county",
    "3",
    "--workers",
    "8",
    "--beneficiaries",
    "600",
]
SMALL += ["--cases-per-beneficiary", "0.5", "--services", "6000", "--groups", "8"]
SAMPLE = 60


@pytest.fixture(scope="module")
def generated(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        # --reset: the demo's tests share this package, and their package-wide demo may be loaded
        # (uncommitted) in this process when this module starts.
        call_command("generate", *SMALL, "--seed", "11", "--reset", stdout=out)
        connection.check_constraints()
        yield out.getvalue()
        transaction.set_rollback(True)


def sample(model: type[models.Model], **where: Any) -> list[Any]:
    rows = list(model._default_manager.filter(**where).order_by("pk"))
    assert rows, f"no {model.__name__} generated"
    return random.Random(len(rows)).sample(rows, min(SAMPLE, len(rows)))  # noqa: S311


@pytest.mark.django_db
def test_it_makes_the_programme_asked_for(generated: str) -> None:
    assert Beneficiary.objects.count() == 600
    assert ServiceRecord.objects.count() == 6000
    assert Station.objects.count() == 6
    assert Person.objects.count() == 8
    assert ProgrammeYear.objects.count() == 2
    assert ProgrammeYear.objects.order_by("year").last().ends_on >= clock.today()  # type: ignore[union-attr]
    assert 200 <= Case.objects.count() <= 400  # 0.5 a person served, fewer when opening falls after today
    assert "行/秒" in generated


@pytest.mark.django_db
def test_it_gives_each_county_a_yearly_project_whose_progress_the_records_show(generated: str) -> None:
    projects = list(Project.objects.select_related("county"))
    years = set(ProgrammeYear.objects.values_list("pk", flat=True))
    counties = {project.county_id for project in projects}
    # One organisation runs the 3 stations of each of the 2 counties: a project a county and year.
    assert sorted((p.county_id, p.programme_year_id) for p in projects) == sorted(
        (county, year) for county in counties for year in years
    )
    assert len(counties) == 2
    for project, rows in progress_of(projects, clock.today()).items():
        done = {row.target: row.done for row in rows}
        assert done["beneficiaries"] > 0, project
        assert done["cases"] > 0, project


@pytest.mark.django_db
def test_it_passes_every_models_own_validation(generated: str) -> None:
    for model in digest_models():
        if model in COLUMNS and model._meta.auto_created:  # many-to-many rows: nothing to clean
            continue
        for row in sample(model):
            row.full_clean()


@pytest.mark.django_db
def test_it_gives_people_valid_id_numbers_found_by_their_keyed_hash(generated: str) -> None:
    today = clock.today()
    for beneficiary in sample(Beneficiary):
        number = beneficiary.id_number
        assert idnumber.validate(number, today=today) == number
        assert number[17] == idnumber.check_character(number[:17])
        assert idnumber.birth_date(number) == beneficiary.birth_date
        assert find_by_id_number(number.lower()) == beneficiary
        _check_consent(beneficiary, today=today)  # raises when a consent rule is broken
    for person in sample(Person):
        assert idnumber.validate(person.id_number, today=today) == person.id_number
        assert find_person_by_id_number(person.id_number) == person
    for organisation in Organisation.objects.exclude(credit_code=""):
        assert creditcode.is_valid(organisation.credit_code)
    with connection.cursor() as cursor:  # encrypted at rest, like every other write
        cursor.execute("SELECT id_number, address FROM cases_beneficiary")
        assert all(number.startswith("g1:") and address.startswith("g1:") for number, address in cursor)


@pytest.mark.django_db
def test_it_registers_children_under_14_with_a_guardians_consent(generated: str) -> None:
    children = adults = 0
    for beneficiary in Beneficiary.objects.all():
        age = beneficiary.age_on(beneficiary.registered_on)
        assert age is not None and 3 <= age <= 92
        assert beneficiary.consent_on == beneficiary.registered_on
        if age < CHILD_AGE:
            children += 1
            assert beneficiary.consent_by == Beneficiary.ConsentBy.GUARDIAN
            assert beneficiary.guardian_name and beneficiary.guardian_relation
        else:
            adults += 1
            assert beneficiary.consent_by == Beneficiary.ConsentBy.SELF
    assert children > 100 and adults > 300


@pytest.mark.django_db
def test_it_spreads_people_over_the_categories_in_plausible_shares(generated: str) -> None:
    through = Beneficiary.target_groups.through
    shares = Counter(through.objects.values_list("targetgroup__code", flat=True))
    total = Beneficiary.objects.count()
    assert 0.15 < shares["left_behind_children"] / total < 0.4
    assert 0.1 < shares["left_behind_elderly"] / total < 0.3
    assert 0.2 < shares["registered_poor"] / total < 0.4
    for code in ("disabled", "youth_at_risk", "community_correction", "released_prisoners"):
        assert shares[code] > 0
    # Ages fit the category.
    for beneficiary in Beneficiary.objects.filter(target_groups__code="left_behind_elderly"):
        assert beneficiary.age_on(beneficiary.registered_on) >= 60  # type: ignore[operator]
    for beneficiary in Beneficiary.objects.filter(target_groups__code="left_behind_women"):
        assert beneficiary.sex == "F"


@pytest.mark.django_db
def test_it_records_services_on_working_days_by_the_stations_workers(generated: str) -> None:
    today = clock.today()
    for record in sample(ServiceRecord):
        assert (
            service_errors(
                served_on=record.served_on,
                method=record.method,
                service_type=record.service_type,
                duration_hours=record.duration_hours,
                today=today,
            )
            == {}
        )
        assert record.served_on.weekday() < 5
        assert Decimal("0.5") <= record.duration_hours <= Decimal(4)
        beneficiary = record.beneficiary
        assert beneficiary is not None and record.served_on >= beneficiary.registered_on
        assert record.county.code == beneficiary.region.code[:6]
        assert record.worker.organisation_id == beneficiary.station.organisation_id  # type: ignore[union-attr]
    assert set(ServiceRecord.objects.values_list("method", flat=True)) == {"case", "group", "community"}


@pytest.mark.django_db
def test_it_runs_cases_through_the_stages_in_order(generated: str) -> None:
    stages = Counter(Case.objects.values_list("stage", flat=True))
    assert stages["closed"] and stages["intervention"]
    for case in sample(Case):
        intake = case.intake
        assert intake.recorded_on == case.opened_on >= case.beneficiary.registered_on
        days = [case.opened_on]
        days += [assessment.assessed_on for assessment in case.assessments.all()]
        plans = list(case.plans.order_by("version"))
        for case_plan in plans:
            days.append(case_plan.drafted_on)
            if case_plan.reviewed_at is not None:
                days.append(case_plan.reviewed_at.date())
        approved = [p for p in plans if p.status == CasePlan.Status.APPROVED]
        services = sorted(case.service_records.values_list("served_on", flat=True))
        if services:
            assert approved and services[0] > approved[0].reviewed_at.date()  # type: ignore[union-attr]
            assert case.last_service_on == services[-1]
        days += services
        days += [evaluation.evaluated_on for evaluation in case.evaluations.all()]
        closures = list(case.closures.all())
        days += [closure.closed_on for closure in closures]
        assert days == sorted(days), case.number
        assert days[-1] <= clock.today()
        if case.stage == Case.Stage.ASSESSMENT:
            assert case.assessments.exists() and not plans
        if case.stage == Case.Stage.INTERVENTION:
            assert approved and not case.evaluations.exists()
        if case.stage == Case.Stage.EVALUATION:
            assert approved and case.evaluations.exists()
        if case.stage == Case.Stage.CLOSED:
            (closure,) = [c for c in closures if c.status == Closure.Status.APPROVED]
            assert case.status == Case.Status.CLOSED and case.closed_on == closure.closed_on
            assert closure.reason in Closure.Reason.values
            if closure.reason == Closure.Reason.GOAL_MET:
                assert case.evaluations.exists()


@pytest.mark.django_db
def test_it_holds_group_sessions_weekly_with_attendance(generated: str) -> None:
    for session in sample(GroupSession):
        group = session.group
        assert session.held_on >= group.started_on and session.held_on.weekday() < 5
        present = GroupAttendance.objects.filter(session=session, present=True).count()
        assert session.service_records.count() == present
        assert all(m.beneficiary.registered_on <= group.started_on for m in group.members.all())


@pytest.mark.django_db
def test_it_dispatches_workers_a_term_a_year(generated: str) -> None:
    for dispatch in Dispatch.objects.all():
        assert dispatch.planned_end_on == Dispatch.default_planned_end(dispatch.started_on)
        assert dispatch.station is not None and dispatch.station.region.code.startswith(dispatch.county.code)
        if dispatch.renewal_of is not None:
            assert dispatch.renewal_of.planned_end_on < dispatch.started_on


@pytest.mark.django_db
def test_it_leaves_the_rollups_equal_to_the_records(generated: str) -> None:
    out = io.StringIO()
    call_command("figures", "--recompute", "--scope", "500000", stdout=out)
    assert "一致" in out.getvalue()


@pytest.mark.django_db
def test_it_refuses_a_database_with_programme_data_unless_reset(generated: str) -> None:
    with pytest.raises(CommandError, match="--reset"):
        call_command("generate", *SMALL, stdout=io.StringIO())


@pytest.mark.django_db
def test_it_gives_the_same_rows_for_the_same_seed(generated: str) -> None:
    first = digest()
    call_command("generate", *SMALL, "--seed", "11", "--reset", stdout=io.StringIO())
    assert digest() == first
    call_command("generate", *SMALL, "--seed", "12", "--reset", stdout=io.StringIO())
    assert digest() != first
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 38  # regions stay


@pytest.mark.django_db
def test_it_dates_everything_from_the_working_date(generated: str, settings: Any) -> None:
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    call_command("generate", *SMALL, "--reset", stdout=io.StringIO())
    last = ServiceRecord.objects.order_by("-served_on").first()
    assert last is not None and last.served_on <= dt.date(2018, 7, 10)
    assert ProgrammeYear.objects.order_by("year").first().starts_on == dt.date(2016, 7, 11)  # type: ignore[union-attr]

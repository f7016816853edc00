"""A project's work is what the records say: inside its county, dates and organisation, nothing else."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.cases.models import (
    Case,
    CommunityActivity,
    CommunityAttendance,
    ServiceRecord,
    ServiceType,
    TargetGroup,
)
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.orgs.models import Organisation
from sanqu.projects.models import Project
from sanqu.projects.progress import Span, figures_for, period_figures, progress_of
from sanqu.projects.tests.factories import make_project
from sanqu.testing import World, make_person

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


def _case(world: World, opened_on: dt.date, *, organisation: Organisation | None = None) -> Case:
    beneficiary = make_beneficiary(f"对象{next(_numbers)}", world.jiming, worker=world.worker_person)
    return Case.objects.create(
        number=f"T-{next(_numbers)}",
        beneficiary=beneficiary,
        worker=world.worker_person,
        organisation=organisation or world.yangguang,
        county=world.chengkou,
        opened_on=opened_on,
    )


def _service(world: World, case: Case, day: dt.date) -> ServiceRecord:
    return ServiceRecord.objects.create(
        served_on=day,
        worker=case.worker,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.first(),
        duration_hours=1,
        beneficiary=case.beneficiary,
        case=case,
        county=case.county,
    )


def _activity(world: World, day: dt.date, headcount: int) -> CommunityActivity:
    activity = CommunityActivity.objects.create(
        name="重阳节敬老活动",
        kind=CommunityActivity.Kind.choices[0][0],
        held_on=day,
        county=world.chengkou,
        region=world.jiming,
        organisation=world.yangguang,
        worker=world.worker_person,
    )
    CommunityAttendance.objects.create(
        activity=activity, target_group=TargetGroup.objects.first(), headcount=headcount
    )
    return activity


def test_it_counts_the_records_of_the_period_and_the_organisation_only(world: World) -> None:
    project = make_project(world)
    march = _case(world, dt.date(2017, 3, 5))
    _service(world, march, dt.date(2017, 3, 6))
    _service(world, march, dt.date(2017, 3, 20))
    april = _case(world, dt.date(2017, 4, 2))
    _service(world, april, dt.date(2017, 4, 3))
    other = _case(world, dt.date(2017, 3, 9), organisation=world.wanzhou_org)
    _service(world, other, dt.date(2017, 3, 10))
    _activity(world, dt.date(2017, 3, 15), headcount=40)

    march_figures = period_figures(project, dt.date(2017, 3, 1), dt.date(2017, 3, 31))

    assert march_figures["cases_opened"] == 1
    assert march_figures["services"] == 2
    assert march_figures["beneficiaries_served"] == 1
    assert march_figures["community_activities"] == 1
    assert march_figures["community_participants"] == 40
    assert march_figures["group_sessions"] == 0


def test_progress_runs_from_the_start_to_the_day_and_compares_with_the_targets(world: World) -> None:
    project = make_project(world, target_cases=4, target_beneficiaries=0)
    for day in (dt.date(2017, 2, 1), dt.date(2017, 5, 1), dt.date(2017, 9, 1)):
        _service(world, _case(world, day), day)
    _case(world, dt.date(2016, 12, 30))  # before the service period

    by_target = {row.target: row for row in progress_of([project], dt.date(2017, 6, 30))[project.pk]}

    assert (by_target["cases"].goal, by_target["cases"].done, by_target["cases"].percent) == (4, 2, 50)
    assert by_target["beneficiaries"].done == 2
    assert by_target["beneficiaries"].percent is None  # no target set


def test_a_project_that_has_not_started_has_done_nothing(world: World) -> None:
    project = make_project(world, year=2018)
    assert all(row.done == 0 for row in progress_of([project], dt.date(2017, 12, 31))[project.pk])


def test_two_years_of_one_organisation_are_counted_apart(world: World) -> None:
    first = make_project(world, year=2017)
    second = make_project(world, year=2018)
    _case(world, dt.date(2017, 6, 1))
    _case(world, dt.date(2018, 2, 1))
    _case(world, dt.date(2018, 3, 1))

    progress = progress_of([first, second], dt.date(2018, 7, 10))

    cases = {pk: next(row.done for row in rows if row.target == "cases") for pk, rows in progress.items()}
    assert cases == {first.pk: 1, second.pk: 2}


def test_the_number_of_queries_does_not_grow_with_the_projects(world: World) -> None:
    def queries(projects: list[Project]) -> int:
        with CaptureQueriesContext(connection) as captured:
            progress_of(projects, dt.date(2018, 7, 10))
        return len(captured)

    few = [make_project(world, year=2017)]
    many = few + [
        make_project(world, year=2017, organisation=organisation)
        for organisation in (
            Organisation.objects.create(
                name=f"机构{n}",
                kind="social_service_agency",
                home_county=world.chengkou,
                registered_on=dt.date(2015, 1, 1),
            )
            for n in range(4)
        )
    ]
    many = list(Project.objects.select_related("county").filter(pk__in=[p.pk for p in many]))
    assert queries(many) == queries(list(Project.objects.select_related("county").filter(pk=few[0].pk)))


def test_volunteer_hours_count_the_organisations_volunteers(world: World) -> None:
    from sanqu.volunteers.models import Volunteer, VolunteerService

    person = make_person("志愿者甲", world.chengkou)
    volunteer = Volunteer.objects.create(
        person=person, county=world.chengkou, organisation=world.yangguang, registered_on=dt.date(2017, 1, 5)
    )
    VolunteerService.objects.create(
        volunteer=volunteer,
        county=world.chengkou,
        served_on=dt.date(2017, 3, 3),
        hours=Decimal("2.5"),
        content="陪伴",
    )
    for hours in ("0.1", "0.2"):  # 0.30000000000000004 when summed as binary floats
        VolunteerService.objects.create(
            volunteer=volunteer,
            county=world.chengkou,
            served_on=dt.date(2017, 3, 4),
            hours=Decimal(hours),
            content="探访",
        )
    project = make_project(world)
    figures = period_figures(project, dt.date(2017, 3, 1), dt.date(2017, 3, 31))
    assert figures["volunteer_hours"] == Decimal("2.8")
    assert str(figures["volunteer_hours"]) == "2.8"


def test_a_record_counts_in_every_span_that_holds_it(world: World) -> None:
    project = make_project(world)
    march = _case(world, dt.date(2017, 3, 5))
    _service(world, march, dt.date(2017, 3, 6))
    _service(world, march, dt.date(2017, 3, 20))
    _service(world, _case(world, dt.date(2017, 4, 2)), dt.date(2017, 4, 3))
    spans = [
        Span(key, project.county_id, project.organisation_id, project.programme_year_id, start, end, "")
        for key, start, end in (
            ("march", dt.date(2017, 3, 1), dt.date(2017, 3, 31)),
            ("spring", dt.date(2017, 3, 1), dt.date(2017, 5, 31)),
            ("april", dt.date(2017, 4, 1), dt.date(2017, 4, 30)),
            ("june", dt.date(2017, 6, 1), dt.date(2017, 6, 30)),
        )
    ]

    figures = figures_for(spans, ["services", "beneficiaries_served", "cases_opened"])

    assert figures == {
        "march": {"services": 2, "beneficiaries_served": 1, "cases_opened": 1},
        "spring": {"services": 3, "beneficiaries_served": 2, "cases_opened": 2},
        "april": {"services": 1, "beneficiaries_served": 1, "cases_opened": 1},
        "june": {"services": 0, "beneficiaries_served": 0, "cases_opened": 0},
    }


def test_a_trainee_counts_for_one_project_of_the_county_and_year(world: World) -> None:
    from sanqu.training.models import Trainee

    own = make_project(world)
    other_org = Organisation.objects.create(
        name="城口县本土社工中心", kind="social_service_agency", home_county=world.chengkou,
        registered_on=dt.date(2015, 1, 1),
    )  # fmt: skip
    other = make_project(world, organisation=other_org)
    local = make_person("本土学员", world.chengkou, organisation=other_org)
    unattached = make_person("无单位学员", world.chengkou)
    for person in (local, unattached):
        Trainee.objects.create(
            person=person,
            programme_year=own.programme_year,
            county=world.chengkou,
            completed_on=dt.date(2017, 9, 1),
        )
    Trainee.objects.create(
        person=make_person("未结业学员", world.chengkou),
        programme_year=own.programme_year,
        county=world.chengkou,
    )

    def trainees(projects: list[Project], as_of: dt.date) -> dict[int, int | Decimal]:
        progress = progress_of(projects, as_of)
        return {
            pk: next(row.done for row in rows if row.target == "trainees") for pk, rows in progress.items()
        }

    # Her own organisation's project takes the local trainee; the first signed takes the one without.
    assert trainees([own, other], dt.date(2017, 12, 31)) == {own.pk: 1, other.pk: 1}
    assert trainees([other], dt.date(2017, 12, 31)) == {other.pk: 1}  # the same alone as in a list
    assert trainees([own, other], dt.date(2017, 8, 31)) == {own.pk: 0, other.pk: 0}  # not completed yet

"""Who sees which case; the worker's caseload with its overdue flags; the supervisor's review queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanqu.accounts.models import Membership
from sanqu.accounts.roles import Role
from sanqu.cases.models import Case, CasePlan, Closure, Intake, ServiceRecord, ServiceType
from sanqu.cases.selectors.cases import (
    caseload_for,
    cases_for,
    county_cases_for,
    get_case_for_user,
    review_queue_for,
)
from sanqu.cases.services import case_closure, case_referrals
from sanqu.cases.services import cases as services
from sanqu.cases.tests.case_factories import (
    OPENED,
    TODAY,
    assess,
    evaluate,
    in_intervention,
    open_case,
    submit_plan,
)
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World, make_person, make_user
from sanqu.workforce.models import Supervision

EVERYONE = ["city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor", "editor", "reviewer"]


@pytest.fixture(autouse=True)
def _pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def who_sees(world: World, case: Case) -> set[str]:
    return {name for name in EVERYONE if cases_for(world[name]).filter(pk=case.pk).exists()}


def test_it_shows_a_case_to_the_in_full_and_the_listed_circles(world: World) -> None:
    case = open_case(world)
    assert who_sees(world, case) == {"city", "leader", "chengkou", "yangguang", "worker", "mentor"}


def test_it_shows_a_childs_case_only_to_the_worker_the_supervisor_and_the_county_officer(
    world: World,
) -> None:
    child = make_beneficiary(
        "李小花",
        world.jiming,
        born=dt.date(2009, 4, 1),
        groups=("left_behind_children",),
        worker=world.worker_person,
    )
    case = open_case(world, child)
    assert who_sees(world, case) == {"chengkou", "worker", "mentor"}


def test_it_hides_a_community_correction_case_from_the_listed_circle(world: World) -> None:
    subject = make_beneficiary(
        "陈某",
        world.jiming,
        born=dt.date(1985, 1, 1),
        groups=("community_correction",),
        worker=world.worker_person,
    )
    case = open_case(world, subject)
    assert who_sees(world, case) == {"chengkou", "worker", "mentor"}


def test_it_answers_404_out_of_scope_and_403_to_a_reader_writing(world: World) -> None:
    case = open_case(world)
    with pytest.raises(Http404):
        get_case_for_user(world["wanzhou"], case.pk)
    other_mentor = make_user(
        "other_mentor",
        (Role.SUPERVISOR, world.chengkou, {"person": make_person("赵督导", world.chengkou)}),
    )
    with pytest.raises(Http404):
        get_case_for_user(other_mentor, case.pk)
    with pytest.raises(PermissionDenied):
        get_case_for_user(world["leader"], case.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_case_for_user(world["mentor"], case.pk, write=True)
    assert get_case_for_user(world["worker"], case.pk, write=True) == case


def test_it_stops_showing_the_cases_when_the_supervision_ended(world: World) -> None:
    case = open_case(world)
    Supervision.objects.update(ended_on=dt.date(2018, 6, 30))
    assert not cases_for(world["mentor"]).filter(pk=case.pk).exists()


def _service(world: World, case: Case, day: dt.date) -> None:
    ServiceRecord.objects.create(
        served_on=day,
        worker=world.worker_person,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.first(),
        duration_hours=1,
        beneficiary=case.beneficiary,
        case=case,
        county=world.chengkou,
    )


def _flags(world: World, case: Case) -> Case:
    for group in caseload_for(world["worker"]):
        for row in group.cases:
            if row.pk == case.pk:
                return row
    raise AssertionError("not in the caseload")


def test_it_groups_the_caseload_by_stage(world: World) -> None:
    intake = open_case(world)
    planned = in_intervention(world, make_beneficiary("刘大爷", world.jiming))
    groups = {group.key: [case.pk for case in group.cases] for group in caseload_for(world["worker"])}
    assert groups[Case.Stage.INTAKE] == [intake.pk]
    assert groups[Case.Stage.INTERVENTION] == [planned.pk]
    assert caseload_for(world["mentor"])[0].cases == []  # a supervisor's own caseload is empty


def test_it_flags_a_case_without_a_service_for_thirty_days(world: World) -> None:
    case = in_intervention(world)  # opened 2018-05-02, no service since
    assert _flags(world, case).no_service and _flags(world, case).overdue
    _service(world, case, dt.date(2018, 6, 20))
    assert not _flags(world, case).no_service
    _service(world, case, dt.date(2018, 6, 1))
    assert not _flags(world, case).no_service


def test_it_flags_a_plan_whose_review_date_passed(world: World) -> None:
    case = in_intervention(world)
    _service(world, case, TODAY)
    assert not _flags(world, case).plan_review_due
    CasePlan.objects.filter(case=case).update(review_due_on=dt.date(2018, 7, 9))
    assert _flags(world, case).plan_review_due and _flags(world, case).overdue


def test_it_flags_a_referral_unanswered_past_its_date(world: World) -> None:
    beneficiary = make_beneficiary("刘大爷", world.jiming)
    case = services.case_open(
        actor=world["worker"],
        beneficiary=beneficiary,
        opened_on=dt.date(2018, 6, 1),
        source=Intake.Source.WALK_IN,
        presenting_problem="需要法律援助",
        decision=Intake.Decision.REFER,
        decision_reason="法律问题",
        referral=case_referrals.ReceiverInput(to_agency="县司法局", answer_due_on=dt.date(2018, 7, 9)),
    )
    groups = {group.key: group for group in caseload_for(world["worker"])}
    assert [row.pk for row in groups["referred"].cases] == [case.pk]
    assert groups["referred"].cases[0].referral_overdue
    case_referrals.referral_answer(actor=world["chengkou"], referral=case.referrals.get(), accept=True)
    groups = {group.key: group for group in caseload_for(world["worker"])}
    assert groups["referred"].cases == []  # handed over


def test_it_queues_the_supervisees_plans_and_closures_for_the_supervisor(world: World) -> None:
    plan = submit_plan(world, assess(world, open_case(world)))
    case = evaluate(world, in_intervention(world, make_beneficiary("刘大爷", world.jiming)))
    closure = case_closure.closure_submit(
        actor=world["worker"], case=case, closed_on=TODAY, reason=Closure.Reason.GOAL_MET, summary="完成"
    )
    queue = review_queue_for(world["mentor"])
    assert queue.plans == [plan] and queue.closures == [closure]
    assert review_queue_for(world["chengkou"]).plans == [plan]
    for name in ("wanzhou", "worker", "leader", "yangguang"):
        assert review_queue_for(world[name]).total == 0, name
    services.plan_review(actor=world["mentor"], plan=plan, approve=True)
    assert review_queue_for(world["mentor"]).plans == []


def test_it_queues_a_referral_for_the_receiving_organisations_manager(world: World) -> None:
    manager = make_user("wz_manager", (Role.ORG_MANAGER, world.wanzhou, {"organisation": world.wanzhou_org}))
    case = in_intervention(world)
    referral = case_referrals.referral_create(
        actor=world["worker"],
        case=case,
        referred_on=TODAY,
        reason="需要心理咨询",
        receiver=case_referrals.ReceiverInput(to_organisation=world.wanzhou_org),
    )
    assert review_queue_for(manager).referrals == [referral]
    assert review_queue_for(world["yangguang"]).referrals == []
    case_referrals.referral_answer(actor=manager, referral=referral, accept=True, note="已安排")
    assert review_queue_for(manager).referrals == []


def test_it_lists_the_county_cases_with_filters(world: World) -> None:
    first = open_case(world)
    second = in_intervention(world, make_beneficiary("刘大爷", world.jiming))
    _service(world, second, TODAY)
    officer = world["chengkou"]
    assert set(county_cases_for(officer)) == {first, second}
    assert list(county_cases_for(officer, stage=Case.Stage.INTERVENTION)) == [second]
    assert list(county_cases_for(officer, overdue="service")) == [first]
    assert list(county_cases_for(officer, worker=world.worker_person.pk).order_by("pk")) == [first, second]
    assert list(county_cases_for(world["wanzhou"])) == []
    assert OPENED < TODAY and Membership.objects.filter(user=officer).count() == 1

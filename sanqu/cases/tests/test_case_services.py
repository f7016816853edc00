"""The six stages' services: each stage rule refused with its reason, approval on and off, reopening."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Case, CasePlan, Closure, Intake, Referral
from sanqu.cases.services import case_closure, case_referrals
from sanqu.cases.services import cases as services
from sanqu.cases.tests.case_factories import (
    OPENED,
    TODAY,
    approve,
    assess,
    closed,
    evaluate,
    in_intervention,
    make_year,
    open_case,
    submit_plan,
)
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World


@pytest.fixture(autouse=True)
def _pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_it_opens_a_case_numbered_by_county_and_year_with_its_intake(world: World) -> None:
    first = open_case(world)
    second = open_case(world, make_beneficiary("刘大爷", world.jiming))
    assert first.number == "500229-2018-0001" and second.number == "500229-2018-0002"
    assert first.county == world.chengkou and first.worker == world.worker_person
    assert first.organisation == world.yangguang
    assert first.stage == Case.Stage.INTAKE and first.status == Case.Status.OPEN
    assert first.intake.source == Intake.Source.OUTREACH
    entry = AuditEntry.objects.get(object_type="cases.case", object_id=str(first.pk))
    assert entry.actor == world["worker"] and entry.detail["event"] == "case_opened"


def test_it_copies_the_approval_switch_from_the_programme_year(world: World) -> None:
    assert open_case(world).approval_required is True  # no year: approval on
    make_year(approval=False)
    assert open_case(world, make_beneficiary("刘大爷", world.jiming)).approval_required is False


def test_it_refuses_a_second_open_case_for_the_same_person(world: World) -> None:
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        open_case(world, case.beneficiary)
    assert f"该服务对象已有进行中的个案 {case.number}" in messages(error.value)


def test_it_refers_at_intake_when_the_decision_is_to_refer(world: World) -> None:
    beneficiary = make_beneficiary("刘大爷", world.jiming)
    case = services.case_open(
        actor=world["worker"],
        beneficiary=beneficiary,
        opened_on=OPENED,
        source=Intake.Source.WALK_IN,
        presenting_problem="需要康复辅具",
        decision=Intake.Decision.REFER,
        decision_reason="需要残联的康复服务",
        referral=case_referrals.ReceiverInput(to_agency="城口县残联"),
    )
    assert case.status == Case.Status.REFERRED
    referral = case.referrals.get()
    assert referral.to_agency == "城口县残联" and referral.answer_due_on == OPENED + dt.timedelta(days=14)
    with pytest.raises(ValidationError) as error:
        assess(world, case)
    assert "个案已转介，不能再记录" in messages(error.value)


def test_it_refuses_a_plan_before_an_assessment(world: World) -> None:
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        submit_plan(world, case)
    assert "尚未完成预估，不能制定服务计划（先预估，后计划）。" in messages(error.value)
    assert not CasePlan.objects.exists()


def test_it_refuses_a_plan_without_measurable_objectives(world: World) -> None:
    case = assess(world, open_case(world))
    with pytest.raises(ValidationError) as error:
        services.plan_submit(
            actor=world["worker"],
            case=case,
            drafted_on=dt.date(2018, 5, 16),
            goals=[services.GoalInput(goal="减轻孤独感", objective="")],
        )
    assert "每个目标都须写明可测量的具体目标" in messages(error.value)


def test_it_refuses_dates_in_the_future_or_before_the_case_opened(world: World) -> None:
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        assess(world, case, on=TODAY + dt.timedelta(days=1))
    assert "日期不能晚于今天（2018-07-10）。" in messages(error.value)
    with pytest.raises(ValidationError) as error:
        assess(world, case, on=OPENED - dt.timedelta(days=1))
    assert "日期不能早于接案日期（2018-05-02）。" in messages(error.value)
    with pytest.raises(ValidationError):
        open_case(world, make_beneficiary("刘大爷", world.jiming), opened_on=TODAY + dt.timedelta(days=1))


def test_it_moves_the_stage_with_the_records_when_approval_is_on(world: World) -> None:
    case = assess(world, open_case(world))
    assert case.stage == Case.Stage.ASSESSMENT
    plan = submit_plan(world, case)
    assert plan.status == CasePlan.Status.SUBMITTED
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.PLAN
    approve(world, plan)
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.INTERVENTION
    case = evaluate(world, case)
    assert case.stage == Case.Stage.EVALUATION


def test_it_makes_a_plan_and_a_closure_effective_at_once_when_approval_is_off(world: World) -> None:
    make_year(approval=False)
    case = assess(world, open_case(world))
    plan = submit_plan(world, case)
    assert plan.status == CasePlan.Status.APPROVED and plan.reviewed_by is None
    case = evaluate(world, Case.objects.get(pk=case.pk))
    closure = case_closure.closure_submit(
        actor=world["worker"], case=case, closed_on=TODAY, reason=Closure.Reason.GOAL_MET, summary="目标达成"
    )
    assert closure.status == Closure.Status.APPROVED
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.stage == Case.Stage.CLOSED and case.closed_on == TODAY


def test_it_refuses_case_services_before_an_approved_plan(world: World) -> None:
    case = assess(world, open_case(world))
    with pytest.raises(ValidationError) as error:
        services.check_case_accepts_service(case, TODAY)
    assert "服务计划经督导批准后才能记录个案服务（先计划，后介入）。" in messages(error.value)
    plan = submit_plan(world, case)
    with pytest.raises(ValidationError):
        services.check_case_accepts_service(case, TODAY)
    approve(world, plan)
    services.check_case_accepts_service(case, TODAY)  # accepted now
    with pytest.raises(ValidationError) as error:
        services.check_case_accepts_service(case, OPENED - dt.timedelta(days=1))
    assert "日期不能早于接案日期" in messages(error.value)


def test_it_refuses_case_services_without_a_plan_even_when_approval_is_off(world: World) -> None:
    make_year(approval=False)
    case = assess(world, open_case(world))
    with pytest.raises(ValidationError) as error:
        services.check_case_accepts_service(case, TODAY)
    assert "制定服务计划后才能记录个案服务" in messages(error.value)


def test_it_lets_a_new_plan_version_supersede_the_previous_one(world: World) -> None:
    case = in_intervention(world)
    first = services.current_plan(case)
    second = submit_plan(world, case, on=dt.date(2018, 6, 20))
    assert second.version == 2
    assert services.current_plan(case) == first  # still in force while the revision awaits review
    approve(world, second)
    first.refresh_from_db()
    assert first.status == CasePlan.Status.SUPERSEDED and services.current_plan(case) == second


def test_it_returns_a_plan_only_with_a_comment(world: World) -> None:
    plan = submit_plan(world, assess(world, open_case(world)))
    with pytest.raises(ValidationError) as error:
        services.plan_review(actor=world["mentor"], plan=plan, approve=False)
    assert "退回时请写明意见" in messages(error.value)
    returned = services.plan_review(actor=world["mentor"], plan=plan, approve=False, comment="目标要可测量")
    assert returned.status == CasePlan.Status.RETURNED and returned.review_comment == "目标要可测量"
    assert Case.objects.get(pk=plan.case_id).stage == Case.Stage.PLAN


def test_it_lets_the_supervisor_or_the_county_officer_review_but_nobody_else(world: World) -> None:
    plan = submit_plan(world, assess(world, open_case(world)))
    for name in ("worker", "leader", "city", "yangguang"):
        with pytest.raises(PermissionDenied):
            services.plan_review(actor=world[name], plan=plan, approve=True)
    with pytest.raises(Http404):
        services.plan_review(actor=world["wanzhou"], plan=plan, approve=True)
    services.plan_review(actor=world["chengkou"], plan=plan, approve=True)
    assert CasePlan.objects.get(pk=plan.pk).reviewed_by == world["chengkou"]


def test_it_requires_the_attainment_of_every_goal_of_the_plan_in_force(world: World) -> None:
    case = in_intervention(world)
    with pytest.raises(ValidationError) as error:
        services.evaluation_record(actor=world["worker"], case=case, evaluated_on=TODAY, attainments={})
    assert "请为每个目标填写达成情况：减轻孤独感。" in messages(error.value)


def test_it_refuses_an_evaluation_before_a_plan_is_in_force(world: World) -> None:
    case = assess(world, open_case(world))
    with pytest.raises(ValidationError) as error:
        services.evaluation_record(actor=world["worker"], case=case, evaluated_on=TODAY, attainments={})
    assert "没有生效的服务计划，不能评估目标达成情况" in messages(error.value)


def test_it_refuses_a_closure_without_an_evaluation_unless_the_person_left(world: World) -> None:
    case = in_intervention(world)
    with pytest.raises(ValidationError) as error:
        case_closure.closure_submit(
            actor=world["worker"], case=case, closed_on=TODAY, reason=Closure.Reason.GOAL_MET, summary="完成"
        )
    assert "尚未完成评估，不能结案（服务对象退出、迁离或死亡的除外）。" in messages(error.value)
    for reason in (Closure.Reason.WITHDREW, Closure.Reason.MOVED_AWAY, Closure.Reason.DIED):
        closure = case_closure.closure_submit(
            actor=world["worker"], case=case, closed_on=TODAY, reason=reason, summary="迁往外地"
        )
        case_closure.closure_review(
            actor=world["mentor"], closure=closure, approve=False, comment="请补充去向"
        )


def test_it_closes_when_the_supervisor_approves_the_closure(world: World) -> None:
    case = evaluate(world, in_intervention(world))
    closure = case_closure.closure_submit(
        actor=world["worker"], case=case, closed_on=TODAY, reason=Closure.Reason.GOAL_MET, summary="目标达成"
    )
    assert Case.objects.get(pk=case.pk).status == Case.Status.OPEN
    with pytest.raises(ValidationError) as error:
        case_closure.closure_submit(
            actor=world["worker"],
            case=case,
            closed_on=TODAY,
            reason=Closure.Reason.GOAL_MET,
            summary="再交一次",
        )
    assert "已有待审批的结案申请" in messages(error.value)
    case_closure.closure_review(actor=world["mentor"], closure=closure, approve=True)
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.stage == Case.Stage.CLOSED
    with pytest.raises(ValidationError) as error:
        assess(world, case)
    assert "个案已结案，不能再记录" in messages(error.value)


def test_it_records_follow_ups_only_after_closure(world: World) -> None:
    case = in_intervention(world)
    with pytest.raises(ValidationError) as error:
        case_closure.follow_up_record(actor=world["worker"], case=case, followed_on=TODAY, notes="电话回访")
    assert "个案结案后才能记录跟进。" in messages(error.value)
    case = closed(world, make_beneficiary("刘大爷", world.jiming))
    follow_up = case_closure.follow_up_record(
        actor=world["worker"], case=case, followed_on=TODAY, notes="电话回访"
    )
    assert follow_up.case == case
    with pytest.raises(ValidationError) as error:
        case_closure.follow_up_record(
            actor=world["worker"], case=case, followed_on=dt.date(2018, 7, 1), notes="早"
        )
    assert "跟进日期不能早于结案日期（2018-07-05）。" in messages(error.value)


def test_it_reopens_a_closed_case_which_is_evaluated_again_before_it_closes(world: World) -> None:
    case = closed(world)
    case = case_closure.case_reopen(actor=world["worker"], case=case, reason="老人再次出现情绪问题")
    assert case.status == Case.Status.OPEN and case.closed_on is None and case.reopened_times == 1
    assert case.stage == Case.Stage.INTERVENTION
    with pytest.raises(ValidationError) as error:
        case_closure.closure_submit(
            actor=world["worker"], case=case, closed_on=TODAY, reason=Closure.Reason.GOAL_MET, summary="完成"
        )
    assert "尚未完成评估" in messages(error.value)
    assert AuditEntry.objects.filter(object_type="cases.case", detail__event="case_reopened").count() == 1


def test_it_lets_the_receiver_answer_a_referral_and_brings_a_declined_one_back(world: World) -> None:
    beneficiary = make_beneficiary("刘大爷", world.jiming)
    case = services.case_open(
        actor=world["worker"],
        beneficiary=beneficiary,
        opened_on=OPENED,
        source=Intake.Source.WALK_IN,
        presenting_problem="需要法律援助",
        decision=Intake.Decision.REFER,
        decision_reason="需要专业法律服务",
        referral=case_referrals.ReceiverInput(to_organisation=world.wanzhou_org),
    )
    referral = case.referrals.get()
    with pytest.raises(PermissionDenied):
        case_referrals.referral_answer(actor=world["worker"], referral=referral, accept=True)
    with pytest.raises(Http404):
        case_referrals.referral_answer(actor=world["reviewer"], referral=referral, accept=True)
    with pytest.raises(ValidationError) as error:
        case_referrals.referral_answer(actor=world["chengkou"], referral=referral, accept=False)
    assert "拒绝接收时请说明原因。" in messages(error.value)
    case_referrals.referral_answer(
        actor=world["chengkou"], referral=referral, accept=False, note="超出服务范围"
    )
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.DECLINED


def test_it_lets_only_the_case_worker_write_the_records(world: World) -> None:
    case = open_case(world)
    for name in ("mentor", "chengkou", "leader", "city", "yangguang"):
        with pytest.raises(PermissionDenied):
            services.assessment_record(actor=world[name], case=case, assessed_on=TODAY, problems_needs="x")
    for name in ("wanzhou", "editor"):
        with pytest.raises(Http404):
            services.assessment_record(actor=world[name], case=case, assessed_on=TODAY, problems_needs="x")


def test_it_writes_a_double_submitted_form_once(world: World) -> None:
    case = open_case(world)
    kwargs = {
        "actor": world["worker"],
        "case": case,
        "assessed_on": TODAY,
        "problems_needs": "x",
        "token": "t-1",
    }
    first = services.assessment_record(**kwargs)
    again = services.assessment_record(**kwargs)
    assert first == again and case.assessments.count() == 1
    beneficiary = make_beneficiary("刘大爷", world.jiming)
    opened = [
        services.case_open(
            actor=world["worker"],
            beneficiary=beneficiary,
            opened_on=OPENED,
            source=Intake.Source.WALK_IN,
            presenting_problem="x",
            token="t-2",
        )
        for _ in range(2)
    ]
    assert opened[0] == opened[1] and beneficiary.cases.count() == 1


def test_it_audits_every_stage(world: World) -> None:
    closed(world)
    events = list(AuditEntry.objects.order_by("pk").values_list("detail__event", flat=True))
    assert events == [
        "case_opened",
        "assessment_recorded",
        "plan_submitted",
        "plan_approved",
        "evaluation_recorded",
        "closure_submitted",
        "closure_approved",
    ]

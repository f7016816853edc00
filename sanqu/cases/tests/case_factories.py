"""Cases at a given stage, for the case-work tests (built through the services, as a worker would)."""

from __future__ import annotations

import datetime as dt

from sanqu.cases.models import Beneficiary, Case, CasePlan, Closure, GoalAttainment, Intake
from sanqu.cases.services import case_closure
from sanqu.cases.services import cases as services
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.projects.models import ProgrammeYear
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
OPENED = dt.date(2018, 5, 2)


def make_year(*, approval: bool = True, year: int = 2018) -> ProgrammeYear:
    return ProgrammeYear.objects.create(
        year=year,
        starts_on=dt.date(year, 1, 1),
        ends_on=dt.date(year, 12, 31),
        case_approval_required=approval,
    )


def open_case(world: World, beneficiary: Beneficiary | None = None, *, opened_on: dt.date = OPENED) -> Case:
    beneficiary = beneficiary or make_beneficiary("张秀英", world.jiming, worker=world.worker_person)
    return services.case_open(
        actor=world["worker"],
        beneficiary=beneficiary,
        opened_on=opened_on,
        source=Intake.Source.OUTREACH,
        presenting_problem="独居，子女外出务工，情绪低落",
    )


def assess(world: World, case: Case, *, on: dt.date = dt.date(2018, 5, 9)) -> Case:
    services.assessment_record(actor=world["worker"], case=case, assessed_on=on, problems_needs="缺少陪伴")
    return Case.objects.get(pk=case.pk)


def submit_plan(world: World, case: Case, *, on: dt.date = dt.date(2018, 5, 16)) -> CasePlan:
    return services.plan_submit(
        actor=world["worker"],
        case=case,
        drafted_on=on,
        goals=[services.GoalInput(goal="减轻孤独感", objective="每周参加村里活动至少1次")],
    )


def approve(world: World, plan: CasePlan) -> CasePlan:
    return services.plan_review(actor=world["mentor"], plan=plan, approve=True)


def in_intervention(world: World, beneficiary: Beneficiary | None = None) -> Case:
    case = assess(world, open_case(world, beneficiary))
    plan = submit_plan(world, case)
    if plan.status == CasePlan.Status.SUBMITTED:
        approve(world, plan)
    return Case.objects.get(pk=case.pk)


def evaluate(world: World, case: Case, *, on: dt.date = dt.date(2018, 7, 1)) -> Case:
    plan = services.current_plan(case)
    assert plan is not None
    services.evaluation_record(
        actor=world["worker"],
        case=case,
        evaluated_on=on,
        attainments={goal.pk: (GoalAttainment.Level.MET, "") for goal in plan.goals.all()},
    )
    return Case.objects.get(pk=case.pk)


def closed(world: World, beneficiary: Beneficiary | None = None) -> Case:
    case = evaluate(world, in_intervention(world, beneficiary))
    closure = case_closure.closure_submit(
        actor=world["worker"], case=case, closed_on=dt.date(2018, 7, 5), reason=Closure.Reason.GOAL_MET,
        summary="目标达成",
    )  # fmt: skip
    if closure.status == Closure.Status.SUBMITTED:
        case_closure.closure_review(actor=world["mentor"], closure=closure, approve=True)
    return Case.objects.get(pk=case.pk)

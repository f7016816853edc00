"""Cases through their six stages (MZ/T 094-2017): 接案 → 预估 → 计划 → 介入 → 评估 → 结案.

Every write is here, keyword-only with the acting user first: it checks who may do it (the case's
worker writes the records; the worker's supervisor or the county officer reviews; the receiving
organisation's manager or the county officer answers a referral), checks the case is in the
actor's scope (404 otherwise, never a hint that it exists), enforces the stage rules, writes and
leaves an audit entry, all in one transaction. Each refusal of a stage rule names the rule.

Closure, follow-ups and reopening are in `case_closure.py`, referrals in `case_referrals.py`, and
what every service checks (who may act, scope, dates, audit, the one-time token) in `case_rules.py`.

The stage on `Case` follows the records: an assessment moves it to 预估, a submitted plan to 计划,
an approved (or, with approval off, a submitted) plan to 介入, an evaluation to 评估 and an
effective closure to 结案. Reopening puts it back where its records leave it, short of 评估: a
reopened case is evaluated again before it closes again.

A form carries a one-time token; the same token submitted twice (a double tap on a slow line)
returns the record the first submission made instead of writing a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.accounts.models import AuditEntry, User
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Evaluation,
    GoalAttainment,
    Intake,
    PlanGoal,
)
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.services.case_referrals import ReceiverInput, make_referral
from sanqu.cases.services.case_rules import (
    advance,
    check_day,
    check_open,
    decide_review,
    locked,
    record,
    replayed,
    require_reviewer,
    require_worker,
    save,
    worker_person_ids,
)
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region
from sanqu.workforce.models import Person

# When a plan names no review date, it is reviewed this many days after it was drafted.
PLAN_REVIEW_DAYS = 90
# Risk flags an intake may note (stored as their codes).
RISK_FLAGS = [
    ("self_harm", gettext_lazy("自伤或自杀风险")),
    ("violence", gettext_lazy("遭受家庭暴力")),
    ("no_carer", gettext_lazy("无人照料")),
    ("illness", gettext_lazy("重病或残障")),
    ("hardship", gettext_lazy("经济极度困难")),
    ("offending", gettext_lazy("违法犯罪风险")),
]


@dataclass(frozen=True)
class GoalInput:
    goal: str
    objective: str
    tasks: str = ""
    responsible: str = ""
    due_on: dt.date | None = None


def current_plan(case: Case) -> CasePlan | None:
    """The plan in force: the latest approved version (with approval off, every submitted one is)."""
    return case.plans.filter(status=CasePlan.Status.APPROVED).order_by("-version").first()


def check_case_accepts_service(case: Case, served_on: dt.date) -> None:
    """May a case service (介入) be recorded on this case for this day? ValidationError if not.

    Called by the service-record services before they write a record linked to a case.
    """
    check_open(case)
    if current_plan(case) is None:
        if case.approval_required:
            message = _("服务计划经督导批准后才能记录个案服务（先计划，后介入）。")
        else:
            message = _("制定服务计划后才能记录个案服务（先计划，后介入）。")
        raise ValidationError(message, code="no_approved_plan")
    check_day(served_on, case=case, field="served_on")


# 接案 Intake.


def county_of(region: Region) -> Region:
    """The county (区县) a region lies in."""
    node: Region | None = region
    while node is not None and node.level > Region.Level.COUNTY:
        node = node.parent
    if node is None or node.level != Region.Level.COUNTY:
        raise ValidationError(_("服务对象的所在区划不在任何区县之下。"))
    return node


def programme_year_on(day: dt.date) -> ProgrammeYear | None:
    year = ProgrammeYear.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-year").first()
    return year or ProgrammeYear.objects.filter(year=day.year).first()


def next_case_number(county: Region, year: int) -> str:
    """The next number of the county and year: `<county code>-<year>-0001`, unique."""
    prefix = f"{county.code}-{year}-"
    taken = Case.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    sequences = [number.removeprefix(prefix) for number in taken]
    last = max((int(sequence) for sequence in sequences if sequence.isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def _worker_person(actor: User) -> Person:
    ids = worker_person_ids(actor)
    if not ids:
        raise PermissionDenied
    return Person.objects.select_related("organisation").get(pk=min(ids))


def case_open(
    *,
    actor: User,
    beneficiary: Beneficiary,
    opened_on: dt.date,
    source: str,
    presenting_problem: str,
    risk_flags: Sequence[str] = (),
    decision: str = Intake.Decision.TAKE_ON,
    decision_reason: str = "",
    referral: ReceiverInput | None = None,
    token: str = "",
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for a beneficiary with its intake record; a decision to refer refers it at once."""
    with transaction.atomic():
        worker = _worker_person(actor)
        if not beneficiaries_for(actor).filter(pk=beneficiary.pk).exists():
            raise Http404
        beneficiary = Beneficiary.objects.select_for_update().select_related("region").get(pk=beneficiary.pk)
        if (earlier := replayed(actor, token, Case)) is not None:
            return earlier
        check_day(opened_on, case=None, field="opened_on")
        if not presenting_problem.strip():
            raise ValidationError({"presenting_problem": _("请填写主要问题。")})
        if decision == Intake.Decision.REFER and not decision_reason.strip():
            raise ValidationError({"decision_reason": _("决定转介时须填写理由。")}, code="refer_reason")
        running = beneficiary.cases.filter(status=Case.Status.OPEN).first()
        if running is not None:
            raise ValidationError(
                _("该服务对象已有进行中的个案 %(number)s，请在原个案中继续服务。")
                % {"number": running.number},
                code="already_open",
            )
        county = county_of(beneficiary.region)
        year = programme_year_on(opened_on)
        case = Case(
            beneficiary=beneficiary,
            worker=worker,
            organisation=worker.organisation,
            county=county,
            station=beneficiary.station,
            programme_year=year,
            approval_required=year.case_approval_required if year is not None else True,
            opened_on=opened_on,
        )
        for _attempt in range(5):
            case.number = next_case_number(county, opened_on.year)
            try:
                with transaction.atomic():
                    save(case, exclude=["number"])
                break
            except IntegrityError:  # somebody took the number meanwhile
                case.pk = None
                case._state.adding = True
        else:
            raise ValidationError(_("个案编号分配失败，请重试。"))
        intake = Intake(
            case=case,
            source=source,
            presenting_problem=presenting_problem.strip(),
            risk_flags=list(risk_flags),
            decision=decision,
            decision_reason=decision_reason.strip(),
            recorded_on=opened_on,
        )
        save(intake)
        record(actor=actor, obj=case, event="case_opened", case=case, token=token, request=request)
        if decision == Intake.Decision.REFER:
            made = make_referral(
                case=case, referred_on=opened_on, reason=decision_reason, receiver=referral or ReceiverInput()
            )
            case.status = Case.Status.REFERRED
            save(case)
            record(actor=actor, obj=made, event="referral_created", case=case, request=request)
        return case


# 预估 Assessment.


def assessment_record(
    *,
    actor: User,
    case: Case,
    assessed_on: dt.date,
    problems_needs: str,
    causes: str = "",
    strengths_resources: str = "",
    family_map_notes: str = "",
    eco_map_notes: str = "",
    token: str = "",
    request: HttpRequest | None = None,
) -> Assessment:
    with transaction.atomic():
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, Assessment)) is not None:
            return earlier
        check_open(case)
        check_day(assessed_on, case=case, field="assessed_on")
        assessment = Assessment(
            case=case,
            assessed_on=assessed_on,
            problems_needs=problems_needs.strip(),
            causes=causes.strip(),
            strengths_resources=strengths_resources.strip(),
            family_map_notes=family_map_notes.strip(),
            eco_map_notes=eco_map_notes.strip(),
        )
        save(assessment)
        advance(case, Case.Stage.ASSESSMENT)
        save(case)
        record(
            actor=actor, obj=assessment, event="assessment_recorded", case=case, token=token, request=request
        )
        return assessment


# 计划 Plan, and its review.


def _make_effective(plan: CasePlan, case: Case) -> None:
    """The plan is in force: earlier approved versions are superseded and the case is in 介入."""
    case.plans.filter(status=CasePlan.Status.APPROVED, version__lt=plan.version).update(
        status=CasePlan.Status.SUPERSEDED
    )
    advance(case, Case.Stage.INTERVENTION)


def plan_submit(
    *,
    actor: User,
    case: Case,
    drafted_on: dt.date,
    goals: Sequence[GoalInput],
    schedule: str = "",
    review_due_on: dt.date | None = None,
    token: str = "",
    request: HttpRequest | None = None,
) -> CasePlan:
    """A new version of the plan. It replaces a version still awaiting review; with approval off
    (or once approved) it replaces the plan in force."""
    with transaction.atomic():
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, CasePlan)) is not None:
            return earlier
        check_open(case)
        if not case.assessments.exists():
            raise ValidationError(
                _("尚未完成预估，不能制定服务计划（先预估，后计划）。"), code="no_assessment"
            )
        check_day(drafted_on, case=case, field="drafted_on")
        goals = [goal for goal in goals if goal.goal.strip() or goal.objective.strip()]
        if not goals:
            raise ValidationError({"goals": _("服务计划至少要有一个目标。")}, code="no_goals")
        for goal in goals:
            if not goal.goal.strip() or not goal.objective.strip():
                raise ValidationError(
                    {"goals": _("每个目标都须写明可测量的具体目标（例如“每周主动与同学交流3次以上”）。")},
                    code="goal_not_measurable",
                )
        review_due_on = review_due_on or drafted_on + dt.timedelta(days=PLAN_REVIEW_DAYS)
        if review_due_on < drafted_on:
            raise ValidationError({"review_due_on": _("计划检视日期不能早于制定日期。")})
        version = (case.plans.aggregate(last=models.Max("version"))["last"] or 0) + 1
        case.plans.filter(status=CasePlan.Status.SUBMITTED).update(status=CasePlan.Status.SUPERSEDED)
        plan = CasePlan(
            case=case,
            version=version,
            drafted_on=drafted_on,
            schedule=schedule.strip(),
            review_due_on=review_due_on,
        )
        if not case.approval_required:
            plan.status = CasePlan.Status.APPROVED
        save(plan)
        for goal in goals:
            save(
                PlanGoal(
                    plan=plan,
                    goal=goal.goal.strip(),
                    objective=goal.objective.strip(),
                    tasks=goal.tasks.strip(),
                    responsible=goal.responsible.strip(),
                    due_on=goal.due_on,
                )
            )
        advance(case, Case.Stage.PLAN)
        if plan.status == CasePlan.Status.APPROVED:
            _make_effective(plan, case)
        save(case)
        record(
            actor=actor,
            obj=plan,
            event="plan_submitted",
            case=case,
            token=token,
            request=request,
            version=version,
            goals=len(goals),
            effective=plan.status == CasePlan.Status.APPROVED,
        )
        return plan


def plan_review(
    *,
    actor: User,
    plan: CasePlan,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> CasePlan:
    """Approve the plan (it comes into force) or return it with a comment for a new version."""
    with transaction.atomic():
        require_reviewer(actor, plan.case)
        case = locked(plan.case)
        plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
        not_submitted = _("该计划不在待审批状态，不能审批。")
        decided = decide_review(
            plan, actor=actor, approve=approve, comment=comment, not_submitted=not_submitted
        )
        if not decided:
            return plan
        check_open(case)
        save(plan)
        if approve:
            _make_effective(plan, case)
            save(case)
        record(
            actor=actor,
            obj=plan,
            event="plan_approved" if approve else "plan_returned",
            case=case,
            action=AuditEntry.Action.UPDATE,
            request=request,
        )
        return plan


# 评估 Evaluation.


def evaluation_record(
    *,
    actor: User,
    case: Case,
    evaluated_on: dt.date,
    attainments: dict[int, tuple[str, str]],
    before_measure: str = "",
    after_measure: str = "",
    feedback: str = "",
    summary: str = "",
    token: str = "",
    request: HttpRequest | None = None,
) -> Evaluation:
    """Attainment of every goal of the plan in force: `attainments` maps goal id → (level, note)."""
    with transaction.atomic():
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, Evaluation)) is not None:
            return earlier
        check_open(case)
        plan = current_plan(case)
        if plan is None:
            raise ValidationError(
                _("没有生效的服务计划，不能评估目标达成情况（先计划，后评估）。"), code="no_plan"
            )
        check_day(evaluated_on, case=case, field="evaluated_on")
        goals = list(plan.goals.all())
        missing = [goal.goal for goal in goals if goal.pk not in attainments]
        if missing:
            raise ValidationError(
                {"attainments": _("请为每个目标填写达成情况：%(goals)s。") % {"goals": "、".join(missing)}},
                code="attainment_missing",
            )
        evaluation = Evaluation(
            case=case,
            evaluated_on=evaluated_on,
            before_measure=before_measure.strip(),
            after_measure=after_measure.strip(),
            feedback=feedback.strip(),
            summary=summary.strip(),
        )
        save(evaluation)
        for goal in goals:
            level, note = attainments[goal.pk]
            save(GoalAttainment(evaluation=evaluation, goal=goal, level=level, note=note.strip()))
        advance(case, Case.Stage.EVALUATION)
        save(case)
        record(
            actor=actor, obj=evaluation, event="evaluation_recorded", case=case, token=token, request=request
        )
        return evaluation

"""Cases through their six stages (MZ/T 094-2017): 接案 → 预估 → 计划 → 介入 → 评估 → 结案.

Every write is here, keyword-only with the acting user first: it checks who may do it (the case's
worker writes the records; the worker's supervisor or the county officer reviews; the receiving
organisation's manager or the county officer answers a referral), checks the case is in the
actor's scope (404 otherwise, never a hint that it exists), enforces the stage rules, writes and
leaves an audit entry, all in one transaction. Each refusal of a stage rule names the rule.

The stage on `Case` follows the records: an assessment moves it to 预估, a submitted plan to 计划,
an approved (or, with approval off, a submitted) plan to 介入, an evaluation to 评估 and an
effective closure to 结案. Reopening puts it back where its records leave it, short of 评估: a
reopened case is evaluated again before it closes again.

A form carries a one-time token; the same token submitted twice (a double tap on a slow line)
returns the record the first submission made instead of writing a second one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Intake,
    PlanGoal,
    Referral,
)
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person, Supervision

STAGE_ORDER = [stage for stage, _label in Case.Stage.choices]
# A closure for these reasons needs no evaluation: there is nobody left to evaluate with.
CLOSES_WITHOUT_EVALUATION = {Closure.Reason.WITHDREW, Closure.Reason.MOVED_AWAY, Closure.Reason.DIED}
# When a plan names no review date, it is reviewed this many days after it was drafted.
PLAN_REVIEW_DAYS = 90
# When a referral names no answer date, the receiver has this many days to answer.
REFERRAL_ANSWER_DAYS = 14
# Risk flags an intake may note (stored as their codes).
RISK_FLAGS = [
    ("self_harm", gettext_lazy("自伤或自杀风险")),
    ("violence", gettext_lazy("遭受家庭暴力")),
    ("no_carer", gettext_lazy("无人照料")),
    ("illness", gettext_lazy("重病或残障")),
    ("hardship", gettext_lazy("经济极度困难")),
    ("offending", gettext_lazy("违法犯罪风险")),
]
# How long a form's one-time token is remembered.
TOKEN_DAYS = 2


@dataclass(frozen=True)
class GoalInput:
    goal: str
    objective: str
    tasks: str = ""
    responsible: str = ""
    due_on: dt.date | None = None


@dataclass(frozen=True)
class ReceiverInput:
    to_organisation: Organisation | None = None
    to_station: Station | None = None
    to_agency: str = ""
    answer_due_on: dt.date | None = None


# Who may do what.


def worker_person_ids(actor: User) -> set[int]:
    """The people the actor works as (social-worker memberships)."""
    return {
        membership.person_id
        for membership in actor.memberships.all()
        if membership.role == Role.SOCIAL_WORKER and membership.person_id
    }


def supervisee_ids(actor: User, *, today: dt.date | None = None) -> set[int]:
    """The social workers the actor supervises now."""
    today = today or clock.today()
    supervisors = [
        membership.person_id
        for membership in actor.memberships.all()
        if membership.role == Role.SUPERVISOR and membership.person_id
    ]
    if not supervisors:
        return set()
    return set(
        Supervision.objects.filter(supervisor__in=supervisors, started_on__lte=today)
        .filter(models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=today))
        .values_list("supervisee_id", flat=True)
    )


def is_case_worker(actor: User, case: Case) -> bool:
    return case.worker_id in worker_person_ids(actor)


def is_county_officer_of(actor: User, county: Region) -> bool:
    scope = scope_of(actor)
    if scope.superuser:
        return True
    return any(county.path.startswith(path) for path in scope.paths_by_role.get(Role.COUNTY_OFFICER, ()))


def can_review(actor: User, case: Case) -> bool:
    """The worker's supervisor, or the county officer of the case's county (never the worker)."""
    if is_case_worker(actor, case):
        return False
    return case.worker_id in supervisee_ids(actor) or is_county_officer_of(actor, case.county)


def can_answer_referral(actor: User, referral: Referral) -> bool:
    """The receiving organisation's (or station's) manager, or the county officer of the case."""
    if is_county_officer_of(actor, referral.case.county):
        return True
    receivers = {referral.to_organisation_id}
    if referral.to_station is not None:
        receivers.add(referral.to_station.organisation_id)
    receivers.discard(None)
    return bool(receivers & set(scope_of(actor).organisation_ids))


def _require_visible(actor: User, case: Case) -> None:
    from sanqu.cases.selectors.cases import cases_for

    if not cases_for(actor).filter(pk=case.pk).exists():
        raise Http404


def _require_worker(actor: User, case: Case) -> None:
    _require_visible(actor, case)
    if not is_case_worker(actor, case):
        raise PermissionDenied


def _require_reviewer(actor: User, case: Case) -> None:
    _require_visible(actor, case)
    if not can_review(actor, case):
        raise PermissionDenied


# Rules.


def _check_day(day: dt.date, *, case: Case | None, field: str) -> None:
    today = clock.today()
    if day > today:
        raise ValidationError(
            {field: _("日期不能晚于今天（%(today)s）。") % {"today": today.isoformat()}}, code="future"
        )
    if case is not None and day < case.opened_on:
        raise ValidationError(
            {field: _("日期不能早于接案日期（%(opened)s）。") % {"opened": case.opened_on.isoformat()}},
            code="before_opened",
        )


def _check_open(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("个案已结案，不能再记录。如需继续服务，请先重新开案。"), code="closed")
    if case.status == Case.Status.REFERRED:
        raise ValidationError(_("个案已转介，不能再记录。如需继续服务，请先重新开案。"), code="referred")


def current_plan(case: Case) -> CasePlan | None:
    """The plan in force: the latest approved version (with approval off, every submitted one is)."""
    return case.plans.filter(status=CasePlan.Status.APPROVED).order_by("-version").first()


def check_case_accepts_service(case: Case, served_on: dt.date) -> None:
    """May a case service (介入) be recorded on this case for this day? ValidationError if not.

    Called by the service-record services before they write a record linked to a case.
    """
    _check_open(case)
    if current_plan(case) is None:
        if case.approval_required:
            message = _("服务计划经督导批准后才能记录个案服务（先计划，后介入）。")
        else:
            message = _("制定服务计划后才能记录个案服务（先计划，后介入）。")
        raise ValidationError(message, code="no_approved_plan")
    _check_day(served_on, case=case, field="served_on")


def _advance(case: Case, stage: str) -> None:
    """Move the case forward to `stage` (never back: a reassessment does not undo a plan)."""
    if STAGE_ORDER.index(stage) > STAGE_ORDER.index(case.stage):
        case.stage = stage


def _stage_from_records(case: Case) -> str:
    """Where an open case's records leave it, short of 评估 (used on reopening)."""
    if current_plan(case) is not None:
        return Case.Stage.INTERVENTION
    if case.plans.exists():
        return Case.Stage.PLAN
    if case.assessments.exists():
        return Case.Stage.ASSESSMENT
    return Case.Stage.INTAKE


# Writing, auditing and the one-time token.


def _locked(case: Case) -> Case:
    """The case row, locked for the transaction, so two writes to one case happen one after the other."""
    return Case.objects.select_for_update().select_related("county", "worker").get(pk=case.pk)


def _replayed[R: models.Model](
    actor: User, token: str, model: type[R], action: str = AuditEntry.Action.CREATE
) -> R | None:
    """The record a submission with this token already wrote, if any."""
    if not token:
        return None
    since = timezone.now() - dt.timedelta(days=TOKEN_DAYS)
    entry = (
        AuditEntry.objects.filter(actor=actor, action=action, at__gte=since, detail__token=token)
        .filter(object_type=model._meta.label_lower)
        .first()
    )
    if entry is None:
        return None
    return model._default_manager.filter(pk=entry.object_id).first()


def _save(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude))
    instance.save()


def _record(
    *,
    actor: User,
    obj: models.Model,
    event: str,
    case: Case,
    token: str = "",
    action: str = AuditEntry.Action.CREATE,
    request: HttpRequest | None = None,
    **detail: Any,
) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=obj,
        detail={"event": event, "case": case.number, **({"token": token} if token else {}), **detail},
        request=request,
    )


def _save_case(case: Case, *, actor: User, event: str, request: HttpRequest | None, **detail: Any) -> None:
    _save(case)
    _record(
        actor=actor,
        obj=case,
        event=event,
        case=case,
        action=AuditEntry.Action.UPDATE,
        request=request,
        stage=case.stage,
        status=case.status,
        **detail,
    )


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


def _referral(*, case: Case, referred_on: dt.date, reason: str, receiver: ReceiverInput) -> Referral:
    if receiver.to_organisation is None and receiver.to_station is None and not receiver.to_agency.strip():
        raise ValidationError(
            {"to_organisation": _("请指定转介的接收机构、站点或部门。")}, code="no_receiver"
        )
    if not reason.strip():
        raise ValidationError({"reason": _("请填写转介原因。")}, code="no_reason")
    answer_due_on = receiver.answer_due_on or referred_on + dt.timedelta(days=REFERRAL_ANSWER_DAYS)
    if answer_due_on < referred_on:
        raise ValidationError({"answer_due_on": _("回复期限不能早于转介日期。")}, code="due_before_referral")
    referral = Referral(
        case=case,
        referred_on=referred_on,
        to_organisation=receiver.to_organisation,
        to_station=receiver.to_station,
        to_agency=receiver.to_agency.strip(),
        reason=reason.strip(),
        answer_due_on=answer_due_on,
    )
    _save(referral)
    return referral


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
        if (replayed := _replayed(actor, token, Case)) is not None:
            return replayed
        _check_day(opened_on, case=None, field="opened_on")
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
                    _save(case, exclude=["number"])
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
        _save(intake)
        _record(actor=actor, obj=case, event="case_opened", case=case, token=token, request=request)
        if decision == Intake.Decision.REFER:
            made = _referral(
                case=case, referred_on=opened_on, reason=decision_reason, receiver=referral or ReceiverInput()
            )
            case.status = Case.Status.REFERRED
            _save(case)
            _record(actor=actor, obj=made, event="referral_created", case=case, request=request)
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
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, Assessment)) is not None:
            return replayed
        _check_open(case)
        _check_day(assessed_on, case=case, field="assessed_on")
        assessment = Assessment(
            case=case,
            assessed_on=assessed_on,
            problems_needs=problems_needs.strip(),
            causes=causes.strip(),
            strengths_resources=strengths_resources.strip(),
            family_map_notes=family_map_notes.strip(),
            eco_map_notes=eco_map_notes.strip(),
        )
        _save(assessment)
        _advance(case, Case.Stage.ASSESSMENT)
        _save(case)
        _record(
            actor=actor, obj=assessment, event="assessment_recorded", case=case, token=token, request=request
        )
        return assessment


# 计划 Plan, and its review.


def _make_effective(plan: CasePlan, case: Case) -> None:
    """The plan is in force: earlier approved versions are superseded and the case is in 介入."""
    case.plans.filter(status=CasePlan.Status.APPROVED, version__lt=plan.version).update(
        status=CasePlan.Status.SUPERSEDED
    )
    _advance(case, Case.Stage.INTERVENTION)


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
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, CasePlan)) is not None:
            return replayed
        _check_open(case)
        if not case.assessments.exists():
            raise ValidationError(
                _("尚未完成预估，不能制定服务计划（先预估，后计划）。"), code="no_assessment"
            )
        _check_day(drafted_on, case=case, field="drafted_on")
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
        _save(plan)
        for goal in goals:
            _save(
                PlanGoal(
                    plan=plan,
                    goal=goal.goal.strip(),
                    objective=goal.objective.strip(),
                    tasks=goal.tasks.strip(),
                    responsible=goal.responsible.strip(),
                    due_on=goal.due_on,
                )
            )
        _advance(case, Case.Stage.PLAN)
        if plan.status == CasePlan.Status.APPROVED:
            _make_effective(plan, case)
        _save(case)
        _record(
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
        _require_reviewer(actor, plan.case)
        case = _locked(plan.case)
        plan = CasePlan.objects.select_for_update().get(pk=plan.pk)
        decided = CasePlan.Status.APPROVED if approve else CasePlan.Status.RETURNED
        if plan.status == decided and plan.reviewed_by_id == actor.pk:
            return plan  # the same decision submitted twice
        if plan.status != CasePlan.Status.SUBMITTED:
            raise ValidationError(_("该计划不在待审批状态，不能审批。"), code="not_submitted")
        _check_open(case)
        if not approve and not comment.strip():
            raise ValidationError({"comment": _("退回时请写明意见，便于社工修改。")}, code="no_comment")
        plan.status = decided
        plan.reviewed_by = actor
        plan.reviewed_at = timezone.now()
        plan.review_comment = comment.strip()
        _save(plan)
        if approve:
            _make_effective(plan, case)
            _save(case)
        _record(
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
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, Evaluation)) is not None:
            return replayed
        _check_open(case)
        plan = current_plan(case)
        if plan is None:
            raise ValidationError(
                _("没有生效的服务计划，不能评估目标达成情况（先计划，后评估）。"), code="no_plan"
            )
        _check_day(evaluated_on, case=case, field="evaluated_on")
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
        _save(evaluation)
        for goal in goals:
            level, note = attainments[goal.pk]
            _save(GoalAttainment(evaluation=evaluation, goal=goal, level=level, note=note.strip()))
        _advance(case, Case.Stage.EVALUATION)
        _save(case)
        _record(
            actor=actor, obj=evaluation, event="evaluation_recorded", case=case, token=token, request=request
        )
        return evaluation


# 结案 Closure, its review, and follow-ups.


def _close(case: Case, closure: Closure) -> None:
    case.stage = Case.Stage.CLOSED
    case.status = Case.Status.CLOSED
    case.closed_on = closure.closed_on


def closure_submit(
    *,
    actor: User,
    case: Case,
    closed_on: dt.date,
    reason: str,
    summary: str,
    follow_up_plan: str = "",
    token: str = "",
    request: HttpRequest | None = None,
) -> Closure:
    with transaction.atomic():
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, Closure)) is not None:
            return replayed
        _check_open(case)
        if case.closures.filter(status=Closure.Status.SUBMITTED).exists():
            raise ValidationError(_("已有待审批的结案申请，请等待督导审批。"), code="closure_pending")
        if case.stage != Case.Stage.EVALUATION and reason not in CLOSES_WITHOUT_EVALUATION:
            raise ValidationError(
                _("尚未完成评估，不能结案（服务对象退出、迁离或死亡的除外）。"), code="no_evaluation"
            )
        _check_day(closed_on, case=case, field="closed_on")
        if not summary.strip():
            raise ValidationError({"summary": _("请填写结案小结。")})
        closure = Closure(
            case=case,
            closed_on=closed_on,
            reason=reason,
            summary=summary.strip(),
            follow_up_plan=follow_up_plan.strip(),
        )
        if not case.approval_required:
            closure.status = Closure.Status.APPROVED
        _save(closure)
        if closure.status == Closure.Status.APPROVED:
            _close(case, closure)
            _save(case)
        _record(
            actor=actor,
            obj=closure,
            event="closure_submitted",
            case=case,
            token=token,
            request=request,
            reason=reason,
            effective=closure.status == Closure.Status.APPROVED,
        )
        return closure


def closure_review(
    *,
    actor: User,
    closure: Closure,
    approve: bool,
    comment: str = "",
    request: HttpRequest | None = None,
) -> Closure:
    with transaction.atomic():
        _require_reviewer(actor, closure.case)
        case = _locked(closure.case)
        closure = Closure.objects.select_for_update().get(pk=closure.pk)
        decided = Closure.Status.APPROVED if approve else Closure.Status.RETURNED
        if closure.status == decided and closure.reviewed_by_id == actor.pk:
            return closure
        if closure.status != Closure.Status.SUBMITTED:
            raise ValidationError(_("该结案申请不在待审批状态，不能审批。"), code="not_submitted")
        if not approve and not comment.strip():
            raise ValidationError({"comment": _("退回时请写明意见，便于社工修改。")}, code="no_comment")
        closure.status = decided
        closure.reviewed_by = actor
        closure.reviewed_at = timezone.now()
        closure.review_comment = comment.strip()
        _save(closure)
        if approve:
            _close(case, closure)
            _save(case)
        _record(
            actor=actor,
            obj=closure,
            event="closure_approved" if approve else "closure_returned",
            case=case,
            action=AuditEntry.Action.UPDATE,
            request=request,
        )
        return closure


def follow_up_record(
    *,
    actor: User,
    case: Case,
    followed_on: dt.date,
    notes: str,
    token: str = "",
    request: HttpRequest | None = None,
) -> FollowUp:
    with transaction.atomic():
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, FollowUp)) is not None:
            return replayed
        if case.status != Case.Status.CLOSED or case.closed_on is None:
            raise ValidationError(_("个案结案后才能记录跟进。"), code="not_closed")
        _check_day(followed_on, case=case, field="followed_on")
        if followed_on < case.closed_on:
            raise ValidationError(
                {
                    "followed_on": _("跟进日期不能早于结案日期（%(closed)s）。")
                    % {"closed": case.closed_on.isoformat()}
                }
            )
        if not notes.strip():
            raise ValidationError({"notes": _("请填写跟进情况。")})
        follow_up = FollowUp(case=case, followed_on=followed_on, notes=notes.strip())
        _save(follow_up)
        _record(
            actor=actor, obj=follow_up, event="follow_up_recorded", case=case, token=token, request=request
        )
        return follow_up


# Referral out, and the receiver's answer.


def referral_create(
    *,
    actor: User,
    case: Case,
    referred_on: dt.date,
    reason: str,
    receiver: ReceiverInput,
    token: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Refer the person to another organisation, station or agency (the case stays with the worker)."""
    with transaction.atomic():
        _require_worker(actor, case)
        case = _locked(case)
        if (replayed := _replayed(actor, token, Referral)) is not None:
            return replayed
        _check_open(case)
        _check_day(referred_on, case=case, field="referred_on")
        referral = _referral(case=case, referred_on=referred_on, reason=reason, receiver=receiver)
        _record(actor=actor, obj=referral, event="referral_created", case=case, token=token, request=request)
        return referral


def referral_answer(
    *,
    actor: User,
    referral: Referral,
    accept: bool,
    note: str = "",
    answered_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """The receiver accepts or declines. A case referred at intake and declined comes back open."""
    from sanqu.cases.selectors.cases import cases_for

    with transaction.atomic():
        referral = Referral.objects.select_related("case__county", "to_station").get(pk=referral.pk)
        if not can_answer_referral(actor, referral):
            if cases_for(actor).filter(pk=referral.case_id).exists():
                raise PermissionDenied
            raise Http404
        case = _locked(referral.case)
        referral = Referral.objects.select_for_update().select_related("to_station").get(pk=referral.pk)
        decided = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
        if referral.status == decided:
            return referral
        if referral.status != Referral.Status.PENDING:
            raise ValidationError(_("该转介已经回复过了。"), code="answered")
        answered_on = answered_on or clock.today()
        _check_day(answered_on, case=None, field="answered_on")
        if answered_on < referral.referred_on:
            raise ValidationError({"answered_on": _("回复日期不能早于转介日期。")})
        if not accept and not note.strip():
            raise ValidationError({"answer_note": _("拒绝接收时请说明原因。")}, code="no_note")
        referral.status = decided
        referral.answered_on = answered_on
        referral.answer_note = note.strip()
        _save(referral)
        if not accept and case.status == Case.Status.REFERRED:
            case.status = Case.Status.OPEN
            _save(case)
        _record(
            actor=actor,
            obj=referral,
            event="referral_accepted" if accept else "referral_declined",
            case=case,
            action=AuditEntry.Action.UPDATE,
            request=request,
        )
        return referral


# Reopening.


def case_reopen(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """A closed (or referred) case opens again; it is evaluated again before it closes again."""
    with transaction.atomic():
        _require_worker(actor, case)
        case = _locked(case)
        if case.status == Case.Status.OPEN:
            return case  # already open (a double submit, or a colleague was quicker)
        if case.referrals.filter(status=Referral.Status.PENDING).exists():
            raise ValidationError(_("转介尚未回复，不能重新开案。"), code="referral_pending")
        if not reason.strip():
            raise ValidationError({"reason": _("请填写重新开案的原因。")})
        running = case.beneficiary.cases.filter(status=Case.Status.OPEN).exclude(pk=case.pk).first()
        if running is not None:
            raise ValidationError(
                _("该服务对象已有进行中的个案 %(number)s，请在原个案中继续服务。")
                % {"number": running.number},
                code="already_open",
            )
        case.status = Case.Status.OPEN
        case.closed_on = None
        case.reopened_times += 1
        case.stage = _stage_from_records(case)
        _save_case(case, actor=actor, event="case_reopened", request=request)
        return case

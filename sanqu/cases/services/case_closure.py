"""结案 Closure and its review, follow-ups after closure, and reopening a case."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import AuditEntry, User
from sanqu.cases.models import Case, Closure, FollowUp, Referral
from sanqu.cases.services.case_rules import (
    check_day,
    check_open,
    decide_review,
    locked,
    record,
    replayed,
    require_reviewer,
    require_worker,
    save,
    save_case,
)
from sanqu.cases.services.cases import current_plan

# A closure for these reasons needs no evaluation: there is nobody left to evaluate with.
CLOSES_WITHOUT_EVALUATION = {Closure.Reason.WITHDREW, Closure.Reason.MOVED_AWAY, Closure.Reason.DIED}


def _stage_from_records(case: Case) -> str:
    """Where an open case's records leave it, short of 评估 (used on reopening)."""
    if current_plan(case) is not None:
        return Case.Stage.INTERVENTION
    if case.plans.exists():
        return Case.Stage.PLAN
    if case.assessments.exists():
        return Case.Stage.ASSESSMENT
    return Case.Stage.INTAKE


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
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, Closure)) is not None:
            return earlier
        check_open(case)
        if case.closures.filter(status=Closure.Status.SUBMITTED).exists():
            raise ValidationError(_("已有待审批的结案申请，请等待督导审批。"), code="closure_pending")
        if case.stage != Case.Stage.EVALUATION and reason not in CLOSES_WITHOUT_EVALUATION:
            raise ValidationError(
                _("尚未完成评估，不能结案（服务对象退出、迁离或死亡的除外）。"), code="no_evaluation"
            )
        check_day(closed_on, case=case, field="closed_on")
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
        save(closure)
        if closure.status == Closure.Status.APPROVED:
            _close(case, closure)
            save(case)
        record(
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
        require_reviewer(actor, closure.case)
        case = locked(closure.case)
        closure = Closure.objects.select_for_update().get(pk=closure.pk)
        not_submitted = _("该结案申请不在待审批状态，不能审批。")
        decided = decide_review(
            closure, actor=actor, approve=approve, comment=comment, not_submitted=not_submitted
        )
        if not decided:
            return closure
        save(closure)
        if approve:
            _close(case, closure)
            save(case)
        record(
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
        require_worker(actor, case)
        case = locked(case)
        if (earlier := replayed(actor, token, FollowUp)) is not None:
            return earlier
        if case.status != Case.Status.CLOSED or case.closed_on is None:
            raise ValidationError(_("个案结案后才能记录跟进。"), code="not_closed")
        check_day(followed_on, case=case, field="followed_on")
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
        save(follow_up)
        record(
            actor=actor, obj=follow_up, event="follow_up_recorded", case=case, token=token, request=request
        )
        return follow_up


# Reopening.


def case_reopen(*, actor: User, case: Case, reason: str, request: HttpRequest | None = None) -> Case:
    """A closed (or referred) case opens again; it is evaluated again before it closes again."""
    with transaction.atomic():
        require_worker(actor, case)
        case = locked(case)
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
        save_case(case, actor=actor, event="case_reopened", request=request)
        return case

"""What every case service checks: who may act, the case's scope, the common stage rules, and
how a write is locked, recorded in the audit log and made idempotent with a form's one-time token.

The stage services are in `cases.py` (intake to evaluation), `case_closure.py` (closure, follow-up,
reopening) and `case_referrals.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import memberships_of, scope_of
from sanqu.cases.models import Case, CasePlan, Closure
from sanqu.lib import clock
from sanqu.regions.models import Region
from sanqu.workforce.models import Supervision

STAGE_ORDER = [stage for stage, _label in Case.Stage.choices]
# How long a form's one-time token is remembered.
TOKEN_DAYS = 2


# Who may do what.


def worker_person_ids(actor: User) -> set[int]:
    """The people the actor works as (social-worker memberships)."""
    return {
        membership.person_id
        for membership in memberships_of(actor)
        if membership.role == Role.SOCIAL_WORKER and membership.person_id
    }


def supervisee_ids(actor: User, *, today: dt.date | None = None) -> set[int]:
    """The social workers the actor supervises now."""
    today = today or clock.today()
    supervisors = [
        membership.person_id
        for membership in memberships_of(actor)
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


def require_visible(actor: User, case: Case) -> None:
    from sanqu.cases.selectors.cases import cases_for

    if not cases_for(actor).filter(pk=case.pk).exists():
        raise Http404


def require_worker(actor: User, case: Case) -> None:
    require_visible(actor, case)
    if not is_case_worker(actor, case):
        raise PermissionDenied


def require_reviewer(actor: User, case: Case) -> None:
    require_visible(actor, case)
    if not can_review(actor, case):
        raise PermissionDenied


# Rules.


def check_day(day: dt.date, *, case: Case | None, field: str) -> None:
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


def check_open(case: Case) -> None:
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("个案已结案，不能再记录。如需继续服务，请先重新开案。"), code="closed")
    if case.status == Case.Status.REFERRED:
        raise ValidationError(_("个案已转介，不能再记录。如需继续服务，请先重新开案。"), code="referred")


def advance(case: Case, stage: str) -> None:
    """Move the case forward to `stage` (never back: a reassessment does not undo a plan)."""
    if STAGE_ORDER.index(stage) > STAGE_ORDER.index(case.stage):
        case.stage = stage


# Writing, auditing and the one-time token.


def locked(case: Case) -> Case:
    """The case row, locked for the transaction, so two writes to one case happen one after the other."""
    return Case.objects.select_for_update().select_related("county", "worker").get(pk=case.pk)


def replayed[R: models.Model](
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


def save(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    instance.full_clean(exclude=list(exclude))
    instance.save()


def record(
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


def save_case(case: Case, *, actor: User, event: str, request: HttpRequest | None, **detail: Any) -> None:
    save(case)
    record(
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


def decide_review(
    item: CasePlan | Closure, *, actor: User, approve: bool, comment: str, not_submitted: str
) -> bool:
    """Put a reviewer's decision on a submitted plan or closure (the caller saves it).

    False when the same reviewer already made the same decision: a double submit, nothing to do.
    """
    decided = item.Status.APPROVED if approve else item.Status.RETURNED
    if item.status == decided and item.reviewed_by_id == actor.pk:
        return False
    if item.status != item.Status.SUBMITTED:
        raise ValidationError(not_submitted, code="not_submitted")
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("退回时请写明意见，便于社工修改。")}, code="no_comment")
    item.status = decided
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.review_comment = comment.strip()
    return True

"""Writes to monitoring visits (督查/走访) and their follow-up actions (整改事项).

Keyword-only, permission and scope checked, validated with a Chinese message naming the field,
audited, one transaction each. A visit is planned by the county section or the city office for a
project it supervises or a station in its counties (the county comes from the project or the
station), then recorded with its findings; findings that need work become actions with an owner
who sees the visited place. The owner or the supervising side closes an action with its outcome
and an evidence file; the county section may reopen it, giving a reason kept in the audit trail.
An evidence file and its row are written together: a refusal or a failure leaves no file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import CLOSE_ACTION, RECORD_VISIT
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.services.groups import county_of
from sanqu.lib import clock
from sanqu.lib.files import sniff_upload
from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.project_selectors import supervised_projects
from sanqu.projects.visit_selectors import (
    REOPEN_REASON,
    action_owner_choices,
    actions_for,
    closable_actions,
    reopening_visits,
    supervised_stations,
    supervised_visits,
    visits_for,
)
from sanqu.regions.models import Station

VISIT_EDITABLE = ("kind", "planned_on", "visited_on", "visitors", "purpose", "findings")


def _check_visit(visit: MonitoringVisit) -> None:
    visit.visitors = visit.visitors.strip()
    visit.purpose = visit.purpose.strip()
    visit.findings = visit.findings.strip()
    if not visit.visitors:
        raise ValidationError({"visitors": _("请填写参加人员。")})
    if visit.visited_on is not None:
        if visit.visited_on > clock.today():
            raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
        if not visit.findings:
            raise ValidationError({"findings": _("登记走访情况须填写发现的情况。")})
    elif visit.findings:
        raise ValidationError({"visited_on": _("填写了发现的情况，请同时填写走访日期。")})


def _check_update(visit: MonitoringVisit) -> None:
    _check_visit(visit)
    actions = visit.actions.all()
    if actions.exists():
        if visit.visited_on is None:
            raise ValidationError({"visited_on": _("这次督查走访已有整改事项，须保留走访日期。")})
        if actions.filter(due_on__lt=visit.visited_on).exists():
            raise ValidationError({"visited_on": _("走访日期不能晚于已有整改事项的完成期限。")})


def _checked(visit: MonitoringVisit, check: Callable[[MonitoringVisit], None]) -> None:
    """Run the check on the changed visit; a refusal puts the stored values back on the object."""
    try:
        check(visit)
    except ValidationError:
        visit.refresh_from_db()
        raise


def _for_supervision(actor: User, visit: MonitoringVisit) -> None:
    """404 for a visit out of sight; 403 for one the actor sees but does not supervise."""
    if not visits_for(actor).filter(pk=visit.pk).exists():
        raise Http404
    require_perm(actor, RECORD_VISIT)
    if not supervised_visits(actor).filter(pk=visit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def visit_plan(
    *,
    actor: User,
    kind: str,
    planned_on: dt.date,
    visitors: str,
    project: Project | None = None,
    station: Station | None = None,
    purpose: str = "",
    visited_on: dt.date | None = None,
    findings: str = "",
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """Plan a visit to a project or a station (or record one that already took place)."""
    require_perm(actor, RECORD_VISIT)
    both = _("请选择走访的项目或服务站点（二选一）。")
    if project is not None and station is not None:
        raise ValidationError({"project": both})
    if project is not None:
        if not supervised_projects(actor).filter(pk=project.pk).exists():
            raise ValidationError({"project": _("只能登记对您所督查项目的走访：该项目不在您负责的区县。")})
        county = project.county
    elif station is not None:
        if not supervised_stations(actor).filter(pk=station.pk).exists():
            raise ValidationError({"station": _("只能登记对您所负责区县内服务站点的走访。")})
        county = county_of(station.region)
    else:
        raise ValidationError({"project": both})
    visit = MonitoringVisit(
        kind=kind,
        county=county,
        project=project,
        station=station,
        planned_on=planned_on,
        visited_on=visited_on,
        visitors=visitors,
        purpose=purpose,
        findings=findings,
        created_by=actor,
    )
    _check_visit(visit)
    return audited_save(
        actor=actor, instance=visit, perm=RECORD_VISIT, writable=supervised_visits(actor), request=request
    )


@transaction.atomic
def visit_record(
    *,
    actor: User,
    visit: MonitoringVisit,
    visited_on: dt.date,
    findings: str,
    visitors: str | None = None,
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """Record that a planned visit took place (it may have happened before its planned date)."""
    _for_supervision(actor, visit)
    if visit.done:
        raise ValidationError(_("这次督查走访已经登记过走访情况，如需更正请修改记录。"))
    if not findings.strip():
        raise ValidationError({"findings": _("登记走访情况须填写发现的情况。")})
    before = snapshot(visit)
    data: dict[str, Any] = {"visited_on": visited_on, "findings": findings}
    if visitors is not None:
        data["visitors"] = visitors
    apply(visit, data, editable=VISIT_EDITABLE)
    _checked(visit, _check_visit)
    return audited_save(
        actor=actor,
        instance=visit,
        perm=RECORD_VISIT,
        writable=supervised_visits(actor),
        before=before,
        request=request,
    )


@transaction.atomic
def visit_update(
    *,
    actor: User,
    visit: MonitoringVisit,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> MonitoringVisit:
    """Correct a visit's facts; refused once one of its actions has been closed."""
    _for_supervision(actor, visit)
    if visit.actions.filter(closed_on__isnull=False).exists():
        raise ValidationError(_("已有整改事项销号，这次督查走访的记录不能再修改。"))
    before = snapshot(visit)
    apply(visit, data, editable=VISIT_EDITABLE)
    _checked(visit, _check_update)
    return audited_save(
        actor=actor,
        instance=visit,
        perm=RECORD_VISIT,
        writable=supervised_visits(actor),
        before=before,
        request=request,
    )


@transaction.atomic
def action_add(
    *,
    actor: User,
    visit: MonitoringVisit,
    action: str,
    owner: User,
    due_on: dt.date,
    request: HttpRequest | None = None,
) -> VisitAction:
    """A follow-up action of a recorded visit, owned by someone who sees the visited place."""
    _for_supervision(actor, visit)
    if visit.visited_on is None:
        raise ValidationError(_("请先登记走访情况，再添加整改事项。"))
    action = action.strip()
    if not action:
        raise ValidationError({"action": _("请填写整改事项。")})
    if not action_owner_choices(visit).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": _("责任人须是能看到该项目(站点)的人：机构负责人、派驻的社工或区县专门科室。")}
        )
    if due_on < visit.visited_on:
        raise ValidationError({"due_on": _("完成期限不能早于走访日期。")})
    item = VisitAction(visit=visit, action=action, owner=owner, due_on=due_on)
    return audited_save(
        actor=actor,
        instance=item,
        perm=RECORD_VISIT,
        writable=VisitAction.objects.filter(visit__in=supervised_visits(actor).values("pk")),
        request=request,
    )


@transaction.atomic
def action_close(
    *,
    actor: User,
    action: VisitAction,
    outcome: str,
    evidence: UploadedFile | None,
    closed_on: dt.date,
    request: HttpRequest | None = None,
) -> VisitAction:
    """Close (销号) an action with its outcome and an evidence file (PDF, JPEG or PNG).

    The file is stored with the row: a refusal stores nothing, a failure removes the file.
    """
    if not actions_for(actor).filter(pk=action.pk).exists():
        raise Http404
    require_perm(actor, CLOSE_ACTION)
    if not closable_actions(actor).filter(pk=action.pk).exists():
        raise PermissionDenied
    if not action.is_open:
        raise ValidationError(_("该整改事项已经销号。"))
    outcome = outcome.strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写整改情况。")})
    if evidence is None:
        raise ValidationError({"evidence": _("销号须上传佐证材料（PDF、JPEG 或 PNG）。")})
    content_type = sniff_upload(evidence, field="evidence")
    if closed_on > clock.today():
        raise ValidationError({"closed_on": _("完成日期不能晚于今天。")})
    visited_on = action.visit.visited_on
    if visited_on is not None and closed_on < visited_on:
        raise ValidationError({"closed_on": _("完成日期不能早于走访日期。")})
    previous = action.evidence.name or ""
    before = {**snapshot(action), "evidence": previous}  # the field file changes in place
    action.outcome = outcome
    action.closed_on = closed_on
    action.closed_by = actor
    action.evidence_name = (evidence.name or "evidence")[-200:]
    action.evidence_content_type = content_type
    action.evidence.save(evidence.name or "evidence", evidence, save=False)
    stored = action.evidence.name or ""
    try:
        with transaction.atomic():
            audited_save(
                actor=actor,
                instance=action,
                perm=CLOSE_ACTION,
                writable=closable_actions(actor),
                before=before,
                request=request,
            )
    except BaseException:
        action.evidence.storage.delete(stored)  # the row rolls back; the file goes too
        raise
    if previous and previous != stored:
        storage = action.evidence.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return action


@transaction.atomic
def action_reopen(
    *, actor: User, action: VisitAction, reason: str, request: HttpRequest | None = None
) -> VisitAction:
    """Reopen a closed action (the county section of the visit's county); the reason is audited.

    The last outcome and evidence stay on the action until it is closed again.
    """
    if not actions_for(actor).filter(pk=action.pk).exists():
        raise Http404
    require_perm(actor, CLOSE_ACTION)
    if not reopening_visits(actor).filter(pk=action.visit_id).exists():
        raise PermissionDenied
    if action.is_open:
        raise ValidationError(_("该整改事项尚未销号，无需重新打开。"))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写重新打开的理由。")})
    action.closed_on = None
    action.closed_by = None
    action.full_clean()
    action.save(update_fields=["closed_on", "closed_by"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=action,
        detail={"changed": ["closed_by", "closed_on"], REOPEN_REASON: reason},
        request=request,
    )
    return action


def evidence_open(*, actor: User, action: VisitAction, request: HttpRequest | None = None) -> VisitAction:
    """The action's evidence file, for a user who sees the visit (404 otherwise); the read is audited."""
    if not actions_for(actor).filter(pk=action.pk).exists() or not action.evidence:
        raise Http404
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UNMASK,
        obj=action,
        detail={"evidence": action.evidence_name},
        request=request,
    )
    return action

"""Writes to periodic reports: start, save, submit (the organisation); return, accept (the county).

Keyword-only, permission and scope checked, validated with a Chinese message naming the field,
audited, one transaction each. Every step is kept as a ReportEvent; a submission keeps a full copy
of what was submitted, so resubmission after a return loses nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.roles import FILE_REPORT, REVIEW_REPORT
from sanqu.accounts.services import audited_delete, audited_save, require_perm, snapshot
from sanqu.lib import clock
from sanqu.projects.models import PeriodicReport, Project, ReportEvent, ReportField, ReportTemplate
from sanqu.projects.progress import period_figures
from sanqu.projects.project_selectors import filing_projects, projects_for, supervised_projects
from sanqu.projects.report_schedule import periods_of
from sanqu.projects.report_selectors import reports_for

Status = PeriodicReport.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)


def _json_number(value: Any) -> int | float:
    """A figure or typed number as JSON stores it: an integer when whole."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def _fields(template: ReportTemplate) -> list[ReportField]:
    return list(template.report_fields.order_by("sort_order", "pk"))


def figures_of(project: Project, template: ReportTemplate, start: dt.date, end: dt.date) -> dict[str, Any]:
    """The template's figure fields for the period, computed from the records, by field key."""
    computed = period_figures(project, start, end)
    return {
        field.key: _json_number(computed.get(field.figure, 0))
        for field in _fields(template)
        if field.kind == ReportField.Kind.FIGURE
    }


def _filable(actor: User) -> QuerySet[PeriodicReport]:
    return PeriodicReport.objects.filter(project__in=filing_projects(actor).values("pk"))


def _reviewable(actor: User) -> QuerySet[PeriodicReport]:
    return PeriodicReport.objects.filter(project__in=supervised_projects(actor).values("pk"))


def _check_filer(actor: User, project: Project) -> None:
    """404 outside the user's sight; 403 when she sees the project but does not file its reports."""
    if not projects_for(actor).filter(pk=project.pk).exists():
        raise Http404
    require_perm(actor, FILE_REPORT)
    if not filing_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied


def _check_reviewer(actor: User, report: PeriodicReport) -> None:
    """404 unless the actor supervises the project (an officer of another county sees nothing)."""
    if not reports_for(actor).filter(pk=report.pk).exists():
        raise Http404
    require_perm(actor, REVIEW_REPORT)
    if not supervised_projects(actor).filter(pk=report.project_id).exists():
        raise Http404


def _event(report: PeriodicReport, action: str, actor: User, comment: str = "", content: Any = None) -> None:
    ReportEvent.objects.create(report=report, action=action, by=actor, comment=comment, content=content or {})


def _content(report: PeriodicReport) -> dict[str, Any]:
    """A full copy of what a submission says (kept in its event)."""
    return {
        "period_start": report.period_start.isoformat(),
        "period_end": report.period_end.isoformat(),
        "figures": dict(report.figures),
        "values": dict(report.values),
        "narrative": report.narrative,
        "problems": report.problems,
        "next_steps": report.next_steps,
    }


@transaction.atomic
def report_start(
    *,
    actor: User,
    project: Project,
    template: ReportTemplate,
    period_start: dt.date,
    request: HttpRequest | None = None,
) -> PeriodicReport:
    """A new report for one period of the schedule, pre-filled with the period's figures."""
    _check_filer(actor, project)
    if template.programme_year_id != project.programme_year_id or not template.active:
        raise ValidationError({"template": _("该报告模板不适用于本项目的年度，或已停用。")})
    period = next((p for p in periods_of(project, template) if p.start == period_start), None)
    if period is None:
        raise ValidationError(
            {"period_start": _("%(day)s 不是本项目的报告期起始日。") % {"day": period_start.isoformat()}}
        )
    if period.end >= clock.today():
        raise ValidationError(
            {
                "period_start": _("报告期尚未结束（至 %(end)s），结束后才能填报。")
                % {"end": period.end.isoformat()}
            }
        )
    duplicate = _("这一期的报告已经存在。")
    if PeriodicReport.objects.filter(project=project, template=template, period_start=period.start).exists():
        raise ValidationError({"period_start": duplicate})
    report = PeriodicReport(
        project=project,
        template=template,
        period_start=period.start,
        period_end=period.end,
        due_on=period.due_on,
        figures=figures_of(project, template, period.start, period.end),
    )
    try:
        with transaction.atomic():
            audited_save(
                actor=actor, instance=report, perm=FILE_REPORT, writable=_filable(actor), request=request
            )
    except IntegrityError:  # another request started the same period a moment ago
        raise ValidationError({"period_start": duplicate}) from None
    _event(report, ReportEvent.Action.CREATED, actor)
    return report


def _clean_values(template: ReportTemplate, values: Mapping[str, Any]) -> dict[str, Any]:
    """The template's number and text fields, numbers checked; other keys are ignored."""
    cleaned: dict[str, Any] = {}
    for field in _fields(template):
        if field.kind == ReportField.Kind.FIGURE or field.key not in values:
            continue
        value = values[field.key]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if field.kind == ReportField.Kind.NUMBER:
            try:
                number = Decimal(str(value).strip())
            except InvalidOperation:
                raise ValidationError(
                    {field.key: _("“%(label)s”须填写数字。") % {"label": field.label}}
                ) from None
            if not number.is_finite() or number < 0:
                raise ValidationError({field.key: _("“%(label)s”不能为负数。") % {"label": field.label}})
            cleaned[field.key] = _json_number(number)
        else:
            cleaned[field.key] = str(value).strip()
    return cleaned


def _editable(report: PeriodicReport) -> None:
    if report.status not in EDITABLE:
        raise ValidationError(
            _("报告已报送（%(status)s），不能修改。") % {"status": report.get_status_display()}
        )


@transaction.atomic
def report_save(
    *,
    actor: User,
    report: PeriodicReport,
    narrative: str = "",
    problems: str = "",
    next_steps: str = "",
    values: Mapping[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> PeriodicReport:
    """Keep a draft (or a returned report being corrected); figures follow the records until submitted."""
    _check_filer(actor, report.project)
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    before = snapshot(report)
    report.narrative = narrative.strip()
    report.problems = problems.strip()
    report.next_steps = next_steps.strip()
    report.values = _clean_values(report.template, values or {})
    report.figures = figures_of(report.project, report.template, report.period_start, report.period_end)
    return audited_save(
        actor=actor,
        instance=report,
        perm=FILE_REPORT,
        writable=_filable(actor),
        before=before,
        request=request,
    )


def missing_required(report: PeriodicReport) -> list[str]:
    """Labels of what must be filled before the report can be submitted."""
    missing = [] if report.narrative.strip() else [_("工作进展")]
    for field in _fields(report.template):
        if (
            field.required
            and field.kind != ReportField.Kind.FIGURE
            and report.values.get(field.key) in (None, "")
        ):
            missing.append(field.label)
    return missing


@transaction.atomic
def report_submit(
    *, actor: User, report: PeriodicReport, request: HttpRequest | None = None
) -> PeriodicReport:
    """Send the report to the county section; its figures are frozen as they stand now."""
    _check_filer(actor, report.project)
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    missing = missing_required(report)
    if missing:
        raise ValidationError(
            _("“%(field)s”为必填项，填写后才能报送。") % {"field": "”“".join(missing)}, code="required"
        )
    before = snapshot(report)
    report.figures = figures_of(report.project, report.template, report.period_start, report.period_end)
    report.status = Status.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.first_submitted_on = report.first_submitted_on or clock.today()
    report.submissions += 1
    audited_save(
        actor=actor,
        instance=report,
        perm=FILE_REPORT,
        writable=_filable(actor),
        before=before,
        request=request,
    )
    _event(report, ReportEvent.Action.SUBMITTED, actor, content=_content(report))
    return report


def _review(
    actor: User, report: PeriodicReport, status: str, comment: str, request: HttpRequest | None
) -> PeriodicReport:
    _check_reviewer(actor, report)
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    if report.status != Status.SUBMITTED:
        raise ValidationError(
            _("只有待审核的报告可以审核；这份报告%(status)s。") % {"status": report.get_status_display()}
        )
    before = snapshot(report)
    report.status = status
    report.reviewed_at = timezone.now()
    report.reviewed_by = actor
    report.review_comment = comment
    audited_save(
        actor=actor,
        instance=report,
        perm=REVIEW_REPORT,
        writable=_reviewable(actor),
        before=before,
        request=request,
    )
    action = ReportEvent.Action.RETURNED if status == Status.RETURNED else ReportEvent.Action.ACCEPTED
    _event(report, action, actor, comment=comment)
    return report


@transaction.atomic
def report_return(
    *, actor: User, report: PeriodicReport, comment: str, request: HttpRequest | None = None
) -> PeriodicReport:
    """Send the report back to the organisation with what must be corrected."""
    comment = (comment or "").strip()
    if not comment:
        _check_reviewer(actor, report)
        raise ValidationError({"comment": _("退回报告须填写审核意见，说明需要修改的地方。")})
    return _review(actor, report, Status.RETURNED, comment, request)


@transaction.atomic
def report_accept(
    *, actor: User, report: PeriodicReport, comment: str = "", request: HttpRequest | None = None
) -> PeriodicReport:
    return _review(actor, report, Status.ACCEPTED, (comment or "").strip(), request)


# Report templates (the city office's configuration, kept in the back office).

TEMPLATE_PERMS = {True: "projects.add_reporttemplate", False: "projects.change_reporttemplate"}


@transaction.atomic
def template_save(
    *, actor: User, template: ReportTemplate, request: HttpRequest | None = None
) -> ReportTemplate:
    """Create or update a template with its fields (`template.report_fields`, not yet committed)."""
    fields = list(template.report_fields.all())
    seen: set[str] = set()
    for field in fields:
        if field.key in seen:
            raise ValidationError(
                _("字段代码“%(key)s”重复：同一模板中字段代码不能重复。") % {"key": field.key}
            )
        seen.add(field.key)
        problem = field_kind_problem(field.kind, field.figure)
        if problem:
            raise ValidationError(
                _("字段“%(label)s”：%(problem)s") % {"label": field.label, "problem": problem}
            )
    return audited_save(
        actor=actor,
        instance=template,
        perm=TEMPLATE_PERMS[template._state.adding],
        writable=ReportTemplate.objects.all(),
        request=request,
    )


def field_kind_problem(kind: str, figure: str) -> str:
    """Why a field's kind and pre-filled figure do not go together, or ""."""
    if kind == ReportField.Kind.FIGURE and not figure:
        return _("类型为“数据(自动预填)”的字段须选择预填数据。")
    if kind != ReportField.Kind.FIGURE and figure:
        return _("只有类型为“数据(自动预填)”的字段才能选择预填数据；填报的数字或文字请不要选择。")
    return ""


@transaction.atomic
def template_delete(*, actor: User, template: ReportTemplate, request: HttpRequest | None = None) -> None:
    """Remove a template no report uses (one in use is switched off instead)."""
    used = template.reports.count()
    if used:
        raise ValidationError(
            _("已有 %(count)s 份报告使用模板“%(name)s”，不能删除；如不再使用，请取消“启用”。")
            % {"count": used, "name": template.name}
        )
    audited_delete(
        actor=actor,
        instance=template,
        perm="projects.delete_reporttemplate",
        writable=ReportTemplate.objects.all(),
        request=request,
    )

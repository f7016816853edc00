"""Periodic report pages: the list, one report with its history, editing, and the review actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts.models import User
from sanqu.accounts.roles import FILE_REPORT, VIEW_REPORT
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.projects.models import PeriodicReport, Project, ReportEvent, ReportField, ReportTemplate
from sanqu.projects.project_selectors import filing_projects, get_project_for_user, projects_for
from sanqu.projects.report_forms import ReportFilterForm, ReportForm, ReportStartForm, ReviewForm
from sanqu.projects.report_schedule import Period, periods_of, templates_for, timeliness
from sanqu.projects.report_selectors import (
    awaiting_review,
    can_file,
    can_review,
    get_report_for_user,
    reports_for,
)
from sanqu.projects.report_services import (
    EDITABLE,
    missing_required,
    report_accept,
    report_return,
    report_save,
    report_start,
    report_submit,
)

PAGE_SIZE = 25
SECTION = "projects"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@dataclass(frozen=True)
class Row:
    label: str
    value: Any
    kind: str
    help_text: str = ""


def rows_of(
    fields: list[ReportField], figures: dict[str, Any], values: dict[str, Any]
) -> dict[str, list[Row]]:
    """The template's fields with their values in the report (or in a submitted copy): the
    pre-filled figures (`figure_rows`) and what the organisation typed (`filled_rows`)."""
    rows: dict[str, list[Row]] = {"figure_rows": [], "filled_rows": []}
    for field in fields:
        figure = field.kind == ReportField.Kind.FIGURE
        value = (figures if figure else values).get(field.key)
        rows["figure_rows" if figure else "filled_rows"].append(
            Row(field.label, value, field.kind, field.help_text)
        )
    return rows


def _project_url(project_pk: int) -> str:
    try:
        return reverse("project_detail", args=[project_pk])
    except NoReverseMatch:
        return reverse("report_list") + f"?project={project_pk}"


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_REPORT)
    reviewer = awaiting_review(user)
    form = ReportFilterForm(request.GET or None, projects=projects_for(user), can_review=reviewer.exists())
    reports = reports_for(user).order_by("-period_start", "project__county__code", "project__name", "pk")
    if form.is_bound and form.is_valid():
        reports = form.filter(reports)
        if form.cleaned_data.get("mine"):
            reports = reports.filter(pk__in=reviewer.values("pk"))
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/reports/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "awaiting": reviewer.count(),
            "today": clock.today(),
            "nav_section": SECTION,
        },
    )


def _history(report: PeriodicReport, fields: list[ReportField]) -> list[dict[str, Any]]:
    history = []
    for event in report.events.select_related("by").order_by("at", "pk"):
        content = event.content or {}
        entry: dict[str, Any] = {"event": event, "content": content}
        if event.action == ReportEvent.Action.SUBMITTED:
            entry |= rows_of(fields, content.get("figures", {}), content.get("values", {}))
        history.append(entry)
    return history


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = get_report_for_user(user, pk)
    fields = list(report.template.report_fields.order_by("sort_order", "pk"))
    filer = can_file(user, report) and report.status in EDITABLE
    return render(
        request,
        "projects/reports/detail.html",
        {
            "report": report,
            "project": report.project,
            **rows_of(fields, report.figures, report.values),
            "history": _history(report, fields),
            "can_edit": filer,
            "missing": missing_required(report) if filer else [],
            "can_review": can_review(user, report) and report.status == PeriodicReport.Status.SUBMITTED,
            "review_form": ReviewForm(),
            "project_url": _project_url(report.project_id),
            "today": clock.today(),
            "nav_section": SECTION,
        },
    )


def _filable_report(user: User, pk: int) -> PeriodicReport:
    """The report for the organisation to work on (404 out of sight, 403 for those who do not file)."""
    report = get_report_for_user(user, pk)
    if not can_file(user, report):
        raise PermissionDenied
    return report


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = _filable_report(user, pk)
    if report.status not in EDITABLE:
        messages.error(
            request, _("报告已报送（%(status)s），不能修改。") % {"status": report.get_status_display()}
        )
        return redirect("report_detail", pk=report.pk)
    if request.method == "POST":
        form = ReportForm(request.POST, report=report)
        if form.is_valid():
            try:
                report_save(actor=user, report=report, request=request, **form.service_data())
            except ValidationError as error:
                _add_value_errors(form, error)
            else:
                messages.success(request, _("已保存报告。确认无误后请在报告页面报送。"))
                return redirect("report_detail", pk=report.pk)
    else:
        initial = {
            "narrative": report.narrative,
            "problems": report.problems,
            "next_steps": report.next_steps,
        }
        initial |= {f"value_{key}": value for key, value in report.values.items()}
        form = ReportForm(initial=initial, report=report)
    fields = list(report.template.report_fields.order_by("sort_order", "pk"))
    return render(
        request,
        "projects/reports/edit.html",
        {
            "report": report,
            "form": form,
            "figures": rows_of(fields, report.figures, {})["figure_rows"],
            "nav_section": SECTION,
        },
    )


def _add_value_errors(form: ReportForm, error: ValidationError) -> None:
    """A service error names a template field by its key; the form calls it `value_<key>`."""
    if hasattr(error, "error_dict"):
        error = ValidationError(
            {
                (f"value_{key}" if f"value_{key}" in form.fields else key): errors
                for key, errors in error.error_dict.items()
            }
        )
    add_service_errors(form, error)


@login_required
@require_POST
def report_start_view(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = _user(request)
    project = get_project_for_user(user, project_pk)
    require_perm(user, FILE_REPORT)  # those who only read or review are refused before the form is read
    form = ReportStartForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(
            request,
            " ".join(
                f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors
            ),
        )
        return redirect(_project_url(project.pk))
    try:
        report = report_start(actor=user, project=project, request=request, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_project_url(project.pk))
    messages.success(request, _("已创建本期报告，数据已按记录预填。请填写进展、问题和下一步计划。"))
    return redirect("report_edit", pk=report.pk)


@login_required
@require_POST
def report_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = _filable_report(user, pk)
    try:
        report_submit(actor=user, report=report, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("报告已报送，等待区县审核。"))
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = get_report_for_user(user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        report_return(
            actor=user, report=report, comment=form.cleaned_data.get("comment", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("报告已退回，机构会看到审核意见。"))
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = get_report_for_user(user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        report_accept(
            actor=user, report=report, comment=form.cleaned_data.get("comment", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("报告已通过审核。"))
    return redirect("report_detail", pk=report.pk)


@dataclass(frozen=True)
class OpenPeriod:
    """An ended period of the schedule that has no report yet."""

    template: ReportTemplate
    period: Period
    overdue: bool


def project_report_panel(user: User, project: Project, today: dt.date) -> dict[str, Any]:
    """What the project page shows of its reports: rows newest first, open periods, timeliness."""
    reports = list(project.reports.select_related("template").order_by("-period_start", "-pk"))
    started = {(report.template_id, report.period_start) for report in reports}
    open_periods = [
        OpenPeriod(template, period, period.due_on < today)
        for template in templates_for([project]).get(project.programme_year_id, [])
        for period in periods_of(project, template)
        if period.end < today and (template.pk, period.start) not in started
    ]
    open_periods.sort(key=lambda item: item.period.start, reverse=True)
    return {
        "project": project,
        "reports": reports,
        "open_periods": open_periods,
        "overdue_count": sum(1 for item in open_periods if item.overdue),
        "timeliness": timeliness([project], today).by_project[project.pk],
        "can_file": filing_projects(user).filter(pk=project.pk).exists()
        and user.has_perm("projects.add_periodicreport"),
        "today": today,
    }


@login_required
@require_GET
def report_project_panel(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The reports panel of the project page (loaded into it by htmx)."""
    user = _user(request)
    project = get_project_for_user(user, project_pk)
    if not user.has_perm(VIEW_REPORT):
        return HttpResponse("")
    return render(request, "projects/reports/_panel.html", project_report_panel(user, project, clock.today()))

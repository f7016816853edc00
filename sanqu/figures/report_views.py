"""Results report pages: ask for a report, follow its generation, read or download it, publish it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.cases.forms.groups import DATE, add_service_errors
from sanqu.figures.dashboard import dashboard_scopes
from sanqu.figures.models import ReportFile
from sanqu.figures.report_services import (
    ASK,
    VIEW,
    can_publish,
    get_report_for_user,
    publish_report,
    reports_for,
    request_report,
)
from sanqu.lib import clock
from sanqu.lib.files import private_file_response
from sanqu.regions.models import Region

PAGE_SIZE = 20
SECTION = "figures"
POLL_SECONDS = 1


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ReportForm(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("统计范围"))
    as_of = forms.DateField(label=gettext_lazy("统计日期"), widget=DATE)
    language = forms.ChoiceField(
        label=gettext_lazy("语言"), choices=ReportFile.Language.choices, widget=forms.RadioSelect
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=ReportFile.Format.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, scopes: list[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scopes = {region.code: region for region in scopes}
        field = cast(forms.ChoiceField, self.fields["scope"])
        field.choices = [(region.code, f"{region.name}（{region.code}）") for region in scopes]
        field.error_messages["invalid_choice"] = _("请从列表中选择统计范围。")

    def clean_scope(self) -> Region:
        return self.scopes[self.cleaned_data["scope"]]


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm(VIEW):
        raise PermissionDenied
    scopes = dashboard_scopes(user) if user.has_perm(ASK) else []
    form: ReportForm | None = None
    if scopes:
        if request.method == "POST":
            form = ReportForm(request.POST, scopes=scopes)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    report = request_report(
                        actor=user, scope=data["scope"], as_of=data["as_of"], language=data["language"],
                        fmt=data["format"], request=request,
                    )  # fmt: skip
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("已开始生成报告，可以离开本页，稍后回来查看。"))
                    return redirect("results_report_detail", pk=report.pk)
        else:
            form = ReportForm(
                initial={
                    "scope": scopes[0].code,
                    "as_of": clock.today(),
                    "language": ReportFile.Language.CHINESE,
                    "format": ReportFile.Format.PDF,
                },
                scopes=scopes,
            )
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(reports_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "figures/reports/list.html", {"form": form, "page": page, "nav_section": SECTION})


def _status_context(request: HttpRequest, report: ReportFile) -> dict[str, Any]:
    return {
        "report": report,
        "can_publish": can_publish(_user(request), report),
        "poll": POLL_SECONDS,
        "nav_section": SECTION,
    }


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(_user(request), pk)
    return render(request, "figures/reports/detail.html", _status_context(request, report))


@login_required
@require_GET
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block, polled by the page while the report is generated; reloads it when done."""
    report = get_report_for_user(_user(request), pk)
    response = render(request, "figures/reports/_status.html", _status_context(request, report))
    if request.headers.get("HX-Request") and not report.working:
        response["HX-Refresh"] = "true"  # the finished page shows the file and what can be done with it
    return response


@login_required
@require_GET
def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    report = get_report_for_user(_user(request), pk)
    if report.status != ReportFile.Status.DONE or not report.file:
        return redirect("results_report_detail", pk=report.pk)
    content_type = "application/pdf" if report.format == ReportFile.Format.PDF else "text/html; charset=utf-8"
    return private_file_response(
        report.file,
        name=report.download_name,
        content_type=content_type,
        attachment="download" in request.GET,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    report = get_report_for_user(user, pk)
    if not can_publish(user, report):
        if report.published_at is not None:
            messages.info(request, _("这份报告已经发布。"))
            return redirect("results_report_detail", pk=report.pk)
        raise PermissionDenied
    if request.method == "POST":
        try:
            report = publish_report(actor=user, report=report, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("报告已发布，所依据的数字已冻结为数据快照 #%(id)s。") % {"id": report.snapshot_id}
            )
        return redirect("results_report_detail", pk=report.pk)
    return render(request, "figures/reports/publish.html", {"report": report, "nav_section": SECTION})

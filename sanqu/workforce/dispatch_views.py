"""Dispatch pages: the scoped list with filters, one term with its renewals and actions, a new term,
ending, assessing and renewing a term, and the retention page for city and county roles."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.orgs.viewsets import writable_counties
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.selectors import stations_for
from sanqu.workforce import services
from sanqu.workforce.dispatch_forms import (
    DispatchAssessForm,
    DispatchCreateForm,
    DispatchEndForm,
    DispatchFilterForm,
    DispatchRenewForm,
    default_end_day,
)
from sanqu.workforce.dispatch_selectors import (
    ENDED,
    VIEW,
    can_change,
    dispatches_for,
    filter_choices,
    filter_dispatches,
    get_dispatch_for_user,
    renewal_chain,
    sees_region_figures,
)
from sanqu.workforce.experience import dispatch_experience
from sanqu.workforce.figures import leavers_by_reason, retention_breakdown, retention_total
from sanqu.workforce.models import Dispatch
from sanqu.workforce.selectors import people_for

PAGE_SIZE = 25
SECTION = "dispatches"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _may_create(user: User) -> bool:
    return user.has_perm("workforce.add_dispatch") and writable_counties(user).exists()


@login_required
@require_GET
def dispatch_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW)
    form = DispatchFilterForm(request.GET or None, **filter_choices(user))
    dispatches = filter_dispatches(dispatches_for(user), form.filters())
    page = Paginator(dispatches, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workforce/dispatches/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
            "can_add": _may_create(user),
            "sees_retention": sees_region_figures(user),
            "today": clock.today(),
            "nav_section": SECTION,
        },
    )


@login_required
@require_GET
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    dispatch = get_dispatch_for_user(user, pk)
    writable = can_change(user, dispatch)
    renewed = Dispatch.objects.filter(renewal_of=dispatch).exists()
    return render(
        request,
        "workforce/dispatches/detail.html",
        {
            "dispatch": dispatch,
            "chain": renewal_chain(user, dispatch),
            "person_visible": people_for(user).filter(pk=dispatch.person_id).exists(),
            "experience": dispatch_experience(dispatch.person, as_of=clock.today()),
            "can_end": writable and dispatch.status == Dispatch.Status.SERVING,
            "can_assess": writable and dispatch.ended,
            "can_renew": writable
            and dispatch.status == Dispatch.Status.COMPLETED
            and not renewed
            and user.has_perm("workforce.add_dispatch"),
            "today": clock.today(),
            "nav_section": SECTION,
        },
    )


def _people(user: User) -> Any:
    return people_for(user).order_by("name", "id")


def _create_choices(user: User) -> dict[str, Any]:
    return {
        "people": _people(user),
        "years": ProgrammeYear.objects.order_by("-year"),
        # Sending organisations are usually outside the receiving county: the registry is public.
        "organisations": Organisation.objects.order_by("name"),
        "counties": writable_counties(user).order_by("code"),
        "stations": stations_for(user, write=True).order_by("region__path", "name"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not _may_create(user):
        raise PermissionDenied
    if request.method == "POST":
        form = DispatchCreateForm(request.POST, **_create_choices(user))
        if form.is_valid():
            try:
                dispatch = services.dispatch_create(actor=user, request=request, **form.service_data())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已登记%(name)s的选派（%(year)s年度，%(county)s）。")
                    % {
                        "name": dispatch.person.name,
                        "year": dispatch.programme_year.year,
                        "county": dispatch.county.name,
                    },
                )
                return redirect("dispatch_detail", pk=dispatch.pk)
    else:
        initial: dict[str, Any] = {"started_on": clock.today()}
        year = ProgrammeYear.objects.filter(year=clock.today().year).first()
        if year is not None:
            initial["programme_year"] = year
        form = DispatchCreateForm(initial=initial, **_create_choices(user))
    return render(request, "workforce/dispatches/form.html", {"form": form, "nav_section": SECTION})


def _for_change(user: User, pk: int) -> Dispatch:
    """The dispatch to change: 404 when out of sight, 403 when the user may only read it."""
    dispatch = get_dispatch_for_user(user, pk)
    if not can_change(user, dispatch):
        raise PermissionDenied
    return dispatch


def _action(
    request: HttpRequest,
    *,
    dispatch: Dispatch,
    form: Any,
    title: str,
    submit: str,
    action: str,
    intro: str = "",
) -> HttpResponse:
    return render(
        request,
        "workforce/dispatches/action.html",
        {
            "dispatch": dispatch,
            "form": form,
            "title": title,
            "submit": submit,
            "action": action,
            "intro": intro,
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_end(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    dispatch = _for_change(user, pk)
    if dispatch.status != Dispatch.Status.SERVING:
        messages.error(request, _("该选派已经结束。"))
        return redirect("dispatch_detail", pk=dispatch.pk)
    if request.method == "POST":
        form = DispatchEndForm(request.POST)
        if form.is_valid():
            try:
                services.dispatch_end(actor=user, dispatch=dispatch, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已结束本期选派。"))
                return redirect("dispatch_detail", pk=dispatch.pk)
    else:
        form = DispatchEndForm(initial={"ended_on": default_end_day(dispatch, today=clock.today())})
    return _action(
        request,
        dispatch=dispatch,
        form=form,
        title=_("结束本期选派"),
        submit=_("确认结束"),
        action=reverse("dispatch_end", args=[dispatch.pk]),
        intro=_("期满：服务到计划结束日期（或经同意提前完成）。提前离岗：须选择离岗原因。结束后不能撤回。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_assess(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    dispatch = _for_change(user, pk)
    if request.method == "POST":
        form = DispatchAssessForm(request.POST)
        if form.is_valid():
            try:
                services.dispatch_assess(actor=user, dispatch=dispatch, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已记录考核结果。"))
                return redirect("dispatch_detail", pk=dispatch.pk)
    else:
        initial = {"assessment": dispatch.assessment, "assessed_on": dispatch.assessed_on or clock.today()}
        form = DispatchAssessForm(initial=initial)
    return _action(
        request,
        dispatch=dispatch,
        form=form,
        title=_("记录考核结果"),
        submit=_("保存考核结果"),
        action=reverse("dispatch_assess", args=[dispatch.pk]),
        intro=_("期满考核合格（优秀、良好、合格）的选派计入社会工作从业年限。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_renew(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    dispatch = _for_change(user, pk)
    require_perm(user, "workforce.add_dispatch")
    stations = stations_for(user, write=True).filter(region__path__startswith=dispatch.county.path)
    if request.method == "POST":
        form = DispatchRenewForm(request.POST, stations=stations)
        if form.is_valid():
            try:
                renewal = services.dispatch_renew(
                    actor=user, dispatch=dispatch, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已续派至%(year)s年度。") % {"year": renewal.programme_year.year})
                return redirect("dispatch_detail", pk=renewal.pk)
    else:
        form = DispatchRenewForm(stations=stations)
    following = services.next_programme_year(dispatch)
    return _action(
        request,
        dispatch=dispatch,
        form=form,
        title=_("续派"),
        submit=_("确认续派"),
        action=reverse("dispatch_renew", args=[dispatch.pk]),
        intro=_("续派为%(year)s年度的新一期选派，受援区县和派出单位与本期相同。")
        % {"year": following.year if following else dispatch.programme_year.year + 1},
    )


# Retention.


def _list_url(**params: Any) -> str:
    return (
        reverse("dispatch_list") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})
    )


def _linked(rows: list[dict[str, Any]], *, key: str, as_of: Any) -> list[dict[str, Any]]:
    """Each row's numbers with the list links that show the dispatches behind them."""
    day = as_of.isoformat()
    for row in rows:
        where = {key: row["name"] if key == "year" else row["id"]}
        row["links"] = {
            "dispatched": _list_url(as_of=day, **where),
            "serving": _list_url(as_of=day, status=Dispatch.Status.SERVING, **where),
            "completed": _list_url(as_of=day, status=Dispatch.Status.COMPLETED, **where),
            "left_early": _list_url(as_of=day, status=Dispatch.Status.LEFT_EARLY, **where),
            "ended": _list_url(as_of=day, status=ENDED, **where),
        }
    return rows


def _region_dispatches(user: User) -> QuerySet[Dispatch]:
    """The dispatches of the counties the user's region roles cover (what the figures count)."""
    return scope_of(user).filter(Dispatch.objects.all(), region="county")


@login_required
@require_GET
def dispatch_retention(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sees_region_figures(user):
        raise PermissionDenied
    as_of = clock.today()
    dispatches = _region_dispatches(user)
    total = retention_total(dispatches, as_of=as_of)
    day = as_of.isoformat()
    total["links"] = {
        "dispatched": _list_url(as_of=day),
        "serving": _list_url(as_of=day, status=Dispatch.Status.SERVING),
        "completed": _list_url(as_of=day, status=Dispatch.Status.COMPLETED),
        "left_early": _list_url(as_of=day, status=Dispatch.Status.LEFT_EARLY),
        "ended": _list_url(as_of=day, status=ENDED),
    }
    reasons = leavers_by_reason(dispatches, as_of=as_of)
    most = max((count for _code, _label, count in reasons), default=0)
    return render(
        request,
        "workforce/dispatches/retention.html",
        {
            "as_of": as_of,
            "total": total,
            "by_year": _linked(
                retention_breakdown(dispatches, as_of=as_of, by="programme_year"), key="year", as_of=as_of
            ),
            "by_county": _linked(
                retention_breakdown(dispatches, as_of=as_of, by="county"), key="county", as_of=as_of
            ),
            "by_organisation": _linked(
                retention_breakdown(dispatches, as_of=as_of, by="sending_organisation"),
                key="organisation",
                as_of=as_of,
            ),
            "reasons": [
                {
                    "code": code,
                    "label": label,
                    "count": count,
                    "share": round(count * 100 / most, 1) if most else 0,
                    "link": _list_url(as_of=day, status=Dispatch.Status.LEFT_EARLY, reason=code),
                }
                for code, label, count in reasons
            ],
            "nav_section": SECTION,
        },
    )

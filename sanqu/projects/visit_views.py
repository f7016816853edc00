"""Monitoring visit pages: the list, plan or record a visit, one visit with its actions (add, close
with evidence, reopen), the evidence file, and "my actions" for whoever owns them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.roles import CLOSE_ACTION, RECORD_VISIT, VIEW_VISIT
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.lib.files import private_file_response
from sanqu.projects import visit_services as services
from sanqu.projects.models import MonitoringVisit
from sanqu.projects.project_selectors import supervised_projects
from sanqu.projects.visit_forms import (
    ActionForm,
    CloseForm,
    RecordForm,
    ReopenForm,
    VisitFilterForm,
    VisitForm,
)
from sanqu.projects.visit_selectors import (
    action_owner_choices,
    closable_actions,
    closed_actions_of,
    get_action_for_user,
    get_visit_for_user,
    open_actions_for,
    reopen_reasons,
    reopening_visits,
    supervised_stations,
    supervised_visits,
    visited_counties,
    visits_for,
    with_action_counts,
)

PAGE_SIZE = 25
SECTION = "projects"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _supervising(user: User, visit: MonitoringVisit) -> MonitoringVisit:
    """The visit for a write of the supervising side: 404 out of sight, 403 when only read."""
    require_perm(user, RECORD_VISIT)
    if not supervised_visits(user).filter(pk=visit.pk).exists():
        raise PermissionDenied
    return visit


@login_required
@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_VISIT)
    today = clock.today()
    visits = visits_for(user)
    form = VisitFilterForm(request.GET or None, counties=visited_counties(user))
    filtered = False
    if form.is_valid():
        data = form.cleaned_data
        if data["county"]:
            visits = visits.filter(county=data["county"])
        if data["kind"]:
            visits = visits.filter(kind=data["kind"])
        if data["state"]:
            visits = visits.filter(visited_on__isnull=data["state"] == "planned")
        visits = with_action_counts(visits, today, only_open=data["open_actions"])
        filtered = any(data.values())
    else:
        visits = with_action_counts(visits, today)
    page = Paginator(visits.order_by("-planned_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: str(value) for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "projects/visits/list.html",
        {
            "page": page,
            "form": form,
            "filtered": filtered,
            "query": urlencode(query),
            "today": today,
            "can_plan": user.has_perm(RECORD_VISIT),
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, RECORD_VISIT)
    projects = (
        supervised_projects(user)
        .select_related("organisation")
        .order_by("-programme_year__year", "county__code", "name")
    )
    stations = supervised_stations(user).order_by("region__code", "name")
    if request.method == "POST":
        form = VisitForm(request.POST, projects=projects, stations=stations)
        if form.is_valid():
            try:
                visit = services.visit_plan(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if visit.done:
                    messages.success(request, _("已登记督查走访。可以继续添加整改事项。"))
                else:
                    messages.success(
                        request,
                        _("已安排督查走访，计划日期 %(day)s。走访后请登记走访情况。")
                        % {"day": visit.planned_on.isoformat()},
                    )
                return redirect("visit_detail", pk=visit.pk)
    else:
        initial: dict[str, Any] = {"planned_on": clock.today(), "kind": MonitoringVisit.Kind.INSPECTION}
        project = request.GET.get("project")
        station = request.GET.get("station")
        if project and project.isdigit() and projects.filter(pk=project).exists():
            initial["project"] = int(project)
        elif station and station.isdigit() and stations.filter(pk=station).exists():
            initial["station"] = int(station)
        form = VisitForm(initial=initial, projects=projects, stations=stations)
    return render(request, "projects/visits/form.html", {"form": form, "visit": None, "nav_section": SECTION})


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    visit = _supervising(user, get_visit_for_user(user, pk))
    if visit.actions.filter(closed_on__isnull=False).exists():
        messages.info(request, _("已有整改事项销号，这次督查走访的记录不能再修改。"))
        return redirect("visit_detail", pk=visit.pk)
    if request.method == "POST":
        form = VisitForm(request.POST)
        if form.is_valid():
            try:
                with versions.expect(visit, versions.submitted(request)):
                    services.visit_update(actor=user, visit=visit, data=form.cleaned_data, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
                visit.refresh_from_db()
            else:
                messages.success(request, _("已保存督查走访记录。"))
                return redirect("visit_detail", pk=visit.pk)
    else:
        values = snapshot(visit)
        form = VisitForm(initial={name: values[name] for name in services.VISIT_EDITABLE})
    return render(
        request, "projects/visits/form.html", {"form": form, "visit": visit, "nav_section": SECTION}
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    visit = _supervising(user, get_visit_for_user(user, pk))
    if visit.done:
        messages.info(request, _("这次督查走访已经登记过走访情况。"))
        return redirect("visit_detail", pk=visit.pk)
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                services.visit_record(actor=user, visit=visit, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                visit.refresh_from_db()
            else:
                messages.success(request, _("已登记走访情况。需要整改的，请添加整改事项。"))
                return redirect(reverse("visit_detail", args=[visit.pk]) + "#actions")
    else:
        form = RecordForm(initial={"visited_on": clock.today(), "visitors": visit.visitors})
    return render(
        request, "projects/visits/record.html", {"form": form, "visit": visit, "nav_section": SECTION}
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    visit = get_visit_for_user(user, pk)
    return _render_detail(request, visit)


def _render_detail(
    request: HttpRequest,
    visit: MonitoringVisit,
    *,
    action_form: ActionForm | None = None,
    bound: dict[int, CloseForm | ReopenForm] | None = None,
) -> HttpResponse:
    user = _user(request)
    today = clock.today()
    supervising = user.has_perm(RECORD_VISIT) and supervised_visits(user).filter(pk=visit.pk).exists()
    actions = list(visit.actions.select_related("owner", "closed_by").order_by("due_on", "id"))
    closable = (
        set(closable_actions(user).filter(visit=visit).values_list("pk", flat=True))
        if user.has_perm(CLOSE_ACTION)
        else set()
    )
    can_reopen = user.has_perm(CLOSE_ACTION) and reopening_visits(user).filter(pk=visit.pk).exists()
    reasons = reopen_reasons(actions)
    bound = bound or {}
    rows = []
    for item in actions:
        form: CloseForm | ReopenForm | None = bound.get(item.pk)
        if form is None and item.is_open and item.pk in closable:
            form = CloseForm(initial={"closed_on": today}, prefix=f"a{item.pk}")
        elif form is None and not item.is_open and can_reopen:
            form = ReopenForm(prefix=f"a{item.pk}")
        rows.append(
            {
                "action": item,
                "overdue": item.is_open and item.due_on < today,
                "form": form,
                "reopen_reason": reasons.get(item.pk, ""),
            }
        )
    if supervising and visit.done and action_form is None:
        action_form = ActionForm(owners=action_owner_choices(visit))
    locked = any(not item.is_open for item in actions)
    return render(
        request,
        "projects/visits/detail.html",
        {
            "visit": visit,
            "rows": rows,
            "open_count": sum(1 for item in actions if item.is_open),
            "supervising": supervising,
            "locked": locked,
            "action_form": action_form if supervising and visit.done else None,
            "today": today,
            "nav_section": SECTION,
        },
    )


@login_required
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    visit = _supervising(user, get_visit_for_user(user, pk))
    form = ActionForm(request.POST, owners=action_owner_choices(visit))
    if form.is_valid():
        try:
            services.action_add(actor=user, visit=visit, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            owner = form.cleaned_data["owner"]
            messages.success(
                request,
                _("已添加整改事项，责任人：%(owner)s。") % {"owner": owner.display_name or owner.username},
            )
            return redirect(reverse("visit_detail", args=[visit.pk]) + "#actions")
    return _render_detail(request, visit, action_form=form)


@login_required
@require_POST
def action_close(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = get_action_for_user(user, pk)
    require_perm(user, CLOSE_ACTION)
    if not closable_actions(user).filter(pk=action.pk).exists():
        raise PermissionDenied
    form = CloseForm(request.POST, request.FILES, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            services.action_close(actor=user, action=action, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            action.refresh_from_db()
        else:
            messages.success(request, _("整改事项“%(action)s”已销号。") % {"action": action.action})
            return redirect(reverse("visit_detail", args=[action.visit_id]) + f"#action-{action.pk}")
    return _render_detail(request, get_visit_for_user(user, action.visit_id), bound={action.pk: form})


@login_required
@require_POST
def action_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    action = get_action_for_user(user, pk)
    require_perm(user, CLOSE_ACTION)
    if not reopening_visits(user).filter(pk=action.visit_id).exists():
        raise PermissionDenied
    form = ReopenForm(request.POST, prefix=f"a{action.pk}")
    if form.is_valid():
        try:
            services.action_reopen(actor=user, action=action, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            action.refresh_from_db()
        else:
            messages.success(
                request, _("已重新打开整改事项“%(action)s”，责任人需重新销号。") % {"action": action.action}
            )
            return redirect(reverse("visit_detail", args=[action.visit_id]) + f"#action-{action.pk}")
    return _render_detail(request, get_visit_for_user(user, action.visit_id), bound={action.pk: form})


@login_required
@require_GET
def action_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, to this user only: never cached, never guessed as another type."""
    user = _user(request)
    action = services.evidence_open(actor=user, action=get_action_for_user(user, pk), request=request)
    return private_file_response(
        action.evidence, name=action.evidence_name or "evidence", content_type=action.evidence_content_type
    )


@login_required
@require_GET
def my_actions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_VISIT)
    today = clock.today()
    owned = open_actions_for(user, today).filter(owner=user)
    closed = Paginator(closed_actions_of(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/visits/my_actions.html",
        {"open": list(owned), "page": closed, "today": today, "nav_section": SECTION},
    )

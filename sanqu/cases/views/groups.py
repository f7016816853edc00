"""Group work pages: the scoped list, a group's plan, members and sessions, and the phone forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import (
    CloseForm,
    GroupForm,
    GroupPlanForm,
    MemberAddForm,
    SessionForm,
    add_service_errors,
)
from sanqu.cases.models import Group
from sanqu.cases.selectors.groups import (
    get_group_for_user,
    group_list,
    member_candidates,
    places_for,
    stations_for,
    writable_groups,
)
from sanqu.cases.services.groups import (
    PHASES,
    current_members,
    group_close,
    group_create,
    group_member_add,
    group_member_remove,
    group_session_record,
    group_update,
    own_person,
)
from sanqu.lib import clock
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import people_for

PAGE_SIZE = 25
SECTION = "community"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _writable_group(user: User, pk: int) -> Group:
    """The group for a form: 404 out of sight, 403 when the user may only read it."""
    group = get_group_for_user(user, pk)
    require_perm(user, "cases.change_group")
    if not writable_groups(user).filter(pk=group.pk).exists():
        raise PermissionDenied
    return group


def _workers(user: User) -> QuerySet[Person] | None:
    """The worker chooser: none for a social worker (she leads her own groups)."""
    return None if own_person(user) is not None else people_for(user)


def place_choices(user: User) -> dict[str, Any]:
    """The choosers of a PlaceForm: where the user records work, and who leads it."""
    return {"places": places_for(user), "stations": stations_for(user), "workers": _workers(user)}


@login_required
@require_GET
def group_list_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "cases.view_group")
    groups = group_list(user)
    show = request.GET.get("show", "")
    if show == "open":
        groups = groups.filter(ended_on__isnull=True)
    elif show == "ended":
        groups = groups.filter(ended_on__isnull=False)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/groups/list.html",
        {
            "page": page,
            "show": show,
            "query": f"show={show}" if show else "",
            "can_add": user.has_perm("cases.add_group"),
            "nav_section": SECTION,
            "tab": "groups",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "cases.add_group")
    choices = place_choices(user)
    if request.method == "POST":
        form = GroupForm(request.POST, **choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                group = group_create(
                    actor=user,
                    name=data["name"],
                    purpose=data["purpose"],
                    region=data["region"],
                    station=data["station"],
                    worker=data.get("worker"),
                    target_groups=data["target_groups"],
                    planned_sessions=data["planned_sessions"],
                    started_on=data["started_on"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已建立小组“%(name)s”。") % {"name": group.name})
                return redirect("group_detail", pk=group.pk)
    else:
        form = GroupForm(initial={"started_on": clock.today(), "planned_sessions": 6}, **choices)
    return render(request, "cases/groups/form.html", {"form": form, "nav_section": SECTION})


@login_required
@require_GET
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = get_group_for_user(user, pk)
    can_write = user.has_perm("cases.change_group") and writable_groups(user).filter(pk=group.pk).exists()
    members = list(group.members.all())
    sessions = list(group.sessions.all())
    reached = PHASES.index(group.phase)
    phases = [
        {"label": label, "state": "done" if i < reached else "current" if i == reached else "todo"}
        for i, (_value, label) in enumerate(Group.Phase.choices)
    ]
    open_group = group.ended_on is None
    return render(
        request,
        "cases/groups/detail.html",
        {
            "group": group,
            "members": [m for m in members if m.left_on is None],
            "former_members": [m for m in members if m.left_on is not None],
            "sessions": sessions,
            "phases": phases,
            "can_write": can_write and open_group,
            "member_form": MemberAddForm(candidates=member_candidates(user, group))
            if can_write and open_group
            else None,
            "nav_section": SECTION,
        },
    )


@login_required
@require_POST
def group_member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = _writable_group(user, pk)
    form = MemberAddForm(request.POST, candidates=member_candidates(user, group))
    if form.is_valid():
        try:
            member = group_member_add(
                actor=user,
                group=group,
                beneficiary=form.cleaned_data["beneficiary"],
                joined_on=form.cleaned_data["joined_on"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s 已加入小组。") % {"name": member.beneficiary.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(reverse("group_detail", args=[group.pk]) + "#members")


@login_required
@require_POST
def group_member_remove_view(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = _user(request)
    group = _writable_group(user, pk)
    member = group.members.filter(pk=member_pk, left_on__isnull=True).select_related("beneficiary").first()
    if member is None:
        raise Http404
    try:
        group_member_remove(actor=user, group=group, member=member, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s 已退出小组，出勤记录保留。") % {"name": member.beneficiary.name}
        )
    return redirect(reverse("group_detail", args=[group.pk]) + "#members")


@login_required
@require_http_methods(["GET", "POST"])
def group_session_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = _writable_group(user, pk)
    if group.ended_on is not None:
        raise PermissionDenied
    if request.method == "POST":
        try:  # attendance is taken for the members of the day the session was held
            held_on = SessionForm.base_fields["held_on"].clean(request.POST.get("held_on"))
        except ValidationError:
            held_on = None
        form = SessionForm(request.POST, group=group, members=current_members(group, on=held_on))
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = group_session_record(
                    actor=user,
                    group=group,
                    held_on=data["held_on"],
                    phase=data["phase"],
                    topic=data["topic"],
                    present=data["present"],
                    duration_hours=data["duration_hours"],
                    process_notes=data["process_notes"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已记录第 %(number)s 节：%(present)s 人出席。")
                    % {"number": session.number, "present": len(data["present"])},
                )
                return redirect(reverse("group_detail", args=[group.pk]) + "#sessions")
    else:
        members = current_members(group)
        form = SessionForm(
            initial={"held_on": clock.today(), "phase": group.phase, "present": members},
            group=group,
            members=members,
        )
    return render(
        request,
        "cases/groups/session_form.html",
        {"form": form, "group": group, "next_number": group.sessions.count() + 1, "nav_section": SECTION},
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = _writable_group(user, pk)
    if group.ended_on is not None:
        raise PermissionDenied
    if request.method == "POST":
        form = CloseForm(request.POST)
        if form.is_valid():
            try:
                group_close(
                    actor=user,
                    group=group,
                    evaluation=form.cleaned_data["evaluation"],
                    ended_on=form.cleaned_data["ended_on"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("小组“%(name)s”已结束。") % {"name": group.name})
                return redirect("group_detail", pk=group.pk)
    else:
        form = CloseForm(initial={"ended_on": clock.today()})
    return render(request, "cases/groups/close.html", {"form": form, "group": group, "nav_section": SECTION})


@login_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    group = _writable_group(user, pk)
    if group.ended_on is not None:
        raise PermissionDenied
    stations = stations_for(user)
    if request.method == "POST":
        form = GroupPlanForm(request.POST, stations=stations)
        if form.is_valid():
            data = dict(form.cleaned_data)
            target_groups = data.pop("target_groups")
            try:
                with versions.expect(group, versions.submitted(request)):
                    group_update(
                        actor=user, group=group, data=data, target_groups=target_groups, request=request
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存小组计划。"))
                return redirect("group_detail", pk=group.pk)
    else:
        form = GroupPlanForm(
            initial={
                "name": group.name,
                "purpose": group.purpose,
                "planned_sessions": group.planned_sessions,
                "station": group.station_id,
                "target_groups": list(group.target_groups.all()),
            },
            stations=stations,
        )
    return render(request, "cases/groups/edit.html", {"form": form, "group": group, "nav_section": SECTION})

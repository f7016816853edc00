"""Team and supervision pages: the team list with today's composition, a team's members over time,
supervision sessions given or received, and the open follow-ups."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.workforce.models import Person, SupervisionSession, Team
from sanqu.workforce.selectors import people_for
from sanqu.workforce.team_forms import (
    BaseFollowUpFormSet,
    FollowUpDoneForm,
    FollowUpForm,
    FollowUpFormSet,
    MemberEndForm,
    MemberForm,
    SessionForm,
    TeamForm,
)
from sanqu.workforce.team_selectors import (
    can_change_team,
    can_record_session,
    completable_follow_ups,
    discussed_cases,
    get_follow_up_for_user,
    get_session_for_user,
    get_team_for_user,
    member_candidates,
    open_follow_ups,
    own_people,
    roster,
    session_list,
    supervised_cases,
    supervised_people,
    team_counties,
    team_list,
    team_stations,
    writable_sessions,
)
from sanqu.workforce.team_services import (
    TEAM_EDITABLE,
    follow_up_add,
    follow_up_done,
    supervision_session_record,
    team_create,
    team_member_add,
    team_member_end,
    team_update,
)

PAGE_SIZE = 25
SECTION = "teams"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form_errors(form: Any) -> str:
    return " ".join(f"{form.fields[name].label}：{e}" if name in form.fields else str(e)
                    for name, errors in form.errors.items() for e in errors)  # fmt: skip


# Teams.


def _organisations(user: User) -> tuple[QuerySet[Organisation], bool]:
    """The organisations a team may name, and whether one must be named (a manager's own)."""
    scope = scope_of(user)
    if scope.superuser or Role.CITY_ADMIN in scope.roles or Role.COUNTY_OFFICER in scope.roles:
        query = Q(pk__in=[])
        for county in team_counties(user):
            query |= Q(home_county__path__startswith=county.path)
        return Organisation.objects.filter(query).order_by("name"), False
    return Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name"), True


def _team_form(user: User, *args: Any, editing: bool = False, **kwargs: Any) -> TeamForm:
    organisations, required = _organisations(user)
    return TeamForm(
        *args,
        counties=team_counties(user),
        stations=team_stations(user),
        organisations=organisations,
        organisation_required=required,
        editing=editing,
        **kwargs,
    )


def _writable_team(user: User, pk: int) -> Team:
    team = get_team_for_user(user, pk)
    if not can_change_team(user, team):
        raise PermissionDenied
    return team


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_team")
    page = Paginator(team_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workforce/teams/list.html",
        {
            "page": page,
            "can_add": user.has_perm("workforce.add_team") and team_counties(user).exists(),
            "can_see_sessions": user.has_perm("workforce.view_supervisionsession"),
            "nav_section": SECTION,
            "tab": "teams",
        },
    )


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_team")
    team = get_team_for_user(user, pk)
    can_write = can_change_team(user, team)
    today = clock.today()
    open_for_members = can_write and (team.disbanded_on is None or team.disbanded_on >= today)
    team_roster = roster(team, today=today)
    linkable = set(
        people_for(user)
        .filter(pk__in=[m.person_id for m in team_roster.current + team_roster.upcoming + team_roster.past])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "workforce/teams/detail.html",
        {
            "team": team,
            "roster": team_roster,
            "linkable": linkable,
            "today": today,
            "can_write": can_write,
            "member_form": MemberForm(candidates=member_candidates(user, team), initial={"joined_on": today})
            if open_for_members
            else None,
            "end_form": MemberEndForm(initial={"left_on": today}) if can_write else None,
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.add_team")
    if request.method == "POST":
        form = _team_form(user, request.POST)
        if form.is_valid():
            try:
                team = team_create(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已组建团队“%(name)s”。") % {"name": team.name})
                return redirect("team_detail", pk=team.pk)
    else:
        form = _team_form(user, initial={"formed_on": clock.today()})
    return render(request, "workforce/teams/form.html", {"form": form, "team": None, "nav_section": SECTION})


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    team = _writable_team(user, pk)
    if request.method == "POST":
        form = _team_form(user, request.POST, editing=True)
        if form.is_valid():
            try:
                with versions.expect(team, versions.submitted(request)):
                    team_update(actor=user, team=team, data=form.cleaned_data, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存团队“%(name)s”。") % {"name": team.name})
                return redirect("team_detail", pk=team.pk)
    else:
        values = snapshot(team)
        form = _team_form(user, initial={name: values[name] for name in TEAM_EDITABLE}, editing=True)
    return render(request, "workforce/teams/form.html", {"form": form, "team": team, "nav_section": SECTION})


@login_required
@require_POST
def team_member_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    team = _writable_team(user, pk)
    form = MemberForm(request.POST, candidates=member_candidates(user, team))
    if form.is_valid():
        try:
            member = team_member_add(actor=user, team=team, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(name)s 已作为%(role)s加入团队。")
                % {"name": member.person.name, "role": member.get_role_display()},
            )
    else:
        messages.error(request, _form_errors(form))
    return redirect(reverse("team_detail", args=[team.pk]) + "#members")


@login_required
@require_POST
def team_member_leave(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    user = _user(request)
    team = _writable_team(user, pk)
    member = get_or_404(team.members.select_related("person"), pk=member_pk)
    form = MemberEndForm(request.POST)
    if form.is_valid():
        try:
            team_member_end(actor=user, member=member, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(name)s 已离开团队。") % {"name": member.person.name})
    else:
        messages.error(request, _form_errors(form))
    return redirect(reverse("team_detail", args=[team.pk]) + "#members")


# Supervision sessions.


def _session_heading(user: User) -> str:
    if own_people(user, Role.SUPERVISOR):
        return _("我的督导记录")
    if own_people(user, Role.SOCIAL_WORKER):
        return _("我接受的督导")
    return _("督导记录")


@login_required
@require_GET
def sessions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_supervisionsession")
    page = Paginator(session_list(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workforce/teams/sessions.html",
        {
            "page": page,
            "heading": _session_heading(user),
            "can_add": can_record_session(user),
            "open_count": open_follow_ups(user).count(),
            "nav_section": SECTION,
            "tab": "sessions",
        },
    )


def _owners(session: SupervisionSession) -> QuerySet[Person]:
    ids = [*session.supervisees.values_list("pk", flat=True), session.supervisor_id]
    return Person.objects.filter(pk__in=ids).select_related("county", "organisation").order_by("name", "id")


@login_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_supervisionsession")
    session = get_session_for_user(user, pk)
    cases, hidden_cases = discussed_cases(user, session)
    completable = set(completable_follow_ups(user).filter(session=session).values_list("pk", flat=True))
    can_add_follow_up = (
        user.has_perm("workforce.add_supervisionfollowup")
        and writable_sessions(user).filter(pk=session.pk).exists()
    )
    return render(
        request,
        "workforce/teams/session_detail.html",
        {
            "session": session,
            "cases": cases,
            "hidden_cases": hidden_cases,
            "today": clock.today(),
            "completable": completable if user.has_perm("workforce.change_supervisionfollowup") else set(),
            "done_form": FollowUpDoneForm(initial={"done_on": clock.today()}),
            "follow_up_form": FollowUpForm(owners=_owners(session), prefix="new")
            if can_add_follow_up
            else None,
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not can_record_session(user):
        raise PermissionDenied
    workers = supervised_people(user).select_related("county", "organisation")
    owners = (
        Person.objects.filter(Q(pk__in=workers.values("pk")) | Q(pk__in=own_people(user, Role.SUPERVISOR)))
        .select_related("county", "organisation")
        .order_by("name", "id")
    )
    cases = supervised_cases(user)
    if request.method == "POST":
        form = SessionForm(request.POST, workers=workers, cases=cases)
        follow_ups = FollowUpFormSet(request.POST, prefix="follow_ups", form_kwargs={"owners": owners})
        if form.is_valid() and follow_ups.is_valid():
            try:
                session = supervision_session_record(
                    actor=user,
                    request=request,
                    follow_ups=cast(BaseFollowUpFormSet, follow_ups).inputs(),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_service_errors(form, error)  # a follow-up's refusal shows above the form
            else:
                messages.success(request, _("已保存督导记录。"))
                return redirect("supervision_session_detail", pk=session.pk)
    else:
        initial: dict[str, Any] = {"held_on": clock.today()}
        if workers.count() == 1:
            initial["supervisees"] = list(workers)
            initial["format"] = SupervisionSession.Format.INDIVIDUAL
        form = SessionForm(initial=initial, workers=workers, cases=cases)
        follow_ups = FollowUpFormSet(prefix="follow_ups", form_kwargs={"owners": owners})
    return render(
        request,
        "workforce/teams/session_form.html",
        {"form": form, "follow_ups": follow_ups, "nav_section": SECTION},
    )


@login_required
@require_POST
def session_follow_up_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_supervisionsession")
    session = get_session_for_user(user, pk)
    require_perm(user, "workforce.add_supervisionfollowup")
    if not writable_sessions(user).filter(pk=session.pk).exists():
        raise PermissionDenied
    form = FollowUpForm(request.POST, owners=_owners(session), prefix="new")
    if form.is_valid():
        try:
            follow_up_add(actor=user, session=session, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已添加跟进事项。"))
    else:
        messages.error(request, _form_errors(form))
    return redirect(reverse("supervision_session_detail", args=[session.pk]) + "#follow-ups")


@login_required
@require_GET
def follow_ups(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_supervisionsession")
    today = clock.today()
    items = list(open_follow_ups(user, today=today))
    completable = set(
        completable_follow_ups(user).filter(pk__in=[item.pk for item in items]).values_list("pk", flat=True)
    )
    return render(
        request,
        "workforce/teams/follow_ups.html",
        {
            "follow_ups": items,
            "overdue_count": sum(1 for item in items if getattr(item, "overdue", False)),
            "today": today,
            "completable": completable if user.has_perm("workforce.change_supervisionfollowup") else set(),
            "done_form": FollowUpDoneForm(initial={"done_on": today}),
            "nav_section": SECTION,
            "tab": "follow_ups",
        },
    )


@login_required
@require_POST
def follow_up_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "workforce.view_supervisionsession")
    follow_up = get_follow_up_for_user(user, pk)
    require_perm(user, "workforce.change_supervisionfollowup")
    if not completable_follow_ups(user).filter(pk=follow_up.pk).exists():
        raise PermissionDenied
    form = FollowUpDoneForm(request.POST)
    if form.is_valid():
        try:
            follow_up_done(actor=user, follow_up=follow_up, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已完成：%(action)s") % {"action": follow_up.action})
    else:
        messages.error(request, _form_errors(form))
    back = request.POST.get("next", "")
    if back == "follow_ups":
        return redirect("supervision_follow_ups")
    return redirect(reverse("supervision_session_detail", args=[follow_up.session_id]) + "#follow-ups")

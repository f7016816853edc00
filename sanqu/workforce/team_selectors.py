"""Scoped reads of service teams (服务团队) and supervision sessions (督导记录).

A team is seen by the region roles over its county, by the organisation that runs it, by its own
members (a supervisor also through the workers she supervises) and by the social workers posted
where its station is. It is changed by the county officer of its county, the city office, and the
manager of its organisation.

A supervision session is seen by the supervisor who gave it, the workers who received it, and the
region roles over its county; a follow-up is marked done by its owner or the session's supervisor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, memberships_of, scope_of
from sanqu.cases.models import Case
from sanqu.cases.selectors.cases import cases_for
from sanqu.lib import clock
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import (
    Person,
    Supervision,
    SupervisionFollowUp,
    SupervisionSession,
    Team,
    TeamMember,
)
from sanqu.workforce.selectors import people_for

ROLE_ORDER = [role for role, _label in TeamMember.Role.choices]


def own_people(user: User, role: str) -> set[int]:
    """The person records the user acts as in `role` (a worker herself, a supervisor herself)."""
    return {
        membership.person_id
        for membership in memberships_of(user)
        if membership.role == role and membership.person_id
    }


def _paths(scope: Scope, *roles: str) -> tuple[str, ...]:
    paths: tuple[str, ...] = ()
    for role in roles:
        paths += scope.paths_by_role.get(role, ())
    return paths


# Teams.


def _team_q(scope: Scope) -> Q:
    posted = _paths(scope, Role.SOCIAL_WORKER)
    query = scope.region_q("county") | scope.region_q("station__region", posted)
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    if scope.person_ids:
        query |= Q(members__person__in=scope.person_ids)
    return query


def teams_for(user: User) -> QuerySet[Team]:
    """Every team the user may see."""
    teams = Team.objects.select_related("county", "station", "station__region", "organisation")
    scope = scope_of(user)
    if scope.superuser:
        return teams
    if scope.is_empty:
        return teams.none()
    return teams.filter(pk__in=Team.objects.filter(_team_q(scope)).values("pk"))


def writable_teams(user: User) -> QuerySet[Team]:
    """The teams the user may change (the permission is checked apart)."""
    scope = scope_of(user)
    if scope.superuser:
        return Team.objects.all()
    query = scope.region_q("county", _paths(scope, Role.CITY_ADMIN, Role.COUNTY_OFFICER))
    if Role.ORG_MANAGER in scope.roles and scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    return Team.objects.filter(query)


def _active_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}joined_on__lte": today}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": today})
    )


def team_list(user: User, *, today: dt.date | None = None) -> QuerySet[Team]:
    """The list page: each team with today's composition by role."""
    today = today or clock.today()
    active = _active_q(today, "members__")
    counts = {
        f"{role}_count": Count("members", filter=active & Q(members__role=role), distinct=True)
        for role in ROLE_ORDER
    }
    return (
        teams_for(user)
        .annotate(**counts)
        .order_by(F("disbanded_on").asc(nulls_first=True), "county__code", "name", "id")
    )


def get_team_for_user(user: User, pk: Any) -> Team:
    return get_or_404(teams_for(user), pk=pk)


def can_change_team(user: User, team: Team) -> bool:
    return user.has_perm("workforce.change_team") and writable_teams(user).filter(pk=team.pk).exists()


@dataclass(frozen=True)
class Roster:
    """A team's members over time: who is in it today, who is to join, who has left."""

    current: list[TeamMember]
    upcoming: list[TeamMember]
    past: list[TeamMember]

    def count(self, role: str) -> int:
        return sum(1 for member in self.current if member.role == role)

    @property
    def composition(self) -> list[tuple[str, int]]:
        return [(str(label), self.count(role)) for role, label in TeamMember.Role.choices]


def roster(team: Team, *, today: dt.date | None = None) -> Roster:
    today = today or clock.today()
    members = sorted(
        team.members.select_related("person", "person__organisation"),
        key=lambda m: (ROLE_ORDER.index(m.role), m.joined_on, m.pk),
    )
    return Roster(
        current=[m for m in members if m.active_on(today)],
        upcoming=[m for m in members if m.joined_on > today],
        past=sorted(
            (m for m in members if m.left_on is not None and m.left_on < today),
            key=lambda m: (m.left_on, m.pk),
            reverse=True,
        ),
    )


def member_candidates(user: User, team: Team) -> QuerySet[Person]:
    """People the user may see who live, or are dispatched to serve, in the team's county."""
    return (
        people_for(user)
        .filter(
            pk__in=Person.objects.filter(
                Q(county__path__startswith=team.county.path)
                | Q(dispatches__county__path__startswith=team.county.path)
            ).values("pk")
        )
        .order_by("name", "id")
    )


def team_counties(user: User) -> QuerySet[Region]:
    """Counties where the user may form a team: a county officer's, the city's, a manager's own."""
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    scope = scope_of(user)
    if scope.superuser:
        return counties
    paths = _paths(scope, Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ORG_MANAGER)
    query = Q(pk__in=[])
    for path in paths:
        # A membership below a county (a township) still forms teams for its county.
        query |= Q(path__startswith=path) | Q(path=path[:6])
    return counties.filter(query)


def team_stations(user: User) -> QuerySet[Station]:
    stations = (
        Station.objects.filter(closed_on__isnull=True).select_related("region").order_by("region__code")
    )
    query = Q(pk__in=[])
    for county in team_counties(user):
        query |= Q(region__path__startswith=county.path)
    return stations.filter(query)


def teams_of_person(user: User, person: Person) -> QuerySet[TeamMember]:
    """A person's memberships, in the teams the user may see (for the person page)."""
    return (
        TeamMember.objects.filter(person=person, team__in=teams_for(user))
        .select_related("team", "team__station", "team__county")
        .order_by("-joined_on", "id")
    )


# Supervision sessions.


def _session_q(user: User, scope: Scope) -> Q:
    query = scope.region_q("county")
    given = own_people(user, Role.SUPERVISOR)
    received = own_people(user, Role.SOCIAL_WORKER)
    if given:
        query |= Q(supervisor__in=given)
    if received:
        query |= Q(supervisees__in=received)
    return query


def sessions_for(user: User) -> QuerySet[SupervisionSession]:
    """Every session the user may see: given, received, or in the user's region."""
    sessions = SupervisionSession.objects.select_related("supervisor", "county")
    scope = scope_of(user)
    if scope.superuser:
        return sessions
    if scope.is_empty:
        return sessions.none()
    return sessions.filter(pk__in=SupervisionSession.objects.filter(_session_q(user, scope)).values("pk"))


def session_list(user: User) -> QuerySet[SupervisionSession]:
    return (
        sessions_for(user)
        .prefetch_related(Prefetch("supervisees", queryset=Person.objects.order_by("name", "id")))
        .annotate(
            case_count=Count("cases", distinct=True),
            open_follow_ups=Count("follow_ups", filter=Q(follow_ups__done_on__isnull=True), distinct=True),
        )
        .order_by("-held_on", "-id")
    )


def get_session_for_user(user: User, pk: Any) -> SupervisionSession:
    sessions = sessions_for(user).prefetch_related(
        Prefetch("supervisees", queryset=Person.objects.order_by("name", "id")),
        Prefetch("follow_ups", queryset=SupervisionFollowUp.objects.select_related("owner")),
    )
    return get_or_404(sessions, pk=pk)


def discussed_cases(user: User, session: SupervisionSession) -> tuple[list[Case], int]:
    """The session's cases the user may open, and how many others it discussed (not shown)."""
    visible = list(cases_for(user).filter(supervision_sessions=session).order_by("number"))
    hidden = session.cases.count() - len(visible)
    return visible, hidden


def writable_sessions(user: User) -> QuerySet[SupervisionSession]:
    """Sessions the user gave (a supervisor adds their follow-ups)."""
    if scope_of(user).superuser:
        return SupervisionSession.objects.all()
    return SupervisionSession.objects.filter(supervisor__in=own_people(user, Role.SUPERVISOR))


def can_record_session(user: User) -> bool:
    return user.has_perm("workforce.add_supervisionsession") and bool(own_people(user, Role.SUPERVISOR))


def completable_follow_ups(user: User) -> QuerySet[SupervisionFollowUp]:
    """Follow-ups the user may mark done: their own, or those of sessions they gave."""
    follow_ups = SupervisionFollowUp.objects.all()
    if scope_of(user).superuser:
        return follow_ups
    mine = own_people(user, Role.SOCIAL_WORKER) | own_people(user, Role.SUPERVISOR)
    return follow_ups.filter(Q(owner__in=mine) | Q(session__supervisor__in=own_people(user, Role.SUPERVISOR)))


def open_follow_ups(user: User, *, today: dt.date | None = None) -> QuerySet[SupervisionFollowUp]:
    """Follow-ups not yet done, in sessions the user may see, oldest due first; `overdue` flagged."""
    today = today or clock.today()
    return (
        SupervisionFollowUp.objects.filter(session__in=sessions_for(user).values("pk"), done_on__isnull=True)
        .select_related("owner", "session", "session__supervisor", "session__county")
        .annotate(overdue=Q(due_on__lt=today))
        .order_by("due_on", "id")
    )


def get_follow_up_for_user(user: User, pk: Any) -> SupervisionFollowUp:
    follow_ups = SupervisionFollowUp.objects.filter(session__in=sessions_for(user).values("pk"))
    return get_or_404(follow_ups.select_related("session", "owner"), pk=pk)


def supervised_people(user: User) -> QuerySet[Person]:
    """The workers the user supervises (now or before): whom a session may be recorded for."""
    supervisors = own_people(user, Role.SUPERVISOR)
    ids = Supervision.objects.filter(supervisor__in=supervisors).values("supervisee_id")
    return Person.objects.filter(pk__in=ids).order_by("name", "id")


_OPEN_FIRST = ExpressionWrapper(Q(status=Case.Status.OPEN), output_field=BooleanField())


def supervised_cases(user: User) -> QuerySet[Case]:
    """Cases held by the workers the user supervises, open ones first."""
    return (
        cases_for(user)
        .filter(worker__in=supervised_people(user))
        .order_by(_OPEN_FIRST.desc(), "worker__name", "-opened_on", "number")
    )


def sessions_of_person(user: User, person: Person) -> QuerySet[SupervisionSession]:
    """Sessions a person gave or received, among those the user may see (for the person page)."""
    return sessions_for(user).filter(Q(supervisor=person) | Q(supervisees=person)).distinct()

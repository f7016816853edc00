"""Who sees which group (and, by the same rule, which community activity).

- the city office and leadership, and county officers: everything in their region's subtree;
- an organisation manager: the work of the organisation (its own, or led by its workers);
- a social worker: the groups she leads and those of the station(s) where she is posted; a
  supervisor also those of the workers she supervises.

Writing is narrower: a county officer in the county, a social worker for her own work and her
station's. The city's roles only read.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.cases.models import Beneficiary, Group, GroupMember, GroupSession
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.regions.models import Region, Station


def work_q(scope: Scope, *, write: bool = False) -> Q:
    """Records of work in the field (groups, community activities) reachable from the scope."""
    posted = scope.paths_by_role.get(Role.SOCIAL_WORKER, ())
    at_station = scope.region_q("station__region", posted) | scope.region_q("region", posted)
    if write:
        query = scope.region_q("region", scope.paths_by_role.get(Role.COUNTY_OFFICER, ()))
        if Role.SOCIAL_WORKER in scope.roles:
            query |= at_station | Q(worker__in=scope.person_ids)
        return query
    query = scope.region_q("region") | at_station
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids) | Q(
            worker__organisation__in=scope.organisation_ids
        )
    if scope.person_ids:
        query |= Q(worker__in=scope.person_ids)
    return query


def groups_for(user: User) -> QuerySet[Group]:
    """Every group the user may see."""
    groups = Group.objects.select_related("county", "region", "station", "worker", "organisation")
    scope = scope_of(user)
    if scope.superuser:
        return groups
    return groups.filter(pk__in=Group.objects.filter(work_q(scope)).values("pk"))


def writable_groups(user: User) -> QuerySet[Group]:
    """The groups the user may change (the permission is checked apart)."""
    scope = scope_of(user)
    if scope.superuser:
        return Group.objects.all()
    return Group.objects.filter(pk__in=Group.objects.filter(work_q(scope, write=True)).values("pk"))


def group_list(user: User) -> QuerySet[Group]:
    """The list page: newest first, with the counts a row shows."""
    return (
        groups_for(user)
        .annotate(
            member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
            session_count=Count("sessions", distinct=True),
        )
        .order_by("-started_on", "id")
    )


def get_group_for_user(user: User, pk: Any) -> Group:
    """One group with its members and sessions (attendance counted), or 404 when out of scope."""
    sessions = GroupSession.objects.annotate(
        present_count=Count("attendance", filter=Q(attendance__present=True)),
        recorded_count=Count("attendance"),
    ).order_by("number")
    members = GroupMember.objects.select_related("beneficiary").order_by("left_on", "joined_on", "id")
    groups = groups_for(user).prefetch_related(
        "target_groups", Prefetch("members", queryset=members), Prefetch("sessions", queryset=sessions)
    )
    return get_or_404(groups, pk=pk)


def writable_paths(user: User) -> tuple[str, ...] | None:
    """The subtrees where the user records field work (None: everywhere, for a superuser)."""
    scope = scope_of(user)
    if scope.superuser:
        return None
    return scope.paths_by_role.get(Role.COUNTY_OFFICER, ()) + scope.paths_by_role.get(Role.SOCIAL_WORKER, ())


def places_for(user: User) -> QuerySet[Region]:
    """Townships and villages where the user may record a group or an activity."""
    places = Region.objects.filter(level__gte=Region.Level.TOWNSHIP).order_by("code")
    paths = writable_paths(user)
    if paths is None:
        return places
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path)
    return places.filter(query)


def stations_for(user: User) -> QuerySet[Station]:
    stations = (
        Station.objects.filter(closed_on__isnull=True)
        .select_related("region")
        .order_by("region__code", "name")
    )
    paths = writable_paths(user)
    if paths is None:
        return stations
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(region__path__startswith=path)
    return stations.filter(query)


def member_candidates(user: User, group: Group) -> QuerySet[Beneficiary]:
    """Beneficiaries the user may see, in the group's township, who are not current members."""
    area = (
        group.region if group.region.level <= Region.Level.TOWNSHIP else group.region.parent or group.region
    )
    current = group.members.filter(left_on__isnull=True).values("beneficiary_id")
    return (
        beneficiaries_for(user)
        .filter(region__path__startswith=area.path)
        .exclude(pk__in=current)
        .select_related("region")
        .order_by("name", "id")
    )

"""Scoped reads of regions and stations.

Places are not sensitive: every user sees the regions and stations under each of their
memberships (`Scope.home_paths`). Changing a station needs a region role over it
(`Scope.region_paths`) as well as the permission.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.regions.models import Region, Station

CHANGE_STATION = "regions.change_station"


def _subtrees(paths: tuple[str, ...], lookup: str = "path") -> Q:
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{lookup}__startswith": path})
    return query


def regions_for(user: Any, *, level: int | None = None) -> QuerySet[Region]:
    """The regions under every membership of the user (all of them for a superuser)."""
    scope = scope_of(user)
    regions = Region.objects.all()
    if not scope.superuser:
        regions = regions.filter(_subtrees(scope.home_paths))
    if level is not None:
        regions = regions.filter(level=level)
    return regions


def stations_for(user: Any, *, write: bool = False) -> QuerySet[Station]:
    """The stations the user may see, or with `write=True` the ones a region role covers."""
    scope = scope_of(user)
    stations = Station.objects.select_related("region", "organisation")
    if write:
        return scope.filter(stations, region="region")
    if scope.superuser:
        return stations
    return stations.filter(scope.region_q("region", scope.home_paths))


def get_station_for_user(user: Any, pk: Any, *, write: bool = False) -> Station:
    """The station, or Http404 if the user cannot see it; PermissionDenied if they may not change it."""
    station = get_or_404(stations_for(user), pk=pk)
    if write and not can_change_station(user, station):
        raise PermissionDenied
    return station


def can_change_station(user: Any, station: Station) -> bool:
    return user.has_perm(CHANGE_STATION) and in_write_scope(scope_of(user), station.region)


def in_write_scope(scope: Scope, region: Region) -> bool:
    """Whether a region role of the scope covers `region`."""
    return scope.superuser or any(region.path.startswith(path) for path in scope.region_paths)

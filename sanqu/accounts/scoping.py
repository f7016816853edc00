"""A user's scope, from their memberships, and the filter it puts on every query.

A region role (city admin and viewer, county officer) covers its region's whole subtree. An
organisation manager covers the records of the organisation. A social worker covers the records
that are theirs; a supervisor, theirs and their supervisees'. Selectors say which field of a
model leads to each of these, and `Scope.filter` builds the one filter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from sanqu.accounts.roles import REGION_ROLES, Role
from sanqu.lib import clock
from sanqu.regions.models import Region

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str] = frozenset()
    region_paths: tuple[str, ...] = ()  # subtrees covered by region roles
    paths_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)  # every membership's subtree
    home_paths: tuple[str, ...] = ()  # subtrees of every membership (for non-sensitive places)
    organisation_ids: frozenset[int] = frozenset()
    person_ids: frozenset[int] = frozenset()
    superuser: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not (self.superuser or self.region_paths or self.organisation_ids or self.person_ids)

    def has_role(self, *roles: str) -> bool:
        return self.superuser or bool(self.roles.intersection(roles))

    def region_q(self, lookup: str, paths: tuple[str, ...] | None = None) -> Q:
        """Records whose region (reached by `lookup`) lies in one of the subtrees.

        The regions are chosen first, in a subquery on the small region table, and the records are
        then matched by region id: an index that starts with the region column (a county's
        villages, then the name) serves the search, where a join on the path prefix would read
        every record of the table before testing its region.
        """
        chosen = self.region_paths if paths is None else paths
        if not chosen:
            return Q(pk__in=[])
        within = Q()
        for path in chosen:
            within |= Q(path__startswith=path)
        return Q(**{f"{lookup}__in": Region.objects.filter(within).values("pk")})

    def filter(
        self,
        queryset: models.QuerySet[M],
        *,
        region: str | tuple[str, ...] | None = None,
        organisation: str | tuple[str, ...] | None = None,
        person: str | tuple[str, ...] | None = None,
    ) -> models.QuerySet[M]:
        """Keep the records reachable from the scope through the named lookups.

        Each argument is a lookup (or several) from the model to a Region, an Organisation or a
        Person. A lookup that is not given means that kind of scope sees nothing of this model.
        """
        if self.superuser:
            return queryset
        query = Q(pk__in=[])
        multi = False
        for lookup in _as_tuple(region):
            query |= self.region_q(lookup)
            multi = multi or "__" in lookup
        if self.organisation_ids:
            for lookup in _as_tuple(organisation):
                query |= Q(**{f"{lookup}__in": self.organisation_ids})
                multi = multi or "__" in lookup
        if self.person_ids:
            for lookup in _as_tuple(person):
                query |= Q(**{f"{lookup}__in": self.person_ids})
                multi = multi or "__" in lookup
        filtered = queryset.filter(query)
        if multi:
            # A lookup through a to-many relation can repeat a row; keep each record once.
            filtered = queryset.filter(pk__in=filtered.values("pk"))
        return filtered


def _as_tuple(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value


def memberships_of(user: Any) -> list[Any]:
    """The user's memberships with their regions, by role and region code: one query a request.

    Kept on the user object, as the scope and the role permissions are: the top bar, the
    permission checks, the scope and the view all ask, and a request's user is loaded afresh.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    cached: list[Any] | None = getattr(user, "_sanqu_memberships", None)
    if cached is None:
        cached = list(user.memberships.select_related("region").order_by("role", "region__code", "pk"))
        user._sanqu_memberships = cached
    return cached


def scope_of(user: Any, *, today: dt.date | None = None) -> Scope:
    """The user's scope (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_sanqu_scope", None)
    if cached is not None:
        return cached
    from sanqu.workforce.models import Supervision

    today = today or clock.today()
    roles: set[str] = set()
    region_paths: list[str] = []
    home_paths: list[str] = []
    organisation_ids: set[int] = set()
    person_ids: set[int] = set()
    paths_by_role: dict[str, list[str]] = {}
    for membership in memberships_of(user):
        roles.add(membership.role)
        paths_by_role.setdefault(membership.role, []).append(membership.region.path)
        home_paths.append(membership.region.path)
        if membership.role in REGION_ROLES:
            region_paths.append(membership.region.path)
        if membership.role == Role.ORG_MANAGER and membership.organisation_id:
            organisation_ids.add(membership.organisation_id)
        if membership.role in {Role.SOCIAL_WORKER, Role.SUPERVISOR} and membership.person_id:
            person_ids.add(membership.person_id)
            if membership.role == Role.SUPERVISOR:
                person_ids.update(
                    Supervision.objects.filter(supervisor_id=membership.person_id)
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
                    .values_list("supervisee_id", flat=True)
                )
    scope = Scope(
        roles=frozenset(roles),
        region_paths=_outermost(region_paths),
        paths_by_role={role: _outermost(paths) for role, paths in paths_by_role.items()},
        home_paths=_outermost(home_paths),
        organisation_ids=frozenset(organisation_ids),
        person_ids=frozenset(person_ids),
        superuser=user.is_superuser,
    )
    user._sanqu_scope = scope
    return scope


def _outermost(paths: list[str]) -> tuple[str, ...]:
    """Drop subtrees already covered by a wider one."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(wider) for wider in kept):
            kept.append(path)
    return tuple(kept)


def get_or_404[M: models.Model](queryset: models.QuerySet[M], **lookup: Any) -> M:
    """The record from a scoped queryset, or 404 (never 403: no leak of existence)."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None

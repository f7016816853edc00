"""Scoped reads of dispatches (选派): the workbench list with its filters, one term and its history.

A dispatch is seen by the region roles over its receiving county (city, county officer), by the
manager of the organisation that sent the worker, and by the worker herself. It is changed by a
region role with the permission (county officer in its county, city admin): `can_change`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region
from sanqu.workforce.models import Dispatch

VIEW = "workforce.view_dispatch"
CHANGE = "workforce.change_dispatch"
ENDED = "ended"  # the list's status filter for 期满 or 提前离岗


def dispatches_for(user: User) -> QuerySet[Dispatch]:
    dispatches = Dispatch.objects.select_related(
        "person", "programme_year", "county", "station", "sending_organisation"
    )
    return scope_of(user).filter(
        dispatches, region="county", organisation="sending_organisation", person="person"
    )


def get_dispatch_for_user(user: User, pk: Any) -> Dispatch:
    """One dispatch, or 404 when out of the user's scope."""
    return get_or_404(dispatches_for(user).select_related("renewal_of"), pk=pk)


def can_change(user: User, dispatch: Dispatch) -> bool:
    from sanqu.workforce.services import writable_dispatches

    return user.has_perm(CHANGE) and writable_dispatches(user).filter(pk=dispatch.pk).exists()


def sees_region_figures(user: User) -> bool:
    """City and county roles read the retention page (for the region they cover)."""
    scope = scope_of(user)
    return user.has_perm(VIEW) and (scope.superuser or bool(scope.region_paths))


@dataclass(frozen=True)
class DispatchFilters:
    year: int | None = None
    county: Region | None = None
    organisation: Organisation | None = None
    status: str = ""
    reason: str = ""
    as_of: dt.date | None = None
    query: str = ""


def status_as_of(status: str, day: dt.date) -> Q:
    """Dispatches in `status` on the day: what the retention figures count, so a link matches them.

    Terms that had started by the day; ended ones (期满/提前离岗) once their end is on or before it,
    and serving ones until then.
    """
    started = Q(started_on__lte=day)
    ended_by = Q(ended_on__isnull=False, ended_on__lte=day)
    if status == Dispatch.Status.SERVING:
        return started & ~ended_by
    if status in (Dispatch.Status.COMPLETED, Dispatch.Status.LEFT_EARLY):
        return started & ended_by & Q(status=status)
    if status == ENDED:
        return started & ended_by & Q(status__in=[Dispatch.Status.COMPLETED, Dispatch.Status.LEFT_EARLY])
    return started


def filter_dispatches(dispatches: QuerySet[Dispatch], filters: DispatchFilters) -> QuerySet[Dispatch]:
    from sanqu.workforce.models import Person
    from sanqu.workforce.selectors import search_people

    if filters.year is not None:
        dispatches = dispatches.filter(programme_year__year=filters.year)
    if filters.county is not None:
        dispatches = dispatches.filter(county__path__startswith=filters.county.path)
    if filters.organisation is not None:
        dispatches = dispatches.filter(sending_organisation=filters.organisation)
    if filters.as_of is not None:
        dispatches = dispatches.filter(status_as_of(filters.status, filters.as_of))
    elif filters.status == ENDED:
        dispatches = dispatches.exclude(status=Dispatch.Status.SERVING)
    elif filters.status:
        dispatches = dispatches.filter(status=filters.status)
    if filters.reason:
        dispatches = dispatches.filter(status=Dispatch.Status.LEFT_EARLY, leave_reason=filters.reason)
    if filters.query:
        dispatches = dispatches.filter(person__in=search_people(Person.objects.all(), query=filters.query))
    return dispatches


def filter_choices(user: User) -> dict[str, Any]:
    """The years, counties and sending organisations that occur in the user's dispatches (no leak)."""
    dispatches = dispatches_for(user).order_by()
    return {
        "years": sorted(set(dispatches.values_list("programme_year__year", flat=True)), reverse=True),
        "counties": Region.objects.filter(pk__in=dispatches.values("county")).order_by("code"),
        "organisations": Organisation.objects.filter(
            pk__in=dispatches.values("sending_organisation")
        ).order_by("name"),
    }


def renewal_chain(user: User, dispatch: Dispatch) -> list[Dispatch]:
    """The terms linked to this one by renewals, oldest first, as far as the user may see them."""
    visible = dispatches_for(user)
    chain = [dispatch]
    earlier = dispatch.renewal_of_id
    seen = {dispatch.pk}
    while earlier is not None and earlier not in seen:
        previous = visible.filter(pk=earlier).first()
        if previous is None:
            break
        chain.insert(0, previous)
        seen.add(previous.pk)
        earlier = previous.renewal_of_id
    current = dispatch
    while True:
        following = visible.filter(renewal_of=current).first()
        if following is None or following.pk in seen:
            break
        chain.append(following)
        seen.add(following.pk)
        current = following
    return chain

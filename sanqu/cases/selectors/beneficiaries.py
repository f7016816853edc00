"""Who may see which beneficiary, and how much of them.

Two circles (DESIGN.md §5, issue "Case work" §7):

- **in full**: the county officer of the beneficiary's county, the social worker responsible for
  them or holding one of their cases, and that worker's supervisor;
- **listed**: also the city office and leadership (municipal scope), the organisation whose case
  or worker it is, and the social workers posted in the village or township.

A *restricted* beneficiary (a child under 14, or in a restricted target group such as community
correction or released prisoners) is visible to the first circle only; to everyone else it exists
only inside aggregate figures. Sensitive fields stay masked in both circles until revealed, and
each reveal is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.cases.models import Beneficiary, Case
from sanqu.cases.models.beneficiaries import CHILD_AGE
from sanqu.lib import clock


def child_cutoff(today: dt.date) -> dt.date:
    """Born after this day means under 14 on `today`."""
    try:
        return today.replace(year=today.year - CHILD_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - CHILD_AGE, day=28)


def _in_restricted_group() -> Exists:
    return Exists(
        Beneficiary.target_groups.through.objects.filter(
            beneficiary_id=OuterRef("pk"), targetgroup__restricted=True
        )
    )


def restricted_q(today: dt.date) -> Q:
    return Q(birth_date__gt=child_cutoff(today)) | Q(_in_restricted_group())


def open_q(today: dt.date) -> Q:
    """Not restricted: the negation of `restricted_q`, written as two conditions side by side.

    PostgreSQL turns a NOT EXISTS standing on its own into an anti-join over the few restricted
    memberships. Left inside NOT (… OR EXISTS …) it stays a subquery run per row, which the planner
    prices for every row of the table and so avoids any plan that reads the matches first: a city
    officer's search then read the whole table in order (6–10 s at the province for "王"; about 1 s after).
    """
    return ~Q(birth_date__gt=child_cutoff(today)) & ~Q(_in_restricted_group())


def _paths(scope: Scope, *roles: str) -> tuple[str, ...]:
    paths: tuple[str, ...] = ()
    for role in roles:
        paths += scope.paths_by_role.get(role, ())
    return paths


# Each circle is a list of ways in, each a query of its own on its own index (the region's, the
# worker's, the cases'); their union is the circle. One query OR-ing the ways together would have
# to read every beneficiary, since no single index serves an OR across tables.


def _in_full(scope: Scope, people: QuerySet[Beneficiary]) -> list[QuerySet[Beneficiary]]:
    ways = []
    if paths := _paths(scope, Role.COUNTY_OFFICER):
        ways.append(people.filter(scope.region_q("region", paths)))
    if scope.person_ids:  # a worker herself; a supervisor also covers the supervisees
        ways.append(people.filter(responsible_worker__in=scope.person_ids))
        held = Case.objects.filter(worker__in=scope.person_ids).values("beneficiary_id")
        ways.append(people.filter(pk__in=held))
    return ways


def _listed(scope: Scope, people: QuerySet[Beneficiary]) -> list[QuerySet[Beneficiary]]:
    ways = []
    if paths := _paths(scope, Role.CITY_ADMIN, Role.CITY_VIEWER, Role.SOCIAL_WORKER):
        ways.append(people.filter(scope.region_q("region", paths)))
    if scope.organisation_ids:
        theirs = Case.objects.filter(organisation__in=scope.organisation_ids).values("beneficiary_id")
        ways.append(people.filter(pk__in=theirs))
        ways.append(people.filter(responsible_worker__organisation__in=scope.organisation_ids))
    return ways


def _any_of(ways: list[QuerySet[Beneficiary]]) -> Q:
    """The beneficiaries found by any of the ways, each once."""
    if not ways:
        return Q(pk__in=[])
    first, *others = (way.order_by().values("pk") for way in ways)
    return Q(pk__in=first.union(*others) if others else first)


def beneficiaries_for(
    user: User, *, today: dt.date | None = None, matching: Q | None = None
) -> QuerySet[Beneficiary]:
    """Every beneficiary the user may see listed (restricted ones only by the first circle).

    `matching` (a name or an ID number searched for) narrows each way in before the union, so a
    search reads the matching rows of the user's own villages and cases, never the whole table.
    """
    scope = scope_of(user)
    people = Beneficiary.objects.all() if matching is None else Beneficiary.objects.filter(matching)
    if scope.superuser:
        return people
    today = today or clock.today()
    open_to_them = people.filter(open_q(today))
    ways = _in_full(scope, people) + _listed(scope, open_to_them)
    return Beneficiary.objects.filter(_any_of(ways))


def beneficiaries_in_full_for(user: User) -> QuerySet[Beneficiary]:
    """The beneficiaries the user may see in full (and so reveal, audited)."""
    scope = scope_of(user)
    beneficiaries = Beneficiary.objects.all()
    if scope.superuser:
        return beneficiaries
    return beneficiaries.filter(_any_of(_in_full(scope, beneficiaries)))


def get_beneficiary_for_user(user: User, pk: Any) -> Beneficiary:
    """The beneficiary, or 404 when out of scope or restricted from this user."""
    return get_or_404(beneficiaries_for(user).select_related("region", "station", "household"), pk=pk)


def is_restricted(beneficiary: Beneficiary, *, today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return beneficiary.is_child_on(today) or beneficiary.target_groups.filter(restricted=True).exists()

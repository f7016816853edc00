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

from django.db.models import Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.cases.models import Beneficiary
from sanqu.cases.models.beneficiaries import CHILD_AGE
from sanqu.lib import clock


def child_cutoff(today: dt.date) -> dt.date:
    """Born after this day means under 14 on `today`."""
    try:
        return today.replace(year=today.year - CHILD_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - CHILD_AGE, day=28)


def restricted_q(today: dt.date) -> Q:
    restricted_groups = Beneficiary.target_groups.through.objects.filter(targetgroup__restricted=True)
    return Q(birth_date__gt=child_cutoff(today)) | Q(pk__in=restricted_groups.values("beneficiary_id"))


def _paths_q(scope: Scope, *roles: str) -> Q:
    paths: tuple[str, ...] = ()
    for role in roles:
        paths += scope.paths_by_role.get(role, ())
    return scope.region_q("region", paths) if paths else Q(pk__in=[])


def _in_full_q(scope: Scope) -> Q:
    query = _paths_q(scope, Role.COUNTY_OFFICER)
    if scope.person_ids:  # a worker herself; a supervisor also covers the supervisees
        query |= Q(responsible_worker__in=scope.person_ids) | Q(cases__worker__in=scope.person_ids)
    return query


def _listed_q(scope: Scope) -> Q:
    query = _paths_q(scope, Role.CITY_ADMIN, Role.CITY_VIEWER, Role.SOCIAL_WORKER)
    if scope.organisation_ids:
        query |= Q(cases__organisation__in=scope.organisation_ids)
        query |= Q(responsible_worker__organisation__in=scope.organisation_ids)
    return query


def beneficiaries_for(user: User, *, today: dt.date | None = None) -> QuerySet[Beneficiary]:
    """Every beneficiary the user may see listed (restricted ones only by the first circle)."""
    scope = scope_of(user)
    beneficiaries = Beneficiary.objects.all()
    if scope.superuser:
        return beneficiaries
    today = today or clock.today()
    visible = beneficiaries.filter(_in_full_q(scope) | (_listed_q(scope) & ~restricted_q(today)))
    return beneficiaries.filter(pk__in=visible.values("pk"))


def beneficiaries_in_full_for(user: User) -> QuerySet[Beneficiary]:
    """The beneficiaries the user may see in full (and so reveal, audited)."""
    scope = scope_of(user)
    beneficiaries = Beneficiary.objects.all()
    if scope.superuser:
        return beneficiaries
    return beneficiaries.filter(pk__in=beneficiaries.filter(_in_full_q(scope)).values("pk"))


def get_beneficiary_for_user(user: User, pk: Any) -> Beneficiary:
    """The beneficiary, or 404 when out of scope or restricted from this user."""
    return get_or_404(beneficiaries_for(user).select_related("region", "station", "household"), pk=pk)


def is_restricted(beneficiary: Beneficiary, *, today: dt.date | None = None) -> bool:
    today = today or clock.today()
    return beneficiary.is_child_on(today) or beneficiary.target_groups.filter(restricted=True).exists()

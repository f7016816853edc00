"""Who sees which volunteer, and the reads the pages make.

- the city office and leadership, and county officers: the volunteers of the counties in their
  region's subtree;
- a social worker: the volunteers of the county she is posted in (she registers them and
  records their hours there);
- an organisation manager: the volunteers who belong to the organisation.

Writing is the same circle without the city leadership (whose role has no write permission)
and is checked again by the services. A certificate is reached through its volunteer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.http import HttpRequest

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import UNMASK, Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.cases.models import CommunityActivity, GroupSession
from sanqu.cases.selectors.community import activities_for
from sanqu.cases.selectors.groups import groups_for
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.volunteers.models import Volunteer, VolunteerCertificate, VolunteerService
from sanqu.workforce.models import id_number_hash

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
COUNTY_PATH_LENGTH = 6


def _posted_counties(scope: Scope) -> tuple[str, ...]:
    """The county paths of a social worker's postings (a township path starts with its county's)."""
    return tuple(
        {path[:COUNTY_PATH_LENGTH] for path in scope.paths_by_role.get(Role.SOCIAL_WORKER, ())}
        if Role.SOCIAL_WORKER in scope.roles
        else ()
    )


def _volunteer_q(scope: Scope, *, write: bool) -> Q:
    if write:
        regions = scope.paths_by_role.get(Role.COUNTY_OFFICER, ()) + scope.paths_by_role.get(
            Role.CITY_ADMIN, ()
        )
        query = scope.region_q("county", regions)
    else:
        query = scope.region_q("county")
    query |= scope.region_q("county", _posted_counties(scope))
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    return query


def volunteers_for(user: User) -> QuerySet[Volunteer]:
    """Every volunteer the user may see."""
    volunteers = Volunteer.objects.select_related("person", "county", "station", "organisation")
    scope = scope_of(user)
    return volunteers if scope.superuser else volunteers.filter(_volunteer_q(scope, write=False))


def writable_volunteers(user: User) -> QuerySet[Volunteer]:
    """The volunteers the user may change or record hours for (the permission is checked apart)."""
    scope = scope_of(user)
    volunteers = Volunteer.objects.all()
    return volunteers if scope.superuser else volunteers.filter(_volunteer_q(scope, write=True))


def get_volunteer_for_user(user: User, pk: Any) -> Volunteer:
    return get_or_404(volunteers_for(user), pk=pk)


def can_write(user: User, volunteer: Volunteer, perm: str) -> bool:
    return user.has_perm(perm) and writable_volunteers(user).filter(pk=volunteer.pk).exists()


# The registry: search and filters.


@dataclass(frozen=True)
class RegistryFilter:
    query: str = ""
    county: Region | None = None
    station: Station | None = None
    skill: str = ""


def registry(user: User, filters: RegistryFilter) -> QuerySet[Volunteer]:
    """The list page: a full ID number finds its holder exactly (keyed hash); other text is a name."""
    volunteers = volunteers_for(user).annotate(
        total_hours=Coalesce(Sum("services__hours"), Decimal(0)),
    )
    text = filters.query.strip()
    if text:
        number = idnumber.normalise(text)
        if _ID_SHAPE.match(number):
            volunteers = volunteers.filter(person__id_hash=id_number_hash(number))
        else:
            volunteers = volunteers.filter(person__name__icontains=text)
    if filters.county is not None:
        volunteers = volunteers.filter(county=filters.county)
    if filters.station is not None:
        volunteers = volunteers.filter(station=filters.station)
    if filters.skill.strip():
        volunteers = volunteers.filter(skills__icontains=filters.skill.strip())
    return volunteers.order_by("person__name", "id")


def counties_for(user: User) -> QuerySet[Region]:
    """Counties that have volunteers the user sees (for the filter)."""
    return Region.objects.filter(pk__in=volunteers_for(user).values("county")).order_by("code")


def stations_for(user: User) -> QuerySet[Station]:
    return (
        Station.objects.filter(pk__in=volunteers_for(user).values("station"))
        .select_related("region")
        .order_by("region__code", "name")
    )


# Choices for the forms.


def registration_counties(user: User) -> QuerySet[Region]:
    """Counties where the user may register a volunteer."""
    scope = scope_of(user)
    counties = Region.objects.filter(level=Region.Level.COUNTY).order_by("code")
    if scope.superuser:
        return counties
    paths = (
        scope.paths_by_role.get(Role.COUNTY_OFFICER, ())
        + scope.paths_by_role.get(Role.CITY_ADMIN, ())
        + _posted_counties(scope)
    )
    if scope.organisation_ids:
        paths += tuple(
            Organisation.objects.filter(pk__in=scope.organisation_ids)
            .exclude(home_county=None)
            .values_list("home_county__path", flat=True)
        )
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(path__startswith=path) | Q(path=path[:COUNTY_PATH_LENGTH])
    return counties.filter(query)


def registration_stations(user: User) -> QuerySet[Station]:
    query = Q(pk__in=[])
    for path in registration_counties(user).values_list("path", flat=True):
        query |= Q(region__path__startswith=path)
    return (
        Station.objects.filter(query, closed_on__isnull=True)
        .select_related("region")
        .order_by("region__code", "name")
    )


def registration_organisations(user: User) -> QuerySet[Organisation]:
    """An organisation manager registers for her own organisation; region roles for their counties'."""
    scope = scope_of(user)
    if scope.organisation_ids and not scope.region_paths and not _posted_counties(scope):
        return Organisation.objects.filter(pk__in=scope.organisation_ids).order_by("name")
    paths = registration_counties(user).values_list("path", flat=True)
    query = Q(pk__in=scope.organisation_ids)
    for path in paths:
        query |= Q(home_county__path=path)
    return Organisation.objects.filter(query, deregistered_on__isnull=True).order_by("name")


def linkable_activities(user: User, volunteer: Volunteer) -> QuerySet[CommunityActivity]:
    """Community activities of the volunteer's county the user sees (newest first)."""
    return (
        activities_for(user)
        .filter(county=volunteer.county)
        .select_related("region")
        .order_by("-held_on", "-id")
    )


def linkable_sessions(user: User, volunteer: Volunteer) -> QuerySet[GroupSession]:
    return (
        GroupSession.objects.filter(group__in=groups_for(user).filter(county=volunteer.county))
        .select_related("group")
        .order_by("-held_on", "-id")
    )


# One volunteer's page.


@dataclass(frozen=True)
class MonthHours:
    month: dt.date
    hours: Decimal
    share: int  # percent of the busiest month, for the bar


def hours_by_month(volunteer: Volunteer) -> list[MonthHours]:
    rows = list(
        volunteer.services.annotate(month=TruncMonth("served_on"))
        .values("month")
        .annotate(hours=Sum("hours"))
        .order_by("-month")
    )
    top = max((row["hours"] for row in rows), default=Decimal(0))
    return [
        MonthHours(
            month=row["month"],
            hours=row["hours"],
            share=int(row["hours"] * 100 / top) if top else 0,
        )
        for row in rows
    ]


def total_hours(volunteer: Volunteer) -> Decimal:
    result = volunteer.services.aggregate(total=Sum("hours"), n=Count("id"))
    return result["total"] or Decimal(0)


def service_records(volunteer: Volunteer) -> QuerySet[VolunteerService]:
    return volunteer.services.select_related("activity", "group_session__group").order_by("-served_on", "-id")


def hours_recorded_on(volunteer: Volunteer, day: dt.date) -> Decimal:
    return volunteer.services.filter(served_on=day).aggregate(total=Sum("hours"))["total"] or Decimal(0)


def certificates_for(user: User) -> QuerySet[VolunteerCertificate]:
    return VolunteerCertificate.objects.filter(volunteer__in=volunteers_for(user)).select_related(
        "volunteer__person", "volunteer__county"
    )


def reveal_certificate(*, user: User, pk: Any, request: HttpRequest | None = None) -> VolunteerCertificate:
    """A certificate for download: it carries the full ID number, so it needs UNMASK and is audited."""
    certificate = get_or_404(certificates_for(user), pk=pk)
    if not user.has_perm(UNMASK):
        raise PermissionDenied
    audit.record(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        obj=certificate,
        detail={"fields": ["id_number"], "document": "volunteer_certificate"},
        request=request,
    )
    return certificate


def volunteer_page(volunteer: Volunteer) -> Volunteer:
    """The volunteer with training, commendations and certificates, for the page."""
    return (
        Volunteer.objects.select_related("person", "county", "station", "organisation")
        .prefetch_related(
            "trainings",
            "commendations",
            Prefetch("certificates", queryset=VolunteerCertificate.objects.order_by("-issued_on", "-id")),
        )
        .get(pk=volunteer.pk)
    )

"""Volunteer figures for `sanqu figures`: hours of voluntary service (travel excluded)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet, Sum

from sanqu.regions.models import Region
from sanqu.volunteers.models import VolunteerService


def services_in(*, scope: Region, as_of: dt.date) -> QuerySet[VolunteerService]:
    """The hours volunteer_hours adds up (the drill-down lists them)."""
    return VolunteerService.objects.filter(county__path__startswith=scope.path, served_on__lte=as_of)


def volunteer_hours(*, scope: Region, as_of: dt.date) -> float:
    """Hours of service on or before the date, in the counties of the scope (the county each record
    was served in), to one decimal. One aggregate query."""
    total = services_in(scope=scope, as_of=as_of).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return float(total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

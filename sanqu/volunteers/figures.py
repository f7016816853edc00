"""Volunteer figures for `sanqu figures`: hours of voluntary service (travel excluded)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from sanqu.regions.models import Region
from sanqu.volunteers.models import VolunteerService


def volunteer_hours(*, scope: Region, as_of: dt.date) -> float:
    """Hours of service on or before the date, in the counties of the scope (the county each record
    was served in), to one decimal. One aggregate query."""
    total = VolunteerService.objects.filter(
        county__path__startswith=scope.path, served_on__lte=as_of
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return float(total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

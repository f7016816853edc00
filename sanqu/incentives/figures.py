"""The certification and incentive figures of `sanqu figures` (DESIGN.md §3), one aggregate query each.

Both take the figure engine's arguments: a scope (a region and its subtree) and an as-of date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from sanqu.incentives.models import IncentiveClaim
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate


def certified_by_level(*, scope: Region, as_of: dt.date) -> dict[str, int]:
    """Distinct persons holding a certificate of each level obtained on or before the date.

    Counted as `certified_total` is: in the county the certificate was obtained in, receiving
    counties of the scope only. A person holding two levels counts once at each, so the levels
    add up to more than `certified_total` when anyone holds two.
    """
    # The engine's receiving_counties(), written out so the engine can import this module.
    counties = Region.objects.filter(
        level=Region.Level.COUNTY,
        path__startswith=scope.path,
        receiving_years__programme_year__starts_on__lte=as_of,
    ).values("pk")
    row = Certificate.objects.filter(county__in=counties, obtained_on__lte=as_of).aggregate(
        **{level: Count("person", distinct=True, filter=Q(level=level)) for level in Certificate.Level.values}
    )
    return {level: row[level] for level in Certificate.Level.values}


def claims_paid(*, scope: Region, as_of: dt.date) -> QuerySet[IncentiveClaim]:
    """The claims incentive_claims_paid counts and adds up (the drill-down lists them)."""
    return IncentiveClaim.objects.filter(
        status=IncentiveClaim.Status.PAID, paid_on__lte=as_of, policy__county__path__startswith=scope.path
    )


def incentive_claims_paid(*, scope: Region, as_of: dt.date) -> dict[str, object]:
    """Claims paid on or before the date under policies of counties in the scope.

    `{"count": int, "amount": str}`: the amount is in yuan, a decimal string with two places
    ("12345.00"), so it is exact and survives JSON as it is.
    """
    row = claims_paid(scope=scope, as_of=as_of).aggregate(count=Count("pk"), amount=Sum("amount"))
    amount = (row["amount"] or Decimal(0)).quantize(Decimal("0.01"))
    return {"count": row["count"], "amount": str(amount)}

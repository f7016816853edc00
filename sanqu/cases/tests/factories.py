"""Beneficiaries and cases the case-work tests add to the shared test world."""

from __future__ import annotations

import datetime as dt
import itertools

from sanqu.cases.models import Beneficiary, TargetGroup
from sanqu.lib import idnumber
from sanqu.regions.models import Region
from sanqu.workforce.models import Person

_sequence = itertools.count()  # 700 sequence codes per birth date, then the next day


def make_beneficiary(
    name: str,
    region: Region,
    *,
    born: dt.date = dt.date(1950, 3, 8),
    groups: tuple[str, ...] = ("left_behind_elderly",),
    worker: Person | None = None,
) -> Beneficiary:
    beneficiary = Beneficiary(
        name=name, region=region, responsible_worker=worker, registered_on=dt.date(2018, 3, 1)
    )
    number = next(_sequence)
    day = born + dt.timedelta(days=number // 700)
    beneficiary.set_id_number(idnumber.make(region.code[:6], day, 300 + number % 700))
    beneficiary.save()
    beneficiary.target_groups.set(TargetGroup.objects.filter(code__in=groups))
    return beneficiary

"""Beneficiaries and cases the case-work tests add to the shared test world."""

from __future__ import annotations

import datetime as dt

from sanqu.cases.models import Beneficiary, TargetGroup
from sanqu.lib import idnumber
from sanqu.regions.models import Region
from sanqu.workforce.models import Person

_sequence = iter(range(300, 1000))


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
    beneficiary.set_id_number(idnumber.make(region.code[:6], born, next(_sequence)))
    beneficiary.save()
    beneficiary.target_groups.set(TargetGroup.objects.filter(code__in=groups))
    return beneficiary

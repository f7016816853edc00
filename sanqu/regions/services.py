"""Writes to the station registry: permission, scope, validation and audit travel with each change."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.audit import changed_fields, record
from sanqu.accounts.models import AuditEntry
from sanqu.accounts.scoping import scope_of
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.regions.selectors import CHANGE_STATION, in_write_scope

ADD_STATION = "regions.add_station"


class StationFields(TypedDict, total=False):
    name: str
    kind: str
    region: Region
    organisation: Organisation | None
    address: str
    opened_on: dt.date | None
    closed_on: dt.date | None


EDITABLE = tuple(StationFields.__annotations__)


def station_create(
    *, actor: Any, request: HttpRequest | None = None, **fields: Unpack[StationFields]
) -> Station:
    """Add a station in a region the actor's region role covers."""
    if not actor.has_perm(ADD_STATION):
        raise PermissionDenied(_("您没有新建社会工作站(室)的权限。"))
    _check_region(actor, fields.get("region"))
    station = Station(**fields)
    with transaction.atomic():
        station.full_clean()
        station.save()
        record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=station,
            detail={"changed": sorted(name for name in fields if name in EDITABLE)},
            request=request,
        )
    return station


def station_update(
    *, actor: Any, station: Station, request: HttpRequest | None = None, **fields: Unpack[StationFields]
) -> Station:
    """Change a station; both where it is and where it goes must be in the actor's scope."""
    if not actor.has_perm(CHANGE_STATION):
        raise PermissionDenied(_("您没有修改社会工作站(室)的权限。"))
    _check_region(actor, station.region)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"station_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _check_region(actor, fields.get("region", station.region))
    before = _values(station)
    for name, value in fields.items():
        setattr(station, name, value)
    with transaction.atomic():
        station.full_clean()
        changed = changed_fields(before, _values(station))
        if changed:
            station.save()
            record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=station,
                detail={"changed": changed},
                request=request,
            )
    return station


def _check_region(actor: Any, region: Region | None) -> None:
    if region is not None and not in_write_scope(scope_of(actor), region):
        raise PermissionDenied(_("该区划不在您的管辖范围内。"))


def _values(station: Station) -> dict[str, Any]:
    return {
        "name": station.name,
        "kind": station.kind,
        "region": station.region_id,
        "organisation": station.organisation_id,
        "address": station.address,
        "opened_on": station.opened_on,
        "closed_on": station.closed_on,
    }

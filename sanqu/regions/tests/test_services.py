from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from sanqu.accounts.models import AuditEntry
from sanqu.regions.models import Region, Station
from sanqu.regions.services import station_create, station_update
from sanqu.testing import World


@pytest.fixture
def chaping(world: World) -> Region:
    return Region.objects.create(
        code="500229212201", name="茶坪村", level=Region.Level.VILLAGE, parent=world.jiming
    )


def audit_of(station: Station) -> list[tuple[str, str, list[str]]]:
    entries = AuditEntry.objects.filter(object_type="regions.station", object_id=str(station.pk)).order_by(
        "id"
    )
    return [(entry.actor_name, entry.action, entry.detail["changed"]) for entry in entries]


def test_it_creates_a_station_in_scope_and_audits_it(world: World, chaping: Region) -> None:
    station = station_create(
        actor=world["chengkou"], name="茶坪村社会工作室", region=chaping, address="茶坪村村委会"
    )
    assert station.pk is not None
    assert station.kind == Station.Kind.ROOM
    assert audit_of(station) == [("chengkou", AuditEntry.Action.CREATE, ["address", "name", "region"])]


def test_it_refuses_to_create_out_of_scope_or_without_permission(world: World, chaping: Region) -> None:
    for username in ("wanzhou", "leader", "worker", "yangguang", "editor"):
        with pytest.raises(PermissionDenied):
            station_create(actor=world[username], name="茶坪村社会工作室", region=chaping)
    assert not Station.objects.filter(name="茶坪村社会工作室").exists()
    assert not AuditEntry.objects.filter(object_type="regions.station").exists()


def test_it_validates_before_writing(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        station_create(actor=world["chengkou"], name="鸡鸣乡社会工作站", region=world.jiming)
    assert "__all__" in error.value.message_dict  # same name in the same region
    with pytest.raises(ValidationError) as error:
        station_create(
            actor=world["city"],
            name="鸡鸣乡社会工作发展基地",
            kind=Station.Kind.BASE,
            region=world.jiming,
            opened_on=dt.date(2020, 1, 1),
            closed_on=dt.date(2019, 1, 1),
        )
    assert Station.objects.count() == 1
    assert not AuditEntry.objects.filter(object_type="regions.station").exists()


def test_it_updates_a_station_and_records_what_changed(world: World) -> None:
    station_update(
        actor=world["chengkou"], station=world.station, address="鸡鸣乡政府二楼", name="鸡鸣乡社会工作站"
    )
    station_update(actor=world["city"], station=world.station, organisation=world.yangguang)
    station_update(actor=world["city"], station=world.station, organisation=world.yangguang)  # no change
    world.station.refresh_from_db()
    assert world.station.address == "鸡鸣乡政府二楼"
    assert world.station.organisation == world.yangguang
    assert audit_of(world.station) == [
        ("chengkou", AuditEntry.Action.UPDATE, ["address"]),
        ("city", AuditEntry.Action.UPDATE, ["organisation"]),
    ]


def test_it_refuses_updates_from_outsiders_and_read_only_roles(world: World) -> None:
    for username in ("wanzhou", "leader", "worker", "mentor", "yangguang"):
        with pytest.raises(PermissionDenied):
            station_update(actor=world[username], station=world.station, address="某地")
    world.station.refresh_from_db()
    assert world.station.address == ""
    assert audit_of(world.station) == []


def test_it_refuses_to_move_a_station_out_of_scope(world: World) -> None:
    with pytest.raises(PermissionDenied):
        station_update(actor=world["chengkou"], station=world.station, region=world.wanzhou)
    world.station.refresh_from_db()
    assert world.station.region == world.jiming
    assert audit_of(world.station) == []


def test_it_records_where_the_change_came_from(world: World, rf: RequestFactory) -> None:
    request = rf.post("/admin/", REMOTE_ADDR="10.50.2.29")
    station_update(actor=world["chengkou"], station=world.station, address="鸡鸣乡政府二楼", request=request)
    entry = AuditEntry.objects.get(object_type="regions.station")
    assert (entry.actor, entry.ip_address) == (world["chengkou"], "10.50.2.29")

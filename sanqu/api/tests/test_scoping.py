"""Every resource across two counties: 城口's officer sees 城口's records only; 万州's answer 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.testing import World, make_person
from sanqu.workforce.models import Dispatch, Person


@dataclass
class Records:
    chengkou_person: Person
    wanzhou_person: Person
    chengkou_dispatch: Dispatch
    wanzhou_dispatch: Dispatch
    wanzhou_station: Station
    year: ProgrammeYear


@pytest.fixture
def records(world: World) -> Records:
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31)
    )
    town = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    wanzhou_station = Station.objects.create(name="高笋塘社会工作站", kind=Station.Kind.STATION, region=town)
    wanzhou_person = make_person("赵万州", world.wanzhou, organisation=world.wanzhou_org, address="500101")
    chengkou_dispatch = Dispatch.objects.create(
        person=world.worker_person,
        programme_year=year,
        sending_organisation=world.yangguang,
        county=world.chengkou,
        station=world.station,
        started_on=dt.date(2018, 3, 1),
        planned_end_on=dt.date(2019, 2, 28),
    )
    wanzhou_dispatch = Dispatch.objects.create(
        person=wanzhou_person,
        programme_year=year,
        sending_organisation=world.wanzhou_org,
        county=world.wanzhou,
        started_on=dt.date(2018, 4, 1),
        planned_end_on=dt.date(2019, 3, 31),
    )
    return Records(
        world.worker_person, wanzhou_person, chengkou_dispatch, wanzhou_dispatch, wanzhou_station, year
    )


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row.get("id", row.get("code")) for row in response.json()["results"]}


def test_it_lists_only_the_officers_county(world, records, api):
    chengkou = api("chengkou")
    assert _ids(chengkou.get("/api/v1/regions/")) == {"500229", "500229212"}
    assert _ids(chengkou.get("/api/v1/stations/")) == {world.station.pk}
    assert _ids(chengkou.get("/api/v1/organisations/")) == {world.yangguang.pk}
    assert _ids(chengkou.get("/api/v1/persons/")) == {world.worker_person.pk, world.mentor_person.pk}
    assert _ids(chengkou.get("/api/v1/dispatches/")) == {records.chengkou_dispatch.pk}
    wanzhou = api("wanzhou")
    assert _ids(wanzhou.get("/api/v1/persons/")) == {records.wanzhou_person.pk}
    assert _ids(wanzhou.get("/api/v1/dispatches/")) == {records.wanzhou_dispatch.pk}


@pytest.mark.parametrize(
    ("resource", "other"),
    [
        ("stations", lambda world, records: records.wanzhou_station.pk),
        ("organisations", lambda world, records: world.wanzhou_org.pk),
        ("persons", lambda world, records: records.wanzhou_person.pk),
        ("dispatches", lambda world, records: records.wanzhou_dispatch.pk),
        ("regions", lambda world, records: "500101"),
    ],
)
def test_the_other_countys_record_is_not_found(world, records, api, resource, other):
    client = api("chengkou")
    url = f"/api/v1/{resource}/{other(world, records)}/"
    for method in ("get", "patch", "delete"):
        response = getattr(client, method)(url, {"name": "改名"}, format="json")
        # Regions are read-only: a write is 405 whatever the record; stations have no delete.
        if (resource == "regions" and method != "get") or (resource == "stations" and method == "delete"):
            assert response.status_code == 405, (method, url)
        else:
            assert response.status_code == 404, (method, url, response.content)
            assert response.json()["errors"] == {}


def test_the_own_record_is_found_and_writes_go_through_the_services(world, records, api):
    client = api("chengkou")
    assert client.get(f"/api/v1/persons/{world.worker_person.pk}/").status_code == 200
    response = client.patch(
        f"/api/v1/organisations/{world.yangguang.pk}/", {"supervising_unit": "城口县民政局"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["supervising_unit"] == "城口县民政局"
    # A county officer may not delete (the city office does): 403, not 404.
    assert client.delete(f"/api/v1/organisations/{world.yangguang.pk}/").status_code == 403
    assert Organisation.objects.filter(pk=world.yangguang.pk).exists()


def test_a_record_cannot_be_moved_or_made_outside_the_scope(world, records, api):
    client = api("chengkou")
    moved = client.patch(
        f"/api/v1/organisations/{world.yangguang.pk}/", {"home_county": "500101"}, format="json"
    )
    assert moved.status_code == 403
    made = client.post(
        "/api/v1/organisations/",
        {"name": "万州新机构", "kind": "association", "home_county": "500101", "registered_on": "2018-01-01"},
        format="json",
    )
    assert made.status_code == 403
    assert not Organisation.objects.filter(name="万州新机构").exists()


def test_a_reference_to_an_out_of_scope_record_is_a_field_error(world, records, api):
    response = api("chengkou").post(
        "/api/v1/dispatches/",
        {
            "person": records.wanzhou_person.pk,
            "programme_year": 2018,
            "sending_organisation": world.yangguang.pk,
            "county": "500229",
            "started_on": "2018-05-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["person"]


def test_a_dispatch_is_created_through_the_service_with_its_rules(world, records, api):
    person = make_person("钱城口", world.chengkou)
    payload = {
        "person": person.pk,
        "programme_year": 2018,
        "sending_organisation": world.wanzhou_org.pk,  # sending organisations come from anywhere
        "county": "500229",
        "station": world.station.pk,
        "started_on": "2018-05-01",
    }
    client = api("chengkou")
    created = client.post("/api/v1/dispatches/", payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["planned_end_on"] == "2019-04-30"
    again = client.post("/api/v1/dispatches/", payload, format="json")
    assert again.status_code == 400
    assert "programme_year" in again.json()["errors"]


def test_a_read_only_role_cannot_write(world, records, api):
    response = api("leader").patch(
        f"/api/v1/organisations/{world.yangguang.pk}/", {"name": "新名称"}, format="json"
    )
    assert response.status_code == 403


def test_the_lists_filter_by_region_date_and_status(world, records, api):
    city = api("city")
    assert _ids(city.get("/api/v1/dispatches/", {"region": "500229"})) == {records.chengkou_dispatch.pk}
    assert _ids(city.get("/api/v1/dispatches/", {"date_from": "2018-03-15"})) == {records.wanzhou_dispatch.pk}
    assert _ids(city.get("/api/v1/dispatches/", {"date_to": "2018-03-15"})) == {records.chengkou_dispatch.pk}
    assert _ids(city.get("/api/v1/dispatches/", {"status": "completed"})) == set()
    assert _ids(city.get("/api/v1/stations/", {"region": "500101"})) == {records.wanzhou_station.pk}
    assert _ids(city.get("/api/v1/regions/", {"region": "500229"})) == {"500229", "500229212"}
    bad = city.get("/api/v1/dispatches/", {"status": "lost", "date_from": "2018-02-30", "region": "9"})
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) == {"status", "date_from", "region"}


def test_the_lists_are_paginated(world, records, api):
    response = api("city").get("/api/v1/persons/", {"page_size": 1})
    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 1 and body["next"]
    assert api("city").get("/api/v1/persons/", {"page": 99}).status_code == 404

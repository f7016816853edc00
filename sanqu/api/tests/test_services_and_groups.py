"""Service records and groups through the API: scope across two counties, writes through the services."""

from __future__ import annotations

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Group, ServiceRecord


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_service_records_are_listed_in_scope(world, casework, api):
    assert _ids(api("chengkou").get("/api/v1/service-records/")) == {casework.record.pk}
    assert _ids(api("wanzhou").get("/api/v1/service-records/")) == {casework.wanzhou_record.pk}
    assert _ids(api("worker").get("/api/v1/service-records/")) == {casework.record.pk}
    assert _ids(api("colleague").get("/api/v1/service-records/")) == {casework.record.pk}  # her township's
    assert _ids(api("wanzhou_worker").get("/api/v1/service-records/")) == {casework.wanzhou_record.pk}
    assert api("chengkou").get(f"/api/v1/service-records/{casework.wanzhou_record.pk}/").status_code == 404
    assert api("editor").get("/api/v1/service-records/").status_code == 403


def test_service_records_filter_by_date_and_method(world, casework, api):
    city = api("city")
    assert _ids(city.get("/api/v1/service-records/", {"date_from": "2018-06-02"})) == {
        casework.wanzhou_record.pk
    }
    assert _ids(city.get("/api/v1/service-records/", {"date_to": "2018-06-01"})) == {casework.record.pk}
    assert _ids(city.get("/api/v1/service-records/", {"region": "500101"})) == {casework.wanzhou_record.pk}
    assert _ids(city.get("/api/v1/service-records/", {"method": "group"})) == set()


def _service(casework, **extra):
    return {
        "served_on": "2018-07-02",
        "service_type": casework.service_type.code,
        "method": "case",
        "duration_hours": "1.5",
        "beneficiary": casework.township.pk,
        **extra,
    }


def test_a_worker_records_her_own_service_once(world, casework, api):
    client = api("worker")
    made = client.post("/api/v1/service-records/", _service(casework, client_token="t-1"), format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["worker"] == world.worker_person.pk and body["county"] == "500229"
    again = client.post("/api/v1/service-records/", _service(casework, client_token="t-1"), format="json")
    assert again.status_code == 201 and again.json()["id"] == body["id"]
    assert ServiceRecord.objects.filter(beneficiary=casework.township).count() == 1
    assert AuditEntry.objects.filter(object_type="cases.servicerecord", object_id=str(body["id"])).exists()


def test_a_service_is_refused_with_the_services_reasons(world, casework, api):
    client = api("worker")
    future = client.post(
        "/api/v1/service-records/", _service(casework, served_on="2018-07-11"), format="json"
    )
    assert future.status_code == 400 and list(future.json()["errors"]) == ["served_on"]
    long = client.post("/api/v1/service-records/", _service(casework, duration_hours="25"), format="json")
    assert long.status_code == 400 and list(long.json()["errors"]) == ["duration_hours"]
    unknown = client.post("/api/v1/service-records/", _service(casework, service_type="nope"), format="json")
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["service_type"]
    outside = client.post(
        "/api/v1/service-records/", _service(casework, beneficiary=casework.wanzhou.pk), format="json"
    )
    assert outside.status_code == 400 and list(outside.json()["errors"]) == ["beneficiary"]
    # A county officer records no services of her own.
    assert (
        api("chengkou").post("/api/v1/service-records/", _service(casework), format="json").status_code == 403
    )
    assert not ServiceRecord.objects.filter(beneficiary=casework.township).exists()


def test_groups_are_listed_in_scope_and_the_other_countys_is_not_found(world, casework, api):
    assert _ids(api("chengkou").get("/api/v1/groups/")) == {casework.group.pk}
    assert _ids(api("wanzhou").get("/api/v1/groups/")) == {casework.wanzhou_group.pk}
    assert _ids(api("worker").get("/api/v1/groups/")) == {casework.group.pk}
    assert _ids(api("wanzhou_worker").get("/api/v1/groups/")) == {casework.wanzhou_group.pk}
    url = f"/api/v1/groups/{casework.wanzhou_group.pk}/"
    for username in ("chengkou", "worker"):
        assert api(username).get(url).status_code == 404
        assert api(username).patch(url, {"name": "改名"}, format="json").status_code == 404
    assert Group.objects.get(pk=casework.wanzhou_group.pk).name == "万州老人互助组"
    assert api("city").get("/api/v1/groups/", {"status": "ending"}).json()["count"] == 0


def test_a_group_is_planned_and_revised_through_the_services(world, casework, api):
    client = api("worker")
    made = client.post(
        "/api/v1/groups/",
        {
            "name": "老人读书会",
            "purpose": "每周读报，减少孤独",
            "region": "500229212",
            "started_on": "2018-07-01",
            "planned_sessions": 6,
            "target_groups": ["left_behind_elderly"],
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["worker"] == world.worker_person.pk and body["phase"] == "preparing"
    assert body["target_groups"] == ["left_behind_elderly"] and body["county"] == "500229"
    url = f"/api/v1/groups/{body['id']}/"
    version = client.get(url)["ETag"]
    revised = client.patch(url, {"planned_sessions": 8}, format="json", HTTP_IF_MATCH=version)
    assert revised.status_code == 200 and revised.json()["planned_sessions"] == 8
    stale = api("chengkou").patch(url, {"planned_sessions": 4}, format="json", HTTP_IF_MATCH=version)
    assert stale.status_code == 412
    assert Group.objects.get(pk=body["id"]).planned_sessions == 8
    bad = client.patch(url, {"planned_sessions": 0}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["planned_sessions"]
    elsewhere = client.post(
        "/api/v1/groups/",
        {
            "name": "外地",
            "purpose": "x",
            "region": "500101001",
            "started_on": "2018-07-01",
            "planned_sessions": 6,
        },
        format="json",
    )
    assert elsewhere.status_code == 400 and list(elsewhere.json()["errors"]) == ["region"]
    assert not Group.objects.filter(name="外地").exists()
    assert api("leader").patch(url, {"name": "改"}, format="json").status_code == 403

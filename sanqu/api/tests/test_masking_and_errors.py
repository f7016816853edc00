from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import ProgrammeYear, ReceivingCounty


@pytest.fixture
def phone(world):
    world.worker_person.phone = "13800001234"
    world.worker_person.save()
    return world.worker_person


def test_id_numbers_and_phones_come_masked(world, phone, api):
    row = api("chengkou").get(f"/api/v1/persons/{phone.pk}/").json()
    assert row["id_number"] == phone.id_number_masked and "*" in row["id_number"]
    assert row["phone"] == "138****1234" and row["unmasked"] is False
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_unmask_shows_them_in_full_and_audits_each_person(world, phone, api):
    client = api("chengkou")
    row = client.get(f"/api/v1/persons/{phone.pk}/", {"unmask": "1"}).json()
    assert row["id_number"] == phone.id_number and row["phone"] == "13800001234"
    entry = AuditEntry.objects.get(action="unmask")
    assert entry.actor == world["chengkou"] and entry.object_id == str(phone.pk)
    assert entry.detail == {"fields": ["id_number", "phone"]}
    client.get("/api/v1/persons/", {"unmask": "1"})
    assert AuditEntry.objects.filter(action="unmask").count() == 1 + 2  # the two people of 城口


def test_unmask_is_refused_to_a_role_without_the_permission(world, phone, api):
    response = api("leader").get(f"/api/v1/persons/{phone.pk}/", {"unmask": "1"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_field_errors_are_json_in_chinese(world, api):
    response = api("chengkou").post(
        "/api/v1/persons/", {"name": "", "id_number": "500229199001011234", "county": "500229"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {"name"}
    bad_id = api("chengkou").post(
        "/api/v1/persons/",
        {"name": "测试", "id_number": "500229199001011234", "county": "500229"},
        format="json",
    )
    assert bad_id.status_code == 400 and list(bad_id.json()["errors"]) == ["id_number"]  # from the service


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "a\x00b"}, "name"),
        ({"county": "5002\x0029"}, "county"),
        ({"name": "\ud800"}, "name"),
        ({"organisation": 10**30}, "organisation"),
        ({"organisation": -1}, "organisation"),
        ({"county": "99999999999999999999"}, "county"),
        ({"id_number": "5002291990\x0001011234"}, "id_number"),
    ],
)
def test_inputs_the_database_cannot_store_are_400(world, api, payload, field):
    valid = {"name": "张三", "id_number": "500229199001011234", "county": "500229"}
    body = json.dumps({**valid, **payload})  # \ud800 travels escaped, as a client would send it
    response = api("chengkou").post("/api/v1/persons/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]


@pytest.mark.parametrize(
    "query",
    [
        {"region": "\x00"},
        {"date_from": "0000-01-01"},
        {"date_to": "9999-12-31"},
        {"status": "\x00"},
        {"page_size": "\x00"},
    ],
)
def test_bad_filters_are_400_or_ignored_never_500(world, api, query):
    response = api("city").get("/api/v1/dispatches/", query)
    assert response.status_code in (200, 400), response.content


def test_huge_ids_in_the_path_are_404(world, api):
    client = api("city")
    assert client.get("/api/v1/persons/99999999999999999999999/").status_code == 404
    assert client.get("/api/v1/persons/9223372036854775807/").status_code == 404


def test_unknown_api_paths_are_json_404(world, api):
    for path in ("/api/v1/nothing/", "/api/v2/", "/api/"):
        response = api("city").get(path)
        assert response.status_code == 404
        assert response.json()["errors"] == {}


def test_a_wrong_method_is_json_405(world, api):
    response = api("city").delete("/api/v1/regions/")
    assert response.status_code == 405
    assert "DELETE" in response.json()["detail"]


def test_a_body_above_the_limit_is_413(world, api, settings):
    settings.SANQU_API_MAX_BODY = 1000
    response = api("chengkou").post(
        "/api/v1/persons/", {"name": "x" * 2000, "id_number": "1", "county": "500229"}, format="json"
    )
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]


def test_each_token_has_its_own_rate_limit(world, api, settings):
    settings.SANQU_API_RATE = "3/min"
    first, second = api("city"), api("city")
    for _ in range(3):
        assert first.get("/api/v1/regions/").status_code == 200
    refused = first.get("/api/v1/regions/")
    assert refused.status_code == 429
    assert "秒后再试" in refused.json()["detail"]
    assert second.get("/api/v1/regions/").status_code == 200


def test_the_token_endpoint_has_a_stricter_limit(world, settings):
    settings.SANQU_API_TOKEN_RATE = "2/min"
    for _ in range(2):
        APIClient().post("/api/v1/token/", {"username": "x", "password": "y"}, format="json")
    assert (
        APIClient().post("/api/v1/token/", {"username": "x", "password": "y"}, format="json").status_code
        == 429
    )


def test_figures_have_the_commands_keys_and_the_dashboards_scopes(world, api):
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 1, 1), ends_on=dt.date(2018, 12, 31)
    )
    ReceivingCounty.objects.create(programme_year=year, county=world.chengkou)
    ReceivingCounty.objects.create(programme_year=year, county=world.wanzhou)
    from sanqu.figures.engine import compute_figures

    response = api("city").get("/api/v1/figures/", {"scope": "500000", "as_of": "2018-07-10"})
    assert response.status_code == 200
    expected = compute_figures(scope=world.chongqing, as_of=dt.date(2018, 7, 10))
    assert response.json() == expected
    assert response.json()["receiving_counties"] == 2
    chengkou = api("chengkou")
    assert (
        chengkou.get("/api/v1/figures/", {"scope": "500229", "as_of": "2018-07-10"}).json()[
            "receiving_counties"
        ]
        == 1
    )
    assert chengkou.get("/api/v1/figures/", {"scope": "500101"}).status_code == 404
    assert chengkou.get("/api/v1/figures/", {"scope": "500000"}).status_code == 404
    assert chengkou.get("/api/v1/figures/", {"as_of": "2018-02-30"}).status_code == 400
    assert api("worker").get("/api/v1/figures/").status_code == 403


def test_the_schema_and_the_docs_are_served_locally(world, as_user):
    client = as_user("chengkou")
    schema = client.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200 and "/api/v1/persons/" in schema.json()["paths"]
    assert client.get("/api/v1/schema/", {"format": "yaml"}).content.startswith(b"openapi:")
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http" not in html.replace("http-equiv", "")  # nothing from another host
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert Client().get("/api/v1/docs/").status_code == 302


WRITABLE_LISTS = [
    "stations", "organisations", "persons", "dispatches", "beneficiaries", "cases", "service-records",
    "groups", "reports",
]  # fmt: skip


@pytest.mark.parametrize("persona", ["leader", "editor"])
def test_a_role_that_may_not_write_gets_403_before_its_body_is_read(world, api, persona):
    client = api(persona)
    for resource in WRITABLE_LISTS:
        response = client.post(f"/api/v1/{resource}/", {}, format="json")
        assert response.status_code == 403, (resource, response.json())


def test_a_stage_posted_by_someone_other_than_the_worker_is_403_before_its_body_is_read(world, api, casework):
    case = casework.case
    for persona, stage in [("chengkou", "assessments"), ("mentor", "closures"), ("worker", "plan-review")]:
        response = api(persona).post(f"/api/v1/cases/{case.pk}/{stage}/", {}, format="json")
        assert response.status_code == 403, (persona, stage, response.json())

"""Beneficiaries through the API: the two circles, masking with audited unmask, registration's rules."""

from __future__ import annotations

from sanqu.accounts.models import AuditEntry
from sanqu.api.resources.beneficiaries import REVEALED
from sanqu.cases.models import Beneficiary


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_lists_each_county_its_own(world, casework, api):
    chengkou = {
        casework.mine.pk,
        casework.township.pk,
        casework.child.pk,
        casework.other_worker_case.beneficiary_id,
    }
    assert _ids(api("chengkou").get("/api/v1/beneficiaries/")) == chengkou
    assert _ids(api("wanzhou").get("/api/v1/beneficiaries/")) == {casework.wanzhou.pk}


def test_a_worker_lists_her_township_but_not_a_child_she_does_not_serve(world, casework, api):
    seen = _ids(api("worker").get("/api/v1/beneficiaries/"))
    assert seen == {casework.mine.pk, casework.township.pk, casework.other_worker_case.beneficiary_id}


def test_the_other_countys_beneficiary_is_not_found(world, casework, api):
    url = f"/api/v1/beneficiaries/{casework.wanzhou.pk}/"
    for username in ("chengkou", "worker"):
        client = api(username)
        assert client.get(url).status_code == 404
        assert client.patch(url, {"name": "改名"}, format="json").status_code == 404
    assert api("worker").get(f"/api/v1/beneficiaries/{casework.child.pk}/").status_code == 404
    assert Beneficiary.objects.get(pk=casework.wanzhou.pk).name == "万大姐"


def test_sensitive_fields_come_masked_or_not_at_all(world, casework, api):
    mine = casework.mine
    mine.phone, mine.address, mine.health_notes = "13800001234", "鸡鸣乡鸡鸣村3组", "高血压"
    mine.save()
    row = api("chengkou").get(f"/api/v1/beneficiaries/{mine.pk}/").json()
    assert row["id_number"] == mine.id_number_masked and mine.id_number not in str(row)
    assert row["phone"] == "138****1234" and row["birth_date"] is None and row["birth_year"] == 1950
    assert row["address"] is None and row["health_notes"] is None and row["correction_notes"] is None
    assert row["in_full"] is True and row["unmasked"] is False and row["restricted"] is False
    assert not AuditEntry.objects.filter(action="unmask").exists()


def test_unmask_reveals_the_in_full_circles_records_and_audits_each(world, casework, api):
    mine = casework.mine
    client = api("worker")
    row = client.get(f"/api/v1/beneficiaries/{mine.pk}/", {"unmask": "1"}).json()
    assert row["id_number"] == mine.id_number and row["birth_date"] == "1950-03-08" and row["unmasked"]
    entry = AuditEntry.objects.get(action="unmask")
    assert entry.actor == world["worker"] and entry.object_type == "cases.beneficiary"
    assert entry.object_id == str(mine.pk) and entry.detail == {"fields": REVEALED}
    # In a list only her own are revealed (and audited); the township's stay masked.
    rows = {row["id"]: row for row in client.get("/api/v1/beneficiaries/", {"unmask": "1"}).json()["results"]}
    assert rows[mine.pk]["unmasked"] and not rows[casework.township.pk]["unmasked"]
    assert rows[casework.township.pk]["id_number"] == casework.township.id_number_masked
    assert AuditEntry.objects.filter(action="unmask").count() == 2


def test_unmask_is_refused_outside_the_in_full_circle(world, casework, api):
    listed = api("worker").get(f"/api/v1/beneficiaries/{casework.township.pk}/", {"unmask": "1"})
    assert listed.status_code == 403
    assert api("city").get(f"/api/v1/beneficiaries/{casework.mine.pk}/", {"unmask": "1"}).status_code == 403
    assert api("city").get("/api/v1/beneficiaries/", {"unmask": "1"}).status_code == 403
    assert not AuditEntry.objects.filter(action="unmask").exists()


def _registration(**extra):
    return {
        "name": "王小红",
        "id_number": "500229201003150024",
        "region": "500229212",
        "target_groups": ["left_behind_children"],
        "consent_on": "2018-07-01",
        "consent_by": "self",
        **extra,
    }


def test_a_child_is_registered_only_with_a_guardians_consent(world, casework, api):
    client = api("worker")
    refused = client.post("/api/v1/beneficiaries/", _registration(), format="json")
    assert refused.status_code == 400
    assert "未满14周岁" in refused.json()["errors"]["consent_by"][0]
    assert not Beneficiary.objects.filter(name="王小红").exists()
    made = client.post(
        "/api/v1/beneficiaries/",
        _registration(consent_by="guardian", guardian_name="王奶奶", guardian_relation="祖母"),
        format="json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["restricted"] is True and body["in_full"] is True and body["responsible_worker"]
    assert body["id_number"] == "500229********0024"
    assert AuditEntry.objects.filter(action="create", object_type="cases.beneficiary").exists()
    again = client.post(
        "/api/v1/beneficiaries/",
        _registration(consent_by="guardian", guardian_name="王奶奶", guardian_relation="祖母"),
        format="json",
    )
    assert again.status_code == 400 and list(again.json()["errors"]) == ["id_number"]


def test_registration_is_refused_outside_the_place_and_to_read_only_roles(world, casework, api):
    outside = api("chengkou").post("/api/v1/beneficiaries/", _registration(region="500101001"), format="json")
    assert outside.status_code == 400 and list(outside.json()["errors"]) == ["region"]
    assert api("leader").post("/api/v1/beneficiaries/", _registration(), format="json").status_code == 403
    unknown = api("worker").post(
        "/api/v1/beneficiaries/", _registration(target_groups=["martians"]), format="json"
    )
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["target_groups"]


def test_a_correction_goes_through_the_service_and_keeps_what_is_not_sent(world, casework, api):
    client = api("worker")
    url = f"/api/v1/beneficiaries/{casework.mine.pk}/"
    response = client.patch(url, {"name": "张秀英（更正）", "phone": "13900002222"}, format="json")
    assert response.status_code == 200, response.content
    stored = Beneficiary.objects.get(pk=casework.mine.pk)
    assert stored.name == "张秀英（更正）" and stored.phone == "13900002222"
    assert stored.id_number == casework.mine.id_number
    assert response.json()["phone"] == "139****2222"
    # A record she only lists is not hers to change.
    listed = client.patch(f"/api/v1/beneficiaries/{casework.township.pk}/", {"name": "改"}, format="json")
    assert listed.status_code == 403


def test_a_role_that_may_not_see_beneficiaries_is_refused(world, casework, api):
    assert api("editor").get("/api/v1/beneficiaries/").status_code == 403

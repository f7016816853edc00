"""Optimistic locking through the API: ETag on a record, If-Match on a PATCH, 412 when it is stale."""

from __future__ import annotations

from sanqu.accounts.models import AuditEntry
from sanqu.orgs.models import Organisation
from sanqu.workforce.models import Person


def test_a_record_comes_with_its_version(world, api):
    response = api("chengkou").get(f"/api/v1/organisations/{world.yangguang.pk}/")
    assert response.status_code == 200
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 22


def test_the_second_patch_with_the_old_etag_is_refused_and_changes_nothing(world, api):
    url = f"/api/v1/organisations/{world.yangguang.pk}/"
    first, second = api("chengkou"), api("city")
    version = first.get(url)["ETag"]
    assert second.get(url)["ETag"] == version
    saved = first.patch(url, {"supervising_unit": "城口县民政局"}, format="json", HTTP_IF_MATCH=version)
    assert saved.status_code == 200, saved.content
    assert saved["ETag"] != version
    updates = AuditEntry.objects.filter(action="update").count()

    stale = second.patch(url, {"supervising_unit": "重庆市民政局"}, format="json", HTTP_IF_MATCH=version)

    assert stale.status_code == 412, stale.content
    body = stale.json()
    assert body["errors"] == {} and "chengkou" in body["detail"] and "没有保存" in body["detail"]
    assert stale["ETag"] == saved["ETag"]
    world.yangguang.refresh_from_db()
    assert world.yangguang.supervising_unit == "城口县民政局"
    assert AuditEntry.objects.filter(action="update").count() == updates
    # Knowingly, with the version it has now, the second edit saves.
    again = second.patch(
        url, {"supervising_unit": "重庆市民政局"}, format="json", HTTP_IF_MATCH=stale["ETag"]
    )
    assert again.status_code == 200


def test_without_if_match_a_patch_works_as_before(world, api):
    url = f"/api/v1/organisations/{world.yangguang.pk}/"
    client = api("chengkou")
    client.patch(url, {"supervising_unit": "甲"}, format="json")
    assert client.patch(url, {"supervising_unit": "乙"}, format="json").status_code == 200
    assert Organisation.objects.get(pk=world.yangguang.pk).supervising_unit == "乙"
    assert client.patch(url, {"supervising_unit": "丙"}, format="json", HTTP_IF_MATCH="*").status_code == 200


def test_an_if_match_naming_no_version_is_a_conflict(world, api):
    url = f"/api/v1/persons/{world.worker_person.pk}/"
    client = api("chengkou")
    for header in ('"0000"', '""', 'W/"abc", "def"'):
        response = client.patch(url, {"name": "新名字"}, format="json", HTTP_IF_MATCH=header)
        assert response.status_code == 412, (header, response.content)
    assert Person.objects.get(pk=world.worker_person.pk).name == "李晓梅"
    current = client.get(url)["ETag"]
    listed = client.patch(url, {"name": "新名字"}, format="json", HTTP_IF_MATCH=f'"0000", {current}')
    assert listed.status_code == 200, listed.content

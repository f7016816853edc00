"""The managed lists in the back office: the city office edits them, nobody else reaches them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import ServiceType, TargetGroup
from sanqu.testing import World

TYPES = "wagtailsnippets_cases_servicetype:list"
ADD_TYPE = "wagtailsnippets_cases_servicetype:add"
EDIT_TYPE = "wagtailsnippets_cases_servicetype:edit"
GROUPS = "wagtailsnippets_cases_targetgroup:list"


def test_it_lists_the_seeded_lists_to_the_city_office(world: World, as_user) -> None:
    client = as_user("city")
    assert "精神慰藉" in client.get(reverse(TYPES)).content.decode()
    assert "社区矫正对象" in client.get(reverse(GROUPS)).content.decode()
    # The sidebar is JSON for Wagtail's scripts: the label is there, escaped.
    assert "\\u4e1a\\u52a1\\u5b57\\u5178" in client.get("/admin/").content.decode()


def test_it_adds_a_type_with_its_typical_groups_and_an_audit_entry(world: World, as_user) -> None:
    elderly = TargetGroup.objects.get(code="left_behind_elderly")
    response = as_user("city").post(
        reverse(ADD_TYPE),
        {
            "name": "防诈骗宣传",
            "code": "anti_fraud",
            "target_groups": [elderly.pk],
            "sort_order": "30",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    service_type = ServiceType.objects.get(code="anti_fraud")
    assert list(service_type.target_groups.all()) == [elderly]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.CREATE, object_type="cases.servicetype"
    ).exists()


def test_it_retires_a_type(world: World, as_user) -> None:
    service_type = ServiceType.objects.get(code="counselling")
    response = as_user("city").post(
        reverse(EDIT_TYPE, args=[service_type.pk]),
        {"name": service_type.name, "code": service_type.code, "sort_order": "2"},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert not ServiceType.objects.get(pk=service_type.pk).active


def test_it_leaves_the_menu_group_out_for_a_county_officer(world: World, as_user) -> None:
    assert "\\u4e1a\\u52a1\\u5b57\\u5178" not in as_user("chengkou").get("/admin/").content.decode()


@pytest.mark.parametrize("persona", ["chengkou", "leader", "worker", "wanzhou"])
def test_it_keeps_everyone_else_out(world: World, as_user, persona: str) -> None:
    client = as_user(persona)
    assert client.get(reverse(TYPES)).status_code in {302, 403}
    response = client.post(reverse(ADD_TYPE), {"name": "x", "code": "x", "sort_order": "1"})
    assert response.status_code in {302, 403}
    assert not ServiceType.objects.filter(code="x").exists()
    edit = client.get(reverse(EDIT_TYPE, args=[ServiceType.objects.first().pk]))  # type: ignore[union-attr]
    assert edit.status_code in {302, 403, 404}

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.lib import creditcode
from sanqu.orgs.models import Organisation
from sanqu.testing import World

LIST = "wagtailsnippets_orgs_organisation:list"
ADD = "wagtailsnippets_orgs_organisation:add"
EDIT = "wagtailsnippets_orgs_organisation:edit"
CHOOSE = "wagtailsnippetchoosers_orgs_organisation:choose"
CHOSEN = "wagtailsnippetchoosers_orgs_organisation:chosen"
GOOD_CODE = creditcode.make("52", "500229", "MJ0000009")


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data = {
        "name": "城口县心连心社会工作服务中心",
        "kind": Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        "social_work": "on",
        "credit_code": GOOD_CODE.lower(),
        "home_county": world.chengkou.pk,
        "registered_on": "2019-04-01",
        "deregistered_on": "",
        "supervising_unit": "城口县民政局",
    }
    data.update(overrides)
    return data


def test_it_lists_the_organisations_of_the_scope(world: World, as_user) -> None:
    body = as_user("chengkou").get(reverse(LIST)).content.decode()
    assert "重庆扬光社会工作服务中心" in body
    assert "万州区社会工作协会" not in body
    body = as_user("wanzhou").get(reverse(LIST)).content.decode()
    assert "万州区社会工作协会" in body
    assert "重庆扬光社会工作服务中心" not in body


def test_it_answers_404_out_of_scope_in_listing_urls_and_chooser(world: World, as_user) -> None:
    client = as_user("chengkou")
    assert client.get(reverse(EDIT, args=[world.wanzhou_org.pk])).status_code == 404
    assert client.get(reverse(CHOSEN, args=[world.wanzhou_org.pk])).status_code == 404
    assert "万州区社会工作协会" not in client.get(reverse(CHOOSE)).content.decode()


def test_it_creates_with_a_normalised_code_and_an_audit_entry(world: World, as_user) -> None:
    response = as_user("chengkou").post(reverse(ADD), form_data(world))
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="城口县心连心社会工作服务中心")
    assert organisation.credit_code == GOOD_CODE
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_type="orgs.organisation")
    assert "credit_code" in entry.detail["changed"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (GOOD_CODE[:-1] + ("0" if GOOD_CODE[-1] != "0" else "1"), "统一社会信用代码校验位不正确"),
        (GOOD_CODE[:10], "统一社会信用代码应为18位"),
        ("52500229MJ000000IO", "统一社会信用代码只能包含数字和大写字母"),
    ],
)
def test_it_refuses_a_bad_credit_code_in_chinese(world: World, as_user, code: str, message: str) -> None:
    response = as_user("chengkou").post(reverse(ADD), form_data(world, credit_code=code))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Organisation.objects.filter(name="城口县心连心社会工作服务中心").exists()


def test_it_offers_only_counties_of_the_scope_as_home_county(world: World, as_user) -> None:
    client = as_user("chengkou")
    page = client.get(reverse(ADD)).content.decode()
    assert "万州区" not in page
    assert "鸡鸣乡" not in page  # a township is not a county
    response = client.post(reverse(ADD), form_data(world, home_county=world.wanzhou.pk))
    assert response.status_code == 200
    response = client.post(reverse(ADD), form_data(world, home_county=world.jiming.pk))
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="城口县心连心社会工作服务中心").exists()


def test_it_records_the_changed_fields_on_edit(world: World, as_user) -> None:
    organisation = world.yangguang
    data = form_data(
        world,
        name=organisation.name,
        credit_code=organisation.credit_code,
        registered_on="2012-06-01",
        deregistered_on="2024-12-31",
        supervising_unit="",
    )
    response = as_user("chengkou").post(reverse(EDIT, args=[organisation.pk]), data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.deregistered_on == dt.date(2024, 12, 31)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE)
    assert entry.detail["changed"] == ["deregistered_on"]


def test_it_refuses_the_leader_and_shows_her_the_list(world: World, as_user) -> None:
    client = as_user("leader")
    assert "万州区社会工作协会" in client.get(reverse(LIST)).content.decode()
    client.post(reverse(EDIT, args=[world.yangguang.pk]), form_data(world, name="改名"))
    world.yangguang.refresh_from_db()
    assert world.yangguang.name == "重庆扬光社会工作服务中心"
    assert not AuditEntry.objects.filter(object_type="orgs.organisation").exists()


def test_it_keeps_staff_without_admin_access_and_anonymous_out(world: World, as_user, client) -> None:
    for username in ("worker", "editor", "yangguang"):
        assert as_user(username).get(reverse(LIST)).status_code in (302, 403)
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_it_refuses_a_credit_code_already_registered_beside_the_field(world: World, as_user) -> None:
    world.yangguang.credit_code = GOOD_CODE
    world.yangguang.save()
    response = as_user("chengkou").post(reverse(ADD), form_data(world))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get("credit_code") == ["该统一社会信用代码已登记。"]
    assert "organisation_unique_credit_code" not in response.content.decode()
    assert not Organisation.objects.filter(name="城口县心连心社会工作服务中心").exists()

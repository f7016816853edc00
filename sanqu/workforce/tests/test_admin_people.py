from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.lib import idnumber
from sanqu.testing import World, make_person
from sanqu.workforce.models import Person

LIST = "wagtailsnippets_workforce_person:list"
ADD = "wagtailsnippets_workforce_person:add"
EDIT = "wagtailsnippets_workforce_person:edit"
DELETE = "wagtailsnippets_workforce_person:delete"
HISTORY = "wagtailsnippets_workforce_person:history"
NEW_ID = idnumber.make("500234", dt.date(1988, 8, 8), 321)  # 开县: an obsolete code, still on cards


@pytest.fixture
def outsider(world: World) -> Person:
    return make_person("张万州", world.wanzhou, address="500101")


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data = {
        "name": "赵新",
        "id_number_input": NEW_ID.lower(),
        "county": world.chengkou.pk,
        "organisation": world.yangguang.pk,
        "phone_input": "",
    }
    data.update(overrides)
    return data


def test_it_lists_only_the_people_of_the_scope_with_masked_ids(
    world: World, as_user, outsider: Person
) -> None:
    response = as_user("chengkou").get(reverse(LIST))
    body = response.content.decode()
    assert response.status_code == 200
    assert "李晓梅" in body
    assert "张万州" not in body
    assert world.worker_person.id_number_masked in body
    assert world.worker_person.id_number not in body


def test_it_answers_404_for_a_person_out_of_scope(world: World, as_user, outsider: Person) -> None:
    client = as_user("chengkou")
    for name in (EDIT, DELETE, HISTORY):
        assert client.get(reverse(name, args=[outsider.pk])).status_code == 404
    assert client.post(reverse(EDIT, args=[outsider.pk]), form_data(world, name="改")).status_code == 404
    outsider.refresh_from_db()
    assert outsider.name == "张万州"


def test_it_refuses_writes_to_the_read_only_leader(world: World, as_user) -> None:
    person = world.worker_person
    response = as_user("leader").post(reverse(EDIT, args=[person.pk]), form_data(world, name="改名"))
    assert response.status_code in (302, 403)
    person.refresh_from_db()
    assert person.name == "李晓梅"
    assert as_user("leader").get(reverse(LIST)).status_code == 200


@pytest.mark.parametrize("username", ["worker", "editor"])
def test_it_keeps_staff_without_admin_access_out(world: World, as_user, username: str) -> None:
    response = as_user(username).get(reverse(LIST))
    assert response.status_code in (302, 403)
    assert "李晓梅" not in response.content.decode()


def test_it_sends_anonymous_visitors_to_login(world: World, client) -> None:
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_it_creates_a_person_through_the_service_with_an_audit_entry(world: World, as_user) -> None:
    response = as_user("chengkou").post(reverse(ADD), form_data(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Person.objects.get(name="赵新")
    assert person.id_number == NEW_ID.upper()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATE, object_type="workforce.person")
    assert entry.actor == world["chengkou"]
    assert "id_number" in entry.detail["changed"]
    assert NEW_ID not in str(entry.detail)


def test_it_refuses_a_bad_id_number_in_chinese_and_saves_nothing(world: World, as_user) -> None:
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    response = as_user("chengkou").post(reverse(ADD), form_data(world, id_number_input=bad))
    assert response.status_code == 200
    assert "身份证号校验位不正确" in response.content.decode()
    assert not Person.objects.filter(name="赵新").exists()
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.CREATE).exists()


def test_it_names_the_existing_person_for_a_duplicate_id_in_scope(world: World, as_user) -> None:
    number = world.worker_person.id_number
    response = as_user("chengkou").post(reverse(ADD), form_data(world, id_number_input=number))
    body = response.content.decode()
    assert response.status_code == 200
    assert "该身份证号已登记：李晓梅" in body
    assert Person.objects.filter(id_hash=world.worker_person.id_hash).count() == 1


def test_it_does_not_name_a_duplicate_out_of_scope(world: World, as_user, outsider: Person) -> None:
    response = as_user("chengkou").post(reverse(ADD), form_data(world, id_number_input=outsider.id_number))
    body = response.content.decode()
    assert "该身份证号已登记" in body
    assert "张万州" not in body


def test_it_does_not_offer_counties_out_of_scope(world: World, as_user) -> None:
    client = as_user("chengkou")
    body = client.get(reverse(ADD)).content.decode()
    assert "城口县" in body
    assert "万州区" not in body
    response = client.post(reverse(ADD), form_data(world, county=world.wanzhou.pk))
    assert response.status_code == 200
    assert not Person.objects.filter(name="赵新").exists()


def test_it_keeps_the_id_number_when_the_edit_leaves_it_blank(world: World, as_user) -> None:
    person = world.worker_person
    client = as_user("chengkou")
    page = client.get(reverse(EDIT, args=[person.pk])).content.decode()
    assert person.id_number_masked in page
    assert "留空则不修改" in page
    assert person.id_number not in page
    data = form_data(world, name="李晓梅", id_number_input="", phone_input="13800138000")
    response = client.post(reverse(EDIT, args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == world.worker_person.id_number
    assert person.phone == "13800138000"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UPDATE, object_id=str(person.pk))
    assert entry.detail["changed"] == ["phone"]
    assert "13800138000" not in str(entry.detail)


def test_it_finds_a_person_by_exact_id_number(world: World, as_user) -> None:
    number = world.mentor_person.id_number
    body = as_user("chengkou").get(reverse(LIST), {"q": number}).content.decode()
    assert "王建国" in body
    assert "李晓梅" not in body


def _export_ids(client) -> list[str]:
    response = client.get(reverse(LIST), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("身份证号")
    return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_it_exports_masked_ids_for_the_leader(world: World, as_user) -> None:
    ids = _export_ids(as_user("leader"))
    assert world.worker_person.id_number_masked in ids
    assert world.worker_person.id_number not in ids
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.detail["unmasked"] is False


def test_it_exports_full_ids_for_the_city_and_audits_it(world: World, as_user) -> None:
    ids = _export_ids(as_user("city"))
    assert world.worker_person.id_number in ids
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == world["city"]
    assert entry.detail["unmasked"] is True
    assert entry.detail["count"] == 2


def test_it_deletes_through_the_service_with_an_audit_entry(world: World, as_user) -> None:
    person = make_person("待删除", world.chengkou)
    response = as_user("city").post(reverse(DELETE, args=[person.pk]))
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETE, object_id=str(person.pk)).exists()


def test_it_refuses_delete_to_a_county_officer(world: World, as_user) -> None:
    person = make_person("待删除", world.chengkou)
    as_user("chengkou").post(reverse(DELETE, args=[person.pk]))
    assert Person.objects.filter(pk=person.pk).exists()

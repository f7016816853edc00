"""The beneficiary pages: search, registration steps, the record, and the audited reveal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Beneficiary, TargetGroup
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.lib import idnumber
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def grandmother(world: World) -> Beneficiary:
    beneficiary = make_beneficiary("张秀英", world.jiming, worker=world.worker_person)
    beneficiary.phone = "13800001234"
    beneficiary.save()
    return beneficiary


@pytest.fixture
def child(world: World) -> Beneficiary:
    return make_beneficiary(
        "李小花",
        world.jiming,
        born=dt.date(2009, 4, 1),
        groups=("left_behind_children",),
        worker=world.worker_person,
    )


def form_data(world: World, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "王德明",
        "id_number": idnumber.make("500229", dt.date(1948, 11, 2), 51),
        "region": world.jiming.pk,
        "target_groups": [TargetGroup.objects.get(code="left_behind_elderly").pk],
        "consent_on": "2018-07-10",
        "consent_by": "self",
    }
    data.update(overrides)
    return data


# Search.


def test_it_finds_a_beneficiary_by_name_and_by_full_id_number(as_user, grandmother: Beneficiary) -> None:
    client = as_user("worker")
    response = client.get(reverse("beneficiaries"), {"q": "秀英"})
    assert response.status_code == 200
    assert "张秀英" in response.content.decode()
    assert grandmother.id_number not in response.content.decode()
    assert grandmother.id_number_masked in response.content.decode()

    response = client.get(reverse("beneficiaries"), {"q": grandmother.id_number})
    assert list(response.context["page"].object_list) == [grandmother]
    response = client.get(reverse("beneficiaries"), {"q": grandmother.id_number[:10]})
    assert list(response.context["page"].object_list) == []


def test_a_search_with_more_than_a_page_of_matches_pages_through_them_in_name_order(
    as_user, world: World
) -> None:
    names = [f"王{chr(0x4E00 + n)}" for n in range(30)]  # 王一, 王丁, … in the order of their code points
    for name in reversed(names):
        make_beneficiary(name, world.jiming)
    make_beneficiary("张秀兰", world.jiming)
    client = as_user("chengkou")

    first = client.get(reverse("beneficiaries"), {"q": "王"})
    second = client.get(reverse("beneficiaries"), {"q": "王", "page": 2})

    assert [b.name for b in first.context["page"].object_list] == names[:25]
    assert [b.name for b in second.context["page"].object_list] == names[25:]
    assert '<span class="count">30</span>' in first.content.decode()
    assert "王丁" in first.content.decode() and "张秀兰" not in first.content.decode()
    assert second.context["page"].number == 2 and not second.context["page"].has_next()


def test_it_never_lists_a_restricted_record_outside_the_first_circle(as_user, child: Beneficiary) -> None:
    for persona in ("city", "leader", "yangguang"):
        response = as_user(persona).get(reverse("beneficiaries"), {"q": "李小花"})
        assert response.status_code == 200
        assert list(response.context["page"].object_list) == [], persona
        assert reverse("beneficiary_detail", args=[child.pk]) not in response.content.decode()
    for persona in ("worker", "mentor", "chengkou"):
        response = as_user(persona).get(reverse("beneficiaries"), {"q": "李小花"})
        assert list(response.context["page"].object_list) == [child], persona


def test_it_refuses_the_list_to_anonymous_post_and_roles_without_it(client, as_user) -> None:
    url = reverse("beneficiaries")
    assert client.get(url).status_code == 302
    assert as_user("worker").post(url).status_code == 405
    assert as_user("editor").get(url).status_code == 403


# The record and the reveal.


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("worker", 200),
        ("mentor", 200),
        ("chengkou", 200),
        ("city", 404),
        ("leader", 404),
        ("yangguang", 404),
        ("wanzhou", 404),
        ("editor", 404),
        ("reviewer", 404),
    ],
)
def test_it_shows_a_childs_record_only_to_the_first_circle(
    as_user, child: Beneficiary, persona: str, status: int
) -> None:
    assert as_user(persona).get(reverse("beneficiary_detail", args=[child.pk])).status_code == status


def test_it_masks_the_record_and_reveals_it_with_an_audit_entry(as_user, world: World, grandmother) -> None:
    client = as_user("worker")
    page = client.get(reverse("beneficiary_detail", args=[grandmother.pk])).content.decode()
    assert grandmother.id_number not in page
    assert "13800001234" not in page
    assert "显示完整信息" in page

    response = client.post(reverse("beneficiary_unmask", args=[grandmother.pk]))
    assert response.status_code == 200
    assert grandmother.id_number in response.content.decode()
    assert "13800001234" in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNMASK)
    assert entry.actor == world["worker"]
    assert entry.object_id == str(grandmother.pk)


@pytest.mark.parametrize(("persona", "status"), [("city", 403), ("leader", 403), ("wanzhou", 404)])
def test_it_refuses_the_reveal_outside_the_in_full_circle(
    as_user, grandmother, persona: str, status: int
) -> None:
    client = as_user(persona)
    page = client.get(reverse("beneficiary_detail", args=[grandmother.pk]))
    if status == 403:
        assert "显示完整信息" not in page.content.decode()
    assert client.post(reverse("beneficiary_unmask", args=[grandmother.pk])).status_code == status
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK).exists()


def test_it_refuses_a_get_on_the_reveal_and_anonymous_visitors(client, as_user, grandmother) -> None:
    url = reverse("beneficiary_unmask", args=[grandmother.pk])
    assert as_user("worker").get(url).status_code == 405
    assert client.post(url).status_code == 302
    assert client.get(reverse("beneficiary_detail", args=[grandmother.pk])).status_code == 302


# Registration.


def test_it_registers_and_opens_the_new_record(as_user, world: World) -> None:
    client = as_user("worker")
    page = client.get(reverse("beneficiary_register"))
    assert page.status_code == 200

    response = client.post(reverse("beneficiary_register"), form_data(world))
    beneficiary = Beneficiary.objects.get(name="王德明")
    assert response.status_code == 302
    assert response["Location"] == reverse("beneficiary_detail", args=[beneficiary.pk])


def test_it_links_to_the_person_already_registered_with_the_id_number(as_user, world, grandmother) -> None:
    response = as_user("worker").post(
        reverse("beneficiary_register"), form_data(world, name="张秀英", id_number=grandmother.id_number)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "该身份证号已登记为服务对象" in page
    assert reverse("beneficiary_detail", args=[grandmother.pk]) in page
    assert Beneficiary.objects.count() == 1


def test_it_asks_to_confirm_a_close_match_then_registers(as_user, world, grandmother) -> None:
    data = form_data(world, name="张秀英", id_number=idnumber.make("500229", grandmother.birth_date, 77))
    client = as_user("worker")
    response = client.post(reverse("beneficiary_register"), data)
    assert response.status_code == 200
    assert "可能是同一人" in response.content.decode()
    assert 'name="confirm_similar"' in response.content.decode()
    assert Beneficiary.objects.count() == 1

    response = client.post(reverse("beneficiary_register"), {**data, "confirm_similar": "on"})
    assert response.status_code == 302
    assert Beneficiary.objects.count() == 2


def test_it_names_the_guardian_fields_for_a_child(as_user, world: World) -> None:
    data = form_data(world, name="李小明", id_number=idnumber.make("500229", dt.date(2010, 6, 1), 61))
    response = as_user("worker").post(reverse("beneficiary_register"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["consent_by"] == ["未满14周岁的服务对象须由监护人同意。"]


def test_it_refuses_registration_to_read_only_roles_and_anonymous(client, as_user, world: World) -> None:
    url = reverse("beneficiary_register")
    assert client.get(url).status_code == 302
    assert as_user("leader").post(url, form_data(world)).status_code == 403
    assert as_user("leader").get(url).status_code == 403
    assert as_user("worker").put(url).status_code == 405
    assert not Beneficiary.objects.exists()


def test_it_refuses_a_village_out_of_scope_in_the_form(as_user, world: World) -> None:
    response = as_user("wanzhou").post(reverse("beneficiary_register"), form_data(world))
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    assert not Beneficiary.objects.exists()


# Correcting a record.


def edit_data(world: World, beneficiary: Beneficiary, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": beneficiary.name,
        "region": world.jiming.pk,
        "target_groups": list(beneficiary.target_groups.values_list("pk", flat=True)),
        "consent_on": "2018-03-01",
        "consent_by": "self",
    }
    data.update(overrides)
    return data


def test_it_corrects_a_record_without_showing_the_stored_sensitive_values(
    as_user, world, grandmother
) -> None:
    client = as_user("worker")
    url = reverse("beneficiary_edit", args=[grandmother.pk])
    page = client.get(url).content.decode()
    assert "13800001234" not in page
    assert grandmother.id_number not in page

    disabled = TargetGroup.objects.get(code="disabled")
    groups = [*edit_data(world, grandmother)["target_groups"], disabled.pk]  # type: ignore[misc]
    response = client.post(url, edit_data(world, grandmother, name="张秀英", target_groups=groups))
    assert response.status_code == 302
    grandmother.refresh_from_db()
    assert grandmother.phone == "13800001234"  # an empty input keeps the stored value
    assert disabled in grandmother.target_groups.all()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=str(grandmother.pk)).exists()


def test_it_refuses_to_correct_onto_another_persons_id_number(as_user, world, grandmother) -> None:
    other = make_beneficiary("王德明", world.jiming, worker=world.worker_person)
    response = as_user("worker").post(
        reverse("beneficiary_edit", args=[other.pk]), edit_data(world, other, id_number=grandmother.id_number)
    )
    assert response.status_code == 200
    assert "该身份证号已登记为服务对象" in response.content.decode()
    other.refresh_from_db()
    assert other.id_hash != grandmother.id_hash


@pytest.mark.parametrize(
    ("persona", "status"), [("leader", 403), ("city", 403), ("mentor", 403), ("wanzhou", 404)]
)
def test_it_refuses_corrections_outside_the_writers(as_user, world, grandmother, persona, status) -> None:
    url = reverse("beneficiary_edit", args=[grandmother.pk])
    assert as_user(persona).post(url, edit_data(world, grandmother, name="改名")).status_code == status
    grandmother.refresh_from_db()
    assert grandmother.name == "张秀英"


def test_it_refuses_anonymous_and_other_methods_on_the_correction(client, as_user, grandmother) -> None:
    url = reverse("beneficiary_edit", args=[grandmother.pk])
    assert client.get(url).status_code == 302
    assert as_user("worker").delete(url).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("chengkou", 200),
        ("worker", 404),
        ("mentor", 404),
        ("city", 404),
        ("leader", 404),
        ("yangguang", 404),
        ("wanzhou", 404),
        ("editor", 404),
        ("reviewer", 404),
    ],
)
def test_it_shows_a_community_correction_subject_only_to_the_county_officer(
    as_user, world: World, persona: str, status: int
) -> None:
    subject = make_beneficiary(
        "陈某", world.jiming, born=dt.date(1985, 1, 1), groups=("community_correction",)
    )
    client = as_user(persona)
    assert client.get(reverse("beneficiary_detail", args=[subject.pk])).status_code == status
    found = client.get(reverse("beneficiaries"), {"q": subject.id_number})
    if found.status_code == 200:
        assert list(found.context["page"].object_list) == ([subject] if status == 200 else [])


def page_version(page: str) -> str:
    found = re.search(r'<input type="hidden" name="version" value="([0-9a-f]+)">', page)
    assert found, "the edit page carries the record's version"
    return found.group(1)


def test_two_people_editing_the_same_record_do_not_overwrite_each_other(as_user, world, grandmother) -> None:
    url = reverse("beneficiary_edit", args=[grandmother.pk])
    worker, officer = as_user("worker"), as_user("chengkou")
    worker_version = page_version(worker.get(url).content.decode())
    officer_version = page_version(officer.get(url).content.decode())
    assert worker_version == officer_version

    saved = officer.post(url, edit_data(world, grandmother, name="张秀英", version=officer_version))
    assert saved.status_code == 302

    refused = worker.post(url, edit_data(world, grandmother, name="张桂兰", version=worker_version))
    page = refused.content.decode()
    assert refused.status_code == 200
    assert "这条记录在您打开页面之后已被 chengkou 于" in page and "您的修改没有保存" in page
    assert 'value="张桂兰"' in page  # what she typed is still there
    grandmother.refresh_from_db()
    assert grandmother.name == "张秀英"

    # Having seen it, she submits again from the page she was shown: now hers is saved.
    again = worker.post(url, edit_data(world, grandmother, name="张桂兰", version=page_version(page)))
    assert again.status_code == 302
    grandmother.refresh_from_db()
    assert grandmother.name == "张桂兰"

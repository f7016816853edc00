"""One person's record, masked by default; the audited unmasked view."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from sanqu.accounts.models import AuditEntry
from sanqu.testing import World
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate
from sanqu.workforce.tests.factories import make_dispatch, make_year


def _url(world: World, suffix: str = "") -> str:
    return f"/people/{world.worker_person.pk}/{suffix}"


def _with_records(world: World) -> None:
    person = world.worker_person
    person.phone = "13912345678"
    person.save()
    make_dispatch(
        person=person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=dt.date(2017, 3, 1),
        station=world.station,
    )
    Certificate.objects.create(
        person=person,
        level=Certificate.Level.ASSISTANT,
        obtained_on=dt.date(2018, 6, 1),
        number="ZS2018-0001",
        county=world.chengkou,
    )
    Trainee.objects.create(
        person=person,
        programme_year=make_year(year=2016, counties=[world.chengkou]),
        county=world.chengkou,
        course_name="市级社会工作实务培训班",
        completed_on=dt.date(2016, 11, 30),
    )


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    for url in (_url(world), _url(world, "unmask/")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert Client().post(_url(world, "unmask/")).status_code == 302
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK).exists()


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    client = as_user("chengkou")
    assert client.post(_url(world)).status_code == 405
    assert client.get(_url(world, "unmask/")).status_code == 405


def test_it_answers_404_out_of_scope(world: World, as_user) -> None:
    client = as_user("wanzhou")
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world, "unmask/")).status_code == 404
    assert as_user("worker").get(f"/people/{world.mentor_person.pk}/").status_code == 404
    assert as_user("chengkou").get("/people/999999/").status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK).exists()


def test_it_shows_the_record_masked_with_its_dispatches_certificates_and_training(
    world: World, as_user
) -> None:
    _with_records(world)
    content = as_user("chengkou").get(_url(world)).content.decode()
    person = world.worker_person
    assert person.id_number_masked in content and person.id_number not in content
    assert "139****5678" in content and "13912345678" not in content
    assert "鸡鸣乡社会工作站" in content and "2017 年度" in content
    assert "助理社会工作师" in content and "ZS2018-0001" in content
    assert "市级社会工作实务培训班" in content and "2016-11-30 结业" in content
    assert "显示完整信息" in content


def test_it_offers_no_unmask_button_without_the_permission(world: World, as_user) -> None:
    for username in ("worker", "leader", "mentor"):
        content = as_user(username).get(_url(world)).content.decode()
        assert "显示完整信息" not in content, username


def test_it_refuses_to_unmask_for_a_role_without_the_permission(world: World, as_user) -> None:
    for username in ("worker", "leader", "mentor"):
        assert as_user(username).post(_url(world, "unmask/")).status_code == 403, username
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK).exists()


def test_it_unmasks_for_this_response_only_and_writes_an_audit_entry(world: World, as_user) -> None:
    _with_records(world)
    client = as_user("chengkou")
    response = client.post(_url(world, "unmask/"))
    assert response.status_code == 200
    content = response.content.decode()
    assert world.worker_person.id_number in content and "13912345678" in content
    assert "本次查看已记入审计日志" in content
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNMASK)
    assert entry.actor == world["chengkou"]
    assert entry.object_type == "workforce.person" and entry.object_id == str(world.worker_person.pk)
    # The next plain view is masked again.
    assert world.worker_person.id_number not in client.get(_url(world)).content.decode()


def test_it_lets_the_organisation_manager_unmask_its_own_people(world: World, as_user) -> None:
    assert as_user("yangguang").post(_url(world, "unmask/")).status_code == 200
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNMASK, actor=world["yangguang"]).count() == 1


def test_it_explains_a_refusal_in_the_users_language(world: World, as_user) -> None:
    not_found = as_user("wanzhou").get(_url(world)).content.decode()
    assert "这个页面不存在，或者不在您的权限范围内。" in not_found
    forbidden = as_user("worker").post(_url(world, "unmask/")).content.decode()
    assert "您的角色不能进行这项操作" in forbidden

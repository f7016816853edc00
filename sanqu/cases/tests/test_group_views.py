"""Group pages: the scoped list, the detail with phases and attendance, the phone forms, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Group, GroupAttendance, GroupMember, GroupSession, TargetGroup
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.tests.group_factories import TODAY, add_member, make_group
from sanqu.testing import World, make_person


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _session_data(**values: object) -> dict:
    data: dict = {"held_on": "2018-06-01", "phase": "forming", "topic": "相互认识", "duration_hours": "1.5"}
    data.update(values)
    return data


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    group = make_group(world)
    for url in ("/cases/groups/", "/cases/groups/new/", f"/cases/groups/{group.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().post(f"/cases/groups/{group.pk}/sessions/new/", _session_data()).status_code == 302
    assert not GroupSession.objects.exists()


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    group = make_group(world)
    client = as_user("worker")
    assert client.post("/cases/groups/").status_code == 405
    assert client.post(f"/cases/groups/{group.pk}/").status_code == 405
    assert client.get(f"/cases/groups/{group.pk}/members/").status_code == 405
    assert client.put(f"/cases/groups/{group.pk}/sessions/new/").status_code == 405


def test_it_answers_404_to_an_officer_of_another_county(world: World, as_user) -> None:
    group = make_group(world)
    client = as_user("wanzhou")
    for url in ("", "sessions/new/", "close/"):
        assert client.get(f"/cases/groups/{group.pk}/{url}").status_code == 404
    assert client.post(f"/cases/groups/{group.pk}/sessions/new/", _session_data()).status_code == 404
    assert group.name not in client.get("/cases/groups/").content.decode()


def test_it_answers_403_when_the_leader_tries_to_write(world: World, as_user) -> None:
    group = make_group(world)
    client = as_user("leader")
    assert client.get(f"/cases/groups/{group.pk}/").status_code == 200
    assert client.get("/cases/groups/new/").status_code == 403
    assert client.get(f"/cases/groups/{group.pk}/sessions/new/").status_code == 403
    assert client.post(f"/cases/groups/{group.pk}/sessions/new/", _session_data()).status_code == 403
    assert (
        client.post(
            f"/cases/groups/{group.pk}/close/", {"evaluation": "x", "ended_on": "2018-07-01"}
        ).status_code
        == 403
    )
    assert not GroupSession.objects.exists()
    assert Group.objects.get().ended_on is None


def test_it_lists_her_own_and_her_stations_groups_to_the_worker(world: World, as_user) -> None:
    make_group(world, name="留守儿童合唱团")
    make_group(world, name="妇女手工小组", worker=make_person("周芳", world.chengkou))
    make_group(
        world,
        name="万州老年小组",
        county=world.wanzhou,
        region=world.wanzhou,
        station=None,
        organisation=None,
        worker=make_person("万州社工", world.wanzhou, address="500101"),
    )

    content = as_user("worker").get("/cases/groups/").content.decode()

    assert "留守儿童合唱团" in content and "妇女手工小组" in content and "万州老年小组" not in content
    assert "社区与小组" in content


def test_the_worker_creates_a_group_on_her_phone(world: World, as_user) -> None:
    client = as_user("worker")
    assert client.get("/cases/groups/new/").status_code == 200

    response = client.post(
        "/cases/groups/new/",
        {
            "name": "留守儿童朗诵队",
            "purpose": "通过朗诵练习提升表达能力",
            "target_groups": [],
            "planned_sessions": "8",
            "started_on": "2018-06-01",
            "region": world.jiming.pk,
            "station": world.station.pk,
        },
    )

    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/groups/{group.pk}/"
    assert group.worker == world.worker_person and group.county == world.chengkou


def test_it_shows_the_phases_members_and_attendance_counts(world: World, as_user) -> None:
    group = make_group(world, phase=Group.Phase.TRANSITION)
    xiaohua = add_member(group, make_beneficiary("李小花", world.jiming))
    xiaoming = add_member(group, make_beneficiary("张小明", world.jiming))
    session = GroupSession.objects.create(
        group=group, number=1, held_on=dt.date(2018, 6, 1), phase="forming", topic="相互认识"
    )
    GroupAttendance.objects.create(session=session, member=xiaohua, present=True)
    GroupAttendance.objects.create(session=session, member=xiaoming, present=False)

    content = as_user("chengkou").get(f"/cases/groups/{group.pk}/").content.decode()

    assert 'phases__step--current" aria-current="step">转折' in content
    assert "出席 1 / 2 人" in content
    assert "李小花" in content and "张小明" in content
    assert "记录一节活动" in content


def test_it_records_a_session_with_attendance_checkboxes(world: World, as_user) -> None:
    group = make_group(world)
    here = add_member(group, make_beneficiary("李小花", world.jiming))
    away = add_member(group, make_beneficiary("张小明", world.jiming))
    client = as_user("worker")
    form = client.get(f"/cases/groups/{group.pk}/sessions/new/").content.decode()
    assert 'type="checkbox"' in form and "李小花" in form

    response = client.post(f"/cases/groups/{group.pk}/sessions/new/", _session_data(present=[here.pk]))

    assert response.status_code == 302
    session = GroupSession.objects.get()
    assert {row.member_id: row.present for row in session.attendance.all()} == {here.pk: True, away.pk: False}
    assert AuditEntry.objects.filter(action="create", object_type="cases.groupsession").exists()


def test_it_shows_the_services_refusal_on_the_session_form(world: World, as_user) -> None:
    group = make_group(world)

    response = as_user("worker").post(
        f"/cases/groups/{group.pk}/sessions/new/", _session_data(held_on="2018-07-11")
    )

    assert response.status_code == 200
    assert "日期不能晚于今天" in response.content.decode()
    assert not GroupSession.objects.exists()


def test_it_adds_and_removes_a_member(world: World, as_user) -> None:
    group = make_group(world)
    grandmother = make_beneficiary("张秀英", world.jiming)
    client = as_user("worker")

    assert (
        client.post(f"/cases/groups/{group.pk}/members/", {"beneficiary": grandmother.pk}).status_code == 302
    )
    member = GroupMember.objects.get()
    assert client.post(f"/cases/groups/{group.pk}/members/{member.pk}/leave/").status_code == 302
    member.refresh_from_db()
    assert member.left_on == TODAY
    assert as_user("wanzhou").post(f"/cases/groups/{group.pk}/members/{member.pk}/leave/").status_code == 404


def test_it_closes_the_group_only_with_an_evaluation(world: World, as_user) -> None:
    group = make_group(world)
    client = as_user("worker")

    response = client.post(f"/cases/groups/{group.pk}/close/", {"evaluation": "", "ended_on": "2018-07-10"})
    assert response.status_code == 200 and Group.objects.get().ended_on is None

    response = client.post(
        f"/cases/groups/{group.pk}/close/", {"evaluation": "目标基本达成", "ended_on": "2018-07-10"}
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.phase == Group.Phase.ENDING and group.evaluation == "目标基本达成"
    assert client.get(f"/cases/groups/{group.pk}/sessions/new/").status_code == 403


def test_it_revises_the_plan_and_names_the_changes_in_the_audit(world: World, as_user) -> None:
    group = make_group(world)
    client = as_user("worker")
    assert "每周一次合唱练习" in client.get(f"/cases/groups/{group.pk}/edit/").content.decode()
    assert as_user("wanzhou").get(f"/cases/groups/{group.pk}/edit/").status_code == 404
    assert as_user("leader").post(f"/cases/groups/{group.pk}/edit/", {}).status_code == 403

    response = client.post(
        f"/cases/groups/{group.pk}/edit/",
        {
            "name": "留守儿童合唱团",
            "purpose": "每周两次合唱练习",
            "planned_sessions": "12",
            "station": world.station.pk,
            "target_groups": [TargetGroup.objects.get(code="left_behind_children").pk],
        },
    )

    assert response.status_code == 302
    group.refresh_from_db()
    assert (group.purpose, group.planned_sessions) == ("每周两次合唱练习", 12)
    assert [target.code for target in group.target_groups.all()] == ["left_behind_children"]
    changed = [entry.detail["changed"] for entry in AuditEntry.objects.filter(object_id=str(group.pk))]
    assert sorted(changed) == [["planned_sessions", "purpose"], ["target_groups"]]

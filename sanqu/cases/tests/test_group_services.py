"""Group work services: the plan, members, sessions (phase order, dates, attendance) and closing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Group, GroupAttendance, GroupSession, TargetGroup
from sanqu.cases.services.groups import (
    group_close,
    group_create,
    group_member_add,
    group_member_remove,
    group_session_record,
)
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.tests.group_factories import TODAY, add_member, make_group
from sanqu.testing import World


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _session(world: World, group: Group, *, actor: str = "worker", **values: object) -> GroupSession:
    arguments: dict = {"held_on": dt.date(2018, 6, 1), "phase": Group.Phase.FORMING, "topic": "相互认识"}
    arguments.update(values)
    return group_session_record(actor=world[actor], group=group, **arguments)


def test_it_creates_a_group_led_by_the_workers_own_person_in_the_county_of_the_place(world: World) -> None:
    children = TargetGroup.objects.filter(code="left_behind_children")

    group = group_create(
        actor=world["worker"],
        name="留守儿童朗诵队",
        purpose="通过朗诵练习提升表达能力",
        region=world.jiming,
        station=world.station,
        started_on=dt.date(2018, 6, 1),
        planned_sessions=8,
        target_groups=children,
    )

    assert group.worker == world.worker_person
    assert group.county == world.chengkou
    assert group.organisation == world.yangguang
    assert group.phase == Group.Phase.PREPARING
    assert list(group.target_groups.all()) == list(children)
    assert AuditEntry.objects.filter(
        action="create", object_type="cases.group", object_id=str(group.pk)
    ).exists()


def test_it_needs_a_worker_named_when_an_officer_plans_a_group(world: World) -> None:
    with pytest.raises(ValidationError) as refusal:
        group_create(
            actor=world["chengkou"], name="互助小组", purpose="互助", region=world.jiming, started_on=TODAY
        )
    assert "worker" in refusal.value.message_dict

    group = group_create(
        actor=world["chengkou"],
        name="互助小组",
        purpose="互助",
        region=world.jiming,
        started_on=TODAY,
        worker=world.worker_person,
    )
    assert group.worker == world.worker_person


def test_it_refuses_the_city_leader_and_an_officer_outside_the_county(world: World) -> None:
    with pytest.raises(PermissionDenied):
        group_create(actor=world["leader"], name="x", purpose="x", region=world.jiming, started_on=TODAY)
    with pytest.raises(PermissionDenied):
        group_create(
            actor=world["wanzhou"],
            name="x",
            purpose="x",
            region=world.jiming,
            started_on=TODAY,
            worker=world.worker_person,
        )
    assert not Group.objects.exists()


def test_it_answers_404_to_an_outsider_and_403_to_a_reader(world: World) -> None:
    group = make_group(world)
    with pytest.raises(Http404):
        _session(world, group, actor="wanzhou")
    with pytest.raises(PermissionDenied):
        _session(world, group, actor="leader")
    with pytest.raises(PermissionDenied):
        _session(world, group, actor="mentor")
    assert not GroupSession.objects.exists()


def test_it_numbers_sessions_and_moves_the_phase_forward(world: World) -> None:
    group = make_group(world)

    first = _session(world, group, held_on=dt.date(2018, 5, 9), phase=Group.Phase.FORMING)
    second = _session(world, group, held_on=dt.date(2018, 5, 16), phase=Group.Phase.TRANSITION, topic="冲突")
    third = _session(world, group, held_on=dt.date(2018, 5, 23), phase=Group.Phase.TRANSITION, topic="规则")

    assert [first.number, second.number, third.number] == [1, 2, 3]
    group.refresh_from_db()
    assert group.phase == Group.Phase.TRANSITION


def test_it_refuses_a_session_in_an_earlier_phase_in_chinese(world: World) -> None:
    group = make_group(world, phase=Group.Phase.MATURE)

    with pytest.raises(ValidationError) as refusal:
        _session(world, group, phase=Group.Phase.FORMING)

    assert "只能向前推进" in refusal.value.message_dict["phase"][0]
    assert "成熟" in refusal.value.message_dict["phase"][0]
    assert not GroupSession.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "rule"),
    [(dt.date(2018, 7, 11), "不能晚于今天"), (dt.date(2018, 5, 1), "不能早于小组开始日期")],
)
def test_it_refuses_a_session_in_the_future_or_before_the_group_started(
    world: World, held_on: dt.date, rule: str
) -> None:
    group = make_group(world, started_on=dt.date(2018, 5, 2))

    with pytest.raises(ValidationError) as refusal:
        _session(world, group, held_on=held_on)

    assert rule in refusal.value.message_dict["held_on"][0]


def test_it_records_attendance_for_every_current_member_and_refuses_anyone_else(world: World) -> None:
    group = make_group(world)
    other = make_group(world, name="另一个小组")
    xiaohua, xiaoming, gone = (make_beneficiary(name, world.jiming) for name in ("李小花", "张小明", "王某"))
    present, absent = add_member(group, xiaohua), add_member(group, xiaoming)
    left = add_member(group, gone)
    left.left_on = dt.date(2018, 5, 20)
    left.save()
    stranger = add_member(other, make_beneficiary("赵某", world.jiming))

    with pytest.raises(ValidationError) as refusal:
        _session(world, group, present=[present, stranger])
    assert "现有组员" in refusal.value.message_dict["present"][0]
    with pytest.raises(ValidationError):
        _session(world, group, present=[left])

    session = _session(world, group, present=[present])
    attendance = {row.member_id: row.present for row in GroupAttendance.objects.filter(session=session)}
    assert attendance == {present.pk: True, absent.pk: False}


def test_it_does_not_record_the_same_session_twice(world: World) -> None:
    group = make_group(world)
    _session(world, group)
    with pytest.raises(ValidationError):
        _session(world, group)
    assert group.sessions.count() == 1


def test_it_adds_only_beneficiaries_the_actor_may_see_and_audits_it(world: World) -> None:
    group = make_group(world)
    grandmother = make_beneficiary("张秀英", world.jiming)
    in_wanzhou = make_beneficiary("万某", world.wanzhou)

    member = group_member_add(actor=world["worker"], group=group, beneficiary=grandmother)
    assert member.joined_on == TODAY
    with pytest.raises(ValidationError):
        group_member_add(actor=world["worker"], group=group, beneficiary=grandmother)
    with pytest.raises(PermissionDenied):
        group_member_add(actor=world["worker"], group=group, beneficiary=in_wanzhou)

    group_member_remove(actor=world["worker"], group=group, member=member)
    member.refresh_from_db()
    assert member.left_on == TODAY
    entries = AuditEntry.objects.filter(object_type="cases.group", object_id=str(group.pk))
    assert sorted(
        entry.detail.get("member_added", entry.detail.get("member_removed")) for entry in entries
    ) == [
        grandmother.pk,
        grandmother.pk,
    ]


def test_it_closes_a_group_only_with_an_evaluation(world: World) -> None:
    group = make_group(world)
    _session(world, group, held_on=dt.date(2018, 6, 20))

    with pytest.raises(ValidationError) as refusal:
        group_close(actor=world["worker"], group=group, evaluation="  ")
    assert "小组评估" in refusal.value.message_dict["evaluation"][0]
    with pytest.raises(ValidationError):
        group_close(actor=world["worker"], group=group, evaluation="目标达成", ended_on=dt.date(2018, 6, 1))

    group_close(actor=world["worker"], group=group, evaluation="组员自信心明显提升")

    group.refresh_from_db()
    assert (group.phase, group.ended_on) == (Group.Phase.ENDING, TODAY)
    entry = AuditEntry.objects.filter(
        action="update", object_type="cases.group", object_id=str(group.pk)
    ).first()
    assert entry is not None and "evaluation" in entry.detail["changed"]
    with pytest.raises(ValidationError):
        _session(world, group, held_on=TODAY, phase=Group.Phase.ENDING, topic="再聚")


def test_the_county_officer_writes_any_group_in_the_county(world: World) -> None:
    group = make_group(world)
    session = _session(world, group, actor="chengkou")
    assert session.number == 1


def test_it_does_not_create_the_same_group_twice(world: World) -> None:
    def create() -> Group:
        return group_create(
            actor=world["worker"],
            name="留守儿童朗诵队",
            purpose="朗诵",
            region=world.jiming,
            started_on=TODAY,
        )

    create()
    with pytest.raises(ValidationError):
        create()
    assert Group.objects.count() == 1


def test_a_worker_cannot_plan_a_group_or_activity_in_another_county(world: World) -> None:
    from sanqu.cases.models import CommunityActivity
    from sanqu.cases.services.community import community_activity_record
    from sanqu.regions.models import Region

    township = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    with pytest.raises(ValidationError) as refused:
        group_create(actor=world["worker"], name="外县小组", purpose="x", region=township, started_on=TODAY)
    assert refused.value.message_dict["region"] == ["只能在您负责的乡镇或村（社区）开展。"]
    with pytest.raises(ValidationError):
        community_activity_record(
            actor=world["worker"],
            name="外县活动",
            kind=CommunityActivity.Kind.choices[0][0],
            held_on=TODAY,
            region=township,
            headcounts={},
        )
    assert not Group.objects.exists()

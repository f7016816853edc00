"""Recording a community activity: headcount by target group, the date rule, scope and audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import CommunityActivity, TargetGroup
from sanqu.cases.services.community import community_activity_record
from sanqu.cases.tests.group_factories import TODAY
from sanqu.testing import World


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _record(world: World, actor: str = "worker", **values: object) -> CommunityActivity:
    groups = {group.code: group for group in TargetGroup.objects.all()}
    arguments: dict = {
        "name": "政策宣传进村",
        "kind": CommunityActivity.Kind.POLICY_PUBLICITY,
        "held_on": dt.date(2018, 7, 1),
        "region": world.jiming,
        "station": world.station,
        "place": "鸡鸣乡文化广场",
        "headcounts": {
            groups["left_behind_elderly"]: 23,
            groups["left_behind_women"]: 11,
            groups["other"]: 0,
        },
    }
    arguments.update(values)
    return community_activity_record(actor=world[actor], **arguments)


def test_it_records_the_headcount_by_target_group_and_audits_it(world: World) -> None:
    activity = _record(world)

    assert activity.worker == world.worker_person and activity.county == world.chengkou
    counts = {row.target_group.name: row.headcount for row in activity.attendance.all()}
    assert counts == {"留守老人": 23, "留守妇女": 11}
    assert AuditEntry.objects.filter(action="create", object_type="cases.communityactivity").count() == 1


def test_it_refuses_a_future_date_an_empty_headcount_and_a_double_submission(world: World) -> None:
    with pytest.raises(ValidationError) as refusal:
        _record(world, held_on=dt.date(2018, 7, 11))
    assert "不能晚于今天" in refusal.value.message_dict["held_on"][0]
    with pytest.raises(ValidationError) as refusal:
        _record(world, headcounts={})
    assert "headcounts" in refusal.value.message_dict

    _record(world)
    with pytest.raises(ValidationError):
        _record(world)
    assert CommunityActivity.objects.count() == 1


def test_it_refuses_the_leader_and_an_officer_of_another_county(world: World) -> None:
    with pytest.raises(PermissionDenied):
        _record(world, actor="leader")
    with pytest.raises(PermissionDenied):
        _record(world, actor="wanzhou", worker=world.worker_person)
    assert not CommunityActivity.objects.exists()

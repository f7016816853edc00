"""Team services: who may form and change a team, and the membership rules with their messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.regions.models import Station
from sanqu.testing import World, make_person
from sanqu.workforce import team_services as services
from sanqu.workforce.models import Team, TeamMember
from sanqu.workforce.tests.team_factories import FORMED, TODAY, jiming_team, serve, wanzhou_team


@pytest.fixture(autouse=True)
def today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def test_it_forms_a_team_and_writes_the_audit_trail(world: World) -> None:
    team = jiming_team(world)
    assert (team.county, team.station, team.organisation) == (world.chengkou, world.station, world.yangguang)
    entry = AuditEntry.objects.get(object_type="workforce.team", object_id=str(team.pk))
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.actor == world["chengkou"]


def test_it_refuses_a_second_team_of_the_same_name_in_the_county(world: World) -> None:
    jiming_team(world)
    with pytest.raises(ValidationError) as error:
        jiming_team(world)
    assert error.value.message_dict["name"] == ["城口县已有名为“鸡鸣乡社会工作服务团队”的团队。"]


def test_it_refuses_a_station_outside_the_county_and_a_future_date(world: World) -> None:
    elsewhere = Station.objects.create(name="万州区社会工作站", region=world.wanzhou)
    with pytest.raises(ValidationError) as error:
        services.team_create(
            actor=world["chengkou"], name="甲", county=world.chengkou, station=elsewhere, formed_on=FORMED
        )
    assert error.value.message_dict["station"] == ["服务站点须在团队所在的区县内。"]
    with pytest.raises(ValidationError) as error:
        services.team_create(
            actor=world["chengkou"], name="乙", county=world.chengkou, formed_on=dt.date(2018, 7, 11)
        )
    assert error.value.message_dict["formed_on"] == ["组建日期不能晚于今天（2018-07-10）。"]
    assert not Team.objects.exists()


def test_it_keeps_each_county_officer_to_their_own_county(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.team_create(actor=world["wanzhou"], name="甲", county=world.chengkou, formed_on=FORMED)
    team = jiming_team(world)
    with pytest.raises(Http404):
        services.team_update(actor=world["wanzhou"], team=team, data={"name": "乙"})
    with pytest.raises(PermissionDenied):
        services.team_update(actor=world["leader"], team=team, data={"name": "乙"})
    services.team_update(actor=world["city"], team=team, data={"name": "鸡鸣乡社工团队"})
    assert Team.objects.get(pk=team.pk).name == "鸡鸣乡社工团队"


def test_it_lets_an_organisation_manager_form_and_change_only_its_own_teams(world: World) -> None:
    own = services.team_create(
        actor=world["yangguang"], name="扬光城口团队", county=world.chengkou, organisation=world.yangguang,
        formed_on=FORMED,
    )  # fmt: skip
    services.team_update(actor=world["yangguang"], team=own, data={"name": "扬光城口服务团队"})
    with pytest.raises(PermissionDenied):
        services.team_create(
            actor=world["yangguang"], name="他人团队", county=world.chengkou, organisation=world.wanzhou_org,
            formed_on=FORMED,
        )  # fmt: skip
    with pytest.raises(Http404):
        services.team_update(actor=world["yangguang"], team=wanzhou_team(world), data={"name": "甲"})


def test_it_adds_members_in_their_roles(world: World) -> None:
    team = jiming_team(world)
    serve(world)
    local = make_person("赵本土", world.chengkou)
    actor = world["chengkou"]
    services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=FORMED
    )
    services.team_member_add(
        actor=actor, team=team, person=world.worker_person, role="dispatched", joined_on=dt.date(2018, 3, 5)
    )
    services.team_member_add(actor=actor, team=team, person=local, role="local", joined_on=FORMED)
    assert sorted(team.members.values_list("role", flat=True)) == ["dispatched", "local", "supervisor"]
    assert AuditEntry.objects.filter(object_type="workforce.teammember").count() == 3


def test_it_refuses_the_dispatched_role_without_a_dispatch_and_the_local_role_with_one(world: World) -> None:
    team = jiming_team(world)
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=world["chengkou"],
            team=team,
            person=world.worker_person,
            role="dispatched",
            joined_on=FORMED,
        )
    assert "没有派驻城口县的选派记录，不能作为选派社工加入" in error.value.message_dict["role"][0]
    serve(world)
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=world["chengkou"], team=team, person=world.worker_person, role="local", joined_on=FORMED
        )
    assert error.value.message_dict["role"] == [
        "李晓梅 在加入日期（2018-03-01）正派驻城口县，应作为选派社工加入。"
    ]
    assert not TeamMember.objects.exists()


def test_it_refuses_the_same_person_twice_over_overlapping_dates(world: World) -> None:
    team = jiming_team(world)
    actor = world["chengkou"]
    first = services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=FORMED
    )
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=actor, team=team, person=world.mentor_person, role="local", joined_on=dt.date(2018, 5, 1)
        )
    assert error.value.message_dict["person"] == [
        "王建国 2018-03-01 起已是本团队的专业督导，同一时期不能重复加入。"
    ]
    services.team_member_end(actor=actor, member=first, left_on=dt.date(2018, 4, 30))
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=actor,
            team=team,
            person=world.mentor_person,
            role="supervisor",
            joined_on=dt.date(2018, 4, 30),
        )
    assert "2018-03-01 至 2018-04-30已是本团队的专业督导" in error.value.message_dict["person"][0]
    # After the first membership ended, joining again is a new membership.
    services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=dt.date(2018, 5, 1)
    )
    assert team.members.count() == 2


def test_it_refuses_dates_outside_the_teams_life(world: World) -> None:
    team = jiming_team(world)
    actor = world["chengkou"]
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=actor,
            team=team,
            person=world.mentor_person,
            role="supervisor",
            joined_on=dt.date(2018, 2, 28),
        )
    assert error.value.message_dict["joined_on"] == ["加入日期不能早于团队组建日期（2018-03-01）。"]
    services.team_update(actor=actor, team=team, data={"disbanded_on": dt.date(2018, 6, 30)})
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=actor,
            team=team,
            person=world.mentor_person,
            role="supervisor",
            joined_on=dt.date(2018, 7, 1),
        )
    assert error.value.message_dict["joined_on"] == ["团队已于 2018-06-30 解散，加入日期不能晚于解散日期。"]
    with pytest.raises(ValidationError) as error:
        services.team_member_add(
            actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=TODAY
        )
    assert "2018-06-30" in error.value.message_dict["joined_on"][0]


def test_it_ends_a_membership_once_and_not_before_it_began(world: World) -> None:
    team = jiming_team(world)
    actor = world["chengkou"]
    member = services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=dt.date(2018, 4, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.team_member_end(actor=actor, member=member, left_on=dt.date(2018, 3, 31))
    assert error.value.message_dict["left_on"] == ["离开日期不能早于加入日期。"]
    with pytest.raises(ValidationError) as error:
        services.team_member_end(actor=actor, member=member, left_on=dt.date(2018, 7, 11))
    assert error.value.message_dict["left_on"] == ["离开日期不能晚于今天（2018-07-10）。"]
    services.team_member_end(actor=actor, member=member, left_on=dt.date(2018, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.team_member_end(actor=actor, member=member, left_on=dt.date(2018, 6, 2))
    assert error.value.message_dict["left_on"] == ["王建国 已于 2018-06-01 离开本团队。"]
    assert TeamMember.objects.get(pk=member.pk).left_on == dt.date(2018, 6, 1)


def test_disbanding_ends_the_open_memberships_and_refuses_a_date_before_a_member_joined(world: World) -> None:
    team = jiming_team(world)
    actor = world["chengkou"]
    member = services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=dt.date(2018, 5, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=actor, team=team, data={"disbanded_on": dt.date(2018, 4, 30)})
    assert error.value.message_dict["disbanded_on"] == ["王建国 于 2018-05-01 才加入，解散日期不能早于此日。"]
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=actor, team=team, data={"formed_on": dt.date(2018, 5, 2)})
    assert error.value.message_dict["formed_on"] == ["王建国 于 2018-05-01 加入，组建日期不能晚于此日。"]
    services.team_update(actor=actor, team=team, data={"disbanded_on": dt.date(2018, 6, 30)})
    assert TeamMember.objects.get(pk=member.pk).left_on == dt.date(2018, 6, 30)


def test_it_refuses_a_person_the_actor_cannot_see(world: World) -> None:
    team = jiming_team(world)
    outsider = make_person("钱万州", world.wanzhou, address="500101")
    with pytest.raises(PermissionDenied):
        services.team_member_add(
            actor=world["chengkou"], team=team, person=outsider, role="local", joined_on=FORMED
        )

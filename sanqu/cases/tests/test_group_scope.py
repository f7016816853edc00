"""Who sees a group and a community activity, persona by persona."""

from __future__ import annotations

import datetime as dt

from sanqu.cases.models import CommunityActivity
from sanqu.cases.selectors.community import activities_for, writable_activities
from sanqu.cases.selectors.groups import groups_for, writable_groups
from sanqu.cases.tests.group_factories import make_group
from sanqu.regions.models import Station
from sanqu.testing import World, make_person

EVERYONE = ["city", "leader", "chengkou", "wanzhou", "yangguang", "worker", "mentor", "editor", "reviewer"]


def _who(world: World, selector, record) -> set[str]:
    return {name for name in EVERYONE if selector(world[name]).filter(pk=record.pk).exists()}


def test_it_shows_a_workers_group_to_the_city_county_organisation_worker_and_supervisor(world: World) -> None:
    group = make_group(world)

    assert _who(world, groups_for, group) == {"city", "leader", "chengkou", "yangguang", "worker", "mentor"}
    assert _who(world, writable_groups, group) == {"chengkou", "worker"}


def test_it_shows_a_colleagues_group_at_her_station_but_not_one_elsewhere_in_the_county(world: World) -> None:
    colleague = make_person("周芳", world.chengkou)
    at_station = make_group(world, name="妇女手工小组", worker=colleague)
    elsewhere_region = world.chengkou.children.create(code="500229100", name="葛城街道", level=3)
    elsewhere = make_group(world, name="老年互助小组", worker=colleague, region=elsewhere_region)
    elsewhere.station = Station.objects.create(name="葛城街道社工站", region=elsewhere_region)
    elsewhere.save()

    worker = world["worker"]
    assert groups_for(worker).filter(pk=at_station.pk).exists()
    assert not groups_for(worker).filter(pk=elsewhere.pk).exists()
    assert writable_groups(worker).filter(pk=at_station.pk).exists()
    assert _who(world, groups_for, elsewhere) == {"city", "leader", "chengkou", "yangguang"}


def test_it_scopes_community_activities_the_same_way(world: World) -> None:
    activity = CommunityActivity.objects.create(
        name="政策宣传进村",
        kind=CommunityActivity.Kind.POLICY_PUBLICITY,
        held_on=dt.date(2018, 6, 1),
        county=world.chengkou,
        region=world.jiming,
        station=world.station,
        organisation=world.yangguang,
        worker=world.worker_person,
    )

    assert _who(world, activities_for, activity) == {
        "city",
        "leader",
        "chengkou",
        "yangguang",
        "worker",
        "mentor",
    }
    assert _who(world, writable_activities, activity) == {"chengkou", "worker"}

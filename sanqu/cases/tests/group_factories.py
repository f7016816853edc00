"""Groups, community activities and livelihood projects the group-work tests add to the world."""

from __future__ import annotations

import datetime as dt

from sanqu.cases.models import Beneficiary, Group, GroupMember
from sanqu.regions.models import Region
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


def make_village(world: World, *, code: str = "500229212201", name: str = "鸡鸣村") -> Region:
    return Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": Region.Level.VILLAGE, "parent": world.jiming}
    )[0]


def make_group(
    world: World, *, name: str = "留守儿童合唱团", started_on: dt.date = dt.date(2018, 5, 2), **extra: object
) -> Group:
    values: dict[str, object] = {
        "county": world.chengkou,
        "region": world.jiming,
        "station": world.station,
        "organisation": world.yangguang,
        "worker": world.worker_person,
        "purpose": "每周一次合唱练习，增强留守儿童的自信与同伴支持。",
        "planned_sessions": 8,
    }
    values.update(extra)
    return Group.objects.create(name=name, started_on=started_on, **values)


def add_member(
    group: Group, beneficiary: Beneficiary, *, joined_on: dt.date = dt.date(2018, 5, 2)
) -> GroupMember:
    return GroupMember.objects.create(group=group, beneficiary=beneficiary, joined_on=joined_on)

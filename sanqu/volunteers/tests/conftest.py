"""Volunteers in the shared test world: one in 城口 (鸡鸣乡 station) and one in 万州."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanqu.cases.models import CommunityActivity
from sanqu.lib import idnumber
from sanqu.testing import World
from sanqu.volunteers.models import Volunteer, VolunteerService
from sanqu.workforce.models import Person

TODAY = dt.date(2018, 7, 10)
CHENGKOU_ID = idnumber.make("500229", dt.date(1996, 3, 8), 24)  # a woman (even sequence)
WANZHOU_ID = idnumber.make("500101", dt.date(1988, 11, 2), 35)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def make_volunteer(
    world: World, *, name: str, number: str, county, station=None, organisation=None
) -> Volunteer:
    person = Person(name=name, county=county)
    person.set_id_number(number)
    person.save()
    return Volunteer.objects.create(
        person=person,
        county=county,
        station=station,
        organisation=organisation,
        registered_on=dt.date(2016, 3, 1),
        skills="急救、手工",
    )


def add_hours(volunteer: Volunteer, day: dt.date, hours: str, content: str = "入户探访") -> VolunteerService:
    return VolunteerService.objects.create(
        volunteer=volunteer, county=volunteer.county, served_on=day, hours=Decimal(hours), content=content
    )


@pytest.fixture
def chengkou_volunteer(world: World) -> Volunteer:
    return make_volunteer(
        world,
        name="向春燕",
        number=CHENGKOU_ID,
        county=world.chengkou,
        station=world.station,
        organisation=world.yangguang,
    )


@pytest.fixture
def wanzhou_volunteer(world: World) -> Volunteer:
    return make_volunteer(
        world, name="谭志刚", number=WANZHOU_ID, county=world.wanzhou, organisation=world.wanzhou_org
    )


@pytest.fixture
def activity(world: World) -> CommunityActivity:
    return CommunityActivity.objects.create(
        name="重阳节敬老活动",
        kind=CommunityActivity.Kind.CULTURAL,
        held_on=dt.date(2017, 10, 28),
        place="鸡鸣乡敬老院",
        county=world.chengkou,
        region=world.jiming,
        station=world.station,
        organisation=world.yangguang,
        worker=world.worker_person,
    )

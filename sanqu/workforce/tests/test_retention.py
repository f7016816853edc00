"""Retention arithmetic (completed ÷ ended), early leavers by reason, and the retention page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from sanqu.regions.models import Region
from sanqu.testing import World, make_person
from sanqu.workforce.figures import dispatch_retention, early_leavers_by_reason, retention_rate
from sanqu.workforce.models import Dispatch
from sanqu.workforce.tests.factories import make_dispatch

AS_OF = dt.date(2018, 7, 10)
Reason = Dispatch.LeaveReason
_names = iter(f"社工{n:03d}" for n in range(1000))


def term(
    world: World,
    county: Region,
    *,
    started_on: dt.date,
    ended_on: dt.date | None = None,
    status: str = Dispatch.Status.SERVING,
    reason: str = "",
) -> Dispatch:
    organisation = world.yangguang if county == world.chengkou else world.wanzhou_org
    dispatch = make_dispatch(
        person=make_person(next(_names), county),
        county=county,
        organisation=organisation,
        started_on=started_on,
    )
    dispatch.status, dispatch.ended_on, dispatch.leave_reason = status, ended_on, reason
    dispatch.full_clean()
    dispatch.save()
    return dispatch


def completed(world: World, county: Region, year: int) -> Dispatch:
    return term(
        world,
        county,
        started_on=dt.date(year, 3, 1),
        ended_on=dt.date(year + 1, 2, 28),
        status=Dispatch.Status.COMPLETED,
    )


def left(world: World, county: Region, ended_on: dt.date, reason: str) -> Dispatch:
    return term(
        world,
        county,
        started_on=dt.date(ended_on.year, 1, 2),
        ended_on=ended_on,
        status=Dispatch.Status.LEFT_EARLY,
        reason=reason,
    )


@pytest.fixture
def programme(world: World) -> World:
    """城口: 3 completed, 1 left early, 1 serving. 万州: 1 completed, 2 left early (one after the date)."""
    for year in (2015, 2016, 2017):
        completed(world, world.chengkou, year)
    left(world, world.chengkou, dt.date(2017, 6, 30), Reason.FAMILY)
    term(world, world.chengkou, started_on=dt.date(2018, 3, 1))
    completed(world, world.wanzhou, 2016)
    left(world, world.wanzhou, dt.date(2017, 5, 31), Reason.CIVIL_SERVICE)
    left(world, world.wanzhou, dt.date(2018, 9, 30), Reason.CIVIL_SERVICE)  # still serving on AS_OF
    return world


# The arithmetic.


@pytest.mark.parametrize(
    ("completed_", "ended", "rate"),
    [(0, 0, None), (0, 3, 0.0), (3, 3, 100.0), (2, 3, 66.7), (1, 3, 33.3), (11, 12, 91.7), (1, 8, 12.5)],
)
def test_it_rounds_retention_half_up_to_one_decimal(completed_: int, ended: int, rate: float | None) -> None:
    assert retention_rate(completed=completed_, ended=ended) == rate


def test_it_computes_retention_per_scope(programme: World) -> None:
    world = programme

    assert dispatch_retention(scope=world.chongqing, as_of=AS_OF) == {
        "ended": 6,
        "completed": 4,
        "left_early": 2,
        "rate": 66.7,
    }
    assert dispatch_retention(scope=world.chengkou, as_of=AS_OF) == {
        "ended": 4,
        "completed": 3,
        "left_early": 1,
        "rate": 75.0,
    }
    assert dispatch_retention(scope=world.wanzhou, as_of=AS_OF)["rate"] == 50.0
    # After 2018-09-30 the second 万州 leaver counts too: 1 of 3.
    assert dispatch_retention(scope=world.wanzhou, as_of=dt.date(2018, 12, 31))["rate"] == 33.3


def test_nothing_ended_gives_no_rate_rather_than_zero(programme: World) -> None:
    world = programme

    assert dispatch_retention(scope=world.chongqing, as_of=dt.date(2015, 12, 31)) == {
        "ended": 0,
        "completed": 0,
        "left_early": 0,
        "rate": None,
    }
    assert dispatch_retention(scope=world.jiming, as_of=AS_OF)["rate"] is None  # below county level


def test_it_counts_early_leavers_by_every_reason_in_order(programme: World) -> None:
    world = programme

    by_reason = early_leavers_by_reason(scope=world.chongqing, as_of=AS_OF)

    assert list(by_reason) == list(Reason.values)
    assert by_reason == {**dict.fromkeys(Reason.values, 0), "civil_service": 1, "family": 1}
    assert early_leavers_by_reason(scope=world.wanzhou, as_of=dt.date(2018, 12, 31))["civil_service"] == 2
    assert sum(early_leavers_by_reason(scope=world.chengkou, as_of=dt.date(2016, 1, 1)).values()) == 0


def test_each_figure_is_one_query(programme: World, django_assert_num_queries) -> None:
    world = programme
    with django_assert_num_queries(1):
        dispatch_retention(scope=world.chongqing, as_of=AS_OF)
    with django_assert_num_queries(1):
        early_leavers_by_reason(scope=world.chongqing, as_of=AS_OF)


# The page.


RETENTION = reverse("dispatch_retention")


def page(client: Client) -> str:
    response = client.get(RETENTION)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def pinned(settings) -> None:
    settings.SANQU_TODAY = AS_OF


def test_it_shows_the_city_each_county_side_by_side(programme: World, as_user, pinned: None) -> None:
    html = page(as_user("city"))

    assert "截至 2018-07-10" in html
    assert "66.7%" in html  # overall
    assert "75.0%" in html and "50.0%" in html  # 城口 and 万州
    assert "城口县" in html and "万州区" in html
    assert "城口县年度" not in html  # only the year rows read "…年度"
    assert "2017年度" in html
    assert "考取公务员或事业单位" in html


def test_the_county_officer_sees_only_its_county(programme: World, as_user, pinned: None) -> None:
    html = page(as_user("chengkou"))

    assert "75.0%" in html
    assert "万州区" not in html  # neither the county nor its organisation


def test_every_number_links_to_the_list_that_holds_as_many(programme: World, as_user, pinned: None) -> None:
    client = as_user("city")
    html = page(client)
    links = re.findall(r'<a href="(/dispatches/\?[^"]+)">(\d+)</a>', html)

    assert len(links) > 20
    for href, number in links:
        listing = client.get(href.replace("&amp;", "&")).content.decode()
        count = re.search(r'id="dispatches-title">[^<]*<span class="count">(\d+)</span>', listing)
        assert count is not None, href
        assert count.group(1) == number, href


def test_it_says_when_nothing_has_ended_yet(world: World, as_user, pinned: None) -> None:
    term(world, world.chengkou, started_on=dt.date(2018, 3, 1))

    html = page(as_user("chengkou"))

    assert "尚无结束的选派" in html
    assert "截至今日没有提前离岗的选派。" in html


@pytest.mark.parametrize("username", ["yangguang", "worker", "mentor", "editor"])
def test_it_is_for_city_and_county_roles_only(programme: World, as_user, username: str) -> None:
    assert as_user(username).get(RETENTION).status_code == 403


def test_the_leader_reads_it_too(programme: World, as_user, pinned: None) -> None:
    assert "66.7%" in page(as_user("leader"))
    assert Client().get(RETENTION).status_code == 302

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sanqu.accounts.models import Membership
from sanqu.accounts.roles import Role
from sanqu.regions.models import Region, Station
from sanqu.regions.selectors import get_station_for_user, regions_for, stations_for
from sanqu.testing import World


@pytest.fixture
def wanzhou_station(world: World) -> Station:
    street = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    return Station.objects.create(name="高笋塘街道社会工作站", kind=Station.Kind.STATION, region=street)


def station_names(world: World, username: str, *, write: bool = False) -> set[str]:
    return set(stations_for(world[username], write=write).values_list("name", flat=True))


def test_it_shows_each_county_its_own_subtree_of_regions(world: World, wanzhou_station: Station) -> None:
    assert set(regions_for(world["chengkou"]).values_list("code", flat=True)) == {"500229", "500229212"}
    assert set(regions_for(world["wanzhou"]).values_list("code", flat=True)) == {"500101", "500101001"}
    assert set(regions_for(world["worker"]).values_list("code", flat=True)) == {"500229212"}
    assert regions_for(world["city"]).count() == Region.objects.count()
    assert list(regions_for(world["city"], level=Region.Level.COUNTY).values_list("code", flat=True)) == [
        "500101",
        "500229",
    ]


def test_it_scopes_stations_to_the_subtree(world: World, wanzhou_station: Station) -> None:
    both = {"鸡鸣乡社会工作站", "高笋塘街道社会工作站"}
    assert station_names(world, "chengkou") == {"鸡鸣乡社会工作站"}
    assert station_names(world, "wanzhou") == {"高笋塘街道社会工作站"}
    assert station_names(world, "city") == both
    assert station_names(world, "leader") == both
    # Places are not sensitive: workers and organisation managers see the stations of their region.
    assert station_names(world, "worker") == {"鸡鸣乡社会工作站"}
    assert station_names(world, "yangguang") == {"鸡鸣乡社会工作站"}
    assert station_names(world, "yangguang", write=True) == set()


def test_it_answers_404_for_a_station_out_of_scope(world: World, wanzhou_station: Station) -> None:
    with pytest.raises(Http404):
        get_station_for_user(world["chengkou"], wanzhou_station.pk)
    with pytest.raises(Http404):
        get_station_for_user(world["wanzhou"], world.station.pk, write=True)
    with pytest.raises(Http404):
        get_station_for_user(world["chengkou"], "not-a-number")
    assert get_station_for_user(world["wanzhou"], wanzhou_station.pk) == wanzhou_station


def test_it_answers_403_when_a_read_only_role_would_write(world: World) -> None:
    assert get_station_for_user(world["leader"], world.station.pk) == world.station
    for username in ("leader", "worker", "yangguang"):
        with pytest.raises(PermissionDenied):
            get_station_for_user(world[username], world.station.pk, write=True)
    assert get_station_for_user(world["chengkou"], world.station.pk, write=True) == world.station
    assert get_station_for_user(world["city"], world.station.pk, write=True) == world.station


def test_it_needs_a_region_role_over_the_station_to_write(world: World, wanzhou_station: Station) -> None:
    # 万州's officer is also a social worker in 城口: she sees 城口's station but may not change it.
    Membership.objects.create(
        user=world["wanzhou"], role=Role.SOCIAL_WORKER, region=world.jiming, person=world.worker_person
    )
    assert station_names(world, "wanzhou") == {"鸡鸣乡社会工作站", "高笋塘街道社会工作站"}
    with pytest.raises(PermissionDenied):
        get_station_for_user(world["wanzhou"], world.station.pk, write=True)
    assert get_station_for_user(world["wanzhou"], wanzhou_station.pk, write=True) == wanzhou_station


def test_it_shows_nothing_to_an_anonymous_visitor(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not stations_for(AnonymousUser()).exists()
    assert not regions_for(AnonymousUser()).exists()
    with pytest.raises(Http404):
        get_station_for_user(AnonymousUser(), world.station.pk)

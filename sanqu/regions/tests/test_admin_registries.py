from __future__ import annotations

from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.regions.models import Region, Station
from sanqu.testing import World


def url(model: str, view: str, *args: object) -> str:
    return reverse(f"wagtailsnippets_regions_{model}:{view}", args=args)


def test_it_lists_the_regions_of_the_scope_with_filters_and_search(world: World, as_user) -> None:
    client = as_user("chengkou")
    body = client.get(url("region", "list")).content.decode()
    assert "鸡鸣乡" in body
    assert "万州区" not in body
    # The results view renders the table alone (the filter form offers every county of the scope).
    body = as_user("city").get(url("region", "list_results"), {"level": Region.Level.COUNTY}).content.decode()
    assert "万州区" in body
    assert "鸡鸣乡" not in body
    body = as_user("city").get(url("region", "list_results"), {"q": "5002292"}).content.decode()
    assert "鸡鸣乡" in body
    assert "万州区" not in body


def test_it_keeps_the_region_tree_read_only_even_for_the_city(world: World, as_user) -> None:
    client = as_user("city")
    data = {
        "code": "500229",
        "name": "改名县",
        "short_name": "改名",
        "level": 2,
        "parent": world.chongqing.pk,
    }
    client.post(url("region", "edit", world.chengkou.pk), data)
    client.post(url("region", "add"), {**data, "code": "500299"})
    world.chengkou.refresh_from_db()
    assert world.chengkou.name == "城口县"
    assert not Region.objects.filter(code="500299").exists()


def test_it_answers_404_for_a_region_out_of_scope(world: World, as_user) -> None:
    assert as_user("chengkou").get(url("region", "history", world.wanzhou.pk)).status_code == 404


def test_it_lets_the_county_officer_keep_her_stations(world: World, as_user) -> None:
    client = as_user("chengkou")
    data = {"name": "鸡鸣乡社会工作站", "kind": "station", "region": world.jiming.pk, "address": "鸡鸣乡场镇"}
    response = client.post(url("station", "edit", world.station.pk), data)
    assert response.status_code == 302
    world.station.refresh_from_db()
    assert world.station.address == "鸡鸣乡场镇"
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_type="regions.station").exists()


def test_it_hides_stations_from_outsiders_and_refuses_them(world: World, as_user) -> None:
    client = as_user("wanzhou")
    assert "鸡鸣乡社会工作站" not in client.get(url("station", "list")).content.decode()
    assert client.get(url("station", "edit", world.station.pk)).status_code == 404
    response = client.post(
        url("station", "add"), {"name": "越界站", "kind": "room", "region": world.jiming.pk}
    )
    assert response.status_code == 200
    assert not Station.objects.filter(name="越界站").exists()


def test_it_refuses_station_writes_to_the_leader(world: World, as_user) -> None:
    data = {"name": "改名", "kind": "station", "region": world.jiming.pk}
    as_user("leader").post(url("station", "edit", world.station.pk), data)
    world.station.refresh_from_db()
    assert world.station.name == "鸡鸣乡社会工作站"


def test_a_station_closed_before_it_opened_is_refused_in_words_not_by_the_rules_name(
    world: World, as_user
) -> None:
    data = {
        "name": "鸡鸣乡社会工作站", "kind": "station", "region": world.jiming.pk,
        "opened_on": "2018-05-01", "closed_on": "2018-04-30",
    }  # fmt: skip
    page = as_user("chengkou").post(url("station", "edit", world.station.pk), data).content.decode()
    assert "撤销日期不能早于建立日期。" in page and "station_closed_after_opened" not in page
    world.station.refresh_from_db()
    assert world.station.closed_on is None

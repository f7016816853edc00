"""The dashboard on the hand-built programme of `factories.py`: who sees it, its filters in the URL,
per-county and per-year values equal to the engine's, a fixed number of queries, and the map data."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.demo.plan import RECEIVING
from sanqu.figures.dashboard import (
    county_figures,
    county_shapes,
    dashboard_scopes,
    match_shapes,
    team_model,
    trend,
)
from sanqu.figures.engine import compute_figures
from sanqu.figures.tests.factories import D, Programme, certificate, dispatch, person, service
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, Station
from sanqu.testing import make_user
from sanqu.workforce.models import Dispatch, Person, Team, TeamMember

# The keys a county row gives exactly as compute_figures(scope=county) does.
ENGINE_KEYS = [
    "dispatched_total",
    "dispatched_people",
    "trained_total",
    "organisations_total",
    "certified_total",
    "certified_baseline",
    "certified_growth_multiple",
    "incentive_counties",
    "beneficiaries_by_group",
    "services_by_type",
    "service_hours",
    "projects_total",
    "dispatch_retention",
]
URL = "/figures/"


@pytest.fixture
def users(programme: Programme) -> dict[str, User]:
    sender = Organisation.objects.get(name="城口甲社工中心")
    worker = Person.objects.get(name="张一")
    return {
        "city": make_user("city", (Role.CITY_ADMIN, programme.chongqing, {})),
        "leader": make_user("leader", (Role.CITY_VIEWER, programme.chongqing, {})),
        "chengkou": make_user("chengkou", (Role.COUNTY_OFFICER, programme.chengkou, {})),
        "manager": make_user("manager", (Role.ORG_MANAGER, programme.chengkou, {"organisation": sender})),
        "worker": make_user("worker", (Role.SOCIAL_WORKER, programme.jiming, {"person": worker})),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_data(response: Any) -> dict[str, Any]:
    html = response.content.decode()
    start = html.index('<script id="dashboard-data" type="application/json">') + len(
        '<script id="dashboard-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


# Who sees what --------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["manager", "worker"])
def test_organisations_and_workers_have_no_dashboard(users: dict[str, User], username: str) -> None:
    client = client_for(users[username])
    assert client.get(URL).status_code == 404
    assert client.get(reverse("figures_county_map", args=["50"])).status_code == 404
    assert "figures_dashboard" not in client.get("/").content.decode()


def test_anonymous_visitors_are_sent_to_log_in(programme: Programme) -> None:
    response = Client().get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_city_picks_the_municipality_or_a_receiving_county(users: dict[str, User]) -> None:
    scopes = [region.code for region in dashboard_scopes(users["city"])]
    # 江北 never receives; 开州 joins in 2014.
    assert scopes == ["500000", "500101", "500154", "500229"]
    response = client_for(users["leader"]).get(URL, {"scope": "500154", "as_of": "2014-12-31"})
    assert response.status_code == 200
    assert response.context["scope"].code == "500154"


def test_the_county_officer_sees_her_county_only(users: dict[str, User]) -> None:
    client = client_for(users["chengkou"])
    assert [region.code for region in dashboard_scopes(users["chengkou"])] == ["500229"]
    response = client.get(URL, {"as_of": "2014-12-31"})
    assert response.status_code == 200
    assert response.context["scope"].code == "500229"
    assert [tile["value"] for tile in response.context["tiles"]][:3] == [
        1,
        2,
        1,
    ]  # receiving, dispatched (p1 twice), trained
    # Another county, the municipality, a county that does not exist: 404, never a hint.
    for scope in ("500101", "500000", "500105", "999999"):
        assert client.get(URL, {"scope": scope}).status_code == 404


# Filters in the URL ---------------------------------------------------------------------------


def test_the_filters_are_kept_in_the_url_and_every_link(users: dict[str, User]) -> None:
    query = {
        "scope": "500000",
        "as_of": "2014-12-31",
        "year_from": "2014",
        "year_to": "2014",
        "figure": "certified_total",
    }
    response = client_for(users["city"]).get(URL, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert {name: form[name].value() for name in query} == query
    data = page_data(response)
    assert data["figure"] == "certified_total"
    assert [row["year"] for row in data["trend"]] == [2014]
    html = response.content.decode()
    assert 'value="2014-12-31"' in html and '<option value="certified_total" selected>' in html
    # Each tile opens its records for the same scope and date.
    tiles = {tile["key"]: tile for tile in response.context["tiles"]}
    assert tiles["dispatched_total"]["value"] == 4
    assert query_of(tiles["dispatched_total"]["url"]) == {
        "figure": "dispatched_total",
        "scope": "500000",
        "as_of": "2014-12-31",
    }
    assert urlsplit(tiles["certified_total"]["url"]).path == reverse("figure_records")
    assert escape(tiles["certified_total"]["url"]) in html


def test_wrong_filters_are_shown_and_the_defaults_used(users: dict[str, User]) -> None:
    response = client_for(users["city"]).get(
        URL, {"as_of": "2018-02-30", "year_from": "2014", "year_to": "2013", "figure": "nonsense"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "YYYY-MM-DD" in errors["as_of"][0]
    assert errors["year_to"] == ["截止年度不能早于起始年度。"]
    assert "figure" in errors
    assert page_data(response)["figure"] == "dispatched_total"


# The same numbers as the engine ---------------------------------------------------------------


def test_each_county_row_equals_the_engine_for_that_county(programme: Programme) -> None:
    for as_of in (D, dt.date(2013, 12, 31), dt.date(2015, 6, 30)):
        rows = county_figures(scope=programme.chongqing, as_of=as_of)
        expected = [county.code for county in (programme.wanzhou, programme.kaizhou, programme.chengkou)]
        assert [row["code"] for row in rows] == sorted(
            expected if as_of >= dt.date(2014, 6, 1) else expected[::2]
        )
        for row in rows:
            county = Region.objects.get(code=row["code"])
            figures = compute_figures(scope=county, as_of=as_of)
            assert {key: row[key] for key in ENGINE_KEYS} == {key: figures[key] for key in ENGINE_KEYS}, row[
                "code"
            ]
            assert row["beneficiaries"] <= sum(figures["beneficiaries_by_group"].values())  # type: ignore[attr-defined]
            assert row["services"] == sum(figures["services_by_type"].values())  # type: ignore[attr-defined]


def test_the_county_rows_of_a_county_scope_are_its_own(programme: Programme) -> None:
    rows = county_figures(scope=programme.chengkou, as_of=D)
    figures = compute_figures(scope=programme.chengkou, as_of=D)
    assert [row["code"] for row in rows] == ["500229"]
    assert rows[0]["dispatched_total"] == figures["dispatched_total"] == 2
    assert rows[0]["beneficiaries"] == 2


def test_each_year_of_the_trend_equals_the_engine_at_the_year_end(programme: Programme) -> None:
    for scope in (programme.chongqing, programme.chengkou, programme.kaizhou):
        rows = trend(scope=scope, as_of=D)
        assert [(row["year"], row["as_of"]) for row in rows] == [(2013, dt.date(2014, 5, 31)), (2014, D)]
        for row in rows:
            figures = compute_figures(scope=scope, as_of=row["as_of"])
            for key in ("dispatched_total", "trained_total", "certified_total"):
                assert row[key] == figures[key], (scope.code, row["year"], key)
    assert [row["beneficiaries"] for row in trend(scope=programme.chongqing, as_of=D)] == [3, 4]
    assert trend(scope=programme.chongqing, as_of=D, first=2014)[0]["year"] == 2014
    assert trend(scope=programme.chongqing, as_of=dt.date(2013, 1, 1)) == []


def test_the_team_model_counts_members_on_the_date(programme: Programme) -> None:
    station = Station.objects.create(
        name="鸡鸣乡社会工作站", kind=Station.Kind.STATION, region=programme.jiming
    )
    team = Team.objects.create(
        name="鸡鸣服务队", county=programme.chengkou, station=station, formed_on=dt.date(2014, 1, 1)
    )
    gone = Team.objects.create(
        name="旧队",
        county=programme.chengkou,
        formed_on=dt.date(2013, 1, 1),
        disbanded_on=dt.date(2014, 1, 1),
    )
    Team.objects.create(name="江北队", county=programme.jiangbei, formed_on=dt.date(2013, 1, 1))
    members = [
        (person("督导甲", programme.chengkou), TeamMember.Role.SUPERVISOR, dt.date(2014, 1, 1), None),
        (person("社工乙", programme.chengkou), TeamMember.Role.DISPATCHED, dt.date(2014, 6, 1), None),
        (
            person("社工丙", programme.chengkou),
            TeamMember.Role.DISPATCHED,
            dt.date(2014, 1, 1),
            dt.date(2014, 5, 1),
        ),
        (person("社工丁", programme.chengkou), TeamMember.Role.LOCAL, dt.date(2014, 1, 1), D),  # leaves on D
        (
            person("志愿者戊", programme.chengkou),
            TeamMember.Role.VOLUNTEER,
            dt.date(2015, 1, 1),
            None,
        ),  # later
    ]
    for who, role, joined, left in members:
        TeamMember.objects.create(team=team, person=who, role=role, joined_on=joined, left_on=left)
    TeamMember.objects.create(
        team=gone, person=members[0][0], role=TeamMember.Role.SUPERVISOR, joined_on=dt.date(2013, 1, 1)
    )
    rows = team_model(scope=programme.chongqing, as_of=D)
    assert rows == [
        {"team": team.pk, "name": "鸡鸣服务队", "station": "鸡鸣乡社会工作站", "county": "城口",
         "code": "500229", "supervisor": 1, "dispatched": 1, "local": 1, "volunteer": 0},
    ]  # fmt: skip
    assert team_model(scope=programme.wanzhou, as_of=D) == []


def test_the_page_shows_the_engine_figures_with_their_links(
    users: dict[str, User], programme: Programme
) -> None:
    response = client_for(users["city"]).get(URL, {"as_of": "2014-12-31"})
    data = page_data(response)
    figures = compute_figures(scope=programme.chongqing, as_of=D)
    assert [tile["value"] for tile in response.context["tiles"]] == [3, 4, 2, 4, 4, 2]
    assert response.context["growth"]["multiple"] == figures["certified_growth_multiple"] == 0.3
    chengkou = next(row for row in data["counties"] if row["code"] == "500229")
    assert chengkou["feature"] == "城口县"
    assert chengkou["values"]["dispatched_total"] == 2
    assert query_of(chengkou["links"]["beneficiaries"]) == {
        "figure": "beneficiaries_by_group", "scope": "500229", "as_of": "2014-12-31",
    }  # fmt: skip
    assert query_of(chengkou["retention"]["link"])["part"] == "rate"
    groups = {group["code"]: group for group in data["groups"]}
    assert groups["registered_poor"]["value"] == figures["beneficiaries_by_group"]["registered_poor"] == 2  # type: ignore[index]
    assert query_of(groups["registered_poor"]["link"])["part"] == "registered_poor"
    assert sum(item["value"] for item in data["services"]) == sum(figures["services_by_type"].values())  # type: ignore[attr-defined]
    assert [query_of(row["links"]["certified_total"])["as_of"] for row in data["trend"]] == [
        "2014-05-31",
        "2014-12-31",
    ]
    assert data["map_url"] == reverse("figures_county_map", args=["50"])


# A fixed number of queries --------------------------------------------------------------------


def grow(programme: Programme) -> None:
    """More records everywhere and a new receiving county with its own records."""
    fengdu = Region.objects.create(
        code="500230", name="丰都县", level=Region.Level.COUNTY, parent=programme.chongqing
    )
    year = ProgrammeYear.objects.get(year=2014)
    ReceivingCounty.objects.create(programme_year=year, county=fengdu, dispatch_quota=1, training_quota=1)
    sender = Organisation.objects.get(name="江北戊社工中心")
    worker = Person.objects.get(name="张一")
    for number in range(6):
        for county in (fengdu, programme.chengkou, programme.wanzhou):
            someone = person(f"新人{county.code}{number}", programme.jiangbei)
            dispatch(someone, year, sender, county, dt.date(2014, 7, 1), Dispatch.Status.SERVING)
            certificate(someone, county, dt.date(2014, 8, 1))
            service(county, dt.date(2014, 9, 1), "counselling", "1.0", worker)


def test_the_page_costs_the_same_queries_whatever_the_data(
    users: dict[str, User], programme: Programme
) -> None:
    client = client_for(users["city"])
    client.get(URL, {"as_of": "2014-12-31"})  # warm the session and the map shapes
    with CaptureQueriesContext(connection) as before:
        assert client.get(URL, {"as_of": "2014-12-31"}).status_code == 200
    grow(programme)
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL, {"as_of": "2014-12-31"})
    assert len(page_data(response)["counties"]) == 4
    assert len(after) == len(before)


# The county map -------------------------------------------------------------------------------


def test_the_map_covers_the_demo_counties_by_code_with_current_names() -> None:
    shapes = county_shapes("50")
    names = {feature["properties"]["code"]: feature["properties"]["name"] for feature in shapes["features"]}
    assert len(names) == 38  # Chongqing's 26 districts and 12 counties
    assert set(RECEIVING) <= set(names), set(RECEIVING) - set(names)
    assert names["500154"] == "开州区" and "开县" not in names.values()
    assert names["500156"] == "武隆区"
    assert names["500243"] == "彭水苗族土家族自治县"
    for feature in shapes["features"]:
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}


def test_every_county_of_the_test_programme_has_a_shape_and_a_missing_one_is_reported(
    programme: Programme,
) -> None:
    counties = list(Region.objects.filter(level=Region.Level.COUNTY))
    matched, missing = match_shapes(counties, county_shapes("50"))
    assert missing == []
    assert matched == {"500229": "城口县", "500101": "万州区", "500154": "开州区", "500105": "江北区"}
    # A county known by its current name under another code still finds its shape; an unknown one is reported.
    renamed = Region(code="500999", name="城口县", level=Region.Level.COUNTY)
    unknown = Region(code="500998", name="两江新区", level=Region.Level.COUNTY)
    matched, missing = match_shapes([renamed, unknown], county_shapes("50"))
    assert matched == {"500999": "城口县"} and missing == [unknown]


def test_the_map_is_served_by_sanqu_to_dashboard_users(users: dict[str, User]) -> None:
    response = client_for(users["chengkou"]).get(reverse("figures_county_map", args=["50"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    assert "max-age" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 38
    assert client_for(users["chengkou"]).get(reverse("figures_county_map", args=["11"])).status_code == 404

"""Team pages as each persona sees them: the scoped list with today's composition, a team's members
over time, the forms, and the refusals (405, login, 404 out of scope, 403 read-only)."""

from __future__ import annotations

import datetime as dt

import pytest

from sanqu.testing import World, make_person
from sanqu.workforce import team_services as services
from sanqu.workforce.models import Team, TeamMember
from sanqu.workforce.tests.team_factories import FORMED, TODAY, jiming_team, serve, wanzhou_team


@pytest.fixture(autouse=True)
def today(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def team(world: World) -> Team:
    """鸡鸣乡's team: the mentor, the worker (dispatched), a local worker, and one who has left."""
    team = jiming_team(world)
    serve(world)
    actor = world["chengkou"]
    services.team_member_add(
        actor=actor, team=team, person=world.mentor_person, role="supervisor", joined_on=FORMED
    )
    services.team_member_add(
        actor=actor, team=team, person=world.worker_person, role="dispatched", joined_on=dt.date(2018, 3, 5)
    )
    local, gone = make_person("赵本土", world.chengkou), make_person("钱已走", world.chengkou)
    services.team_member_add(actor=actor, team=team, person=local, role="local", joined_on=FORMED)
    services.team_member_add(
        actor=actor, team=team, person=gone, role="local", joined_on=FORMED, left_on=dt.date(2018, 5, 31)
    )
    return team


def test_it_lists_each_team_with_its_station_and_todays_composition(as_user, team: Team) -> None:
    response = as_user("chengkou").get("/teams/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "鸡鸣乡社会工作服务团队" in text
    assert "鸡鸣乡社会工作站" in text
    composition = response.context["page"].object_list[0]
    assert (
        composition.supervisor_count,
        composition.dispatched_count,
        composition.local_count,
        composition.volunteer_count,
    ) == (1, 1, 1, 0)
    assert "组建团队" in text


@pytest.mark.parametrize(
    ("username", "sees"),
    [("city", True), ("leader", True), ("chengkou", True), ("yangguang", True), ("worker", True),
     ("mentor", True), ("wanzhou", False)],
)  # fmt: skip
def test_the_list_is_scoped(as_user, world: World, team: Team, username: str, sees: bool) -> None:
    wanzhou_team(world)
    names = [t.name for t in as_user(username).get("/teams/").context["page"].object_list]
    assert ("鸡鸣乡社会工作服务团队" in names) is sees
    assert ("万州区社会工作服务团队" in names) is (username in {"city", "leader", "wanzhou"})


def test_the_team_page_shows_members_now_and_before(as_user, team: Team) -> None:
    response = as_user("worker").get(f"/teams/{team.pk}/")
    assert response.status_code == 200
    roster = response.context["roster"]
    assert [m.person.name for m in roster.current] == ["王建国", "李晓梅", "赵本土"]
    assert [m.person.name for m in roster.past] == ["钱已走"]
    text = response.content.decode()
    assert "曾经的成员" in text and "2018-05-31 离开" in text
    # A worker reads her team; she does not change it.
    assert "加入成员" not in text and "修改团队信息" not in text


def test_outsiders_get_404_and_readers_403(as_user, client, team: Team) -> None:
    assert as_user("wanzhou").get(f"/teams/{team.pk}/").status_code == 404
    assert as_user("wanzhou").post(f"/teams/{team.pk}/members/", {}).status_code == 404
    assert as_user("leader").get(f"/teams/{team.pk}/edit/").status_code == 403
    assert as_user("leader").post(f"/teams/{team.pk}/members/", {}).status_code == 403
    assert as_user("editor").get("/teams/").status_code == 403
    assert as_user("leader").get("/teams/new/").status_code == 403
    assert as_user("chengkou").delete("/teams/").status_code == 405
    assert as_user("chengkou").get(f"/teams/{team.pk}/members/").status_code == 405
    response = client.get("/teams/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_county_officer_forms_a_team_from_the_form(as_user, world: World) -> None:
    client = as_user("chengkou")
    form = client.get("/teams/new/").context["form"]
    assert list(form.fields["county"].queryset) == [world.chengkou]
    response = client.post(
        "/teams/new/",
        {"name": "鸡鸣乡服务团队", "county": world.chengkou.pk, "station": world.station.pk,
         "organisation": world.yangguang.pk, "formed_on": "2018-03-01"},
    )  # fmt: skip
    team = Team.objects.get(name="鸡鸣乡服务团队")
    assert response.status_code == 302 and response["Location"] == f"/teams/{team.pk}/"
    response = client.post(
        "/teams/new/", {"name": "鸡鸣乡服务团队", "county": world.chengkou.pk, "formed_on": "2018-03-01"}
    )
    assert response.status_code == 200
    assert "城口县已有名为“鸡鸣乡服务团队”的团队。" in response.content.decode()


def test_a_manager_forms_teams_only_for_its_organisation(as_user, world: World) -> None:
    client = as_user("yangguang")
    form = client.get("/teams/new/").context["form"]
    assert list(form.fields["organisation"].queryset) == [world.yangguang]
    response = client.post(
        "/teams/new/", {"name": "扬光团队", "county": world.chengkou.pk, "formed_on": "2018-03-01"}
    )
    assert response.status_code == 200
    assert not Team.objects.exists()


def test_members_join_and_leave_from_the_team_page(as_user, world: World, team: Team) -> None:
    client = as_user("chengkou")
    newcomer = make_person("孙新人", world.chengkou)
    response = client.post(
        f"/teams/{team.pk}/members/",
        {"person": newcomer.pk, "role": "local", "joined_on": "2018-07-01"},
        follow=True,
    )
    assert "孙新人 已作为本土社工加入团队。" in response.content.decode()
    member = TeamMember.objects.get(person=newcomer)
    response = client.post(
        f"/teams/{team.pk}/members/{member.pk}/leave/", {"left_on": "2018-06-30"}, follow=True
    )
    assert "离开日期不能早于加入日期。" in response.content.decode()
    client.post(f"/teams/{team.pk}/members/{member.pk}/leave/", {"left_on": "2018-07-09"})
    assert TeamMember.objects.get(pk=member.pk).left_on == dt.date(2018, 7, 9)
    response = client.post(
        f"/teams/{team.pk}/members/",
        {"person": world.worker_person.pk, "role": "dispatched", "joined_on": "2018-07-01"},
        follow=True,
    )
    assert "李晓梅 2018-03-05 起已是本团队的选派社工，同一时期不能重复加入。" in response.content.decode()


def test_the_form_offers_only_people_in_scope_and_the_teams_county(as_user, world: World, team: Team) -> None:
    make_person("钱万州", world.wanzhou, address="500101")
    form = as_user("chengkou").get(f"/teams/{team.pk}/").context["member_form"]
    names = {person.name for person in form.fields["person"].queryset}
    assert "钱万州" not in names and "李晓梅" in names


def test_disbanding_from_the_edit_form(as_user, world: World, team: Team) -> None:
    client = as_user("chengkou")
    response = client.post(
        f"/teams/{team.pk}/edit/",
        {"name": team.name, "county": world.chengkou.pk, "station": world.station.pk,
         "organisation": world.yangguang.pk, "formed_on": "2018-03-01", "disbanded_on": "2018-07-01"},
    )  # fmt: skip
    assert response.status_code == 302
    assert not team.members.filter(left_on__isnull=True).exists()
    page = client.get(f"/teams/{team.pk}/")
    assert "本团队已于 2018-07-01 解散。" in page.content.decode()
    assert page.context["member_form"] is None

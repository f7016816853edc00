"""Community activity pages: list, form with headcount by target group, detail, refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sanqu.cases.models import CommunityActivity, CommunityAttendance, TargetGroup
from sanqu.cases.tests.group_factories import TODAY
from sanqu.testing import World


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _activity(world: World) -> CommunityActivity:
    activity = CommunityActivity.objects.create(
        name="政策宣传进村",
        kind=CommunityActivity.Kind.POLICY_PUBLICITY,
        held_on=dt.date(2018, 6, 1),
        place="鸡鸣乡文化广场",
        county=world.chengkou,
        region=world.jiming,
        station=world.station,
        organisation=world.yangguang,
        worker=world.worker_person,
    )
    CommunityAttendance.objects.create(
        activity=activity, target_group=TargetGroup.objects.get(code="left_behind_elderly"), headcount=23
    )
    CommunityAttendance.objects.create(
        activity=activity, target_group=TargetGroup.objects.get(code="left_behind_women"), headcount=11
    )
    return activity


def _data(world: World, **values: object) -> dict:
    data: dict = {
        "name": "互助议事会",
        "kind": "mutual_aid",
        "held_on": "2018-07-05",
        "duration_hours": "2",
        "region": world.jiming.pk,
        "station": world.station.pk,
        "place": "村委会",
        "count_left_behind_elderly": "15",
        "count_registered_poor": "6",
    }
    data.update(values)
    return data


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    activity = _activity(world)
    for url in ("/cases/community/", "/cases/community/new/", f"/cases/community/{activity.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    activity = _activity(world)
    client = as_user("worker")
    assert client.post("/cases/community/").status_code == 405
    assert client.post(f"/cases/community/{activity.pk}/").status_code == 405
    assert client.delete("/cases/community/new/").status_code == 405


def test_it_answers_404_out_of_scope_and_403_to_the_leader_writing(world: World, as_user) -> None:
    activity = _activity(world)
    assert as_user("wanzhou").get(f"/cases/community/{activity.pk}/").status_code == 404
    assert "政策宣传进村" not in as_user("wanzhou").get("/cases/community/").content.decode()
    leader = as_user("leader")
    assert leader.get(f"/cases/community/{activity.pk}/").status_code == 200
    assert leader.get("/cases/community/new/").status_code == 403
    assert leader.post("/cases/community/new/", _data(world)).status_code == 403
    assert CommunityActivity.objects.count() == 1


def test_it_shows_the_headcount_by_target_group(world: World, as_user) -> None:
    activity = _activity(world)

    listing = as_user("chengkou").get("/cases/community/").content.decode()
    content = as_user("chengkou").get(f"/cases/community/{activity.pk}/").content.decode()

    assert "34 人参与" in listing
    assert "留守老人" in content and "23" in content and "留守妇女" in content


def test_the_worker_records_an_activity_with_headcounts(world: World, as_user) -> None:
    client = as_user("worker")
    assert 'name="count_left_behind_children"' in client.get("/cases/community/new/").content.decode()

    response = client.post("/cases/community/new/", _data(world))

    activity = CommunityActivity.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/community/{activity.pk}/"
    assert {row.target_group.code: row.headcount for row in activity.attendance.all()} == {
        "left_behind_elderly": 15,
        "registered_poor": 6,
    }


def test_it_keeps_the_input_and_says_why_when_refused(world: World, as_user) -> None:
    response = as_user("worker").post(
        "/cases/community/new/", _data(world, count_left_behind_elderly="", count_registered_poor="")
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "请至少填写一类服务对象的参与人数" in content and "互助议事会" in content
    assert not CommunityActivity.objects.exists()

"""Supervision pages as each persona sees them: the list (given, received, the county's), a session
with links to its cases, the form, and the open follow-ups with the overdue ones flagged."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanqu.cases.models import Case
from sanqu.testing import World, make_person
from sanqu.workforce import team_services as services
from sanqu.workforce.models import SupervisionFollowUp, SupervisionSession
from sanqu.workforce.tests.team_factories import TODAY, second_supervisee, session, worker_case


@pytest.fixture(autouse=True)
def today(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def case(world: World) -> Case:
    return worker_case(world)


@pytest.fixture
def given(world: World, case: Case) -> SupervisionSession:
    return session(world, cases=[case])


@pytest.fixture
def other_session(world: World) -> SupervisionSession:
    """The mentor's session with another of her workers (not the worker's to see)."""
    other = second_supervisee(world)
    return services.supervision_session_record(
        actor=world["mentor"],
        supervisees=[other],
        held_on=dt.date(2018, 6, 25),
        format=SupervisionSession.Format.REMOTE,
        duration_hours=Decimal(1),
        topics="小组工作的筹备",
    )


@pytest.mark.parametrize(
    ("username", "count"),
    [("mentor", 2), ("worker", 1), ("chengkou", 2), ("city", 2), ("leader", 2), ("wanzhou", 0)],
)
def test_the_list_is_scoped(as_user, given, other_session, username: str, count: int) -> None:
    response = as_user(username).get("/teams/supervision/")
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


def test_the_supervisor_sees_her_sessions_and_a_button_to_record_one(as_user, given) -> None:
    text = as_user("mentor").get("/teams/supervision/").content.decode()
    assert "我的督导记录" in text and "记录督导" in text
    assert "个案预估的方法" in text and "李晓梅" in text
    worker_text = as_user("worker").get("/teams/supervision/").content.decode()
    assert "我接受的督导" in worker_text and "记录督导</a>" not in worker_text


def test_the_session_page_links_each_case_to_its_case_page(as_user, given, case: Case) -> None:
    response = as_user("worker").get(f"/teams/supervision/{given.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert f'href="/cases/{case.pk}/"' in text
    assert case.number in text and "张秀英" in text
    assert "补充张秀英的家庭支持评估" in text


def test_a_case_the_reader_may_not_open_is_counted_not_shown(
    as_user, world: World, given, case: Case
) -> None:
    # The beneficiary is a child under 14: the city's leadership sees the session, not the child.
    beneficiary = case.beneficiary
    beneficiary.birth_date = dt.date(2010, 1, 1)
    beneficiary.save()
    response = as_user("leader").get(f"/teams/supervision/{given.pk}/")
    assert response.context["cases"] == []
    text = response.content.decode()
    assert case.number not in text and "另有 1 个个案不在您的查看范围内。" in text


def test_outsiders_get_404_and_others_403(as_user, client, world: World, given, other_session) -> None:
    assert as_user("wanzhou").get(f"/teams/supervision/{given.pk}/").status_code == 404
    assert as_user("worker").get(f"/teams/supervision/{other_session.pk}/").status_code == 404
    follow_up = given.follow_ups.first()
    assert (
        as_user("wanzhou").post(f"/teams/supervision/follow-ups/{follow_up.pk}/done/", {}).status_code == 404
    )
    assert as_user("yangguang").get("/teams/supervision/").status_code == 403
    assert (
        as_user("chengkou").post(f"/teams/supervision/follow-ups/{follow_up.pk}/done/", {}).status_code == 403
    )
    assert as_user("worker").get("/teams/supervision/new/").status_code == 403
    assert as_user("chengkou").get("/teams/supervision/new/").status_code == 403
    assert as_user("leader").post(f"/teams/supervision/{given.pk}/follow-ups/", {}).status_code == 403
    assert as_user("mentor").put("/teams/supervision/").status_code == 405
    assert client.get("/teams/supervision/").status_code == 302


def test_the_mentor_records_a_session_from_the_form(as_user, world: World, case: Case) -> None:
    client = as_user("mentor")
    form = client.get("/teams/supervision/new/").context["form"]
    assert list(form.fields["supervisees"].queryset) == [world.worker_person]
    assert list(form.fields["cases"].queryset) == [case]
    response = client.post(
        "/teams/supervision/new/",
        {
            "supervisees": [world.worker_person.pk],
            "held_on": "2018-07-09",
            "format": "on_site",
            "duration_hours": "2",
            "topics": "独居老人的情绪支持",
            "notes": "",
            "cases": [case.pk],
            "follow_ups-TOTAL_FORMS": "3",
            "follow_ups-INITIAL_FORMS": "0",
            "follow_ups-0-action": "每周电话随访一次",
            "follow_ups-0-owner": world.worker_person.pk,
            "follow_ups-0-due_on": "2018-07-31",
        },
    )
    recorded = SupervisionSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/teams/supervision/{recorded.pk}/"
    assert list(recorded.cases.all()) == [case]
    assert recorded.follow_ups.get().action == "每周电话随访一次"


def test_the_form_says_what_is_wrong_and_saves_nothing(as_user, world: World, case: Case) -> None:
    response = as_user("mentor").post(
        "/teams/supervision/new/",
        {
            "supervisees": [world.worker_person.pk],
            "held_on": "2018-07-09",
            "format": "individual",
            "duration_hours": "1",
            "topics": "个案记录",
            "follow_ups-TOTAL_FORMS": "3",
            "follow_ups-INITIAL_FORMS": "0",
            "follow_ups-0-action": "整理记录",
            "follow_ups-0-owner": world.worker_person.pk,
            "follow_ups-0-due_on": "2018-07-01",
        },
    )
    assert response.status_code == 200
    assert "跟进事项“整理记录”的完成期限不能早于督导日期（2018-07-09）。" in response.content.decode()
    response = as_user("mentor").post(
        "/teams/supervision/new/",
        {"supervisees": [world.worker_person.pk], "held_on": "2018-07-11", "format": "individual",
         "duration_hours": "1", "topics": "甲", "follow_ups-TOTAL_FORMS": "0",
         "follow_ups-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert "督导日期不能晚于今天（2018-07-10）。" in response.content.decode()
    assert not SupervisionSession.objects.exists()


def test_a_case_of_a_worker_outside_the_supervision_is_not_offered(as_user, world: World, case: Case) -> None:
    stranger = make_person("孙外人", world.chengkou)
    response = as_user("mentor").post(
        "/teams/supervision/new/",
        {"supervisees": [stranger.pk], "held_on": "2018-07-09", "format": "individual", "duration_hours": "1",
         "topics": "甲", "follow_ups-TOTAL_FORMS": "0", "follow_ups-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.context["form"].errors["supervisees"]
    assert not SupervisionSession.objects.exists()


def test_open_follow_ups_flag_the_overdue_and_the_owner_marks_one_done(as_user, world: World, given) -> None:
    client = as_user("worker")
    response = client.get("/teams/supervision/follow-ups/")
    items = response.context["follow_ups"]
    assert [(item.action, item.overdue) for item in items] == [
        ("补充张秀英的家庭支持评估", True),  # due 2018-07-01, today is 2018-07-10
        ("提供预估量表", False),
    ]
    text = response.content.decode()
    assert "已逾期" in text and "1 项逾期" in text
    mine = given.follow_ups.get(owner=world.worker_person)
    assert response.context["completable"] == {mine.pk}
    response = client.post(
        f"/teams/supervision/follow-ups/{mine.pk}/done/",
        {"done_on": "2018-07-09", "outcome": "已补充", "next": "follow_ups"},
        follow=True,
    )
    assert "已完成：补充张秀英的家庭支持评估" in response.content.decode()
    assert SupervisionFollowUp.objects.get(pk=mine.pk).done_on == dt.date(2018, 7, 9)
    assert [item.action for item in response.context["follow_ups"]] == ["提供预估量表"]


def test_the_supervisor_adds_a_follow_up_on_the_session_page(as_user, world: World, given) -> None:
    response = as_user("mentor").post(
        f"/teams/supervision/{given.pk}/follow-ups/",
        {"new-action": "下次带上过程记录", "new-owner": world.worker_person.pk, "new-due_on": "2018-07-20"},
        follow=True,
    )
    assert "已添加跟进事项。" in response.content.decode()
    assert given.follow_ups.count() == 3

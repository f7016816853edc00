"""The case pages: caseload, county list, review queue, timeline and stage forms, with their refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Assessment, Case, CasePlan, Closure, ServiceRecord, ServiceType
from sanqu.cases.services import case_referrals
from sanqu.cases.tests.case_factories import TODAY, assess, evaluate, in_intervention, open_case, submit_plan
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World


@pytest.fixture(autouse=True)
def _pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    case = open_case(world)
    for url in (
        "/cases/",
        "/cases/county/",
        "/cases/reviews/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/assessment/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert Client().post(f"/cases/{case.pk}/assessment/", {"problems_needs": "x"}).status_code == 302
    assert not Assessment.objects.exists()


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    case = open_case(world)
    client = as_user("worker")
    for url in ("/cases/", f"/cases/{case.pk}/", "/cases/reviews/"):
        assert client.post(url).status_code == 405, url
    assert client.put(f"/cases/{case.pk}/assessment/").status_code == 405
    assert as_user("chengkou").post("/cases/county/").status_code == 405


def test_it_answers_404_out_of_scope(world: World, as_user) -> None:
    case = open_case(world)
    plan = submit_plan(world, assess(world, case))
    for url in (f"/cases/{case.pk}/", f"/cases/{case.pk}/assessment/", f"/cases/plans/{plan.pk}/review/"):
        assert as_user("wanzhou").get(url).status_code == 404, url
    assert as_user("worker").get("/cases/999999/").status_code == 404
    content = as_user("wanzhou").get(f"/cases/{case.pk}/").content.decode()
    assert "不在您的权限范围内" in content


def test_it_answers_404_to_a_supervisor_of_someone_else(world: World, as_user) -> None:
    from sanqu.accounts.roles import Role
    from sanqu.testing import make_person, make_user

    world.users["other_mentor"] = make_user(
        "other_mentor", (Role.SUPERVISOR, world.chengkou, {"person": make_person("赵督导", world.chengkou)})
    )
    plan = submit_plan(world, assess(world, open_case(world)))
    client = as_user("other_mentor")
    assert client.get(f"/cases/{plan.case_id}/").status_code == 404
    assert client.post(f"/cases/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 404
    assert CasePlan.objects.get(pk=plan.pk).status == CasePlan.Status.SUBMITTED


def test_it_refuses_a_read_only_role_writing(world: World, as_user) -> None:
    case = open_case(world)
    plan = submit_plan(world, assess(world, case))
    leader = as_user("leader")
    assert leader.get(f"/cases/{case.pk}/").status_code == 200  # may read
    assert leader.post(f"/cases/{case.pk}/assessment/", {"problems_needs": "x"}).status_code == 403
    assert leader.post(f"/cases/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 403
    assert leader.get("/cases/").status_code == 403  # no caseload of her own
    assert leader.get("/cases/county/").status_code == 403
    assert as_user("mentor").post(f"/cases/{case.pk}/assessment/", {"problems_needs": "x"}).status_code == 403
    assert case.assessments.count() == 1


def _post(client: Client, url: str, data: dict[str, object]):
    return client.post(url, data)


def test_it_opens_a_case_from_the_form_and_shows_it_in_the_caseload(world: World, as_user) -> None:
    beneficiary = make_beneficiary("张秀英", world.jiming, worker=world.worker_person)
    client = as_user("worker")
    form = client.get(f"/cases/open/?beneficiary={beneficiary.pk}")
    assert form.status_code == 200 and "主要问题" in form.content.decode()
    data = {
        "token": "tok-open",
        "beneficiary": beneficiary.pk,
        "opened_on": "2018-07-01",
        "source": "outreach",
        "presenting_problem": "独居老人，行动不便",
        "risk_flags": ["no_carer"],
        "decision": "take_on",
    }
    response = _post(client, "/cases/open/", data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    assert _post(client, "/cases/open/", data).status_code == 302  # the double tap
    assert Case.objects.count() == 1
    page = client.get("/cases/").content.decode()
    assert "张秀英" in page and case.number in page and "接案" in page
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "独居老人，行动不便" in detail and "无人照料" in detail


def test_it_shows_a_stage_rule_on_the_form(world: World, as_user) -> None:
    case = open_case(world)
    client = as_user("worker")
    response = _post(
        client,
        f"/cases/{case.pk}/plan/",
        {
            "token": "tok-plan",
            "drafted_on": "2018-07-01",
            "goals-TOTAL_FORMS": "1",
            "goals-INITIAL_FORMS": "0",
            "goals-0-goal": "减轻孤独感",
            "goals-0-objective": "每周参加活动1次",
        },
    )
    assert response.status_code == 200
    assert "尚未完成预估，不能制定服务计划（先预估，后计划）。" in response.content.decode()
    assert not CasePlan.objects.exists()
    future = _post(
        client,
        f"/cases/{case.pk}/assessment/",
        {"token": "tok-a", "assessed_on": "2018-07-11", "problems_needs": "缺少陪伴"},
    )
    assert "日期不能晚于今天（2018-07-10）。" in future.content.decode()


def test_it_walks_a_case_through_its_stages_on_the_pages(world: World, as_user) -> None:
    case = open_case(world)
    worker, mentor = as_user("worker"), as_user("mentor")
    assert (
        _post(
            worker,
            f"/cases/{case.pk}/assessment/",
            {"token": "a1", "assessed_on": "2018-05-09", "problems_needs": "缺少陪伴"},
        ).status_code
        == 302
    )
    plan_data = {
        "token": "p1",
        "drafted_on": "2018-05-16",
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-0-goal": "减轻孤独感",
        "goals-0-objective": "每周参加村里活动至少1次",
        "goals-1-goal": "",
        "goals-1-objective": "",
    }
    assert _post(worker, f"/cases/{case.pk}/plan/", plan_data).status_code == 302
    plan = CasePlan.objects.get()
    assert plan.goals.count() == 1
    queue = mentor.get("/cases/reviews/").content.decode()
    assert "待审批的服务计划" in queue and f"/cases/plans/{plan.pk}/review/" in queue
    assert _post(mentor, f"/cases/plans/{plan.pk}/review/", {"decision": "return"}).status_code == 200
    assert _post(mentor, f"/cases/plans/{plan.pk}/review/", {"decision": "approve"}).status_code == 302
    assert Case.objects.get(pk=case.pk).stage == Case.Stage.INTERVENTION
    ServiceRecord.objects.create(
        served_on=dt.date(2018, 6, 1), worker=world.worker_person, method="case",
        service_type=ServiceType.objects.get(name="精神慰藉"), duration_hours=1, beneficiary=case.beneficiary,
        case=case, county=world.chengkou, notes="陪老人聊天，整理药品",
    )  # fmt: skip
    goal = plan.goals.get()
    assert (
        _post(
            worker,
            f"/cases/{case.pk}/evaluation/",
            {
                "token": "e1",
                "evaluated_on": "2018-07-01",
                f"level_{goal.pk}": "met",
                f"note_{goal.pk}": "每周都去",
            },
        ).status_code
        == 302
    )
    assert (
        _post(
            worker,
            f"/cases/{case.pk}/closure/",
            {"token": "c1", "closed_on": "2018-07-05", "reason": "goal_met", "summary": "目标达成"},
        ).status_code
        == 302
    )
    closure = Closure.objects.get()
    assert _post(mentor, f"/cases/closures/{closure.pk}/review/", {"decision": "approve"}).status_code == 302
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    assert (
        _post(
            worker,
            f"/cases/{case.pk}/follow-up/",
            {"token": "f1", "followed_on": "2018-07-09", "notes": "电话回访，情绪稳定"},
        ).status_code
        == 302
    )
    page = worker.get(f"/cases/{case.pk}/").content.decode()
    order = [
        "缺少陪伴",
        "每周参加村里活动至少1次",
        "陪老人聊天，整理药品",
        "每周都去",
        "目标达成",
        "电话回访，情绪稳定",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert "记录跟进" in page and "重新开案" in page and "结案</a>" not in page


def test_it_shows_the_actions_allowed_now(world: World, as_user) -> None:
    case = open_case(world)
    page = as_user("worker").get(f"/cases/{case.pk}/").content.decode()
    assert f"/cases/{case.pk}/assessment/" in page and f"/cases/{case.pk}/plan/" not in page
    assert "记录服务" not in page
    case = in_intervention(world, make_beneficiary("刘大爷", world.jiming))
    page = as_user("worker").get(f"/cases/{case.pk}/").content.decode()
    assert "记录服务" in page and f"/cases/{case.pk}/evaluation/" in page
    assert "现在可以做" not in as_user("leader").get(f"/cases/{case.pk}/").content.decode()


def test_it_shows_the_overdue_badges_in_the_caseload(world: World, as_user) -> None:
    in_intervention(world)  # opened 2018-05-02, no service since
    page = as_user("worker").get("/cases/").content.decode()
    assert "30 天未服务" in page and "最近服务" not in page  # no service yet: no date to show


def test_it_lists_the_county_cases_masked_with_filters(world: World, as_user) -> None:
    first = open_case(world)
    second = evaluate(world, in_intervention(world, make_beneficiary("刘大爷", world.jiming)))
    client = as_user("chengkou")
    page = client.get("/cases/county/").content.decode()
    assert "张秀英" in page and "刘大爷" in page and "李晓梅" in page
    assert first.beneficiary.id_number not in page and second.beneficiary.id_number not in page
    filtered = client.get("/cases/county/", {"stage": "evaluation"}).content.decode()
    assert "刘大爷" in filtered and "张秀英" not in filtered
    assert "张秀英" not in as_user("wanzhou").get("/cases/county/").content.decode()


def test_it_answers_a_referral_from_the_queue(world: World, as_user) -> None:
    case = in_intervention(world)
    referral = case_referrals.referral_create(
        actor=world["worker"], case=case, referred_on=TODAY, reason="需要心理咨询",
        receiver=case_referrals.ReceiverInput(to_agency="县精神卫生中心"),
    )  # fmt: skip
    client = as_user("chengkou")
    assert f"/cases/referrals/{referral.pk}/answer/" in client.get("/cases/reviews/").content.decode()
    assert as_user("worker").get(f"/cases/referrals/{referral.pk}/answer/").status_code == 403
    assert as_user("wanzhou").get(f"/cases/referrals/{referral.pk}/answer/").status_code == 404
    response = client.post(
        f"/cases/referrals/{referral.pk}/answer/", {"decision": "accept", "note": "已安排"}
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(detail__event="referral_accepted", actor=world["chengkou"]).exists()


def test_it_puts_the_case_pages_in_the_navigation(world: World, as_user) -> None:
    assert "我的个案" in as_user("worker").get("/").content.decode()
    assert "督导审批" in as_user("mentor").get("/").content.decode()
    county = as_user("chengkou").get("/").content.decode()
    assert "区县个案" in county and "审批与转介" in county
    leader = as_user("leader").get("/").content.decode()
    assert "我的个案" not in leader and "区县个案" not in leader


def test_it_refers_to_a_station_and_reopens_from_the_pages(world: World, as_user) -> None:
    case = in_intervention(world)
    client = as_user("worker")
    response = client.post(
        f"/cases/{case.pk}/referral/",
        {
            "token": "r1",
            "referred_on": "2018-07-02",
            "reason": "需要日间照料",
            "to_station": world.station.pk,
        },
    )
    assert response.status_code == 302
    referral = case.referrals.get()
    assert referral.to_station == world.station and referral.answer_due_on == dt.date(2018, 7, 16)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "鸡鸣乡社会工作站" in page and "需要日间照料" in page
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, stage=Case.Stage.CLOSED, closed_on=TODAY
    )
    case_referrals.referral_answer(actor=world["chengkou"], referral=referral, accept=True)
    assert client.post(f"/cases/{case.pk}/reopen/", {"reason": ""}).status_code == 200
    assert client.post(f"/cases/{case.pk}/reopen/", {"reason": "老人摔伤，需要继续服务"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.OPEN and case.reopened_times == 1


def test_it_keeps_a_childs_case_from_the_city_and_the_organisation(world: World, as_user) -> None:
    child = make_beneficiary(
        "李小花",
        world.jiming,
        born=dt.date(2009, 4, 1),
        groups=("left_behind_children",),
        worker=world.worker_person,
    )
    case = open_case(world, child)
    for name in ("city", "leader", "yangguang", "wanzhou"):
        assert as_user(name).get(f"/cases/{case.pk}/").status_code == 404, name
    for name in ("worker", "mentor", "chengkou"):
        assert as_user(name).get(f"/cases/{case.pk}/").status_code == 200, name


def test_it_refuses_lists_a_role_has_nothing_in(world: World, as_user) -> None:
    # The publicity staff read no registry or case work; a worker reviews nothing: 403, not an empty page.
    for persona in ("editor", "reviewer"):
        client = as_user(persona)
        for url in ("/people/", "/cases/groups/", "/cases/community/", "/cases/reviews/"):
            assert client.get(url).status_code == 403, (persona, url)
    assert as_user("worker").get("/cases/reviews/").status_code == 403
    assert as_user("city").get("/cases/reviews/").status_code == 403
    for persona in ("mentor", "chengkou", "yangguang"):
        assert as_user(persona).get("/cases/reviews/").status_code == 200, persona

"""Training pages as users see them: overview, trainees, recommending, courses, the register, hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client

from sanqu.lib import idnumber
from sanqu.testing import World
from sanqu.training.models import Attendance, Trainee
from sanqu.training.tests.factories import Training, attend

NEW_ID = idnumber.make("500229", dt.date(1992, 4, 5), 611)


def _text(response) -> str:
    return response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World, training: Training) -> None:
    for url in (
        "/training/",
        "/training/trainees/",
        "/training/courses/",
        "/training/hours/",
        "/training/recommend/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_refuses_the_wrong_methods(world: World, training: Training, as_user) -> None:
    client = as_user("chengkou")
    assert client.post("/training/").status_code == 405
    assert client.post(f"/training/trainees/{training.chengkou_trainee.pk}/").status_code == 405
    assert client.get(f"/training/trainees/{training.chengkou_trainee.pk}/complete/").status_code == 405
    assert client.get(f"/training/courses/{training.course.pk}/sessions/").status_code == 405


def test_roles_without_training_get_403(world: World, training: Training, as_user) -> None:
    for username in ("worker", "mentor", "yangguang", "editor"):
        client = as_user(username)
        assert client.get("/training/").status_code == 403
        assert client.get("/training/courses/").status_code == 403
        assert client.get(f"/training/sessions/{training.sessions[0].pk}/").status_code == 403


def test_the_overview_shows_quota_recommended_attending_completed(
    world: World, training: Training, as_user
) -> None:
    attend(training.chengkou_trainee, *training.sessions)
    Trainee.objects.filter(pk=training.chengkou_trainee.pk).update(completed_on=dt.date(2018, 6, 1))
    page = _text(as_user("city").get("/training/?year=2018"))
    assert "2018 年度培养对象" in page
    assert "城口县" in page and "万州区" in page
    assert f"?year=2018&amp;county={world.chengkou.pk}&amp;status=completed" in page
    assert "1 / 2" in page and "1 / 1" in page and "名额已满" in page
    # The county officer sees its own county only.
    page = _text(as_user("chengkou").get("/training/?year=2018"))
    assert "城口县" in page and "万州区" not in page


def test_the_trainee_list_filters_and_is_scoped(world: World, training: Training, as_user) -> None:
    page = _text(as_user("city").get("/training/trainees/"))
    assert "张春燕" in page and "刘志强" in page
    page = _text(as_user("city").get(f"/training/trainees/?county={world.wanzhou.pk}"))
    assert "张春燕" not in page and "刘志强" in page
    page = _text(as_user("city").get("/training/trainees/?status=completed"))
    assert "没有符合筛选条件的培养对象" in page
    page = _text(as_user("chengkou").get("/training/trainees/"))
    assert "张春燕" in page and "刘志强" not in page
    page = _text(
        as_user("chengkou").get("/training/trainees/?q=" + training.chengkou_trainee.person.id_number)
    )
    assert "张春燕" in page


def test_wanzhou_gets_404_on_chengkou_trainees(world: World, training: Training, as_user) -> None:
    client = as_user("wanzhou")
    pk = training.chengkou_trainee.pk
    assert client.get(f"/training/trainees/{pk}/").status_code == 404
    assert (
        client.post(f"/training/trainees/{pk}/complete/", {"completed_on": "2018-06-01"}).status_code == 404
    )
    assert client.post(f"/training/trainees/{pk}/course/", {"course": ""}).status_code == 404
    assert as_user("chengkou").get(f"/training/trainees/{pk}/").status_code == 200
    assert as_user("leader").get(f"/training/trainees/{pk}/").status_code == 200


def test_recommending_on_the_page_and_over_the_quota(world: World, training: Training, as_user) -> None:
    client = as_user("chengkou")
    page = _text(client.get("/training/recommend/?year=2018"))
    assert "1 / 2" in page and "万州区" not in page
    data = {
        "programme_year": training.year.pk,
        "county": world.chengkou.pk,
        "id_number": NEW_ID,
        "name": "陈小雨",
        "workplace": "坪坝镇人民政府",
        "course": training.course.pk,
    }
    response = client.post("/training/recommend/?year=2018", data)
    assert response.status_code == 302
    assert Trainee.objects.filter(person__name="陈小雨", course=training.course).exists()
    response = client.post(
        "/training/recommend/?year=2018",
        {**data, "id_number": idnumber.make("500229", dt.date(1991, 1, 1), 613), "name": "周明"},
    )
    assert response.status_code == 200
    assert "城口县2018年度的培养名额为 2 人，已推荐 2 人" in _text(response)
    assert as_user("leader").get("/training/recommend/").status_code == 403


def test_completion_on_the_page(world: World, training: Training, as_user) -> None:
    client = as_user("chengkou")
    url = f"/training/trainees/{training.chengkou_trainee.pk}/"
    attend(training.chengkou_trainee, training.sessions[0])
    page = _text(client.get(url))
    assert "已计 8 学时，结业需 16 学时" in page and "确认结业" not in page
    response = client.post(url + "complete/", {"completed_on": "2018-06-01"})
    assert "张春燕已计学时 8，未达到培训班要求的 16 学时，不能结业。" in _text(response)
    attend(training.chengkou_trainee, training.sessions[1])
    assert "确认结业" in _text(client.get(url))
    assert client.post(url + "complete/", {"completed_on": "2018-06-01"}).status_code == 302
    assert "2018-06-01 结业" in _text(client.get(url))
    # The viewer reads, and is not offered the form.
    assert "确认结业" not in _text(as_user("leader").get(url))


def test_the_course_page_lists_sessions_and_only_ones_own_trainees(
    world: World, training: Training, as_user
) -> None:
    page = _text(as_user("chengkou").get(f"/training/courses/{training.course.pk}/"))
    for topic in ("社会工作伦理与价值", "留守儿童个案研讨", "农村社会工作站建设", "鸡鸣乡社会工作站"):
        assert topic in page
    assert "专题讲座" in page and "实地考察" in page
    assert "张春燕" in page and "刘志强" not in page
    assert "添加课程" not in page
    assert "添加课程" in _text(as_user("city").get(f"/training/courses/{training.course.pk}/"))


def test_the_city_office_sets_up_a_course_and_a_session(world: World, training: Training, as_user) -> None:
    client = as_user("city")
    response = client.post(
        "/training/courses/new/",
        {
            "programme_year": training.year.pk,
            "name": "民政部社会工作专业人才服务“三区”计划培训班",
            "level": "ministry",
            "organiser": "民政部社会工作司",
            "place": "北京",
            "starts_on": "2018-05-21",
            "ends_on": "2018-05-25",
            "required_hours": "40",
        },
    )
    assert response.status_code == 302
    course_url = response["Location"]
    response = client.post(
        course_url + "sessions/",
        {"held_on": "2018-05-28", "kind": "lecture", "topic": "社会工作政策", "hours": "8"},
    )
    assert "课程日期 2018-05-28 不在培训班日期（2018-05-21 至 2018-05-25）内。" in _text(response)
    response = client.post(
        course_url + "sessions/",
        {"held_on": "2018-05-21", "kind": "lecture", "topic": "社会工作政策", "hours": "8"},
    )
    assert response.status_code == 302
    assert "社会工作政策" in _text(client.get(course_url))
    assert as_user("chengkou").get("/training/courses/new/").status_code == 403


def test_the_register_ticks_with_the_sessions_hours_by_default(
    world: World, training: Training, as_user
) -> None:
    client = as_user("chengkou")
    session = training.sessions[0]
    url = f"/training/sessions/{session.pk}/"
    page = _text(client.get(url))
    assert "张春燕" in page and "刘志强" not in page
    pk = training.chengkou_trainee.pk
    response = client.post(url, {"present": [str(pk)], f"hours-{pk}": ""})
    assert response.status_code == 302
    assert Attendance.objects.get(trainee=training.chengkou_trainee, session=session).hours == Decimal(8)
    response = client.post(url, {"present": [str(pk)], f"hours-{pk}": "9"})
    assert "不超过本次课程的 8 学时" in _text(response)
    assert Attendance.objects.get(trainee=training.chengkou_trainee, session=session).hours == Decimal(8)
    # The viewer sees the register but may not write it.
    page = _text(as_user("leader").get(url))
    assert "保存出勤" not in page and "刘志强" in page
    assert as_user("leader").post(url, {"present": [str(pk)]}).status_code == 403


def test_the_hours_page_lists_people_by_year(world: World, training: Training, as_user) -> None:
    attend(training.chengkou_trainee, training.sessions[0], training.sessions[3])
    Trainee.objects.create(
        person=training.chengkou_trainee.person,
        programme_year=training.earlier,
        county=world.chengkou,
        course_name="重庆市“三区”计划本土社会工作人才培养对象培训班",
        hours=Decimal(56),
    )
    page = _text(as_user("chengkou").get("/training/hours/"))
    assert "2017" in page and "2018" in page
    assert "张春燕" in page and ">56<" in page and ">12<" in page and ">68<" in page
    assert "刘志强" not in page
    page = _text(as_user("city").get(f"/training/hours/?county={world.wanzhou.code}"))
    assert "刘志强" in page and "张春燕" not in page

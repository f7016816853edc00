"""The report pages: who sees which report, and the actions each may take from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sanqu.projects.models import PeriodicReport, ReportTemplate
from sanqu.projects.tests.factories import make_project, make_template
from sanqu.projects.tests.report_support import filed_report
from sanqu.testing import World

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def submitted(world: World, settings) -> PeriodicReport:
    settings.SANQU_TODAY = D(2017, 4, 12)
    project = make_project(world)
    return filed_report(world, project, make_template(project.programme_year), D(2017, 3, 1))


def test_the_list_shows_the_reports_in_scope_only(world: World, as_user, submitted: PeriodicReport) -> None:
    for name in ("chengkou", "yangguang", "worker", "city", "leader"):
        assert submitted.project.name in as_user(name).get(reverse("report_list")).content.decode(), name
    page = as_user("wanzhou").get(reverse("report_list"))
    assert page.status_code == 200
    assert submitted.project.name not in page.content.decode()


def test_the_list_filters_what_waits_for_my_review(world: World, as_user, submitted: PeriodicReport) -> None:
    page = as_user("chengkou").get(reverse("report_list"), {"mine": "on"}).content.decode()
    assert "有 1 份报告等待您审核" in page
    assert reverse("report_detail", args=[submitted.pk]) in page
    empty = as_user("chengkou").get(reverse("report_list"), {"status": "accepted"}).content.decode()
    assert "没有符合筛选条件的报告" in empty


def test_the_detail_answers_404_out_of_scope_and_asks_a_login(world: World, as_user, submitted) -> None:
    url = reverse("report_detail", args=[submitted.pk])
    assert as_user("wanzhou").get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert as_user("editor").get(url).status_code == 404


def test_the_officer_sees_the_review_buttons_and_the_organisation_the_figures(
    world, as_user, submitted
) -> None:
    url = reverse("report_detail", args=[submitted.pk])
    officer = as_user("chengkou").get(url).content.decode()
    assert "退回修改" in officer and "审核通过" in officer
    assert "填写报告" not in officer
    manager = as_user("yangguang").get(url).content.decode()
    assert "退回修改" not in manager
    assert "个案服务(人次)" in manager  # each figure with its label from the template
    assert "本月开展入户走访和小组活动。" in manager


def test_returning_from_the_page_shows_the_comment_to_the_organisation(world, as_user, submitted) -> None:
    response = as_user("chengkou").post(
        reverse("report_return", args=[submitted.pk]), {"comment": "请补充小组活动的过程记录。"}
    )
    assert response.status_code == 302
    page = as_user("yangguang").get(reverse("report_detail", args=[submitted.pk])).content.decode()
    assert "报告被退回" in page
    assert "请补充小组活动的过程记录。" in page
    assert "填写报告" in page


def test_a_return_without_comment_changes_nothing(world, as_user, submitted) -> None:
    response = as_user("chengkou").post(
        reverse("report_return", args=[submitted.pk]), {"comment": ""}, follow=True
    )
    assert "须填写审核意见" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_review_actions_refuse_the_outsider_the_organisation_and_get(world, as_user, submitted) -> None:
    accept = reverse("report_accept", args=[submitted.pk])
    assert as_user("wanzhou").post(accept).status_code == 404
    assert as_user("yangguang").post(accept).status_code == 403
    assert as_user("leader").post(accept).status_code == 403
    assert as_user("chengkou").get(accept).status_code == 405
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_start_edit_and_submit_from_the_pages(world: World, as_user, settings) -> None:
    settings.SANQU_TODAY = D(2017, 4, 12)
    project = make_project(world)
    template = make_template(project.programme_year)
    worker = as_user("worker")

    panel = worker.get(reverse("report_project_panel", args=[project.pk])).content.decode()
    assert "填报本期报告" in panel
    assert "已逾期" in panel  # January and February are past their due dates

    response = worker.post(
        reverse("report_start", args=[project.pk]), {"template": template.pk, "period_start": "2017-03-01"}
    )
    report = PeriodicReport.objects.get()
    assert response["Location"] == reverse("report_edit", args=[report.pk])
    response = worker.post(
        reverse("report_edit", args=[report.pk]),
        {"narrative": "三月工作。", "problems": "", "next_steps": "", "value_home_visits": "abc"},
    )
    assert response.status_code == 200
    assert "输入一个数字" in response.content.decode()
    worker.post(
        reverse("report_edit", args=[report.pk]),
        {"narrative": "三月工作。", "problems": "", "next_steps": "", "value_home_visits": "8"},
    )
    worker.post(reverse("report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert (report.status, report.values) == ("submitted", {"home_visits": 8})
    assert as_user("chengkou").post(reverse("report_submit", args=[report.pk])).status_code == 403


def test_starting_a_period_twice_or_too_early_says_why(world: World, as_user, settings) -> None:
    settings.SANQU_TODAY = D(2017, 4, 12)
    project = make_project(world)
    template = make_template(project.programme_year, cadence=ReportTemplate.Cadence.MONTHLY)
    manager = as_user("yangguang")
    url = reverse("report_start", args=[project.pk])
    manager.post(url, {"template": template.pk, "period_start": "2017-03-01"})

    again = manager.post(url, {"template": template.pk, "period_start": "2017-03-01"}, follow=True)
    early = manager.post(url, {"template": template.pk, "period_start": "2017-04-01"}, follow=True)

    assert "这一期的报告已经存在。" in again.content.decode()
    assert "报告期尚未结束" in early.content.decode()
    assert PeriodicReport.objects.count() == 1
    assert (
        as_user("wanzhou").post(url, {"template": template.pk, "period_start": "2017-02-01"}).status_code
        == 404
    )


def test_the_project_panel_is_scoped(world: World, as_user, submitted: PeriodicReport) -> None:
    url = reverse("report_project_panel", args=[submitted.project_id])
    assert as_user("wanzhou").get(url).status_code == 404
    panel = as_user("chengkou").get(url).content.decode()
    # January and February never came; March came on 12 April, two days after its due date.
    assert "按时报送率 0.0%（0/3）" in panel
    assert "逾期报送 1" in panel and "未报 2" in panel
    assert "填报本期报告" not in panel

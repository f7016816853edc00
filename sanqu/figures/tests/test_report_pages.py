"""Results report pages: asked for on the page, written by a task with its progress, published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from sanqu.figures.models import FigureSnapshot, ReportFile
from sanqu.figures.report_services import request_report, run_report
from sanqu.figures.report_tasks import generate_report
from sanqu.figures.tests.factories import D
from sanqu.figures.tests.test_snapshots import People, build_people

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db: None, settings: Any, tmp_path: Path) -> People:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_people()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def ask(people: People, *, fmt: str = "html", **overrides: Any) -> ReportFile:
    fields = {"actor": people.chengkou, "scope": people.programme.chengkou, "as_of": D, "fmt": fmt}
    return request_report(**{**fields, **overrides})


def test_asking_on_the_page_queues_a_task_and_returns_at_once(
    people: People, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(people.chengkou)
    form = client.get(reverse("results_reports")).content.decode()
    assert "城口县（500229）" in form and "重庆市（500000）" not in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("results_reports"),
            {"scope": "500229", "as_of": "2014-12-31", "language": "zh-hans", "format": "html"},
        )
    report = ReportFile.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "results_report_detail", args=[report.pk]
    )
    assert (report.status, report.requested_by) == (ReportFile.Status.QUEUED, people.chengkou)
    queued = DBTaskResult.objects.get(task_path="sanqu.figures.report_tasks.generate_report")
    assert queued.args_kwargs["args"] == [report.pk]

    page = client.get(response["Location"]).content.decode()
    assert "生成进度" in page and "排队中" in page
    assert (
        f'hx-get="{reverse("results_report_status", args=[report.pk])}"' in page
    )  # the page follows the task
    assert "打开报告" not in page


def test_the_task_moves_the_progress_and_the_page_then_offers_the_file(people: People) -> None:
    report = ask(people)
    generate_report.call(report.pk)
    report.refresh_from_db()
    assert (report.status, report.percent, report.error) == (ReportFile.Status.DONE, 100, "")
    assert report.size and report.file.name.startswith("reports/")

    client = client_for(people.chengkou)
    status = client.get(reverse("results_report_status", args=[report.pk]), headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true"  # done: the page reloads to show the file
    page = client.get(reverse("results_report_detail", args=[report.pk])).content.decode()
    assert "打开报告" in page and "发布…" in page and "hx-trigger" not in page

    shown = client.get(reverse("results_report_file", args=[report.pk]))
    assert shown["Content-Type"].startswith("text/html") and "attachment" not in shown["Content-Disposition"]
    html = b"".join(shown.streaming_content).decode()  # type: ignore[attr-defined]
    assert "城口县" in html and "/figures/records/?figure=dispatched_total" in html
    download = client.get(reverse("results_report_file", args=[report.pk]) + "?download=1")
    assert "attachment" in download["Content-Disposition"]


def test_each_step_is_visible_to_the_page_while_the_task_works(people: People, monkeypatch: Any) -> None:
    report = ask(people)
    steps: list[tuple[int, str]] = []

    def render_report(**kwargs: Any) -> bytes:
        for percent in (20, 60, 80):
            kwargs["progress"](percent, f"第{percent}步")
            row = ReportFile.objects.get(pk=report.pk)
            steps.append((row.percent, row.status))
        return b"<html></html>"

    monkeypatch.setattr("sanqu.figures.report_services.render_report", render_report)
    run_report(report.pk)
    assert steps == [(20, "running"), (60, "running"), (80, "running")]


def test_a_report_that_cannot_be_written_fails_with_the_reason(people: People) -> None:
    report = ask(people, as_of=D.replace(year=2012))  # before any programme year
    run_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportFile.Status.FAILED
    assert "没有受援区县" in report.error
    page = (
        client_for(people.chengkou).get(reverse("results_report_detail", args=[report.pk])).content.decode()
    )
    assert "生成失败" in page and "没有受援区县" in page and "返回重新生成" in page
    assert run_report(report.pk) is None  # a finished report is not generated twice


def test_a_date_after_today_is_refused_on_the_form(people: People, settings: Any) -> None:
    settings.SANQU_TODAY = D
    response = client_for(people.chengkou).post(
        reverse("results_reports"),
        {"scope": "500229", "as_of": "2015-01-01", "language": "en", "format": "pdf"},
    )
    assert response.status_code == 200
    assert "统计日期不能晚于今天（2014-12-31）" in response.content.decode()
    assert not ReportFile.objects.exists()


def test_another_county_sees_nothing_of_it(people: People) -> None:
    report = ask(people)
    run_report(report.pk)
    outsider = client_for(people.wanzhou)
    for name in (
        "results_report_detail",
        "results_report_status",
        "results_report_file",
        "results_report_publish",
    ):
        assert outsider.get(reverse(name, args=[report.pk])).status_code == 404, name
    assert f"/figures/reports/{report.pk}/" not in outsider.get(reverse("results_reports")).content.decode()
    assert (
        outsider.post(
            reverse("results_reports"),
            {"scope": "500229", "as_of": "2014-12-31", "language": "zh-hans", "format": "html"},
        ).status_code
        == 200
    )  # not a choice she has
    assert ReportFile.objects.count() == 1
    city = client_for(people.city).get(reverse("results_reports")).content.decode()
    assert f"/figures/reports/{report.pk}/" in city  # the city office reads the counties' reports


def test_publishing_freezes_the_figures_once(people: People) -> None:
    report = ask(people)
    run_report(report.pk)
    leader = client_for(people.leader)
    assert "发布…" not in leader.get(reverse("results_report_detail", args=[report.pk])).content.decode()
    assert leader.post(reverse("results_report_publish", args=[report.pk])).status_code == 403

    client = client_for(people.chengkou)
    confirm = client.get(reverse("results_report_publish", args=[report.pk])).content.decode()
    assert "不能撤回" in confirm
    response = client.post(reverse("results_report_publish", args=[report.pk]), follow=True)
    report.refresh_from_db()
    snapshot = report.snapshot
    assert snapshot is not None and report.published_by == people.chengkou
    assert (snapshot.reason, snapshot.scope, snapshot.as_of) == (
        FigureSnapshot.Reason.REPORT,
        people.programme.chengkou,
        D,
    )
    assert snapshot.note == f"成效报告 #{report.pk}"
    page = response.content.decode()
    assert f"数据快照 #{snapshot.pk}" in page and "已发布" in page and "发布…" not in page

    again = client.post(reverse("results_report_publish", args=[report.pk]), follow=True)
    assert "这份报告已经发布" in again.content.decode()
    assert FigureSnapshot.objects.count() == 1


def test_a_report_still_being_written_cannot_be_published(people: People) -> None:
    report = ask(people)
    assert (
        client_for(people.chengkou).post(reverse("results_report_publish", args=[report.pk])).status_code
        == 403
    )
    assert not FigureSnapshot.objects.exists()

"""A report whose worker stopped mid-way (a restart, a killed process) ends as failed, not 生成中 for ever."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sanqu.figures.models import ReportFile
from sanqu.figures.report_services import mark_interrupted, run_report
from sanqu.figures.tests.test_report_pages import ask
from sanqu.figures.tests.test_snapshots import People, build_people

pytestmark = pytest.mark.django_db


def _running(people: People, *, silent_for: dt.timedelta) -> ReportFile:
    report = ask(people, fmt="pdf")
    ReportFile.objects.filter(pk=report.pk).update(
        status=ReportFile.Status.RUNNING,
        percent=40,
        step="绘制图表",
        heartbeat_at=timezone.now() - silent_for,
    )
    return report


def test_a_report_silent_for_a_quarter_of_an_hour_is_shown_failed_and_can_be_asked_again() -> None:
    people: People = build_people()
    lost = _running(people, silent_for=dt.timedelta(minutes=16))
    working = _running(people, silent_for=dt.timedelta(minutes=2))
    page = Client()
    page.force_login(people.chengkou)

    shown = page.get(reverse("results_report_detail", args=[lost.pk])).content.decode()
    assert "生成过程中被中断" in shown
    lost.refresh_from_db()
    working.refresh_from_db()
    assert lost.status == ReportFile.Status.FAILED and lost.finished_at is not None
    assert working.status == ReportFile.Status.RUNNING
    # The worker that comes back does not pick the failed report up again.
    assert run_report(lost.pk) is None


def test_each_step_of_a_running_report_is_a_sign_of_life() -> None:
    people: People = build_people()
    report = ask(people, fmt="html")
    before = timezone.now()
    assert run_report(report.pk).status == ReportFile.Status.DONE
    report.refresh_from_db()
    assert report.heartbeat_at is not None and report.heartbeat_at >= before


def test_a_report_left_running_before_heartbeats_were_kept_is_marked_by_its_request_time() -> None:
    people: People = build_people()
    report = ask(people, fmt="pdf")
    two_hours_ago = timezone.now() - dt.timedelta(hours=2)
    ReportFile.objects.filter(pk=report.pk).update(
        status=ReportFile.Status.RUNNING, heartbeat_at=None, requested_at=two_hours_ago
    )
    assert mark_interrupted() == 1
    report.refresh_from_db()
    assert report.status == ReportFile.Status.FAILED

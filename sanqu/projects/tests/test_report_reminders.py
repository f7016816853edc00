"""Reminders about overdue reports: one email per due report whatever the reruns."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from sanqu.projects.models import ReportReminder, ReportTemplate
from sanqu.projects.report_tasks import send_report_reminders
from sanqu.projects.tests.factories import make_project, make_template
from sanqu.projects.tests.report_support import filed_report
from sanqu.testing import World

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def quarterly(world: World, settings) -> ReportTemplate:
    settings.SANQU_TODAY = D(2017, 8, 1)
    for name, email in (
        ("yangguang", "manager@yangguang.org"),
        ("worker", "lxm@yangguang.org"),
        ("chengkou", "mzj@ck.gov.cn"),
        ("wanzhou", "mzj@wz.gov.cn"),
    ):
        world[name].email = email
        world[name].save()
    project = make_project(world)
    return make_template(project.programme_year, cadence=ReportTemplate.Cadence.QUARTERLY, due_day=15)


def test_a_reminder_goes_once_per_due_report(world: World, quarterly: ReportTemplate) -> None:
    assert send_report_reminders.call("2017-08-01") == 2  # Q1 (due 15 April) and Q2 (due 15 July)
    assert send_report_reminders.call("2017-08-01") == 0
    assert send_report_reminders.call("2017-08-02") == 0

    assert len(mail.outbox) == 2
    message = mail.outbox[0]
    assert sorted(message.to) == ["lxm@yangguang.org", "manager@yangguang.org"]
    assert message.cc == ["mzj@ck.gov.cn"]
    assert "逾期未报" in message.subject
    assert "2017-04-15" in message.body
    assert ReportReminder.objects.count() == 2


def test_none_for_a_submitted_report_nor_before_the_due_date(
    world: World, quarterly: ReportTemplate, settings
) -> None:
    project = quarterly.programme_year.projects.get()
    settings.SANQU_TODAY = D(2017, 4, 12)
    filed_report(world, project, quarterly, D(2017, 1, 1))

    assert send_report_reminders.call("2017-07-15") == 0  # Q2 is due that day: not late yet
    assert send_report_reminders.call("2017-07-16") == 1

    assert len(mail.outbox) == 1
    assert "2017-04-01 至 2017-06-30" in mail.outbox[0].subject


def test_the_command_runs_it_and_says_how_many(world: World, quarterly: ReportTemplate) -> None:
    out = StringIO()
    call_command("remind_reports", "--as-of", "2017-05-01", "--dry-run", stdout=out)
    assert "将发送 1 封" in out.getvalue()
    assert not mail.outbox

    call_command("remind_reports", "--as-of", "2017-05-01", stdout=out)
    call_command("remind_reports", "--as-of", "2017-05-01", stdout=out)

    assert "已发送 1 封催报提醒。" in out.getvalue()
    assert "已发送 0 封催报提醒。" in out.getvalue()
    assert len(mail.outbox) == 1

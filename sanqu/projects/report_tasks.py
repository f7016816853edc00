"""Reminders about periodic reports that are overdue (逾期未报), by email, once per report.

For every report whose due date has passed and that was never submitted, the organisation's
manager(s) and its workers posted in the project's county (those with an email address) get one
email, with the county section's officers in copy. A ReportReminder row per (project, template,
period, kind) records it; its unique constraint makes the reminder go once whatever the reruns,
and two runs at the same moment insert (and send) it once. The row and the sending are one
transaction: a mail server that refuses leaves no row, so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.tasks import task
from django.urls import reverse
from django.utils.translation import gettext as _

from sanqu.accounts.models import Membership
from sanqu.accounts.roles import Role
from sanqu.lib import clock
from sanqu.projects.models import Project, ReportReminder
from sanqu.projects.report_schedule import DueReport, due_reports

KIND = ReportReminder.Kind.OVERDUE


@dataclass(frozen=True)
class Reminder:
    item: DueReport
    to: list[str]
    cc: list[str]


def _of_organisation(membership: Membership, project: Project) -> bool:
    """Its manager, or one of its workers posted in the project's county."""
    if membership.role == Role.ORG_MANAGER:
        return membership.organisation_id == project.organisation_id
    return (
        membership.role == Role.SOCIAL_WORKER
        and membership.person is not None
        and membership.person.organisation_id == project.organisation_id
        and membership.region.path.startswith(project.county.path)
    )


def _addresses(projects: list[Project]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """{project id: addresses to}, {project id: addresses in copy}, in one query."""
    to: dict[int, set[str]] = defaultdict(set)
    cc: dict[int, set[str]] = defaultdict(set)
    memberships = list(
        Membership.objects.filter(
            role__in=[Role.ORG_MANAGER, Role.SOCIAL_WORKER, Role.COUNTY_OFFICER], user__is_active=True
        )
        .exclude(user__email="")
        .select_related("user", "region", "person")
    )
    for project in projects:
        for membership in memberships:
            if _of_organisation(membership, project):
                to[project.pk].add(membership.user.email)
            elif membership.role == Role.COUNTY_OFFICER and membership.region.path == project.county.path:
                cc[project.pk].add(membership.user.email)
    return to, cc


def pending_reminders(as_of: dt.date) -> list[Reminder]:
    """Overdue reports not reminded yet, with who would get the email (nobody: left out)."""
    projects = list(
        Project.objects.filter(starts_on__lte=as_of).select_related(
            "county", "organisation", "programme_year"
        )
    )
    overdue = [item for item in due_reports(projects, as_of) if item.overdue(as_of)]
    if not overdue:
        return []
    sent = set(
        ReportReminder.objects.filter(
            kind=KIND, project__in=[item.project.pk for item in overdue]
        ).values_list("project_id", "template_id", "period_start")
    )
    to, cc = _addresses(projects)
    reminders = []
    for item in overdue:
        key = (item.project.pk, item.template.pk, item.period.start)
        if key in sent or not to.get(item.project.pk):
            continue
        recipients = sorted(to[item.project.pk])
        reminders.append(Reminder(item, recipients, sorted(cc.get(item.project.pk, set()) - set(recipients))))
    return reminders


def _message(reminder: Reminder, as_of: dt.date) -> EmailMessage:
    item = reminder.item
    period = item.period
    values = {
        "project": item.project.name,
        "cadence": item.template.get_cadence_display(),
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "due": period.due_on.isoformat(),
        "days": (as_of - period.due_on).days,
        "url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        + reverse("report_list")
        + f"?project={item.project.pk}",
    }
    subject = _("【三区计划】%(project)s %(cadence)s逾期未报（%(start)s 至 %(end)s）") % values
    body = (
        _(
            "您好：\n\n"
            "项目“%(project)s”%(start)s 至 %(end)s 的%(cadence)s应于 %(due)s 前报送，"
            "至今已逾期 %(days)s 天，尚未报送。\n"
            "请登录三区计划管理平台，在项目页面填报本期报告：\n%(url)s\n\n"
            "本邮件由系统自动发送，同时抄送区县民政专门科室。"
        )
        % values
    )
    return EmailMessage(subject, body, None, reminder.to, cc=reminder.cc)


def send_pending(as_of: dt.date) -> int:
    """Send every pending reminder once; the number of emails sent."""
    count = 0
    for reminder in pending_reminders(as_of):
        item = reminder.item
        try:
            with transaction.atomic():
                ReportReminder.objects.create(
                    project=item.project,
                    template=item.template,
                    period_start=item.period.start,
                    kind=KIND,
                    recipients=", ".join(reminder.to + reminder.cc),
                )
                _message(reminder, as_of).send()
        except IntegrityError:  # another run reminded about this report a moment ago
            continue
        count += 1
    return count


@task
def send_report_reminders(as_of: str | None = None) -> int:
    """Email a reminder about every overdue report not reminded yet (as_of: ISO date, default today)."""
    return send_pending(dt.date.fromisoformat(as_of) if as_of else clock.today())

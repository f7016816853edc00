"""Scoped reads of periodic reports (月报/季报).

A report is seen by whoever sees its project (`projects_for`); it is filed by the project's
organisation (`filing_projects`) and reviewed by the county section of the project's county and
the city office (`supervised_projects`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import FILE_REPORT, REVIEW_REPORT, VIEW_REPORT
from sanqu.accounts.scoping import get_or_404
from sanqu.projects.models import PeriodicReport
from sanqu.projects.project_selectors import filing_projects, projects_for, supervised_projects
from sanqu.projects.report_schedule import DueReport, due_reports


def _reports() -> QuerySet[PeriodicReport]:
    return PeriodicReport.objects.select_related(
        "project", "project__county", "project__organisation", "project__programme_year", "template"
    )


def reports_for(user: User) -> QuerySet[PeriodicReport]:
    """The reports of the projects the user sees (none without the permission to view reports)."""
    if not user.has_perm(VIEW_REPORT):
        return PeriodicReport.objects.none()
    return _reports().filter(project__in=projects_for(user).values("pk"))


def get_report_for_user(user: User, pk: Any) -> PeriodicReport:
    return get_or_404(reports_for(user), pk=pk)


def can_file(user: User, report: PeriodicReport) -> bool:
    return user.has_perm(FILE_REPORT) and filing_projects(user).filter(pk=report.project_id).exists()


def can_review(user: User, report: PeriodicReport) -> bool:
    return user.has_perm(REVIEW_REPORT) and supervised_projects(user).filter(pk=report.project_id).exists()


def awaiting_review(user: User) -> QuerySet[PeriodicReport]:
    """Submitted reports of the projects the user supervises, oldest submission first."""
    if not user.has_perm(REVIEW_REPORT):
        return PeriodicReport.objects.none()
    return (
        _reports()
        .filter(status=PeriodicReport.Status.SUBMITTED, project__in=supervised_projects(user).values("pk"))
        .order_by("submitted_at", "pk")
    )


def late_for(user: User, as_of: dt.date) -> list[DueReport]:
    """Reports past their due date and never submitted, of the projects the user sees.

    For the organisation (manager, posted workers) its own projects; for the county section its
    county's; for the city office the whole municipality. Oldest due date first; three queries.
    """
    if not user.has_perm(VIEW_REPORT):
        return []
    items = due_reports(projects_for(user), as_of)
    return sorted((item for item in items if item.overdue(as_of)), key=lambda item: item.period.due_on)

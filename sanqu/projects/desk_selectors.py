"""What project supervision asks of a user today, counted (for the home page's panel)."""

from __future__ import annotations

import datetime as dt

from sanqu.accounts.models import User
from sanqu.accounts.roles import FILE_REPORT, RECORD_VISIT, REVIEW_REPORT
from sanqu.projects.models import PeriodicReport
from sanqu.projects.project_selectors import filing_projects
from sanqu.projects.report_selectors import awaiting_review, late_for, reports_for
from sanqu.projects.visit_selectors import open_actions_for, visits_due


def to_correct(user: User) -> list[PeriodicReport]:
    """Draft and returned reports of the projects the user files for, soonest due first."""
    if not user.has_perm(FILE_REPORT):
        return []
    return list(
        reports_for(user)
        .filter(
            project__in=filing_projects(user).values("pk"),
            status__in=[PeriodicReport.Status.DRAFT, PeriodicReport.Status.RETURNED],
        )
        .order_by("due_on", "pk")
    )


def todo_counts(user: User, today: dt.date) -> dict[str, int]:
    """Reports to review, to complete or correct, overdue; visits due; open actions (and overdue)."""
    due = list(open_actions_for(user, today).values_list("due_on", flat=True))
    return {
        "to_review": awaiting_review(user).count() if user.has_perm(REVIEW_REPORT) else 0,
        "to_correct": len(to_correct(user)),
        "late": len(late_for(user, today)),
        "visits_due": visits_due(user, today).count() if user.has_perm(RECORD_VISIT) else 0,
        "open_actions": len(due),
        "overdue_actions": sum(1 for day in due if day < today),
    }

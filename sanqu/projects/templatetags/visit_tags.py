"""The project page's visits panel: the project's visits the user reads, with their action counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from sanqu.accounts.roles import RECORD_VISIT, VIEW_VISIT
from sanqu.projects.models import Project
from sanqu.projects.project_selectors import supervised_projects
from sanqu.projects.visit_selectors import visits_for, with_action_counts

register = template.Library()


@register.simple_tag
def project_visits(project: Project, user: Any, today: dt.date) -> dict[str, Any]:
    """{"visits": newest first with open/overdue action counts, "can_plan": bool} in two queries."""
    if not user.has_perm(VIEW_VISIT):
        return {"visits": [], "can_plan": False, "shown": False}
    visits = with_action_counts(visits_for(user).filter(project=project), today).order_by(
        "-planned_on", "-id"
    )
    can_plan = user.has_perm(RECORD_VISIT) and supervised_projects(user).filter(pk=project.pk).exists()
    return {"visits": list(visits), "can_plan": can_plan, "shown": True}

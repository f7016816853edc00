"""Project supervision's figures for a region scope and an as-of date (keys of `sanqu figures`).

- `projects_total`: projects in counties under the scope whose agreement was signed by the date.
- `project_progress`: for each target, the goals of the projects in service by the date added up,
  and what the records give for them from each start to the date (or the project's end).
- `report_timeliness`, `visits_open_actions`, `evaluation_grades`: from the reports, visits and
  evaluations parts (see their modules).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sanqu.projects.evaluation_selectors import grade_counts
from sanqu.projects.models import Project, Target
from sanqu.projects.progress import progress_of
from sanqu.projects.report_schedule import timeliness
from sanqu.projects.visit_selectors import open_actions_figure
from sanqu.regions.models import Region


def projects_in(*, scope: Region, as_of: dt.date) -> list[Project]:
    return list(
        Project.objects.select_related("county").filter(
            county__path__startswith=scope.path, signed_on__lte=as_of
        )
    )


def projects_total(*, scope: Region, as_of: dt.date) -> int:
    return Project.objects.filter(county__path__startswith=scope.path, signed_on__lte=as_of).count()


def progress_totals(
    projects: list[Project], as_of: dt.date, *, recompute: bool = False
) -> dict[str, dict[str, object]]:
    """{target: {goal, done, percent}} over the projects in service by the date (`recompute`: the
    people served found among the records rather than in the projects' tallies)."""
    started = [project for project in projects if project.starts_on <= as_of]
    progress = progress_of(started, as_of, recompute=recompute)
    totals: dict[str, dict[str, object]] = {}
    for target in Target.values:
        goal = sum(project.target(target) for project in started)
        done = sum(
            (Decimal(row.done) for rows in progress.values() for row in rows if row.target == target),
            Decimal(0),
        )
        done_value: int | float = int(done) if done == done.to_integral() else float(done)
        percent = int(Decimal(done) * 100 / goal) if goal else None
        totals[target] = {"goal": goal, "done": done_value, "percent": percent}
    return totals


def project_progress(
    *, scope: Region, as_of: dt.date, recompute: bool = False
) -> dict[str, dict[str, object]]:
    return progress_totals(projects_in(scope=scope, as_of=as_of), as_of, recompute=recompute)


def report_timeliness(
    *, scope: Region, as_of: dt.date, projects: list[Project] | None = None
) -> dict[str, object]:
    """Reports due by the date: on time, late, missing, and the rate on time (%, one decimal)."""
    if projects is None:
        projects = projects_in(scope=scope, as_of=as_of)
    overall = timeliness(projects, as_of).overall
    rate = overall.rate
    return {
        "due": overall.due,
        "on_time": overall.on_time,
        "late": overall.late,
        "missing": overall.missing,
        "rate": float(rate) if rate is not None else None,
    }


def visits_open_actions(*, scope: Region, as_of: dt.date) -> dict[str, int]:
    return open_actions_figure(scope.path, as_of)


def evaluation_grades(*, scope: Region, as_of: dt.date) -> dict[str, dict[str, int]]:
    return grade_counts(scope.path, as_of)

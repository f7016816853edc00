"""When a project's periodic reports fall due, and how timely they were.

A template of the project's programme year (active ones only) fixes the cadence: the periods are
the calendar months or quarters that overlap the project's service period, clipped to it (a project
running 15 March – 31 December has a first monthly period 15–31 March). A period's report is due
on the template's `due_day` of the month after the period ends.

Everything here takes many projects at once and costs a fixed number of queries (the templates,
then the report rows), so the county desk and the city programme page cost the same for three
projects or three hundred.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from sanqu.projects.models import PeriodicReport, Project, ReportTemplate


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    due_on: dt.date


@dataclass(frozen=True)
class DueReport:
    """One (project, template, period) whose report is due, with the report row if one exists."""

    project: Project
    template: ReportTemplate
    period: Period
    report: PeriodicReport | None

    @property
    def first_submitted_on(self) -> dt.date | None:
        return self.report.first_submitted_on if self.report is not None else None

    def submitted_by(self, day: dt.date) -> bool:
        """Submitted (at least once) on or before `day`."""
        return self.first_submitted_on is not None and self.first_submitted_on <= day

    def overdue(self, as_of: dt.date) -> bool:
        """The due date has passed and nothing was submitted by `as_of`."""
        return self.period.due_on < as_of and not self.submitted_by(as_of)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _due_on(period_end: dt.date, due_day: int) -> dt.date:
    """`due_day` of the month after the one the period ends in."""
    year, month = (
        (period_end.year + 1, 1) if period_end.month == 12 else (period_end.year, period_end.month + 1)
    )
    return dt.date(year, month, due_day)


def periods_of(project: Project, template: ReportTemplate) -> list[Period]:
    """The reporting periods of `project` under `template`, oldest first."""
    months = 3 if template.cadence == ReportTemplate.Cadence.QUARTERLY else 1
    year, month = project.starts_on.year, project.starts_on.month
    month -= (month - 1) % months  # the first month of the quarter
    periods = []
    while dt.date(year, month, 1) <= project.ends_on:
        last_month = month + months - 1
        calendar_end = _month_end(year, last_month)
        start = max(dt.date(year, month, 1), project.starts_on)
        end = min(calendar_end, project.ends_on)
        periods.append(Period(start, end, _due_on(calendar_end, template.due_day)))
        year, month = (year + 1, 1) if last_month == 12 else (year, last_month + 1)
    return periods


def templates_for(projects: Iterable[Project]) -> dict[int, list[ReportTemplate]]:
    """{programme year id: its active templates} for the years of `projects` (one query)."""
    years = {project.programme_year_id for project in projects}
    templates: dict[int, list[ReportTemplate]] = defaultdict(list)
    for template in ReportTemplate.objects.filter(active=True, programme_year_id__in=years).order_by(
        "cadence", "pk"
    ):
        templates[template.programme_year_id].append(template)
    return templates


def due_reports(projects: Iterable[Project], as_of: dt.date) -> list[DueReport]:
    """Every (project, template, period) of `projects` whose due date is on or before `as_of`.

    Each comes with its report row when one was started (whatever its status), else None. Two
    queries whatever the number of projects; ordered by project, then due date.
    """
    projects = list(projects)
    templates = templates_for(projects)
    wanted = [
        (project, template, period)
        for project in projects
        for template in templates.get(project.programme_year_id, [])
        for period in periods_of(project, template)
        if period.due_on <= as_of
    ]
    if not wanted:
        return []
    rows = PeriodicReport.objects.filter(
        project__in=[project.pk for project in projects],
        template__in=[t.pk for ts in templates.values() for t in ts],
        period_start__lte=max(period.start for _p, _t, period in wanted),
    )
    reports = {(row.project_id, row.template_id, row.period_start): row for row in rows}
    return [
        DueReport(project, template, period, reports.get((project.pk, template.pk, period.start)))
        for project, template, period in wanted
    ]


@dataclass
class Timeliness:
    """Reports whose due date has passed: on time, late, missing, and the rate on time."""

    due: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0

    @property
    def rate(self) -> Decimal | None:
        """On time / due as a percentage, one decimal (66.7); None when nothing is due."""
        if not self.due:
            return None
        return (Decimal(self.on_time) * 100 / self.due).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    def count(self, item: DueReport, as_of: dt.date) -> None:
        self.due += 1
        if not item.submitted_by(as_of):
            self.missing += 1
        elif item.first_submitted_on is not None and item.first_submitted_on <= item.period.due_on:
            self.on_time += 1
        else:
            self.late += 1


@dataclass
class TimelinessReport:
    overall: Timeliness = field(default_factory=Timeliness)
    by_project: dict[int, Timeliness] = field(default_factory=dict)


def timeliness(projects: Iterable[Project], as_of: dt.date) -> TimelinessReport:
    """How timely the periodic reports of `projects` were, as of `as_of`, per project and overall.

    A report counts once its due date has passed (due date before `as_of`; on the due day itself
    it can still come on time). On time: first submitted on or before the due date; late: first
    submitted after it, by `as_of`; missing: not submitted by `as_of` (a later submission does not
    change a figure as of an earlier day). A returned report keeps its first submission date.
    Every project of `projects` is in `by_project` (with zeros when nothing is due). Two queries.
    """
    projects = list(projects)
    result = TimelinessReport(by_project={project.pk: Timeliness() for project in projects})
    for item in due_reports(projects, as_of - dt.timedelta(days=1)):
        result.by_project[item.project.pk].count(item, as_of)
        result.overall.count(item, as_of)
    return result

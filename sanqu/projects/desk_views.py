"""The two overview pages of project supervision.

- The desk (工作台): what the user has to do now — for the county section (and the city office)
  the reports waiting for review, what is late, visits due and open follow-up actions; for the
  organisation (manager, posted workers) the reports to file or correct and the actions it owns;
  for everyone the projects in service today with their progress, timeliness, actions and grade.
- The programme page (全市概览): one programme year, every receiving county in the user's scope
  side by side — quotas against dispatches and trainees, projects and budget, progress against
  the targets, report timeliness, open actions, grades — each number linking to its records.

Both cost a fixed number of queries whatever the number of projects or records.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sanqu.accounts.models import User
from sanqu.accounts.roles import (
    FILE_REPORT,
    RECORD_VISIT,
    REVIEW_REPORT,
    VIEW_PROJECT,
)
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import require_perm
from sanqu.lib import clock
from sanqu.projects.desk_selectors import to_correct
from sanqu.projects.evaluation_selectors import grades_of
from sanqu.projects.models import (
    Grade,
    PeriodicReport,
    ProgrammeYear,
    Project,
    ProjectEvaluation,
    ReceivingCounty,
    Target,
)
from sanqu.projects.progress import Progress, progress_of
from sanqu.projects.project_selectors import filing_projects, projects_for
from sanqu.projects.project_views import Summary, yuan
from sanqu.projects.report_schedule import Timeliness, timeliness
from sanqu.projects.report_selectors import awaiting_review, late_for
from sanqu.projects.visit_selectors import open_action_counts, open_actions_for, visits_due
from sanqu.training.models import Trainee
from sanqu.workforce.models import Dispatch

SECTION = "projects"
LIST_LIMIT = 10


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    progress: list[Progress]
    timeliness: Timeliness
    open_actions: int
    overdue_actions: int
    grade: ProjectEvaluation | None

    @property
    def mean_percent(self) -> int | None:
        """The mean share done over the targets that are set, as the project list shows it."""
        return Summary.of(self.progress).percent


def project_rows(projects: list[Project], today: dt.date) -> list[ProjectRow]:
    progress = progress_of(projects, today)
    timely = timeliness(projects, today).by_project
    actions = open_action_counts(projects, today)
    grades = grades_of(projects)
    return [
        ProjectRow(
            project=project,
            progress=progress[project.pk],
            timeliness=timely[project.pk],
            open_actions=actions[project.pk][0],
            overdue_actions=actions[project.pk][1],
            grade=grades.get(project.pk),
        )
        for project in projects
    ]


def _in_service(projects: QuerySet[Project], today: dt.date) -> list[Project]:
    return list(projects.filter(starts_on__lte=today, ends_on__gte=today).order_by("county__code", "name"))


@login_required
@require_GET
def desk(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_PROJECT)
    today = clock.today()
    reviewing = user.has_perm(REVIEW_REPORT) and not scope_of(user).is_empty
    filing = user.has_perm(FILE_REPORT) and filing_projects(user).exists()
    waiting = awaiting_review(user) if reviewing else PeriodicReport.objects.none()
    correct = to_correct(user) if filing else []
    late = late_for(user, today)
    due_visits = visits_due(user, today) if user.has_perm(RECORD_VISIT) else None
    actions = open_actions_for(user, today)
    current = _in_service(projects_for(user), today)
    context = {
        "today": today,
        "reviewing": reviewing,
        "filing": filing,
        "waiting": list(waiting[:LIST_LIMIT]),
        "waiting_count": waiting.count(),
        "to_correct": correct[:LIST_LIMIT],
        "to_correct_count": len(correct),
        "late": late[:LIST_LIMIT],
        "late_count": len(late),
        "due_visits": list(due_visits[:LIST_LIMIT]) if due_visits is not None else None,
        "actions": list(actions[:LIST_LIMIT]),
        "actions_count": actions.count(),
        "rows": project_rows(current, today),
        "can_see_programme": _sees_programme(user),
        "nav_section": SECTION,
        "tab": "desk",
    }
    return render(request, "projects/desk/desk.html", context)


# The programme page.


def _sees_programme(user: User) -> bool:
    """The programme page compares counties: for the region roles (city office, leadership, county)."""
    return bool(scope_of(user).region_paths) or user.is_superuser


@dataclass
class CountyRow:
    county: Any
    dispatch_quota: int = 0
    training_quota: int = 0
    dispatched: int = 0
    trainees: int = 0
    projects: list[ProjectRow] = field(default_factory=list)
    budget: Decimal = Decimal(0)
    goals: dict[str, int] = field(default_factory=dict)
    done: dict[str, Decimal] = field(default_factory=dict)
    timeliness: Timeliness = field(default_factory=Timeliness)
    open_actions: int = 0
    overdue_actions: int = 0
    grades: Counter[str] = field(default_factory=Counter)

    def add(self, row: ProjectRow) -> None:
        self.projects.append(row)
        self.budget += row.project.budget
        for item in row.progress:
            self.goals[item.target] = self.goals.get(item.target, 0) + item.goal
            self.done[item.target] = self.done.get(item.target, Decimal(0)) + Decimal(item.done)
        for name in ("due", "on_time", "late", "missing"):
            setattr(self.timeliness, name, getattr(self.timeliness, name) + getattr(row.timeliness, name))
        self.open_actions += row.open_actions
        self.overdue_actions += row.overdue_actions
        if row.grade is not None:
            self.grades[row.grade.grade] += 1

    @property
    def budget_yuan(self) -> str:
        return yuan(self.budget)

    @property
    def targets(self) -> list[Progress]:
        return [
            Progress(target, str(label), self.goals.get(target, 0), _plain(self.done.get(target, Decimal(0))))
            for target, label in Target.choices
        ]

    @property
    def grade_list(self) -> list[tuple[str, str, int]]:
        return [
            (grade, str(label), self.grades[grade]) for grade, label in Grade.choices if self.grades[grade]
        ]


def _plain(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral() else value


def _year_for(request: HttpRequest, today: dt.date) -> tuple[ProgrammeYear | None, list[ProgrammeYear]]:
    years = list(ProgrammeYear.objects.order_by("-year"))
    wanted = request.GET.get("year", "")
    chosen = next((y for y in years if str(y.year) == wanted), None)
    if chosen is None:
        chosen = next((y for y in years if y.starts_on <= today), years[-1] if years else None)
    return chosen, years


@login_required
@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_PROJECT)
    today = clock.today()
    year, years = _year_for(request, today)
    rows: dict[int, CountyRow] = {}
    total = CountyRow(county=None)
    if year is not None and _sees_programme(user):
        scope = scope_of(user)
        receiving = scope.filter(
            ReceivingCounty.objects.select_related("county").filter(programme_year=year), region="county"
        ).order_by("county__code")
        for item in receiving:
            rows[item.county_id] = CountyRow(
                county=item.county, dispatch_quota=item.dispatch_quota, training_quota=item.training_quota
            )
        county_ids = list(rows)
        dispatched = (
            Dispatch.objects.filter(programme_year=year, county__in=county_ids)
            .values("county")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for entry in dispatched:
            rows[entry["county"]].dispatched = entry["n"]
        trainees = (
            Trainee.objects.filter(programme_year=year, county__in=county_ids)
            .values("county")
            .annotate(n=Count("person", distinct=True))
            .order_by()
        )
        for entry in trainees:
            rows[entry["county"]].trainees = entry["n"]
        as_of = min(today, year.ends_on) if year.starts_on <= today else today
        projects = list(
            projects_for(user)
            .filter(programme_year=year, county__in=county_ids)
            .order_by("county__code", "name")
        )
        for project_row in project_rows(projects, as_of):
            rows[project_row.project.county_id].add(project_row)
        for row in rows.values():
            total.dispatch_quota += row.dispatch_quota
            total.training_quota += row.training_quota
            total.dispatched += row.dispatched
            total.trainees += row.trainees
            for project_row in row.projects:
                total.add(project_row)
    context = {
        "year": year,
        "years": years,
        "rows": list(rows.values()),
        "total": total,
        "today": today,
        "allowed": _sees_programme(user),
        "targets": Target.choices,
        "nav_section": SECTION,
        "tab": "programme",
    }
    return render(request, "projects/desk/programme.html", context)

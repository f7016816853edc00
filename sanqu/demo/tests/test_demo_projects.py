"""The demo's project supervision: projects from the dispatches, reports, visits and evaluations that
keep the rules the services enforce. The demo loads once for this module (it is slow)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from sanqu.accounts.models import User
from sanqu.demo import plan
from sanqu.demo.projects import json_number
from sanqu.projects.evaluation_services import _frozen, check_scheme, weights_problem
from sanqu.projects.models import (
    EvaluationScheme,
    Milestone,
    MonitoringVisit,
    PeriodicReport,
    Project,
    ProjectEvaluation,
    ReportEvent,
    ReportField,
    ReportTemplate,
    VisitAction,
)
from sanqu.projects.progress import period_figures, progress_of
from sanqu.projects.project_selectors import supervised_projects
from sanqu.projects.report_schedule import periods_of, timeliness
from sanqu.projects.visit_selectors import action_owner_choices
from sanqu.workforce.models import Dispatch

TODAY = dt.date(2018, 7, 10)
Status = PeriodicReport.Status
Action = ReportEvent.Action


@pytest.fixture
def loaded(demo: str, db: None) -> None:
    return None


def projects() -> list[Project]:
    return list(Project.objects.select_related("county", "programme_year", "organisation"))


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


# Projects ---------------------------------------------------------------------------------------


def test_it_signs_a_project_for_every_county_year_and_sending_organisation(loaded: None) -> None:
    worked = set(Dispatch.objects.values_list("programme_year", "county", "sending_organisation"))
    signed = set(Project.objects.values_list("programme_year", "county", "organisation"))
    assert signed == worked
    chengkou = Project.objects.get(county__code=plan.CHENGKOU, programme_year__year=2017)
    assert chengkou.name == "城口县2017年度三区计划社会工作服务项目（扬光社工中心）"
    assert chengkou.agreement_no == "渝民社工〔2017〕城口-01"
    for project in projects():
        year = project.programme_year
        assert (project.starts_on, project.ends_on) == (year.starts_on, year.ends_on)
        assert year.starts_on - dt.timedelta(days=14) <= project.signed_on < year.starts_on
        assert project.organisation.registered_on <= project.signed_on
        assert Decimal(100_000) <= project.budget <= Decimal(300_000)
        assert len(project.name) <= 100


def test_it_sets_targets_the_ended_projects_reached_and_the_current_ones_work_towards(loaded: None) -> None:
    listed = projects()
    progress = progress_of(listed, TODAY)
    ended = [item.percent for p in listed if p.ends_on < TODAY for item in progress[p.pk] if item.goal]
    current = [item.percent for p in listed if p.ends_on >= TODAY for item in progress[p.pk] if item.goal]
    assert ended and all(80 <= percent <= 120 for percent in ended)  # type: ignore[operator]
    assert sum(percent >= 100 for percent in ended) > len(ended) / 2  # type: ignore[operator]
    assert current and all(0 < percent < 100 for percent in current)  # type: ignore[operator]
    # One project alone gives the same progress as the list, but for the county's trainees.
    project = next(p for p in listed if p.county.code == plan.CHENGKOU and p.ends_on >= TODAY)
    alone = {item.target: item for item in progress_of([project], TODAY)[project.pk]}
    for item in progress[project.pk]:
        assert alone[item.target].done == item.done or item.target == "trainees"


def test_it_plans_milestones_within_the_service_period(loaded: None) -> None:
    for milestone in Milestone.objects.select_related("project"):
        project = milestone.project
        assert min(project.signed_on, project.starts_on) <= milestone.due_on <= project.ends_on
        if milestone.done_on:
            assert project.starts_on <= milestone.done_on <= TODAY
    counts = Counter(Milestone.objects.values_list("project", flat=True))
    assert set(counts.values()) <= {2, 3, 4}
    overdue = Milestone.objects.filter(done_on__isnull=True, due_on__lt=TODAY)
    assert 1 <= overdue.count() <= 2
    assert set(overdue.values_list("title", flat=True)) == {"中期评估"}


# Reports ----------------------------------------------------------------------------------------


def test_it_configures_a_template_per_year(loaded: None) -> None:
    for template in ReportTemplate.objects.select_related("programme_year"):
        monthly = template.programme_year.year >= 2017
        assert template.cadence == ("monthly" if monthly else "quarterly")
        assert template.due_day == 10
        fields = list(template.report_fields.all())
        kinds = Counter(field.kind for field in fields)
        assert kinds == {ReportField.Kind.FIGURE: 7, ReportField.Kind.NUMBER: 1, ReportField.Kind.TEXT: 1}
        assert all(field.key == field.figure for field in fields if field.kind == ReportField.Kind.FIGURE)
        assert [field.required for field in fields if field.kind != ReportField.Kind.FIGURE] == [True, False]


def test_it_files_a_report_for_every_period_due_but_three(loaded: None) -> None:
    listed = projects()
    templates = {t.programme_year_id: t for t in ReportTemplate.objects.all()}
    stored = {(r.project_id, r.period_start): r for r in PeriodicReport.objects.all()}
    missing = []
    for project in listed:
        for period in periods_of(project, templates[project.programme_year_id]):
            report = stored.pop((project.pk, period.start), None)
            if period.due_on > TODAY:
                assert report is None
            elif report is None:
                missing.append((project.county.code, period.start, period.due_on))
            else:
                assert (report.period_end, report.due_on) == (period.end, period.due_on)
    assert not stored
    overdue = [item for item in missing if item[2] < TODAY]
    assert 2 <= len(overdue) <= 3
    assert {code for code, _start, _due in overdue} == {plan.WANZHOU, "500238"}
    assert timeliness(listed, TODAY).overall.missing == len(overdue)


def test_it_prefills_the_reports_with_the_records_of_their_period(loaded: None) -> None:
    reports = PeriodicReport.objects.select_related("project__county", "template").order_by("pk")
    sample = [r for i, r in enumerate(reports) if r.project.county.code == plan.CHENGKOU or i % 25 == 0]
    assert len(sample) > 60
    for report in sample:
        computed = period_figures(report.project, report.period_start, report.period_end)
        figures = {
            field.key: json_number(computed[field.figure])
            for field in report.template.report_fields.all()
            if field.kind == ReportField.Kind.FIGURE
        }
        assert report.figures == figures, report


def test_it_keeps_each_reports_history_to_the_review_cycle(loaded: None) -> None:
    cycles: Counter[tuple[str, ...]] = Counter()
    reports = PeriodicReport.objects.select_related("project__county").prefetch_related("events")
    officers = {
        user.pk: user for user in User.objects.filter(username__in=["city", "chengkou", "wanzhou", "worker"])
    }
    for report in reports:
        events = list(report.events.all())
        actions = tuple(event.action for event in events)
        cycles[actions] += 1
        assert actions[0] == Action.CREATED
        assert [event.at for event in events] == sorted(event.at for event in events)
        submitted = [event for event in events if event.action == Action.SUBMITTED]
        assert report.submissions == len(submitted)
        assert report.first_submitted_on == (local_day(submitted[0].at) if submitted else None)
        final: dict[str, str] = {Action.CREATED: Status.DRAFT, Action.SUBMITTED: Status.SUBMITTED}
        assert report.status == final.get(actions[-1], actions[-1])
        if submitted:
            assert report.narrative and report.values["home_visits"] >= 0
            assert report.first_submitted_on and report.period_end < report.first_submitted_on <= TODAY
            assert submitted[-1].content["figures"] == report.figures
        if report.reviewed_by_id:
            reviewer = officers[report.reviewed_by_id]
            assert supervised_projects(reviewer).filter(pk=report.project_id).exists()
        if report.status == Status.RETURNED:
            assert report.review_comment
    assert cycles[("created", "submitted", "returned", "submitted", "accepted")] >= 3
    assert cycles[("created", "submitted", "accepted")] > 900
    assert cycles[("created", "submitted", "returned")] >= 1
    assert cycles[("created", "submitted")] >= 3
    late = PeriodicReport.objects.filter(first_submitted_on__gt=F("due_on")).count()
    assert 50 < late < 300


def test_it_leaves_a_report_waiting_for_chengkou(loaded: None) -> None:
    officer = User.objects.get(username="chengkou")
    waiting = PeriodicReport.objects.filter(
        project__in=supervised_projects(officer), status=Status.SUBMITTED
    ).select_related("submitted_by")
    assert waiting.exists()
    assert {report.submitted_by.username for report in waiting if report.submitted_by} <= {
        "worker",
        "yangguang",
    }


# Visits -----------------------------------------------------------------------------------------


def test_it_records_visits_in_every_county_2016_to_2018(loaded: None) -> None:
    visits = MonitoringVisit.objects.filter(visited_on__isnull=False)
    for project in Project.objects.filter(programme_year__year__gte=2016).select_related("programme_year"):
        year = project.programme_year
        during = visits.filter(county=project.county_id, visited_on__range=(year.starts_on, year.ends_on))
        assert 1 <= during.count() <= 6, project
    for visit in MonitoringVisit.objects.select_related("project", "station__region"):
        assert visit.project_id or visit.station_id
        if visit.project:
            assert visit.project.county_id == visit.county_id
        else:
            assert visit.station.region.code.startswith(visit.county.code)  # type: ignore[union-attr]
        if visit.visited_on:
            assert visit.findings and visit.visited_on <= TODAY
    planned = MonitoringVisit.objects.get(visited_on__isnull=True)
    assert planned.county.code == plan.CHENGKOU
    assert TODAY < planned.planned_on <= TODAY + dt.timedelta(days=14)


def test_it_gives_actions_owners_and_closes_them_with_evidence(loaded: None) -> None:
    actions = VisitAction.objects.select_related("visit__county", "visit__project", "visit__station", "owner")
    assert actions.count() > 10
    for action in actions:
        visit = action.visit
        assert visit.visited_on and action.due_on >= visit.visited_on
        assert action_owner_choices(visit).filter(pk=action.owner_id).exists()
        if action.closed_on:
            assert visit.visited_on <= action.closed_on <= TODAY
            assert action.outcome and action.closed_by_id == action.owner_id
            with action.evidence.open("rb") as handle:
                assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
            assert action.evidence_content_type == "image/png"
    open_actions = actions.filter(closed_on__isnull=True)
    assert open_actions.count() >= 2
    overdue = open_actions.filter(due_on__lt=TODAY)
    assert [action.visit.county.code for action in overdue] == [plan.CHENGKOU]
    assert actions.filter(closed_on__isnull=False).count() > open_actions.count()


# Evaluations ------------------------------------------------------------------------------------


def test_it_scores_evaluations_on_a_scheme_of_100_points(loaded: None) -> None:
    scheme = EvaluationScheme.objects.get()
    check_scheme(scheme)
    assert weights_problem(i.weight for i in scheme.indicators.all()) is None
    assert sum(i.weight for i in scheme.indicators.all()) == 100
    assert (scheme.excellent_from, scheme.good_from, scheme.fair_from) == (90, 80, 60)
    indicators = list(scheme.indicators.order_by("sort_order", "id"))
    evaluations = ProjectEvaluation.objects.select_related("project", "scheme").prefetch_related("scores")
    grades: Counter[str] = Counter()
    for evaluation in evaluations:
        scores = {score.indicator_id: score for score in evaluation.scores.all()}
        project = evaluation.project
        assert project.starts_on <= evaluation.evaluated_on <= TODAY
        for score in scores.values():
            assert 0 <= score.score <= next(i.weight for i in indicators if i.pk == score.indicator_id)
            assert score.evidence_note
        if evaluation.status == ProjectEvaluation.Status.DRAFT:
            assert evaluation.total is None and not evaluation.frozen
            continue
        assert set(scores) == {i.pk for i in indicators}
        total = sum((score.score for score in scores.values()), Decimal(0))
        assert evaluation.total == total
        assert evaluation.grade == scheme.grade_for(total)
        assert evaluation.summary
        assert evaluation.frozen == _frozen(evaluation, scores, total)
        grades[evaluation.grade] += 1
        if evaluation.kind == ProjectEvaluation.Kind.FINAL:
            midterm = project.evaluations.get(kind=ProjectEvaluation.Kind.MIDTERM)
            assert midterm.is_frozen and midterm.evaluated_on <= evaluation.evaluated_on
    assert grades["excellent"] + grades["good"] > 3 * grades["fair"]
    assert grades["poor"] >= 1
    poor = ProjectEvaluation.objects.filter(grade="poor").values("project").distinct().count()
    assert poor == 1
    for project in projects():
        kinds = set(project.evaluations.values_list("kind", flat=True))
        if project.ends_on < TODAY:
            assert kinds == {"midterm", "final"}
        else:
            milestone = project.milestones.get(title="中期评估")
            assert kinds <= {"midterm"}
            assert milestone.due_on <= TODAY or not kinds
            if milestone.done_on:
                assert project.evaluations.get().is_frozen


# Determinism ------------------------------------------------------------------------------------

"""Report periods, due dates, what is due and how timely the reports were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.orgs.models import Organisation
from sanqu.projects.models import PeriodicReport, Project, ReportTemplate
from sanqu.projects.report_schedule import due_reports, periods_of, timeliness
from sanqu.projects.tests.factories import make_project, make_template, make_year
from sanqu.testing import World

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_cuts_monthly_periods_to_the_service_period(world: World) -> None:
    project = make_project(world, starts_on=D(2017, 3, 15), ends_on=D(2017, 6, 10))
    template = make_template(project.programme_year, due_day=5)

    periods = periods_of(project, template)

    assert [(p.start, p.end, p.due_on) for p in periods] == [
        (D(2017, 3, 15), D(2017, 3, 31), D(2017, 4, 5)),
        (D(2017, 4, 1), D(2017, 4, 30), D(2017, 5, 5)),
        (D(2017, 5, 1), D(2017, 5, 31), D(2017, 6, 5)),
        (D(2017, 6, 1), D(2017, 6, 10), D(2017, 7, 5)),
    ]


def test_quarters_follow_the_calendar_and_the_last_is_due_the_next_year(world: World) -> None:
    project = make_project(world, starts_on=D(2017, 2, 1), ends_on=D(2017, 12, 31))
    template = make_template(project.programme_year, cadence=ReportTemplate.Cadence.QUARTERLY, due_day=15)

    periods = periods_of(project, template)

    assert [(p.start, p.end, p.due_on) for p in periods] == [
        (D(2017, 2, 1), D(2017, 3, 31), D(2017, 4, 15)),
        (D(2017, 4, 1), D(2017, 6, 30), D(2017, 7, 15)),
        (D(2017, 7, 1), D(2017, 9, 30), D(2017, 10, 15)),
        (D(2017, 10, 1), D(2017, 12, 31), D(2018, 1, 15)),
    ]


def _report(project: Project, template: ReportTemplate, start: dt.date, submitted: dt.date | None) -> None:
    period = next(p for p in periods_of(project, template) if p.start == start)
    PeriodicReport.objects.create(
        project=project,
        template=template,
        period_start=period.start,
        period_end=period.end,
        due_on=period.due_on,
        status=PeriodicReport.Status.SUBMITTED if submitted else PeriodicReport.Status.DRAFT,
        first_submitted_on=submitted,
    )


def test_due_reports_are_those_due_by_the_day_with_their_rows(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    switched_off = make_template(project.programme_year, cadence=ReportTemplate.Cadence.QUARTERLY)
    ReportTemplate.objects.filter(pk=switched_off.pk).update(active=False)
    make_template(make_year(2018))  # another year's template does not apply
    _report(project, template, D(2017, 2, 1), D(2017, 3, 8))

    due = due_reports([project], D(2017, 4, 10))

    assert [(item.period.start, item.report is not None) for item in due] == [
        (D(2017, 1, 1), False),
        (D(2017, 2, 1), True),
        (D(2017, 3, 1), False),  # due on 10 April: due on the day itself
    ]


def test_timeliness_counts_on_time_late_and_missing(world: World) -> None:
    project = make_project(world)
    template = make_template(project.programme_year)
    _report(project, template, D(2017, 1, 1), D(2017, 2, 10))  # on the due day: on time
    _report(project, template, D(2017, 2, 1), D(2017, 3, 20))  # late
    _report(project, template, D(2017, 3, 1), None)  # started, never submitted: missing
    _report(project, template, D(2017, 4, 1), D(2017, 5, 30))  # submitted after the day judged: missing then

    result = timeliness([project], D(2017, 5, 20))

    counted = result.by_project[project.pk]
    assert (counted.due, counted.on_time, counted.late, counted.missing) == (4, 1, 1, 2)
    assert counted.rate == Decimal("25.0")
    assert result.overall.rate == Decimal("25.0")


def test_timeliness_rate_has_one_decimal_and_is_none_when_nothing_is_due(world: World) -> None:
    project = make_project(world)
    other = make_project(world, organisation=world.wanzhou_org, ends_on=D(2017, 3, 31))
    template = make_template(project.programme_year, cadence=ReportTemplate.Cadence.QUARTERLY)
    _report(project, template, D(2017, 1, 1), D(2017, 4, 1))
    _report(project, template, D(2017, 4, 1), D(2017, 7, 1))
    _report(other, template, D(2017, 1, 1), D(2017, 5, 1))

    result = timeliness([project, other], D(2017, 7, 11))

    assert result.by_project[project.pk].rate == Decimal("100.0")
    assert result.by_project[other.pk].rate == Decimal("0.0")
    assert result.overall.rate == Decimal("66.7")  # 2 of 3
    assert timeliness([project], D(2017, 4, 10)).overall.rate is None  # the first is due on the 10th


def test_the_number_of_queries_does_not_grow_with_the_projects(world: World) -> None:
    first = make_project(world)
    make_template(first.programme_year)
    organisations = [
        Organisation.objects.create(
            name=f"机构{n}",
            kind="social_service_agency",
            home_county=world.chengkou,
            registered_on=D(2015, 1, 1),
        )
        for n in range(5)
    ]
    many = [first, *(make_project(world, organisation=o) for o in organisations)]

    def queries(projects: list[Project]) -> int:
        with CaptureQueriesContext(connection) as captured:
            timeliness(projects, D(2018, 1, 31))
        return len(captured)

    assert queries(many) == queries([first]) == 2

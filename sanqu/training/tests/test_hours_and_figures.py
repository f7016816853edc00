"""Continuing-education hours by year, and the trainees-against-quota figure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.testing import World
from sanqu.training.figures import trainees_vs_quota
from sanqu.training.models import Attendance, Trainee
from sanqu.training.selectors import hours_for_county, training_hours_by_year
from sanqu.training.tests.factories import Training, attend


def test_hours_by_year_count_attendance_or_else_the_ledger(world: World, training: Training) -> None:
    person = training.chengkou_trainee.person
    # 2018: attendance 8 + 4 + 4 = 16, and the ledger column says something else: attendance wins.
    attend(training.chengkou_trainee, training.sessions[0], training.sessions[2], training.sessions[3])
    Trainee.objects.filter(pk=training.chengkou_trainee.pk).update(hours=Decimal(99))
    # 2017: an imported ledger row with no attendance: its flat hours.
    Trainee.objects.create(
        person=person, programme_year=training.earlier, county=world.chengkou, hours=Decimal("56.5")
    )
    # 2016: no hours at all counts 0.
    year_2016 = ProgrammeYear.objects.create(
        year=2016, starts_on=dt.date(2016, 4, 1), ends_on=dt.date(2017, 3, 31)
    )
    Trainee.objects.create(person=person, programme_year=year_2016, county=world.chengkou)
    rows = training_hours_by_year(person)
    assert [(r.year, r.hours, r.from_attendance) for r in rows] == [
        (2016, Decimal(0), False),
        (2017, Decimal("56.5"), False),
        (2018, Decimal(16), True),
    ]
    assert rows[2].course_name == training.course.name
    with CaptureQueriesContext(connection) as queries:
        training_hours_by_year(person)
    assert len(queries) == 1


def test_partial_credit_counts_what_was_credited(world: World, training: Training) -> None:
    Attendance.objects.create(
        session=training.sessions[0], trainee=training.wanzhou_trainee, hours=Decimal("5.5")
    )
    [row] = training_hours_by_year(training.wanzhou_trainee.person)
    assert row.hours == Decimal("5.5")


def test_hours_for_a_county_sum_per_person_and_year(world: World, training: Training) -> None:
    attend(training.chengkou_trainee, *training.sessions)
    Trainee.objects.create(
        person=training.chengkou_trainee.person,
        programme_year=training.earlier,
        county=world.chengkou,
        hours=40,
    )
    years, rows = hours_for_county(world["chengkou"], world.chengkou)
    assert years == [2017, 2018]
    [row] = rows
    assert row.cells == [Decimal(40), Decimal(24)] and row.total == Decimal(64)
    # Out of scope: 万州's officer sees nobody of 城口.
    assert hours_for_county(world["wanzhou"], world.chengkou) == ([], [])


def test_trainees_vs_quota(world: World, training: Training) -> None:
    Trainee.objects.filter(pk=training.chengkou_trainee.pk).update(completed_on=dt.date(2018, 6, 1))
    as_of = dt.date(2018, 7, 10)
    with CaptureQueriesContext(connection) as queries:
        figure = trainees_vs_quota(scope=world.chongqing, as_of=as_of)
    assert len(queries) == 2
    # Quotas: 2017 城口 3; 2018 城口 2 + 万州 1.
    assert figure == {"quota": 6, "recommended": 2, "completed": 1}
    assert trainees_vs_quota(scope=world.chengkou, as_of=as_of) == {
        "quota": 5,
        "recommended": 1,
        "completed": 1,
    }
    # Completion after the date does not count yet; a year not started by the date counts nowhere.
    assert trainees_vs_quota(scope=world.chongqing, as_of=dt.date(2018, 5, 31)) == {
        "quota": 6,
        "recommended": 2,
        "completed": 0,
    }
    assert trainees_vs_quota(scope=world.chongqing, as_of=dt.date(2018, 2, 1)) == {
        "quota": 3,
        "recommended": 0,
        "completed": 0,
    }
    # Below county level there are no counties.
    assert trainees_vs_quota(scope=world.jiming, as_of=as_of) == {
        "quota": 0,
        "recommended": 0,
        "completed": 0,
    }
    assert ReceivingCounty.objects.count() == 3

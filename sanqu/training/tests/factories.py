"""A small training world on top of `sanqu.testing.World`: one programme year, quotas, a course."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.testing import World, make_person
from sanqu.training.models import Attendance, CourseSession, Trainee, TrainingCourse

TODAY = dt.date(2018, 7, 10)


@dataclass
class Training:
    year: ProgrammeYear
    earlier: ProgrammeYear
    course: TrainingCourse
    sessions: list[CourseSession]
    chengkou_trainee: Trainee
    wanzhou_trainee: Trainee


def build_training(world: World) -> Training:
    """2018: 城口 may recommend 2 (has 1), 万州 1 (has 1). A municipal course of 24 hours needing 16."""
    earlier = ProgrammeYear.objects.create(
        year=2017, starts_on=dt.date(2017, 4, 1), ends_on=dt.date(2018, 2, 28)
    )
    year = ProgrammeYear.objects.create(
        year=2018, starts_on=dt.date(2018, 3, 1), ends_on=dt.date(2019, 2, 28)
    )
    ReceivingCounty.objects.create(programme_year=year, county=world.chengkou, training_quota=2)
    ReceivingCounty.objects.create(programme_year=year, county=world.wanzhou, training_quota=1)
    ReceivingCounty.objects.create(programme_year=earlier, county=world.chengkou, training_quota=3)
    course = TrainingCourse.objects.create(
        programme_year=year,
        name="重庆市“三区”计划本土社会工作人才培养对象培训班",
        level=TrainingCourse.Level.MUNICIPAL,
        organiser="重庆市民政局",
        place="重庆市社会工作培训基地",
        starts_on=dt.date(2018, 5, 14),
        ends_on=dt.date(2018, 5, 18),
        required_hours=Decimal(16),
    )
    sessions = [
        CourseSession.objects.create(
            course=course, held_on=dt.date(2018, 5, 14 + i), kind=kind, topic=topic, hours=Decimal(hours)
        )
        for i, (kind, topic, hours) in enumerate(
            [
                (CourseSession.Kind.LECTURE, "社会工作伦理与价值", 8),
                (CourseSession.Kind.CASE_TEACHING, "留守儿童个案研讨", 8),
                (CourseSession.Kind.SEMINAR, "农村社会工作站建设", 4),
                (CourseSession.Kind.FIELD_VISIT, "鸡鸣乡社会工作站", 4),
            ]
        )
    ]
    chengkou_person = make_person("张春燕", world.chengkou, born=dt.date(1988, 3, 9))
    wanzhou_person = make_person("刘志强", world.wanzhou, address="500101", born=dt.date(1985, 8, 21))
    chengkou_trainee = Trainee.objects.create(
        person=chengkou_person,
        programme_year=year,
        county=world.chengkou,
        course=course,
        workplace="鸡鸣乡人民政府",
    )
    wanzhou_trainee = Trainee.objects.create(
        person=wanzhou_person, programme_year=year, county=world.wanzhou, course=course
    )
    return Training(year, earlier, course, sessions, chengkou_trainee, wanzhou_trainee)


def attend(trainee: Trainee, *sessions: CourseSession) -> None:
    for session in sessions:
        Attendance.objects.create(session=session, trainee=trainee, hours=session.hours)

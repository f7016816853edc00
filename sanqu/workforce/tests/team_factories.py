"""Teams and supervision sessions the team and supervision tests add to the shared test world."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sanqu.cases.models import Case
from sanqu.cases.tests.case_factories import make_year as make_case_year
from sanqu.cases.tests.case_factories import open_case
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.projects.models import ProgrammeYear
from sanqu.testing import World, make_person
from sanqu.workforce import team_services as services
from sanqu.workforce.models import Dispatch, Person, Supervision, SupervisionSession, Team
from sanqu.workforce.tests.factories import make_dispatch

TODAY = dt.date(2018, 7, 10)
FORMED = dt.date(2018, 3, 1)


def serve(
    world: World, person: Person | None = None, *, started_on: dt.date = dt.date(2018, 2, 20)
) -> Dispatch:
    """A dispatch to 城口's 鸡鸣乡 station (the worker's, unless another person is given)."""
    return make_dispatch(
        person=person or world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=started_on,
        station=world.station,
    )


def jiming_team(world: World, *, name: str = "鸡鸣乡社会工作服务团队") -> Team:
    return services.team_create(
        actor=world["chengkou"],
        name=name,
        county=world.chengkou,
        station=world.station,
        organisation=world.yangguang,
        formed_on=FORMED,
    )


def wanzhou_team(world: World) -> Team:
    return services.team_create(
        actor=world["wanzhou"], name="万州区社会工作服务团队", county=world.wanzhou, formed_on=FORMED
    )


def second_supervisee(world: World) -> Person:
    """Another 城口 worker the mentor supervises (for group sessions)."""
    person = make_person("陈小兰", world.chengkou, organisation=world.yangguang, born=dt.date(1992, 8, 1))
    Supervision.objects.create(
        supervisor=world.mentor_person, supervisee=person, started_on=dt.date(2018, 1, 1)
    )
    return person


def worker_case(world: World, name: str = "张秀英") -> Case:
    if not ProgrammeYear.objects.filter(year=2018).exists():
        make_case_year()
    return open_case(world, make_beneficiary(name, world.jiming, worker=world.worker_person))


def session(
    world: World, *, cases: list[Case] | None = None, held_on: dt.date = dt.date(2018, 6, 20)
) -> SupervisionSession:
    return services.supervision_session_record(
        actor=world["mentor"],
        supervisees=[world.worker_person],
        held_on=held_on,
        format=SupervisionSession.Format.INDIVIDUAL,
        duration_hours=Decimal("1.5"),
        topics="个案预估的方法",
        notes="讨论了如何与独居老人建立关系。",
        cases=cases or [],
        follow_ups=[
            services.FollowUpInput(
                action="补充张秀英的家庭支持评估", owner=world.worker_person, due_on=dt.date(2018, 7, 1)
            ),
            services.FollowUpInput(
                action="提供预估量表", owner=world.mentor_person, due_on=dt.date(2018, 7, 31)
            ),
        ],
    )

"""Records for the periodic report tests: cases, services and group sessions of a day, a report at a
given stage of its life."""

from __future__ import annotations

import datetime as dt
import itertools

from sanqu.cases.models import Case, Group, GroupSession, ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.orgs.models import Organisation
from sanqu.projects.models import PeriodicReport, Project, ReportTemplate
from sanqu.projects.report_services import report_save, report_start, report_submit
from sanqu.testing import World

_numbers = itertools.count(1)


def case_on(world: World, day: dt.date, *, organisation: Organisation | None = None) -> Case:
    beneficiary = make_beneficiary(f"对象{next(_numbers)}", world.jiming, worker=world.worker_person)
    return Case.objects.create(
        number=f"R-{next(_numbers)}",
        beneficiary=beneficiary,
        worker=world.worker_person,
        organisation=organisation or world.yangguang,
        county=world.chengkou,
        opened_on=day,
    )


def service_on(case: Case, day: dt.date) -> ServiceRecord:
    return ServiceRecord.objects.create(
        served_on=day,
        worker=case.worker,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.first(),
        duration_hours=1,
        beneficiary=case.beneficiary,
        case=case,
        county=case.county,
    )


def group_with_sessions(world: World, *days: dt.date, organisation: Organisation | None = None) -> Group:
    group = Group.objects.create(
        name=f"留守儿童成长小组{next(_numbers)}",
        county=world.chengkou,
        region=world.jiming,
        organisation=organisation or world.yangguang,
        worker=world.worker_person,
        purpose="陪伴成长",
        started_on=days[0],
    )
    for number, day in enumerate(days, start=1):
        GroupSession.objects.create(
            group=group, number=number, held_on=day, phase=Group.Phase.FORMING, topic="相识"
        )
    return group


def filed_report(
    world: World, project: Project, template: ReportTemplate, start: dt.date, *, submit: bool = True
) -> PeriodicReport:
    """A report of the period, filled in by 阳光's manager (and submitted unless told otherwise)."""
    manager = world["yangguang"]
    report = report_start(actor=manager, project=project, template=template, period_start=start)
    report = report_save(
        actor=manager,
        report=report,
        narrative="本月开展入户走访和小组活动。",
        problems="交通不便。",
        next_steps="继续跟进重点个案。",
        values={"home_visits": "12"},
    )
    return report_submit(actor=manager, report=report) if submit else report

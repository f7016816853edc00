"""Case work in two counties for the API's tests, made through the case-work services as workers would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.cases.models import Beneficiary, Case, Group, Intake, ServiceRecord, ServiceType
from sanqu.cases.services.cases import case_open
from sanqu.cases.services.service_records import service_record_create
from sanqu.cases.tests.case_factories import TODAY, in_intervention, make_year
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.tests.group_factories import make_group
from sanqu.regions.models import Region, Station
from sanqu.testing import World, make_person, make_user

__all__ = ["TODAY", "Casework", "build_casework"]


@dataclass
class Casework:
    mine: Beneficiary  # 李晓梅's, in 鸡鸣乡, with an open case in 介入
    township: Beneficiary  # in 鸡鸣乡, nobody's yet: listed for the township's worker
    child: Beneficiary  # a child in 鸡鸣乡, of nobody: restricted, in full for the county only
    other_worker_case: Case  # a case of another 城口 worker
    case: Case
    record: ServiceRecord
    group: Group
    wanzhou: Beneficiary
    wanzhou_case: Case
    wanzhou_record: ServiceRecord
    wanzhou_group: Group
    service_type: ServiceType


def build_casework(world: World) -> Casework:
    make_year()
    mine = make_beneficiary("张秀英", world.jiming, worker=world.worker_person)
    mine.consent_on, mine.consent_by = dt.date(2018, 3, 1), Beneficiary.ConsentBy.SELF
    mine.save()
    township = make_beneficiary("刘大爷", world.jiming)
    child = make_beneficiary("小明", world.jiming, born=dt.date(2010, 4, 1), groups=("left_behind_children",))
    case = in_intervention(world, mine)
    service_type = ServiceType.objects.filter(active=True).order_by("pk").first()
    assert service_type is not None
    record = service_record_create(
        actor=world["worker"],
        served_on=dt.date(2018, 6, 1),
        service_type=service_type,
        method=ServiceRecord.Method.CASE,
        duration_hours=Decimal(1),
        case=case,
    )
    # A second 城口 worker, in the same township, with her own case.
    colleague = make_person("陈同事", world.chengkou, organisation=world.yangguang, born=dt.date(1990, 1, 2))
    colleague_user = make_user("colleague", (Role.SOCIAL_WORKER, world.jiming, {"person": colleague}))
    world.users["colleague"] = colleague_user
    theirs = make_beneficiary("赵奶奶", world.jiming, worker=colleague)
    other_worker_case = open_case_as(colleague_user, theirs)
    # 万州: a worker of its own, a beneficiary, a case, a service and a group.
    town = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    Station.objects.create(name="高笋塘社会工作站", kind=Station.Kind.STATION, region=town)
    wanzhou_person = make_person("赵万州", world.wanzhou, organisation=world.wanzhou_org, address="500101")
    wanzhou_user = make_user("wanzhou_worker", (Role.SOCIAL_WORKER, town, {"person": wanzhou_person}))
    world.users["wanzhou_worker"] = wanzhou_user
    wanzhou = make_beneficiary("万大姐", town, worker=wanzhou_person)
    wanzhou_case = open_case_as(wanzhou_user, wanzhou)
    wanzhou_record = service_record_create(
        actor=wanzhou_user,
        served_on=dt.date(2018, 6, 2),
        service_type=service_type,
        method=ServiceRecord.Method.CASE,
        duration_hours=Decimal(2),
        beneficiary=wanzhou,
    )
    return Casework(
        mine=mine,
        township=township,
        child=child,
        other_worker_case=other_worker_case,
        case=case,
        record=record,
        group=make_group(world),
        wanzhou=wanzhou,
        wanzhou_case=wanzhou_case,
        wanzhou_record=wanzhou_record,
        wanzhou_group=make_group(
            world,
            name="万州老人互助组",
            county=world.wanzhou,
            region=town,
            station=None,
            organisation=world.wanzhou_org,
            worker=wanzhou_person,
        ),
        service_type=service_type,
    )


def open_case_as(user: User, beneficiary: Beneficiary) -> Case:
    return case_open(
        actor=user,
        beneficiary=beneficiary,
        opened_on=dt.date(2018, 5, 3),
        source=Intake.Source.WALK_IN,
        presenting_problem="需要陪伴",
    )

"""A small programme built by hand for the figures tests (the values are reasoned out in test_engine).

Counties: 城口 and 万州 receive from 2013 (year starts 2013-06-01), 开州 (former code 500234,
开县) joins in 2014 (starts 2014-06-01); 江北 never receives. The baseline date is 2012-12-31.
The main date D is 2014-12-31.

`build_work` adds the work with people, reasoned out in its comments: beneficiaries, cases in
each stage as of D, service records, group sessions, community activities and livelihood projects,
some of them restricted (a child under 14, a community-correction subject: figures count them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from django.utils import timezone

from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    Case,
    CasePlan,
    Closure,
    CommunityActivity,
    CommunityAttendance,
    Evaluation,
    Group,
    GroupSession,
    Intake,
    ServiceRecord,
    ServiceType,
    TargetGroup,
)
from sanqu.incentives.models import IncentivePolicy
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodProject, ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, RegionCode
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate, Dispatch, Person

D = dt.date(2014, 12, 31)
Kind = Organisation.Kind
_sequence = count(100)


def _number(address: str, born: dt.date) -> str:
    """A valid ID number, distinct from the last 899 made (a test makes far fewer; the dates stay as
    given, for the figures that depend on age)."""
    return idnumber.make(address, born, 100 + (next(_sequence) - 100) % 900)


@dataclass
class Programme:
    chongqing: Region
    chengkou: Region
    jiming: Region
    wanzhou: Region
    kaizhou: Region
    jiangbei: Region


def county(code: str, name: str, parent: Region) -> Region:
    return Region.objects.create(code=code, name=name, level=Region.Level.COUNTY, parent=parent)


def person(name: str, where: Region) -> Person:
    someone = Person(name=name, county=where)
    someone.set_id_number(_number(where.code, dt.date(1990, 1, 1)))
    someone.save()
    return someone


def org(name: str, kind: str, home: Region, registered: dt.date, deregistered: dt.date | None = None,
        *, social_work: bool = True) -> Organisation:  # fmt: skip
    return Organisation.objects.create(
        name=name, kind=kind, home_county=home, registered_on=registered, deregistered_on=deregistered,
        social_work=social_work,
    )  # fmt: skip


def dispatch(who: Person, year: ProgrammeYear, sender: Organisation, where: Region, started: dt.date,
             status: str = Dispatch.Status.COMPLETED) -> None:  # fmt: skip
    Dispatch.objects.create(
        person=who, programme_year=year, sending_organisation=sender, county=where, started_on=started,
        planned_end_on=Dispatch.default_planned_end(started), status=status,
        ended_on=None if status == Dispatch.Status.SERVING
        else started + dt.timedelta(days=100) if status == Dispatch.Status.LEFT_EARLY
        else Dispatch.default_planned_end(started),
        leave_reason="family" if status == Dispatch.Status.LEFT_EARLY else "",
    )  # fmt: skip


def certificate(
    who: Person, where: Region, obtained: dt.date, level: str = Certificate.Level.ASSISTANT
) -> None:
    Certificate.objects.create(person=who, county=where, obtained_on=obtained, level=level)


def policy(where: Region, kind: str, start: dt.date, until: dt.date | None = None) -> None:
    IncentivePolicy.objects.create(county=where, name=f"{where.name}{kind}", kind=kind, effective_from=start,
                                   effective_until=until)  # fmt: skip


def build_programme() -> Programme:
    chongqing = Region.objects.create(code="500000", name="重庆市", level=Region.Level.PROVINCE)
    chengkou = county("500229", "城口县", chongqing)
    jiming = Region.objects.create(
        code="500229212", name="鸡鸣乡", level=Region.Level.TOWNSHIP, parent=chengkou
    )
    wanzhou = county("500101", "万州区", chongqing)
    kaizhou = county("500154", "开州区", chongqing)
    RegionCode.objects.create(region=kaizhou, code="500234", name="开县", valid_until=dt.date(2016, 6, 1))
    jiangbei = county("500105", "江北区", chongqing)

    y2013 = ProgrammeYear.objects.create(
        year=2013, starts_on=dt.date(2013, 6, 1), ends_on=dt.date(2014, 5, 31)
    )
    y2014 = ProgrammeYear.objects.create(
        year=2014, starts_on=dt.date(2014, 6, 1), ends_on=dt.date(2015, 5, 31)
    )
    for year, counties in ((y2013, [chengkou, wanzhou]), (y2014, [chengkou, wanzhou, kaizhou])):
        for where in counties:
            ReceivingCounty.objects.create(
                programme_year=year, county=where, dispatch_quota=1, training_quota=1
            )

    # Organisations. At D: A, B (城口), D, H (开州) = 4. At the baseline: A, C, H = 3.
    a = org("城口甲社工中心", Kind.SOCIAL_SERVICE_AGENCY, chengkou, dt.date(2012, 5, 1))
    org("城口社会工作协会", Kind.ASSOCIATION, chengkou, dt.date(2014, 2, 1))  # B
    org("万州丙社工中心", Kind.SOCIAL_SERVICE_AGENCY, wanzhou, dt.date(2011, 1, 1), dt.date(2014, 6, 30))  # C
    org("开州社工基金会", Kind.FOUNDATION, kaizhou, dt.date(2014, 8, 1))  # D
    sender = org(
        "江北戊社工中心", Kind.SOCIAL_SERVICE_AGENCY, jiangbei, dt.date(2010, 1, 1)
    )  # E: not receiving
    org("万州某学院", Kind.COLLEGE, wanzhou, dt.date(2000, 1, 1), social_work=False)  # F: not social work
    org("万州己社工中心", Kind.SOCIAL_SERVICE_AGENCY, wanzhou, dt.date(2015, 3, 1))  # G: after D
    org("开州庚社工中心", Kind.SOCIAL_SERVICE_AGENCY, kaizhou, dt.date(2012, 1, 1))  # H

    # Dispatches. At D: p1 twice, p2, p4 = 4 (3 people); p3 starts after D.
    p1, p2, p3, p4 = (person(name, jiangbei) for name in ("张一", "李二", "王三", "赵四"))
    dispatch(p1, y2013, sender, chengkou, dt.date(2013, 6, 10))
    dispatch(p1, y2014, a, chengkou, dt.date(2014, 6, 15), Dispatch.Status.SERVING)
    dispatch(p2, y2013, sender, wanzhou, dt.date(2013, 6, 10), Dispatch.Status.LEFT_EARLY)
    dispatch(p3, y2014, sender, kaizhou, dt.date(2015, 1, 5), Dispatch.Status.SERVING)
    dispatch(p4, y2014, sender, wanzhou, dt.date(2014, 7, 1), Dispatch.Status.SERVING)

    # Trainees. At D: t1 (twice) and t4 = 2; t2 never completed, t3 completed after D.
    t1, t2, t3, t4 = (
        person("钱五", chengkou),
        person("孙六", wanzhou),
        person("周七", kaizhou),
        person("吴八", wanzhou),
    )
    Trainee.objects.create(
        person=t1, programme_year=y2013, county=chengkou, completed_on=dt.date(2013, 11, 20)
    )
    Trainee.objects.create(person=t2, programme_year=y2013, county=wanzhou)
    Trainee.objects.create(
        person=t1, programme_year=y2014, county=chengkou, completed_on=dt.date(2014, 10, 1)
    )
    Trainee.objects.create(person=t3, programme_year=y2014, county=kaizhou, completed_on=dt.date(2015, 1, 10))
    Trainee.objects.create(person=t4, programme_year=y2014, county=wanzhou, completed_on=dt.date(2014, 11, 1))

    # Certificates. At D: c1, c2, c5, c6 = 4 people. At the baseline: c1, c2, c6 = 3.
    c1, c2, c3, c4 = (
        person("郑九", chengkou),
        person("冯十", wanzhou),
        person("陈十一", wanzhou),
        person("褚十二", jiangbei),
    )
    c5, c6 = person("卫十三", kaizhou), person("蒋十四", kaizhou)
    certificate(c1, chengkou, dt.date(2011, 12, 1))
    certificate(c1, chengkou, dt.date(2014, 11, 15), Certificate.Level.INTERMEDIATE)
    certificate(c2, wanzhou, dt.date(2012, 12, 31))  # on the baseline date: counts in both
    certificate(c3, wanzhou, dt.date(2015, 1, 1))  # after D
    certificate(c4, jiangbei, dt.date(2013, 10, 1))  # not a receiving county
    certificate(c5, kaizhou, dt.date(2014, 5, 1))
    certificate(c6, kaizhou, dt.date(2012, 6, 1))  # 开州 receives as of D, so its baseline counts

    # Incentive policies in force at D: 城口 and 开州 (its last day) = 2 counties.
    policy(chengkou, IncentivePolicy.Kind.EXAM_FEE, dt.date(2014, 1, 1))
    policy(wanzhou, IncentivePolicy.Kind.TITLE_SUBSIDY, dt.date(2013, 1, 1), dt.date(2014, 6, 30))  # expired
    policy(wanzhou, IncentivePolicy.Kind.ONE_OFF_AWARD, dt.date(2015, 1, 1))  # not yet
    policy(kaizhou, IncentivePolicy.Kind.ONE_OFF_AWARD, dt.date(2014, 1, 1), dt.date(2014, 12, 31))
    policy(jiangbei, IncentivePolicy.Kind.EXAM_FEE, dt.date(2013, 1, 1))  # not a receiving county
    made = Programme(chongqing, chengkou, jiming, wanzhou, kaizhou, jiangbei)
    build_work(made, worker=p1, organisation=a)
    return made


# Work with people ----------------------------------------------------------------------------


def village(code: str, name: str, parent: Region) -> Region:
    return Region.objects.create(code=code, name=name, level=Region.Level.VILLAGE, parent=parent)


def beneficiary(name: str, where: Region, registered: dt.date, born: dt.date, *groups: str) -> Beneficiary:
    someone = Beneficiary(name=name, region=where, registered_on=registered)
    someone.set_id_number(_number(where.code[:6], born))
    someone.save()
    someone.target_groups.set(TargetGroup.objects.filter(code__in=groups))
    return someone


def case(who: Beneficiary, worker: Person, opened: dt.date, number: str) -> Case:
    county = Region.objects.get(code=who.region.code[:6])
    made = Case.objects.create(number=number, beneficiary=who, worker=worker, county=county, opened_on=opened)
    Intake.objects.create(case=made, source=Intake.Source.WALK_IN, presenting_problem="…", recorded_on=opened)
    return made


def assess(on: Case, day: dt.date) -> None:
    Assessment.objects.create(case=on, assessed_on=day, problems_needs="…")


def plan(on: Case, version: int, drafted: dt.date, status: str, reviewed: dt.date | None = None) -> None:
    reviewed_at = (
        timezone.make_aware(dt.datetime.combine(reviewed, dt.time(10))) if reviewed is not None else None
    )
    CasePlan.objects.create(
        case=on, version=version, drafted_on=drafted, status=status, reviewed_at=reviewed_at
    )


def evaluate(on: Case, day: dt.date) -> None:
    Evaluation.objects.create(case=on, evaluated_on=day)


def close(on: Case, day: dt.date, reason: str, status: str = Closure.Status.APPROVED) -> None:
    Closure.objects.create(case=on, closed_on=day, reason=reason, summary="…", status=status)


def service(where: Region, day: dt.date, code: str, hours: str, worker: Person, **links: object) -> None:
    ServiceRecord.objects.create(
        served_on=day, worker=worker, method=ServiceRecord.Method.CASE, county=where,
        service_type=ServiceType.objects.get(code=code), duration_hours=Decimal(hours), **links,
    )  # fmt: skip


def group_with_sessions(where: Region, worker: Person, *days: dt.date) -> None:
    group = Group.objects.create(
        name=f"{where.name}小组", county=Region.objects.get(code=where.code[:6]), region=where,
        worker=worker, purpose="…", started_on=days[0],
    )  # fmt: skip
    for number, day in enumerate(days, start=1):
        GroupSession.objects.create(
            group=group, number=number, held_on=day, phase=Group.Phase.FORMING, topic="…"
        )


def activity(where: Region, day: dt.date, worker: Person, **headcounts: int) -> None:
    held = CommunityActivity.objects.create(
        name=f"{where.name}活动", kind=CommunityActivity.Kind.CULTURAL, held_on=day,
        county=Region.objects.get(code=where.code[:6]), region=where, worker=worker,
    )  # fmt: skip
    for code, headcount in headcounts.items():
        CommunityAttendance.objects.create(
            activity=held, target_group=TargetGroup.objects.get(code=code), headcount=headcount
        )


def livelihood(where: Region, kind: str, started: dt.date, households: int, run_by: Organisation) -> None:
    LivelihoodProject.objects.create(
        name=f"{where.name}{kind}", kind=kind, county=Region.objects.get(code=where.code[:6]), region=where,
        organisation=run_by, started_on=started, households_reached=households,
    )  # fmt: skip


def build_work(programme: Programme, *, worker: Person, organisation: Organisation) -> None:
    chengkou, wanzhou, kaizhou = programme.chengkou, programme.wanzhou, programme.kaizhou
    chaping = village("500229212201", "茶坪村", programme.jiming)
    township = Region.objects.create(code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP,
                                     parent=wanzhou)  # fmt: skip
    gaosun = village("500101001201", "高笋塘社区", township)

    # Beneficiaries by group at D: b1 (a child under 14: restricted) and b2 in 城口, b3 (community
    # correction: restricted) in 万州, b5 in 开州 (the county itself); b4 registers after D.
    b1 = beneficiary("田小雨", chaping, dt.date(2014, 3, 10), dt.date(2006, 5, 1),
                     "left_behind_children", "registered_poor")  # fmt: skip
    b2 = beneficiary("田大山", chaping, dt.date(2013, 9, 1), dt.date(1946, 2, 1),
                     "left_behind_elderly", "registered_poor")  # fmt: skip
    b3 = beneficiary("刘某", gaosun, dt.date(2014, 6, 1), dt.date(1985, 7, 1), "community_correction")
    b4 = beneficiary("何秀英", gaosun, dt.date(2015, 2, 1), dt.date(1980, 3, 1), "left_behind_women")
    b5 = beneficiary("蒋福", kaizhou, dt.date(2014, 5, 1), dt.date(1950, 8, 1),
                     "disabled", "elderly_in_difficulty")  # fmt: skip

    # Cases, one in each stage as of D (in 城口: c6 intake, c2 intervention, c1 closed).
    Status, Reason = CasePlan.Status, Closure.Reason
    c1 = case(b2, worker, dt.date(2013, 10, 1), "C1")  # closed 2014-04-01; intervention on 2014-03-01
    assess(c1, dt.date(2013, 10, 8))
    plan(c1, 1, dt.date(2013, 10, 15), Status.APPROVED, dt.date(2013, 10, 18))
    evaluate(c1, dt.date(2014, 3, 20))
    close(c1, dt.date(2014, 4, 1), Reason.GOAL_MET)
    c2 = case(b1, worker, dt.date(2014, 3, 15), "C2")  # intervention: v3 is a revision, not a new plan
    assess(c2, dt.date(2014, 3, 20))
    plan(c2, 1, dt.date(2014, 3, 25), Status.RETURNED, dt.date(2014, 3, 27))
    plan(c2, 2, dt.date(2014, 4, 1), Status.APPROVED, dt.date(2014, 4, 3))
    plan(c2, 3, dt.date(2014, 10, 1), Status.SUBMITTED)
    c3 = case(b3, worker, dt.date(2014, 6, 5), "C3")  # plan: approved only after D
    assess(c3, dt.date(2014, 6, 10))
    plan(c3, 1, dt.date(2014, 6, 20), Status.APPROVED, dt.date(2015, 1, 5))
    c4 = case(b5, worker, dt.date(2014, 5, 5), "C4")  # withdrew (no evaluation needed), reopened: assessment
    close(c4, dt.date(2014, 6, 1), Reason.WITHDREW)
    assess(c4, dt.date(2014, 9, 1))
    Case.objects.filter(pk=c4.pk).update(reopened_times=1)
    case(b4, worker, dt.date(2015, 2, 5), "C5")  # opened after D
    case(b2, worker, dt.date(2014, 12, 1), "C6")  # intake
    c7 = case(b3, worker, dt.date(2014, 7, 1), "C7")  # evaluation: the closure awaits approval
    assess(c7, dt.date(2014, 7, 2))
    plan(c7, 1, dt.date(2014, 7, 5), Status.APPROVED, dt.date(2014, 7, 6))
    evaluate(c7, dt.date(2014, 12, 20))
    close(c7, dt.date(2014, 12, 28), Reason.GOAL_MET, Closure.Status.SUBMITTED)

    # Service records at D: 城口 s1-s3 (4.5 h), 万州 s4 (s5 is after D), 开州 s6, 江北 s7 = 10.5 h.
    service(chengkou, dt.date(2014, 4, 10), "growth_support", "1.5", worker, beneficiary=b1, case=c2)
    service(chengkou, dt.date(2014, 5, 10), "growth_support", "2.0", worker, beneficiary=b1, case=c2)
    service(chengkou, dt.date(2013, 11, 1), "emotional_comfort", "1.0", worker, beneficiary=b2, case=c1)
    service(wanzhou, dt.date(2014, 7, 10), "psychosocial_support", "2.5", worker, beneficiary=b3, case=c7)
    service(wanzhou, dt.date(2015, 1, 10), "psychosocial_support", "1.0", worker, beneficiary=b3, case=c7)
    service(kaizhou, dt.date(2014, 6, 1), "counselling", "0.5", worker, beneficiary=b5)
    service(programme.jiangbei, dt.date(2014, 8, 1), "policy_publicity", "3.0", worker)

    # Group sessions at D: two in 城口 (the third is after D), one in 万州.
    group_with_sessions(chaping, worker, dt.date(2014, 4, 5), dt.date(2014, 4, 12), dt.date(2015, 1, 10))
    group_with_sessions(gaosun, worker, dt.date(2014, 8, 1))

    # Community attendance at D: 城口 20 + 15, 万州 4 + 10 (community correction counted); 开州's is after D.
    activity(chaping, dt.date(2014, 5, 1), worker, left_behind_children=20, left_behind_elderly=15)
    activity(gaosun, dt.date(2014, 9, 1), worker, community_correction=4, registered_poor=10)
    activity(kaizhou, dt.date(2015, 3, 1), worker, other=30)

    # Livelihood households at D: 城口 30, 开州 12; 万州's starts after D.
    Kind = LivelihoodProject.Kind
    livelihood(programme.jiming, Kind.WORKSHOP, dt.date(2014, 5, 1), 30, organisation)
    livelihood(kaizhou, Kind.COOPERATIVE, dt.date(2014, 10, 1), 12, organisation)
    livelihood(gaosun, Kind.PLANTING, dt.date(2015, 4, 1), 50, organisation)

"""A small programme built by hand for the figures tests (the values are reasoned out in test_engine).

Counties: 城口 and 万州 receive from 2013 (year starts 2013-06-01), 开州 (former code 500234,
开县) joins in 2014 (starts 2014-06-01); 江北 never receives. The baseline date is 2012-12-31.
The main date D is 2014-12-31.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count

from sanqu.incentives.models import IncentivePolicy
from sanqu.lib import idnumber
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region, RegionCode
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate, Dispatch, Person

D = dt.date(2014, 12, 31)
Kind = Organisation.Kind
_sequence = count(100)


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
    someone.set_id_number(idnumber.make(where.code, dt.date(1990, 1, 1), next(_sequence)))
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
        leave_reason="家庭原因" if status == Dispatch.Status.LEFT_EARLY else "",
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
    return Programme(chongqing, chengkou, jiming, wanzhou, kaizhou, jiangbei)

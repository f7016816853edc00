from __future__ import annotations

import datetime as dt

from sanqu.cases.models import Case, CasePlan
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World


def open_case(world: World, *, opened_on: dt.date, number: str) -> Case:
    beneficiary = make_beneficiary(f"对象{number}", world.jiming, worker=world.worker_person)
    return Case.objects.create(
        number=number,
        beneficiary=beneficiary,
        worker=world.worker_person,
        county=world.chengkou,
        opened_on=opened_on,
        stage=Case.Stage.PLAN,
    )


def test_it_tells_the_worker_how_many_cases_need_her_now(world: World, as_user, settings) -> None:
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    open_case(world, opened_on=dt.date(2018, 7, 1), number="500229-2018-0001")
    open_case(world, opened_on=dt.date(2018, 3, 1), number="500229-2018-0002")  # no service for months

    page = as_user("worker").get("/").content.decode()

    assert "进行中的个案 2 个" in page
    assert "其中 1 个需要尽快处理" in page


def test_it_tells_the_supervisor_what_awaits_her_review(world: World, as_user, settings) -> None:
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    case = open_case(world, opened_on=dt.date(2018, 7, 1), number="500229-2018-0003")
    CasePlan.objects.create(case=case, drafted_on=dt.date(2018, 7, 5))

    page = as_user("mentor").get("/").content.decode()

    assert "1 项计划、结案或转介等待您处理" in page
    assert as_user("worker").get("/").content.decode().count("等待您处理") == 0

"""The person page tells a person's programme story: here, the caseload they hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client

from sanqu.cases.tests.case_factories import assess, open_case
from sanqu.cases.tests.case_factories import make_year as make_case_year
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import World
from sanqu.training.models import Trainee
from sanqu.workforce.models import Dispatch, Team, TeamMember
from sanqu.workforce.tests.factories import make_dispatch, make_year


def test_the_caseload_shows_open_cases_by_stage_as_counts_only(
    world: World, as_user: Callable[[str], Client]
) -> None:
    make_case_year()
    open_case(world)
    assess(world, open_case(world, make_beneficiary("李桂兰", world.jiming, worker=world.worker_person)))

    page = as_user("chengkou").get(f"/people/{world.worker_person.pk}/").content.decode()

    assert "进行中的个案" in page
    assert "其中 接案" in page and "其中 预估" in page
    assert "其中 计划" not in page  # only the stages that hold a case
    assert "李桂兰" not in page and "张秀英" not in page  # a caseload is counts, never names


def test_a_person_without_cases_says_so(world: World, as_user: Callable[[str], Client]) -> None:
    page = as_user("chengkou").get(f"/people/{world.mentor_person.pk}/").content.decode()

    assert "此人没有负责的个案，近一年也没有服务记录。" in page


def test_the_page_tells_teams_dispatch_experience_and_training_hours(
    world: World, as_user: Callable[[str], Client]
) -> None:
    person = world.worker_person
    dispatch = make_dispatch(
        person=person, county=world.chengkou, organisation=world.yangguang, started_on=dt.date(2016, 3, 1)
    )
    Dispatch.objects.filter(pk=dispatch.pk).update(
        status=Dispatch.Status.COMPLETED, ended_on=dt.date(2017, 2, 28), assessment=Dispatch.Assessment.GOOD
    )
    team = Team.objects.create(name="鸡鸣乡服务团队", county=world.chengkou, formed_on=dt.date(2018, 1, 1))
    TeamMember.objects.create(
        team=team, person=person, role=TeamMember.Role.DISPATCHED, joined_on=dt.date(2018, 1, 1)
    )
    Trainee.objects.create(
        person=person,
        programme_year=make_year(year=2017, counties=[world.chengkou]),
        county=world.chengkou,
        course_name="市级社会工作实务培训班",
        hours=56,
        completed_on=dt.date(2017, 11, 30),
    )

    page = as_user("chengkou").get(f"/people/{person.pk}/").content.decode()

    assert f'href="/dispatches/{dispatch.pk}/"' in page
    assert "考核合格的选派计入社会工作经历：1.0 年（1 期）。" in page  # 2016-03-01 to 2017-02-28
    assert "鸡鸣乡服务团队" in page and "选派社工" in page
    assert "2017 年：56.0 学时" in page or "2017 年：56 学时" in page
    assert "（台账）" in page  # flat ledger hours, no attendance records

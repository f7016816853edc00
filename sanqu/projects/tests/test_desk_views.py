"""The county desk and the city programme page: what each user finds waiting, and the counties
side by side, every number from the records and every page in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanqu.orgs.models import Organisation
from sanqu.projects.models import ReceivingCounty
from sanqu.projects.report_services import report_return
from sanqu.projects.tests.factories import make_project, make_template
from sanqu.projects.tests.report_support import case_on, filed_report
from sanqu.projects.visit_services import action_add, visit_plan
from sanqu.testing import World

pytestmark = pytest.mark.django_db
TODAY = dt.date(2017, 6, 20)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


@pytest.fixture
def project(world: World):
    return make_project(world)


@pytest.fixture
def template(project):
    return make_template(project.programme_year)


def _page(client, name: str, **query: str) -> str:
    response = client.get(reverse(name), query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_county_section_finds_the_report_to_review_and_the_late_ones(
    world: World, as_user, project, template
) -> None:
    filed_report(world, project, template, dt.date(2017, 3, 1))
    page = _page(as_user("chengkou"), "project_desk")
    assert "待我审核的报告" in page
    assert "2017-03-01 – 2017-03-31" in page  # the March report waits for review
    # January, February, April and May were due by 10 June and never came.
    assert page.count("desk-late-report") == 4
    assert project.name in page


def test_the_organisation_finds_the_returned_report_with_the_project(
    world: World, as_user, project, template
) -> None:
    report = filed_report(world, project, template, dt.date(2017, 3, 1))
    report_return(actor=world["chengkou"], report=report, comment="请补充典型案例。")
    page = _page(as_user("yangguang"), "project_desk")
    assert "待填报或修改的报告" in page
    assert "已退回" in page
    assert "待我审核的报告" not in page


def test_another_county_sees_nothing_of_chengkou(world: World, as_user, project, template) -> None:
    filed_report(world, project, template, dt.date(2017, 3, 1))
    page = _page(as_user("wanzhou"), "project_desk")
    assert project.name not in page
    assert "2017-03-01" not in page
    programme = _page(as_user("wanzhou"), "programme_overview", year="2017")
    assert "城口县" not in programme


def test_the_desk_lists_open_actions_and_visits_due(world: World, as_user, project) -> None:
    visit = visit_plan(
        actor=world["chengkou"],
        kind="inspection",
        planned_on=dt.date(2017, 6, 1),
        visitors="张三(县民政局)",
        project=project,
        visited_on=dt.date(2017, 6, 1),
        findings="档案不全。",
    )
    action_add(
        actor=world["chengkou"],
        visit=visit,
        action="补齐个案档案",
        owner=world["yangguang"],
        due_on=dt.date(2017, 6, 15),
    )
    visit_plan(
        actor=world["chengkou"],
        kind="field_visit",
        planned_on=dt.date(2017, 6, 28),
        visitors="李四",
        project=project,
    )
    officer = _page(as_user("chengkou"), "project_desk")
    assert "补齐个案档案" in officer
    assert "近两周的督查走访" in officer and "计划 2017-06-28" in officer
    manager = _page(as_user("yangguang"), "project_desk")
    assert "补齐个案档案" in manager  # the action it owns
    assert "近两周的督查走访" not in manager


def test_the_programme_page_puts_the_counties_side_by_side(world: World, as_user, project, template) -> None:
    ReceivingCounty.objects.create(
        programme_year=project.programme_year, county=world.wanzhou, dispatch_quota=3
    )
    make_project(world, county=world.wanzhou, organisation=world.wanzhou_org, budget="150000.00")
    for day in (dt.date(2017, 2, 1), dt.date(2017, 3, 1)):
        case_on(world, day)
    filed_report(world, project, template, dt.date(2017, 1, 1))  # submitted late (due 10 Feb)

    page = _page(as_user("city"), "programme_overview", year="2017")

    assert "2017年度项目概览" in page
    assert "城口县" in page and "万州区" in page
    assert "个案(个)：2 / 20（10%）" in page
    assert "350,000.00" in page  # the two budgets added up in the total row
    # Five monthly reports were due by 20 June; 城口 sent January's late and none of the rest.
    assert '0.0% <span class="desk-late">4 期未报</span>' in page


def test_the_leader_reads_the_programme_page_and_the_worker_is_sent_to_her_desk(
    world: World, as_user, project
) -> None:
    assert "城口县" in _page(as_user("leader"), "programme_overview")
    page = _page(as_user("worker"), "programme_overview")
    assert "全市概览供市、区县民政部门使用" in page


def test_both_pages_cost_the_same_for_one_project_or_five(world: World, as_user, project, template) -> None:
    client = as_user("city")

    def queries(name: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get(reverse(name), {"year": "2017"})
        return len(captured)

    before = (queries("project_desk"), queries("programme_overview"))
    for n in range(4):
        organisation = Organisation.objects.create(
            name=f"机构{n}",
            kind="social_service_agency",
            home_county=world.chengkou,
            registered_on=dt.date(2015, 1, 1),
        )
        make_project(world, organisation=organisation)
    assert (queries("project_desk"), queries("programme_overview")) == before


def test_the_home_page_counts_what_project_supervision_asks_for(
    world: World, as_user, project, template
) -> None:
    filed_report(world, project, template, dt.date(2017, 3, 1))
    officer = _page(as_user("chengkou"), "home")
    assert "打开工作台" in officer
    waiting = '?mine=on">待我审核的报告</a></span><span class="record__aside"><span class="count">1<'
    assert waiting in officer
    manager = _page(as_user("yangguang"), "home")
    assert "待填报或修改的报告" in manager and "待我审核的报告" not in manager
    assert "打开工作台" not in _page(as_user("editor"), "home")

"""A social worker on a phone records a group session, ticking who came, and sees the count."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.cases.models import GroupSession
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.tests.group_factories import TODAY, add_member, make_group
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

# The test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def test_it_lets_a_worker_record_a_session_with_attendance_on_a_phone(
    page: Page, live_server, world: World, settings
) -> None:
    settings.SANQU_TODAY = TODAY
    group = make_group(world, name="留守儿童合唱团")
    add_member(group, make_beneficiary("李小花", world.jiming))
    add_member(group, make_beneficiary("张小明", world.jiming))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("worker")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="社区与小组").click()
    page.get_by_role("link", name="留守儿童合唱团").click()
    page.get_by_role("link", name="记录一节活动").click()

    page.get_by_role("radio", name="形成").check()
    page.get_by_label("主题").fill("相互认识：我的名字故事")
    page.get_by_label("张小明").uncheck()
    page.screenshot(path=str(SCREENSHOTS / "group-session-375.png"), full_page=True)
    page.get_by_role("button", name="保存活动记录").click()

    expect(page.get_by_text("出席 1 / 2 人")).to_be_visible()
    expect(page.locator(".phases__step--current")).to_have_text("形成")
    page.screenshot(path=str(SCREENSHOTS / "group-detail-375.png"), full_page=True)
    assert GroupSession.objects.get().topic == "相互认识：我的名字故事"


def test_it_shows_a_livelihood_projects_results_over_time_on_a_phone(
    page: Page, live_server, world: World, settings
) -> None:
    settings.SANQU_TODAY = TODAY
    project = LivelihoodProject.objects.create(
        name="云隘村特色种植",
        kind=LivelihoodProject.Kind.PLANTING,
        county=world.chengkou,
        region=world.jiming,
        organisation=world.yangguang,
        started_on=dt.date(2017, 3, 1),
        households_reached=120,
    )
    for day, indicator, label, value in [
        (dt.date(2017, 5, 1), "visits", "", "11"),
        (dt.date(2018, 4, 1), "area_mu", "核桃", "500"),
        (dt.date(2018, 4, 1), "area_mu", "雪莲果", "300"),
        (dt.date(2018, 6, 30), "income_per_household", "", "6000"),
    ]:
        LivelihoodMeasure.objects.create(
            project=project, measured_on=day, indicator=indicator, label=label, value=Decimal(value)
        )

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/projects/livelihood/")
    page.get_by_role("link", name="云隘村特色种植").click()

    latest = page.locator(".latest")
    expect(latest).to_contain_text("6000")
    expect(latest).to_contain_text("雪莲果")
    page.screenshot(path=str(SCREENSHOTS / "livelihood-detail-375.png"), full_page=True)

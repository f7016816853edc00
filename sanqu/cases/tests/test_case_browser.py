"""A phone-sized browser: the worker's caseload, a case's timeline, the supervisor's approval."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.cases.models import CasePlan
from sanqu.cases.tests.case_factories import TODAY, assess, in_intervention, open_case, submit_plan
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(autouse=True)
def seeded_lists(db: None, settings) -> None:
    """The live server's database is flushed after each test, seeded lists included: seed them again."""
    settings.SANQU_TODAY = TODAY
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def _login(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_it_takes_a_plan_from_the_worker_to_the_supervisor_on_a_phone(
    page: Page, live_server, world: World
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    in_intervention(world)  # 张秀英: no service for over 30 days
    plan = submit_plan(world, assess(world, open_case(world, make_beneficiary("刘大爷", world.jiming))))

    _login(page, live_server.url, "worker")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的个案", exact=True).click()
    expect(page.get_by_role("heading", name="我的个案")).to_be_visible()
    expect(page.get_by_text("30 天未服务")).to_have_count(2)
    expect(page.get_by_text("计划待审批")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "caseload-375.png"), full_page=True)
    page.get_by_role("link", name="刘大爷").click()
    expect(page.get_by_text("服务计划 第 1 版")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "case-timeline-375.png"), full_page=True)
    page.get_by_role("button", name="退出").click()

    _login(page, live_server.url, "mentor")
    page.get_by_role("link", name="督导审批").click()
    page.get_by_role("link", name="刘大爷 · 第 1 版计划").click()
    page.locator("label", has_text="批准").click()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_contain_text("已批准。")
    expect(page.get_by_text("没有待审批的服务计划。")).to_be_visible()
    assert CasePlan.objects.get(pk=plan.pk).status == CasePlan.Status.APPROVED

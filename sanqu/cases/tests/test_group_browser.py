"""A social worker on a phone records a group session, ticking who came, and sees the count."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.cases.models import GroupSession
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.cases.tests.group_factories import TODAY, add_member, make_group
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

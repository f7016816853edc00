"""A social worker on a phone finds a volunteer and records her hours; the page shows the total."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.testing import PASSWORD, World
from sanqu.volunteers.models import Volunteer, VolunteerService
from sanqu.volunteers.tests.conftest import add_hours
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


def test_it_lets_a_worker_record_hours_on_a_phone(
    page: Page, live_server, world: World, chengkou_volunteer: Volunteer
) -> None:
    add_hours(chengkou_volunteer, dt.date(2018, 6, 2), "3", "留守儿童课业辅导")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("worker")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/volunteers/")
    page.get_by_label("姓名或完整身份证号").fill("春燕")
    page.get_by_role("link", name="向春燕").click()
    page.get_by_role("link", name="记录服务时长").click()

    page.get_by_label("服务时长(小时)").fill("2.5")
    page.get_by_label("服务内容").fill("入户探访留守老人")
    page.screenshot(path=str(SCREENSHOTS / "volunteer-hours-375.png"), full_page=True)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已记录志愿服务时长。")).to_be_visible()
    expect(page.locator(".volunteer-total__value")).to_have_text("5.5")
    page.screenshot(path=str(SCREENSHOTS / "volunteer-detail-375.png"), full_page=True)
    assert VolunteerService.objects.filter(served_on=dt.date(2018, 7, 10)).get().hours == 2.5

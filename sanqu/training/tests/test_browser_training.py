"""A county officer on a phone: tick who attended two sessions, then mark the trainee's completion."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.testing import PASSWORD, World
from sanqu.training.models import Attendance
from sanqu.training.tests.factories import Training
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


def _register(page: Page, topic: str, name: str) -> None:
    page.get_by_role("link", name=topic).click()
    expect(page.get_by_role("heading", name=topic)).to_be_visible()
    page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="保存出勤").click()
    expect(page.get_by_role("status")).to_contain_text("出勤已保存（1 处变动）。")


def test_a_county_officer_takes_attendance_and_marks_completion(
    page: Page, live_server, world: World, training: Training
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/accounts/login/?next=/training/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="2018 年度培养对象")).to_be_visible()
    expect(page.locator(".quota-table tbody tr")).to_have_count(1)  # 城口 only
    expect(page.locator(".quota-table tbody tr").first).to_contain_text("1 / 2")
    page.screenshot(path=str(SCREENSHOTS / "training-overview-375.png"), full_page=True)

    page.get_by_role("link", name="培训班", exact=True).click()
    page.get_by_role("link", name=training.course.name).click()
    expect(page.get_by_text("专题讲座").first).to_be_visible()
    _register(page, "社会工作伦理与价值", "张春燕")
    page.screenshot(path=str(SCREENSHOTS / "training-register-375.png"), full_page=True)
    # Only 城口's trainee is on 城口's register; the hours field shows the default it took.
    expect(page.get_by_text("刘志强")).to_have_count(0)
    expect(page.get_by_label("张春燕的计入学时")).to_have_value("8")

    page.get_by_role("link", name=training.course.name).click()
    _register(page, "留守儿童个案研讨", "张春燕")
    assert sorted(a.hours for a in Attendance.objects.filter(trainee=training.chengkou_trainee)) == [8, 8]

    page.get_by_role("link", name=training.course.name).click()
    page.get_by_role("link", name="张春燕").click()
    expect(page.get_by_text("已计 16 学时，结业需 16 学时")).to_be_visible()
    page.get_by_label("结业日期").fill("2018-06-01")
    page.get_by_role("button", name="确认结业").click()
    expect(page.get_by_role("status")).to_contain_text("张春燕已结业。")
    expect(page.get_by_text("2018-06-01 结业").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "training-completed-375.png"), full_page=True)
    training.chengkou_trainee.refresh_from_db()
    assert str(training.chengkou_trainee.completed_on) == "2018-06-01"

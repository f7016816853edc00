"""The county officer returns a report with a comment; the organisation sees it returned, with why."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect

from sanqu.projects.tests.factories import make_project, make_template
from sanqu.projects.tests.report_support import filed_report
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

# The test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(django_settings.BASE_DIR) / "var" / "screenshots"
COMMENT = "请补充三月份小组活动的过程记录，并说明入户走访的户数来源。"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_the_county_returns_a_report_and_the_organisation_sees_why(
    page: Page, live_server, world: World, settings
) -> None:
    settings.SANQU_TODAY = dt.date(2017, 4, 8)
    project = make_project(world)
    report = filed_report(world, project, make_template(project.programme_year), dt.date(2017, 3, 1))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    _log_in(page, live_server.url, "chengkou")
    page.goto(f"{live_server.url}/projects/reports/?mine=on")
    expect(page.get_by_text("有 1 份报告等待您审核")).to_be_visible()
    page.get_by_role("link", name=f"{project.name} · 月报 2017-03-01 – 2017-03-31").click()
    expect(page.locator(".report-status .badge").first).to_have_text("待审核")
    expect(page.get_by_role("rowheader", name="个案服务(人次)")).to_be_visible()
    page.get_by_text("退回修改").click()
    page.get_by_label("审核意见（必填）").fill(COMMENT)
    page.get_by_role("button", name="确认退回").click()
    expect(page.get_by_text("报告已退回，机构会看到审核意见。")).to_be_visible()
    expect(page.locator(".report-status .badge").first).to_have_text("已退回")
    page.get_by_role("button", name="退出").click()

    _log_in(page, live_server.url, "yangguang")
    page.goto(f"{live_server.url}/projects/reports/")
    row = page.locator(".record", has_text="2017-03-01")
    expect(row.locator(".badge").first).to_have_text("已退回")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/projects/reports/{report.pk}/")
    returned = page.locator(".report-returned")
    expect(returned.get_by_role("heading")).to_have_text("报告被退回，请按审核意见修改后重新报送")
    expect(returned).to_contain_text(COMMENT)
    history = page.locator(".report-history .timeline__item")
    expect(history).to_have_count(3)
    expect(history.nth(2)).to_contain_text("退回 · chengkou")
    expect(history.nth(2)).to_contain_text(COMMENT)
    expect(page.get_by_role("link", name="填写报告")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "report-returned-375.png"), full_page=True)

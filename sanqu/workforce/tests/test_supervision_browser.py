"""A phone-sized browser: the mentor records a supervision session with one of the worker's cases."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS
from sanqu.workforce.models import SupervisionSession
from sanqu.workforce.tests.team_factories import TODAY, worker_case

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


def test_the_mentor_records_a_session_with_a_case_discussed(page: Page, live_server, world: World) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    case = worker_case(world)
    _login(page, live_server.url, "mentor")
    page.goto(f"{live_server.url}/teams/supervision/")
    expect(page.get_by_role("heading", name="我的督导记录")).to_be_visible()
    expect(page.get_by_text("还没有督导记录。")).to_be_visible()
    page.get_by_role("link", name="记录督导").click()

    # Her one supervisee and the individual format are chosen already.
    expect(page.get_by_role("checkbox", name="李晓梅", exact=True)).to_be_checked()
    page.locator("label.chip", has_text="现场督导").click()
    page.get_by_label("时长(小时)").fill("2")
    page.get_by_label("督导主题").fill("独居老人的情绪支持")
    page.get_by_label("督导过程记录").fill("讨论了入户探访的频率和记录方式。")
    page.get_by_label(f"{case.number} · 张秀英").check()
    first = page.locator("fieldset.follow-up-row").first
    first.get_by_label("跟进事项").fill("每周电话随访一次")
    first.get_by_label("负责人").select_option(label="李晓梅（重庆扬光社会工作服务中心）")
    first.get_by_label("完成期限").fill("2018-07-31")
    page.screenshot(path=str(SCREENSHOTS / "supervision-form-375.png"), full_page=True)
    page.get_by_role("button", name="保存督导记录").click()

    expect(page.get_by_role("status")).to_contain_text("已保存督导记录。")
    expect(page.get_by_role("heading", name="2018-07-10 的督导")).to_be_visible()
    expect(page.get_by_text("每周电话随访一次")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "supervision-session-375.png"), full_page=True)
    session = SupervisionSession.objects.get()
    assert list(session.cases.all()) == [case]
    assert session.format == SupervisionSession.Format.ON_SITE

    page.get_by_role("link", name=f"{case.number} · 张秀英").click()
    expect(page).to_have_url(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_text("张秀英").first).to_be_visible()

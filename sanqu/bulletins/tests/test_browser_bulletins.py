"""On a phone: the editor composes a bulletin, the reviewer issues and sends it, a reader finds it in
the public archive; no console errors (the public site's CSP refuses inline styles and scripts)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.bulletins.models import Bulletin
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def sign_in(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(url + "/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_bulletin_from_draft_to_the_public_archive(
    page: Page, live_server, world: World, articles, recipients
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, live_server.url, "editor")
    page.goto(live_server.url + "/bulletins/")
    page.get_by_role("link", name="编写新一期").click()
    page.get_by_label("本期标题").fill("2018年上半年工作动态")
    page.get_by_label("编者按").fill("现将上半年几项工作编发如下，供参阅。")
    page.get_by_role("checkbox", name=articles[0].title).check()
    page.get_by_role("checkbox", name=articles[2].title).check()
    page.screenshot(path=str(SCREENSHOTS / "bulletin-compose.png"), full_page=True)
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".bulletin__title")).to_have_text("社会工作“三区”计划简报")
    expect(page.locator(".notice")).to_contain_text("预览")
    page.screenshot(path=str(SCREENSHOTS / "bulletin-preview.png"), full_page=True)
    bulletin = Bulletin.objects.get()

    sign_in(page, live_server.url, "reviewer")
    page.goto(f"{live_server.url}/bulletins/{bulletin.pk}/")
    page.get_by_role("link", name="签发印发").click()
    page.get_by_role("button", name="确认签发").click()
    expect(page.locator(".bulletin__number")).to_have_text("〔2018〕第1期")
    page.get_by_role("link", name="发送给报送单位").click()
    page.get_by_role("button", name="确认发送").click()
    expect(page.get_by_role("heading", name="发送记录")).to_be_visible()
    expect(page.locator(".badge--sent")).to_have_count(4)

    page.context.clear_cookies()
    page.goto(live_server.url + "/site/bulletins/")
    page.get_by_role("link", name="社会工作“三区”计划简报〔2018〕第1期").click()
    # Without order numbers the items keep the list's order, newest first.
    expect(page.locator(".bulletin__item-title").first).to_have_text(articles[2].title)
    page.screenshot(path=str(SCREENSHOTS / "bulletin-public.png"), full_page=True)
    assert problems == []

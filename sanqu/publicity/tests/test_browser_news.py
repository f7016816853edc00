"""A reader on a phone: the article at 375 px, the font-size switch, nothing refused by the CSP."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.publicity.models import ArticlePage
from sanqu.publicity.tests.factories import make_article, news_tree
from sanqu.testing import World
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


def body_font_size(page: Page) -> float:
    return float(page.eval_on_selector(".article__body", "el => parseFloat(getComputedStyle(el).fontSize)"))


def test_it_reads_an_article_on_a_phone(page: Page, live_server, world: World) -> None:
    tree = news_tree()
    article = make_article(
        tree.columns["local"],
        editor=world["editor"],
        reviewer=world["reviewer"],
        title="重庆“三区”计划实施六年成效明显",
        body="<p>2013年起，重庆市每年选派社会工作专业人才到17个受援区县服务。</p>" * 6,
    )
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(live_server.url + article.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("重庆“三区”计划实施六年成效明显")
    breadcrumb = page.get_by_role("navigation", name="当前位置")
    expect(breadcrumb).to_contain_text("首页")
    expect(breadcrumb).to_contain_text("地方动态")
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text("正文")
    expect(page.locator(".article__meta")).to_contain_text("来源：重庆市民政局")
    expect(page.locator(".article__views")).to_have_text("1")
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    switch = page.get_by_role("group", name="字体大小")
    expect(switch).to_be_visible()
    medium = body_font_size(page)
    switch.get_by_role("button", name="大").click()
    large = body_font_size(page)
    switch.get_by_role("button", name="小").click()
    small = body_font_size(page)
    assert small < medium < large
    expect(switch.get_by_role("button", name="小")).to_have_attribute("aria-pressed", "true")

    # The choice is kept for the next page.
    page.reload()
    assert body_font_size(page) == small
    switch.get_by_role("button", name="中").click()
    expect(page.locator(".qr svg")).to_be_visible()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "news-article-375.png"), full_page=True)
    assert problems == []
    assert ArticlePage.objects.get(pk=article.pk).view_count == 2

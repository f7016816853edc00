"""In Chromium: a county officer makes a token on the workbench page, then reads the docs page, whose
Swagger UI runs under the site's Content-Security-Policy with nothing from another host."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def test_it_makes_a_token_and_shows_the_docs(page: Page, live_server, world: World) -> None:
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: request.url.startswith(live_server.url) or outside.append(request.url))

    page.goto(f"{live_server.url}/api/v1/tokens/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="API 令牌", exact=True)).to_be_visible()
    expect(page.get_by_text("您还没有 API 令牌。")).to_be_visible()
    page.get_by_label("用途").fill("区县业务系统对接")
    page.get_by_role("button", name="创建令牌").click()
    key = page.locator("#issued-key").input_value()
    assert key.startswith("sq_")
    expect(page.locator(".record")).to_have_count(1)

    page.reload()  # the key is shown once
    expect(page.locator("#issued-key")).to_have_count(0)
    page.get_by_text("撤销", exact=True).click()
    page.get_by_role("button", name="确认撤销").click()
    expect(page.get_by_role("status")).to_contain_text("已撤销")
    expect(page.locator(".badge")).to_have_text("已撤销")

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sanqu API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/persons/").first).to_be_visible()
    assert not problems, problems
    assert not outside, outside

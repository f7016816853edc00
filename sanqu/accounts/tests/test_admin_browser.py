"""The back office in Chromium, under the strict CSP: scripts run, nothing is refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from sanqu.testing import World

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(os.environ.get("SANQU_SCREENSHOTS", "/tmp/sanqu-shots"))  # noqa: S108


@pytest.fixture
def browser_page(live_server, world: World):
    from playwright.sync_api import sync_playwright

    def open_as(username: str):
        client = Client()
        client.force_login(world[username])
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context = browser.new_context(locale="zh-CN")
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        page = context.new_page()
        page.csp_errors = []
        page.console = []
        page.on("console", lambda message: page.console.append(message.text))
        page.on("pageerror", lambda error: page.console.append(f"pageerror: {error}"))
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.csp_errors.append(message.text)
            ),
        )
        return page

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield open_as
        browser.close()


def test_it_runs_the_admin_listing_and_form_without_csp_violations(
    live_server, browser_page, world: World
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page("chengkou")
    page.goto(f"{live_server.url}/admin/snippets/workforce/person/")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOTS / "people.png", full_page=True)
    assert "李晓梅" in page.content()
    # The sidebar is drawn by Wagtail's scripts: if the CSP blocked them, the menu is missing.
    assert page.locator("text=登记管理").first.is_visible()
    page.goto(f"{live_server.url}/admin/snippets/workforce/person/add/")
    page.wait_for_load_state("networkidle")
    page.fill("input[name=name]", "赵新")
    page.fill("input[name=id_number_input]", "50022919900517100Y")
    page.locator("button.action-save").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOTS / "person-error.png", full_page=True)
    assert "身份证号" in page.content()
    assert page.csp_errors == []


def test_it_opens_a_scoped_person_chooser_and_shows_credit_code_errors(
    live_server, browser_page, world
) -> None:
    from sanqu.testing import make_person

    make_person("张万州", world.wanzhou, address="500101")
    page = browser_page("chengkou")
    page.goto(f"{live_server.url}/admin/snippets/workforce/certificate/add/")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="选择 人员").click()
    page.wait_for_selector(".modal-content >> text=李晓梅")
    page.screenshot(path=SHOTS / "person-chooser.png", full_page=True)
    assert "张万州" not in page.locator(".modal-content").inner_text()
    page.goto(f"{live_server.url}/admin/snippets/orgs/organisation/add/")
    page.fill("input[name=name]", "城口县新机构")
    page.fill("input[name=credit_code]", "52500229MJ00000090")
    page.locator("button.action-save").first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOTS / "organisation-error.png", full_page=True)
    assert "统一社会信用代码校验位不正确" in page.content()
    assert page.csp_errors == []

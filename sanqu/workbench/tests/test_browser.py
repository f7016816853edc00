"""The real pages in Chromium: a social worker on a phone, a county officer at a desk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sanqu.testing import PASSWORD, World
from sanqu.workforce.tests.factories import make_dispatch

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _posted(world: World) -> None:
    today = timezone.localdate()
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=today - dt.timedelta(days=340),
        station=world.station,
    )


def _log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_it_lets_a_worker_use_her_home_page_on_a_phone(page: Page, live_server, world: World) -> None:
    _posted(world)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    _log_in(page, live_server.url, "worker")
    expect(page.get_by_role("heading", name="我的派驻")).to_be_visible()
    expect(page.locator(".dispatch__station")).to_have_text("鸡鸣乡社会工作站")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.screenshot(path=str(SCREENSHOTS / "worker-home-375.png"), full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="My dispatch")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=str(SCREENSHOTS / "worker-home-375-en.png"), full_page=True)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")


def test_it_shows_a_county_officer_her_county_on_a_desktop(
    browser: Browser, live_server, world: World
) -> None:
    _posted(world)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        _log_in(page, live_server.url, "chengkou")
        expect(page.get_by_role("heading", name="需要关注")).to_be_visible()
        expect(page.get_by_role("heading", name="城口县关键数字")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / "county-home-1280.png"), full_page=True)

        page.get_by_role("link", name="人员").click()
        expect(page.get_by_role("heading", name="人员", exact=True)).to_be_visible()
        page.get_by_label("按姓名或完整身份证号查找").fill("晓梅")
        expect(page.locator("#people-results .record")).to_have_count(1)
        page.screenshot(path=str(SCREENSHOTS / "county-people-1280.png"), full_page=True)
    finally:
        context.close()

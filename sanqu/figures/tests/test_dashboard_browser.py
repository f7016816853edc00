"""The city office opens the dashboard, sees its charts and map drawn, and clicks a number through to
the records behind it."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.accounts.roles import Role
from sanqu.figures.tests.factories import Programme, build_programme
from sanqu.testing import PASSWORD, make_user

# The test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def programme(db: None) -> Programme:
    """The live server's database is flushed after each test, seeded lists included: seed them first."""
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    return build_programme()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


def test_the_city_office_clicks_a_dashboard_number_through_to_its_records(
    page: Page, live_server: Any, programme: Programme
) -> None:
    make_user("city", (Role.CITY_ADMIN, programme.chongqing, {}))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("city")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/figures/?scope=500000&as_of=2014-12-31&figure=certified_total")

    expect(page.get_by_role("heading", name="数据看板")).to_be_visible()
    for chart in ("trend", "map", "compare", "groups", "services", "retention", "certificates"):
        expect(page.locator(f'[data-chart="{chart}"] canvas').first).to_be_attached()
    # The map's boundaries come from Sanqu itself and are drawn once loaded.
    page.wait_for_function(
        "() => { const node = document.querySelector('[data-chart=\"map\"]');"
        " const chart = node && window.echarts.getInstanceByDom(node);"
        " return chart && chart.getOption().series && chart.getOption().series[0].type === 'map'; }"
    )
    expect(page.get_by_label("指标", exact=True)).to_have_value("certified_total")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dashboard-desktop.png"), full_page=True)

    # Another figure for the map and the comparison: the URL keeps it.
    page.get_by_label("指标", exact=True).select_option("dispatched_total")
    expect(page).to_have_url(
        f"{live_server.url}/figures/?scope=500000&as_of=2014-12-31&figure=dispatched_total"
    )

    # The headline number opens the records behind it.
    page.get_by_role("link", name="累计选派社工（人次）").click()
    expect(page).to_have_url(
        f"{live_server.url}/figures/records/?figure=dispatched_total&scope=500000&as_of=2014-12-31"
    )
    expect(page.locator("[data-record-count]")).to_have_text("4")
    expect(page.get_by_role("cell", name="张一").first).to_be_visible()
    assert errors == []

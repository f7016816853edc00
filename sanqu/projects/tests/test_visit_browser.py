"""阳光's manager, on a phone, closes the action a 城口 visit gave it, with a photo as evidence."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.projects.models import VisitAction
from sanqu.projects.tests import test_visit_support as support
from sanqu.projects.tests.test_visit_support import PNG, TODAY, action_of, visit_to
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

# The test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
working_day_and_files = support.working_day_and_files
project = support.project


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def test_it_lets_the_owner_close_an_action_on_a_phone(
    page: Page, live_server, world: World, project, tmp_path: Path
) -> None:
    visit = visit_to(world, project)
    action = action_of(world, visit, due_on=dt.date(2017, 9, 10))
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(PNG)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/projects/visits/actions/")
    page.get_by_label("账号").fill("yangguang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的整改事项")).to_be_visible()
    row = page.locator(".record", has_text="补齐个案记录")
    expect(row).to_contain_text("已逾期")
    page.screenshot(path=str(SCREENSHOTS / "visit-my-actions-375.png"), full_page=True)
    row.get_by_role("link", name="补齐个案记录").click()

    expect(page.get_by_role("heading", name="督查 · " + project.name)).to_be_visible()
    item = page.locator(f"#action-{action.pk}")
    item.get_by_text("销号", exact=True).click()
    # Without a file, the page says what is missing and keeps what was typed.
    item.get_by_label("整改情况").fill("已补齐 12 份个案记录，并拍照存档。")
    item.get_by_role("button", name="提交销号").click()
    item = page.locator(f"#action-{action.pk}")
    expect(item.get_by_role("alert")).to_contain_text("佐证材料")
    expect(item.get_by_label("整改情况")).to_have_value("已补齐 12 份个案记录，并拍照存档。")
    item.get_by_label("佐证材料").set_input_files(str(photo))
    page.screenshot(path=str(SCREENSHOTS / "visit-close-375.png"), full_page=True)
    item.get_by_role("button", name="提交销号").click()

    expect(page.get_by_role("status")).to_contain_text("整改事项“补齐个案记录”已销号。")
    item = page.locator(f"#action-{action.pk}")
    expect(item).to_contain_text("已销号（逾期完成）")
    expect(item.get_by_role("link", name="现场照片.png")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "visit-detail-375.png"), full_page=True)
    closed = VisitAction.objects.get(pk=action.pk)
    assert closed.closed_on == TODAY and closed.evidence_content_type == "image/png"

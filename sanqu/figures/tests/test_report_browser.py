"""A county officer asks for a results report, follows its progress on the page while the task
writes it, opens it and clicks one of its numbers through to the records."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import Page, expect

from sanqu.accounts.roles import Role
from sanqu.figures.models import ReportFile
from sanqu.figures.report_services import run_report
from sanqu.figures.tests.factories import Programme, build_programme
from sanqu.testing import PASSWORD, make_user

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM next to Playwright's loop

pytestmark = pytest.mark.browser


@pytest.fixture
def programme(db: None, settings: Any, tmp_path: Path) -> Programme:
    settings.MEDIA_ROOT = tmp_path / "media"
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    return build_programme()


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 390, "height": 844}}


def test_the_page_follows_the_report_being_written_and_opens_it(
    page: Page, live_server: Any, programme: Programme
) -> None:
    make_user("chengkou", (Role.COUNTY_OFFICER, programme.chengkou, {}))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.goto(f"{live_server.url}/figures/reports/")
    expect(page.get_by_role("heading", name="成效报告", exact=True)).to_be_visible()
    page.get_by_label("统计日期").fill("2014-12-31")
    page.get_by_role("radio", name="网页（HTML）").check()
    page.get_by_role("button", name="生成").click()

    # The page answers at once; no worker runs here, so the report waits in the queue.
    expect(page.get_by_text("已开始生成报告")).to_be_visible()
    expect(page.get_by_role("progressbar", name="生成进度")).to_be_visible()
    expect(page.get_by_text("排队中")).to_be_visible()

    report = ReportFile.objects.get()
    run_report(report.pk)  # what the worker does; the page notices within a second or two
    expect(page.get_by_role("link", name="打开报告")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="打开报告").click()
    document = opened.value
    expect(
        document.get_by_role("heading", name="城口县社会工作专业人才服务“三区”计划成效报告")
    ).to_be_visible()
    document.locator('a[href*="figure=dispatched_total"]').first.click()
    expect(document).to_have_url(
        f"{live_server.url}/figures/records/?figure=dispatched_total&scope=500229&as_of=2014-12-31"
    )
    expect(document.get_by_role("heading", level=1)).to_contain_text("累计选派社工")
    assert errors == []

"""The 城口 officer scores a mid-term evaluation on a phone, confirms its submission, sees the grade."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.projects import evaluation_services as services
from sanqu.projects.models import ProjectEvaluation
from sanqu.projects.tests.factories import make_project, make_scheme
from sanqu.testing import PASSWORD, World
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


def test_it_lets_the_county_officer_score_and_submit_on_a_phone(
    page: Page, live_server, world: World
) -> None:
    project = make_project(world)
    scheme = make_scheme()
    evaluation = services.evaluation_start(
        actor=world["chengkou"],
        project=project,
        kind="midterm",
        scheme=scheme,
        evaluated_on=dt.date(2017, 7, 1),
        evaluators="城口县民政局社会工作科 张某",
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/projects/evaluations/{evaluation.pk}/")
    expect(page.get_by_role("heading", name="逐项评分")).to_be_visible()

    marks = ["36", "9", "18", "9", "13", "5"]
    for indicator, mark in zip(scheme.indicators.order_by("sort_order", "id"), marks, strict=True):
        page.locator(f"#id_score_{indicator.pk}").fill(mark)
        page.locator(f"#id_note_{indicator.pk}").fill(f"查阅{indicator.name}相关台账")
    page.get_by_label("评估结论").fill("项目执行规范，服务指标基本完成。")
    page.screenshot(path=str(SCREENSHOTS / "evaluation-scoring-375.png"), full_page=True)
    page.get_by_role("button", name="保存评分").click()
    expect(page.get_by_role("status")).to_contain_text("已保存评分。")
    expect(page.locator(".sheet__total")).to_contain_text("已评 6 / 6 项，当前合计 90 / 100 分")

    # Submitting asks for a confirmation first.
    confirm = page.get_by_role("button", name="确认提交")
    expect(confirm).to_be_hidden()
    page.locator("summary", has_text="提交评估").click()
    expect(confirm).to_be_visible()
    confirm.click()

    expect(page.get_by_role("status")).to_contain_text("已提交中期评估：总分 90 分，等级优秀。")
    expect(page.locator(".sheet__total .badge--grade-excellent")).to_have_text("优秀")
    expect(page.get_by_role("button", name="保存评分")).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "evaluation-submitted-375.png"), full_page=True)
    page.emulate_media(media="print")
    expect(page.locator(".mainnav")).to_be_hidden()
    expect(page.locator(".sheet")).to_be_visible()
    assert ProjectEvaluation.objects.get().status == "submitted"

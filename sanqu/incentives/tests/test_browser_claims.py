"""A phone-sized browser: the 城口 county officer opens the queue, reads the evidence, approves a claim."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.incentives.models import IncentiveClaim
from sanqu.incentives.services import claim_file
from sanqu.incentives.tests.factories import TODAY, make_certificate, make_policy, scan
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS
from sanqu.workforce.models import Certificate

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def test_it_lets_the_county_officer_approve_a_claim_on_a_phone(page: Page, live_server, world: World) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    policy = make_policy(
        world.chengkou,
        name="城口县社会工作者职业水平证书一次性奖励",
        rates={Certificate.Level.ASSISTANT: Decimal(1500)},
    )
    claim = claim_file(
        actor=world["worker"],
        person=world.worker_person,
        policy=policy,
        certificate=make_certificate(world.worker_person),
        claimed_on=TODAY - dt.timedelta(days=20),
        evidence=[scan("证书扫描件.pdf")],
    )

    page.goto(f"{live_server.url}/incentives/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    expect(page.get_by_role("heading", name="激励申领")).to_be_visible()
    page.get_by_role("link", name="李晓梅 · 城口县社会工作者职业水平证书一次性奖励").click()
    expect(page.get_by_text("1500.00", exact=True)).to_be_visible()
    # The evidence opens for the officer (a PDF, served by the scoped view).
    evidence = page.get_by_role("link", name="证书扫描件")
    expect(evidence).to_be_visible()
    response = page.request.get(live_server.url + (evidence.get_attribute("href") or ""))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.screenshot(path=str(SCREENSHOTS / "incentive-claim-375.png"), full_page=True)

    # Refusing without a reason is refused, and says why.
    page.locator("label", has_text="不批准").click()
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.get_by_role("alert")).to_contain_text("不批准时须填写理由。")

    page.locator("label", has_text="批准").first.click()
    page.get_by_role("button", name="提交审核结果").click()
    expect(page.get_by_role("status")).to_contain_text("已批准。")
    expect(page.get_by_role("heading", name="登记发放")).to_be_visible()
    claim.refresh_from_db()
    assert claim.status == IncentiveClaim.Status.APPROVED and claim.decided_by == world["chengkou"]

    page.get_by_label("支付凭证号").fill("ZF-2018-0701")
    page.get_by_role("button", name="登记发放").click()
    expect(page.get_by_role("status")).to_contain_text("已登记发放。")
    claim.refresh_from_db()
    assert claim.status == IncentiveClaim.Status.PAID and claim.payment_reference == "ZF-2018-0701"

    page.goto(f"{live_server.url}/incentives/spend/")
    expect(page.get_by_role("rowheader", name="城口县")).to_be_visible()
    expect(page.get_by_role("cell", name="2018 1500.00 1 笔")).to_be_visible()

"""A social worker on a phone in a village: find a person, record a service in a few taps, see it."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from playwright.sync_api import Page, expect

from sanqu.cases.models import ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.lib import clock, idnumber
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS
from sanqu.workforce.tests.factories import make_dispatch

# The test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(autouse=True)
def seeded_lists(db: None) -> None:
    """The live server's database is flushed after each test, seeded lists included: seed them again."""
    seed = importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed
    seed(django_apps, None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def test_it_lets_a_worker_record_a_service_on_a_phone(page: Page, live_server, world: World) -> None:
    today = clock.today()
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=today - dt.timedelta(days=200),
        station=world.station,
    )
    grandmother = make_beneficiary("张秀英", world.jiming, worker=world.worker_person)
    make_beneficiary("张德福", world.jiming)
    ServiceRecord.objects.create(
        served_on=today - dt.timedelta(days=7),
        worker=world.worker_person,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.get(code="daily_care"),
        duration_hours=Decimal("1"),
        place="鸡鸣乡社会工作站",
        notes="帮老人整理药品，讲清每天的服药时间。",
        next_step="一周后入户回访",
        beneficiary=grandmother,
        county=world.chengkou,
        created_by=world["worker"],
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("worker")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Find her by name.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="服务对象", exact=True).click()
    expect(page.get_by_role("heading", name="服务对象", exact=True)).to_be_visible()
    search = page.get_by_label("按姓名或完整身份证号查找服务对象")
    search.fill("秀英")
    search.press("Enter")
    expect(page.locator("#beneficiary-results .record")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "beneficiary-search-375.png"), full_page=True)
    page.get_by_role("link", name="张秀英").click()
    expect(page.get_by_role("heading", name="张秀英")).to_be_visible()
    expect(page.get_by_text(grandmother.id_number)).to_have_count(0)
    page.screenshot(path=str(SCREENSHOTS / "beneficiary-detail-375.png"), full_page=True)

    # Record a service: a type, a duration, a line of notes, save.
    page.get_by_role("link", name="＋ 记录服务").click()
    expect(page.get_by_role("heading", name="记录服务")).to_be_visible()
    expect(page.get_by_label("服务地点")).to_have_value("鸡鸣乡社会工作站")
    page.screenshot(path=str(SCREENSHOTS / "service-entry-375.png"), full_page=True)
    page.locator("label.chip", has_text="精神慰藉").click()
    page.locator("label.chip", has_text="1.5").click()
    page.get_by_label("服务内容").fill("入户陪伴聊天，老人说起在外务工的儿子，情绪平稳。")
    page.get_by_label("下一步").fill("下周三再来")
    page.get_by_role("button", name="保存服务记录").click()

    # Back on her timeline, with the new service on top.
    expect(page.get_by_role("status")).to_contain_text("已记录 张秀英 的服务：精神慰藉，1.5 小时。")
    first = page.locator(".timeline__item").first
    expect(first).to_contain_text("精神慰藉 · 1.5 小时")
    expect(first).to_contain_text("下一步：下周三再来")
    page.screenshot(path=str(SCREENSHOTS / "beneficiary-timeline-375.png"), full_page=True)
    record = ServiceRecord.objects.get(notes__startswith="入户陪伴")
    assert record.served_on == today
    assert record.worker == world.worker_person

    # And in her own list.
    page.get_by_role("link", name="我的服务记录").click()
    expect(page.locator(".record").first).to_contain_text("张秀英 · 精神慰藉")
    page.screenshot(path=str(SCREENSHOTS / "my-services-375.png"), full_page=True)


def test_it_lets_a_worker_register_a_child_with_her_guardians_consent(
    page: Page, live_server, world: World
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("worker")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="服务对象", exact=True).click()
    page.get_by_role("link", name="登记服务对象").click()
    expect(page.get_by_role("heading", name="登记服务对象")).to_be_visible()
    page.get_by_label("姓名", exact=True).fill("李小花")
    born = clock.today().replace(year=clock.today().year - 9, day=1)
    page.get_by_role("textbox", name="身份证号").fill(idnumber.make("500229", born, 402).lower())
    page.get_by_label("村(社区)").select_option(label="城口县鸡鸣乡")
    page.locator("label.chip", has_text="留守儿童").click()
    page.get_by_role("button", name="登记").click()

    # A child: the guardian must consent, and the page says which field and why.
    expect(page.get_by_role("alert")).to_contain_text("未满14周岁的服务对象须由监护人同意。")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("李小花")
    page.screenshot(path=str(SCREENSHOTS / "beneficiary-register-child-375.png"), full_page=True)
    page.locator("label.chip", has_text="监护人").click()
    page.get_by_role("textbox", name="监护人姓名").fill("李桂兰")
    page.get_by_role("textbox", name="监护人关系").fill("祖母")
    page.get_by_role("button", name="登记").click()

    expect(page.get_by_role("heading", name="李小花")).to_be_visible()
    expect(page.get_by_text("限制查看")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("已登记服务对象：李小花。")
    page.screenshot(path=str(SCREENSHOTS / "beneficiary-registered-child-375.png"), full_page=True)

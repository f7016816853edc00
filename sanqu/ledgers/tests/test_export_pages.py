"""The ledgers page, the blank template download and the export download, with their refusals."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.ledgers.exporting import XLSX
from sanqu.ledgers.kinds import KINDS
from sanqu.ledgers.tests.test_exporting import Ledgers, build_ledgers, read, rows_of
from sanqu.lib import idnumber
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

# The browser test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PAGE = reverse("ledgers")
EXPORT = reverse("ledger_export")


@pytest.fixture
def records(world: World) -> Ledgers:
    return build_ledgers(world)


def _template(kind: str) -> str:
    return reverse("ledger_template", args=[kind])


# The page ----------------------------------------------------------------------------------


def test_it_lists_every_kind_with_its_template_and_export_for_a_county_officer(as_user: Any) -> None:
    response = as_user("chengkou").get(PAGE)
    assert response.status_code == 200
    page = response.content.decode()
    for code, kind in KINDS.items():
        assert kind.title in page
        assert _template(code) in page
        assert f'name="kind" value="{code}"' in page
    assert '<option value="500229"' in page
    assert 'name="unmask"' in page


def test_the_leadership_sees_no_unmask_checkbox(as_user: Any) -> None:
    page = as_user("leader").get(PAGE).content.decode()
    assert "选派社工台账" in page
    assert 'name="unmask"' not in page


def test_a_worker_sees_only_the_kinds_her_pages_show(as_user: Any) -> None:
    page = as_user("worker").get(PAGE).content.decode()
    shown = {code for code in KINDS if f'value="{code}"' in page}
    assert shown == {"dispatch", "beneficiary", "service", "incentive"}
    assert '<option value="500229212"' in page  # her township, not the county
    assert '<option value="500229"' not in page


def test_the_page_refuses_roles_without_any_ledger_anonymous_and_post(as_user: Any, client: Any) -> None:
    assert as_user("editor").get(PAGE).status_code == 403
    assert client.get(PAGE).status_code == 302
    assert as_user("chengkou").post(PAGE).status_code == 405


# The blank template ------------------------------------------------------------------------


def test_it_downloads_the_blank_template(as_user: Any) -> None:
    response = as_user("worker").get(_template("service"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    sheet = read(response.content)["服务记录台账"]
    assert [cell.value for cell in sheet[1]] == [column.name for column in KINDS["service"].columns]


def test_the_template_refuses_an_unknown_kind_and_a_kind_the_role_does_not_read(as_user: Any) -> None:
    assert as_user("chengkou").get(_template("nope")).status_code == 404
    assert as_user("worker").get(_template("trainee")).status_code == 403


# The export --------------------------------------------------------------------------------


def test_it_exports_the_scope_masked_by_default(as_user: Any, records: Ledgers) -> None:
    response = as_user("chengkou").get(EXPORT, {"kind": "dispatch", "scope": "500229"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    (row,) = rows_of(response.content)
    assert row["身份证号"] == idnumber.mask(records.world.worker_person.id_number)
    assert "%EF%BC%88%E8%84%B1%E6%95%8F%EF%BC%89" in response["Content-Disposition"]  # （脱敏）


def test_an_unmasked_export_is_audited_with_the_request(as_user: Any, records: Ledgers) -> None:
    response = as_user("chengkou").get(EXPORT, {"kind": "beneficiary", "scope": "500229", "unmask": "1"})
    (row,) = rows_of(response.content)
    assert row["身份证号"] == records.beneficiary_id
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == records.world["chengkou"]
    assert entry.ip_address == "127.0.0.1"
    assert entry.detail["unmasked"] is True


def test_the_outsider_gets_404_for_another_county_and_sees_only_hers(as_user: Any, records: Ledgers) -> None:
    wanzhou = as_user("wanzhou")
    assert wanzhou.get(EXPORT, {"kind": "beneficiary", "scope": "500229"}).status_code == 404
    assert wanzhou.get(EXPORT, {"kind": "beneficiary", "scope": "500229212"}).status_code == 404
    rows = rows_of(wanzhou.get(EXPORT, {"kind": "beneficiary", "scope": "500101"}).content)
    assert [row["姓名"] for row in rows] == ["万州对象"]
    assert not AuditEntry.objects.filter(detail__scope="500229").exists()


def test_the_export_refuses_bad_requests(as_user: Any, client: Any, records: Ledgers) -> None:
    chengkou = as_user("chengkou")
    assert chengkou.get(EXPORT, {"kind": "nope", "scope": "500229"}).status_code == 404
    assert chengkou.get(EXPORT, {"kind": "dispatch", "scope": "999999"}).status_code == 404
    assert chengkou.get(EXPORT, {"kind": "dispatch"}).status_code == 404
    assert as_user("worker").get(EXPORT, {"kind": "trainee", "scope": "500229212"}).status_code == 403
    assert chengkou.post(EXPORT, {"kind": "dispatch", "scope": "500229"}).status_code == 405
    assert client.get(EXPORT, {"kind": "dispatch", "scope": "500229"}).status_code == 302


# In a browser --------------------------------------------------------------------------------

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


@pytest.mark.browser
def test_a_county_officer_downloads_her_countys_ledger_on_a_phone(
    page: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    # The live server's database was flushed of the seeded lists: seed them again.
    importlib.import_module("sanqu.cases.migrations.0002_seed_lists").seed(django_apps, None)
    build_ledgers(world)
    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}{PAGE}")
    expect(page.get_by_role("heading", name="Excel 台账")).to_be_visible()
    page.get_by_label("区划").select_option("500229")
    page.get_by_label("导出完整身份证号和电话").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ledgers-375.png"), full_page=True)
    dispatch = page.locator(".ledger", has_text="选派社工台账")
    with page.expect_download() as download:
        dispatch.get_by_role("button", name="导出").click()
    assert download.value.suggested_filename.startswith("选派社工台账_城口县_")
    (row,) = rows_of(Path(download.value.path()).read_bytes())
    assert row["身份证号"] == world.worker_person.id_number
    with page.expect_download() as download:
        dispatch.get_by_role("link", name="下载空白模板").click()
    assert download.value.suggested_filename == "选派社工台账（空白模板）.xlsx"

"""The 城口 county officer uploads an organisations ledger with an error, reads the reason in the
preview, uploads the corrected file and commits it, on a phone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from sanqu.ledgers.import_services import run_import
from sanqu.ledgers.models import LedgerImport
from sanqu.ledgers.tests.test_importing import GOOD, ledger
from sanqu.orgs.models import Organisation
from sanqu.testing import PASSWORD, World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

# The browser test uses the ORM next to Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FOUNDATION = [None, "城口县某基金会", "基金会", "城口", "2018-02-30", None, None]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


@pytest.fixture(autouse=True)
def _files(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {
        **settings.CACHES,
        "progress": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "progress"),
        },
    }


def _upload(page: Any, url: str, data: bytes, name: str) -> LedgerImport:
    from playwright.sync_api import expect

    page.goto(f"{url}/ledgers/")
    page.get_by_label("台账类型").select_option(label="社会工作组织台账")
    page.get_by_label("台账文件").set_input_files({"name": name, "mimeType": XLSX, "buffer": data})
    page.get_by_role("button", name="上传并检查").click()
    # The page answers at once; no worker runs here, so the check waits in the queue.
    expect(page.get_by_text("文件已上传，正在检查")).to_be_visible()
    expect(page.get_by_role("progressbar", name="检查进度")).to_be_visible()
    expect(page.get_by_text("排队中，等待开始…")).to_be_visible()
    entry = LedgerImport.objects.latest("id")
    run_import(entry.pk)  # what the worker does; the page notices within a second or two
    expect(page.get_by_role("heading", name="预览：尚未写入")).to_be_visible(timeout=10_000)
    return entry


def test_a_county_officer_fixes_a_rejected_row_and_commits_the_ledger(
    page: Any, live_server: Any, world: World
) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    before = Organisation.objects.count()
    page.goto(f"{live_server.url}/")
    page.get_by_label("账号").fill("chengkou")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    _upload(page, live_server.url, ledger(*GOOD, FOUNDATION), "组织台账.xlsx")
    table = page.locator("table.import-errors")
    expect(table).to_contain_text("登记日期")
    expect(table).to_contain_text("2018-02-30")
    expect(table.locator("td.num")).to_have_text(["5"])  # the row number, as Excel shows it
    expect(page.get_by_role("link", name="仅导入无误的行")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ledger-import-preview-375.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载带错误说明的文件").click()
    assert download.value.suggested_filename == "组织台账-错误说明.xlsx"

    fixed = [*FOUNDATION[:4], "2018-02-28", None, None]
    _upload(page, live_server.url, ledger(*GOOD, fixed), "组织台账（改）.xlsx")
    expect(page.get_by_text("检查完毕，没有发现错误。")).to_be_visible()
    expect(page.locator(".import-counts")).to_contain_text("将新增3")
    expect(page.get_by_role("link", name="仅导入无误的行")).to_have_count(0)
    page.get_by_role("button", name="导入（全部无误才导入）").click()

    expect(page.get_by_text("已开始导入")).to_be_visible()
    expect(page.get_by_role("progressbar", name="导入进度")).to_be_visible()
    run_import(LedgerImport.objects.latest("id").pk)
    expect(page.get_by_text("全部行已导入。")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("progressbar")).to_have_count(0)
    assert Organisation.objects.count() == before + 3
    assert Organisation.objects.get(name="城口县某基金会").registered_on.isoformat() == "2018-02-28"

    page.get_by_role("link", name="导入记录").first.click()
    expect(page.get_by_role("heading", name="导入记录", level=1)).to_be_visible()
    expect(page.locator(".record").first).to_contain_text("已导入")
    page.screenshot(path=str(SCREENSHOTS / "ledger-import-log-375.png"), full_page=True)
    assert errors == []

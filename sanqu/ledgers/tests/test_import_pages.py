"""Ledger import pages: upload, a preview checked by a task, the commit, the log, the error copy."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from sanqu.accounts.models import AuditEntry
from sanqu.ledgers import import_services
from sanqu.ledgers.import_services import importable_kinds_for, report_progress, run_import
from sanqu.ledgers.import_tasks import run_ledger_import
from sanqu.ledgers.models import LedgerImport
from sanqu.ledgers.tests.files import csv_bytes
from sanqu.ledgers.tests.test_importing import GOOD, HEADER, ledger
from sanqu.orgs.models import Organisation
from sanqu.testing import World

PAGE = reverse("ledgers")
UPLOAD = reverse("ledger_import_upload")
LOG = reverse("ledger_imports")
# 万州 is another county's (a row out of scope); 2018-02-30 is no date.
BAD = [
    [None, "万州区某社工机构", "社会服务机构", "万州", "2016-01-01", None, None],
    [None, "城口县某基金会", "基金会", "城口", "2018-02-30", None, None],
]


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


def upload(client: Client, data: bytes, *, name: str = "组织台账.xlsx", kind: str = "organisation") -> Any:
    return client.post(UPLOAD, {"kind": kind, "file": SimpleUploadedFile(name, data)})


def uploaded(client: Client, data: bytes, **options: Any) -> LedgerImport:
    """Upload and run the preview task, as the worker would."""
    response = upload(client, data, **options)
    entry = LedgerImport.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == reverse("ledger_import", args=[entry.pk])
    run_import(entry.pk)
    entry.refresh_from_db()
    return entry


def committed(client: Client, preview: LedgerImport, *, valid_only: bool = False) -> LedgerImport:
    response = client.post(
        reverse("ledger_import_commit", args=[preview.pk]), {"valid_only": "1" if valid_only else "0"}
    )
    entry = LedgerImport.objects.latest("id")
    assert entry.preview_of == preview
    assert response.status_code == 302 and response["Location"] == reverse("ledger_import", args=[entry.pk])
    run_import(entry.pk)
    entry.refresh_from_db()
    return entry


def page_of(client: Client, entry: LedgerImport) -> str:
    response = client.get(reverse("ledger_import", args=[entry.pk]))
    assert response.status_code == 200
    return response.content.decode()


# The form ----------------------------------------------------------------------------------


def test_it_offers_the_kinds_the_user_may_add_and_none_to_the_leadership(as_user: Any, world: World) -> None:
    page = as_user("chengkou").get(PAGE).content.decode()
    assert f'action="{UPLOAD}"' in page and 'enctype="multipart/form-data"' in page
    assert '<option value="organisation">社会工作组织台账</option>' in page
    assert '<option value="trainee">培养对象台账</option>' in page
    worker = as_user("worker").get(PAGE).content.decode()
    assert '<option value="beneficiary">服务对象台账</option>' in worker
    assert '<option value="organisation">' not in worker and '<option value="trainee">' not in worker
    leader = as_user("leader")
    assert importable_kinds_for(world["leader"]) == []
    assert UPLOAD not in leader.get(PAGE).content.decode()
    assert upload(leader, ledger(*GOOD)).status_code == 403
    assert leader.get(LOG).status_code == 403
    assert not LedgerImport.objects.exists()


def test_the_upload_refuses_a_kind_not_offered_an_empty_file_and_get(as_user: Any) -> None:
    client = as_user("worker")  # imports beneficiaries only
    refused = upload(client, ledger(*GOOD))
    assert refused.status_code == 200 and "请从列表中选择台账类型。" in refused.content.decode()
    empty = upload(as_user("chengkou"), b"")
    assert empty.status_code == 200 and "文件是空的。" in empty.content.decode()
    assert as_user("chengkou").get(UPLOAD).status_code == 405
    assert not LedgerImport.objects.exists()


def test_the_upload_refuses_a_file_over_the_limit(as_user: Any, settings: Any) -> None:
    settings.SANQU_LEDGER_MAX_BYTES = 1024
    page = upload(as_user("chengkou"), b"x" * 2048).content.decode()
    assert "超过了 0.000976562 MB 的上限" in page or "上限" in page
    assert not LedgerImport.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, world: World) -> None:
    assert client.post(UPLOAD).status_code == 302
    assert client.get(LOG).status_code == 302


# Upload → preview → commit -----------------------------------------------------------------


def test_it_uploads_queues_a_preview_task_and_the_page_follows_it(
    as_user: Any, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_user("chengkou")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, ledger(*GOOD))
    entry = LedgerImport.objects.get()
    assert (entry.status, entry.mode, entry.imported_by, entry.file_name) == (
        "queued", "preview", world["chengkou"], "组织台账.xlsx"
    )  # fmt: skip
    assert entry.file.name.startswith("ledgers/") and "组织" not in entry.file.name
    queued = DBTaskResult.objects.get(task_path="sanqu.ledgers.import_tasks.run_ledger_import")
    assert queued.args_kwargs["args"] == [entry.pk]
    assert AuditEntry.objects.filter(action="create", object_type="ledgers.ledgerimport").exists()

    page = client.get(response["Location"]).content.decode()
    assert "检查进度" in page and "排队中，等待开始…" in page
    assert f'hx-get="{reverse("ledger_import_progress", args=[entry.pk])}"' in page

    LedgerImport.objects.filter(pk=entry.pk).update(status="running")
    report_progress(entry.pk, 300, 1200)
    status = client.get(reverse("ledger_import_progress", args=[entry.pk]), headers={"HX-Request": "true"})
    assert "已检查 300 / 1200 行" in status.content.decode() and 'value="25"' in status.content.decode()
    assert "HX-Refresh" not in status

    LedgerImport.objects.filter(pk=entry.pk).update(status="queued")
    assert run_ledger_import.call(entry.pk) == "done"
    status = client.get(reverse("ledger_import_progress", args=[entry.pk]), headers={"HX-Request": "true"})
    assert status["HX-Refresh"] == "true"


def test_a_clean_file_is_previewed_then_committed(as_user: Any, world: World) -> None:
    client = as_user("chengkou")
    before = Organisation.objects.count()
    preview = uploaded(client, ledger(*GOOD))
    assert (preview.status, preview.outcome, preview.created, preview.rejected) == ("done", "previewed", 2, 0)
    assert Organisation.objects.count() == before  # a preview writes nothing
    page = page_of(client, preview)
    assert "预览：尚未写入" in page and "将新增" in page
    assert "导入（全部无误才导入）" in page and "仅导入无误的行" not in page
    assert "hx-trigger" not in page

    result = committed(client, preview)
    assert (result.outcome, result.mode, result.created, result.sha256) == (
        "committed", "commit", 2, preview.sha256
    )  # fmt: skip
    assert Organisation.objects.count() == before + 2
    assert Organisation.objects.filter(name="城口县社会工作协会", home_county=world.chengkou).exists()
    page = page_of(client, result)
    assert "导入结果" in page and "全部行已导入。" in page and "已导入" in page

    # The same preview cannot be committed twice; the preview says where it went.
    again = client.post(reverse("ledger_import_commit", args=[preview.pk]), {"valid_only": "0"}, follow=True)
    assert f"这个文件已经导入（导入记录 #{result.pk}）。" in again.content.decode()
    assert LedgerImport.objects.count() == 2


def test_all_or_nothing_refuses_the_file_and_leaves_the_database_unchanged(as_user: Any) -> None:
    client = as_user("chengkou")
    before = set(Organisation.objects.values_list("pk", "name"))
    preview = uploaded(client, ledger(*GOOD, *BAD))
    assert (preview.created, preview.rejected, preview.rows) == (2, 2, 4)
    page = page_of(client, preview)
    assert "这条记录不在您的权限范围内。" in page and "2018-02-30" in page
    assert '<td data-label="行号" class="num">5</td>' in page
    assert reverse("ledger_import_errors", args=[preview.pk]) in page
    assert "仅导入无误的行" in page

    result = committed(client, preview)
    assert (result.outcome, result.rejected, result.created) == ("refused", 2, 2)
    assert set(Organisation.objects.values_list("pk", "name")) == before
    assert "整个文件都没有导入，数据库未作任何改动。" in page_of(client, result)


def test_valid_rows_only_asks_for_confirmation_then_commits_the_rest(as_user: Any) -> None:
    client = as_user("chengkou")
    before = Organisation.objects.count()
    preview = uploaded(client, ledger(*GOOD, *BAD))
    confirm = client.get(reverse("ledger_import_commit", args=[preview.pk])).content.decode()
    assert "有 2 行有错误，不会导入；导入其余 2 行。" in confirm
    assert not LedgerImport.objects.filter(mode="commit").exists()  # asking is not doing

    result = committed(client, preview, valid_only=True)
    assert (result.outcome, result.valid_only, result.created, result.rejected) == ("committed", True, 2, 2)
    assert Organisation.objects.count() == before + 2
    assert "已导入无误的行；2 行有错误，没有导入。" in page_of(client, result)


def test_a_file_changed_after_its_preview_is_not_committed(as_user: Any) -> None:
    client = as_user("chengkou")
    before = Organisation.objects.count()
    preview = uploaded(client, ledger(*GOOD))
    with preview.file.open("wb") as handle:
        handle.write(ledger(*GOOD, title=False))
    result = committed(client, preview)
    assert (result.status, result.outcome) == ("failed", "")
    assert "文件在预览之后被改动过" in page_of(client, result)
    assert Organisation.objects.count() == before


def test_an_unreadable_file_shows_its_message_and_nothing_else(as_user: Any) -> None:
    client = as_user("chengkou")
    entry = uploaded(client, b"%PDF-1.4 not a ledger", name="组织.pdf")
    assert (entry.status, entry.outcome) == ("failed", "unreadable")
    page = page_of(client, entry)
    assert "不是 Excel 或 CSV 文件：请上传 .xlsx、.xls 或 .csv 格式的台账。" in page
    assert "将新增" not in page and "导入（全部无误才导入）" not in page
    assert client.post(reverse("ledger_import_commit", args=[entry.pk])).status_code == 302
    assert not LedgerImport.objects.filter(mode="commit").exists()


# Scope -------------------------------------------------------------------------------------


def test_another_users_import_is_404(as_user: Any) -> None:
    preview = uploaded(as_user("chengkou"), ledger(*GOOD, *BAD))
    outsider = as_user("wanzhou")
    for name in ("ledger_import", "ledger_import_progress", "ledger_import_commit", "ledger_import_errors"):
        assert outsider.get(reverse(name, args=[preview.pk])).status_code == 404
    assert outsider.post(reverse("ledger_import_commit", args=[preview.pk])).status_code == 404
    assert "组织台账.xlsx" not in outsider.get(LOG).content.decode()
    assert not LedgerImport.objects.filter(mode="commit").exists()


def test_the_city_office_reads_every_import_but_commits_none(as_user: Any) -> None:
    preview = uploaded(as_user("chengkou"), ledger(*GOOD))
    city = as_user("city")
    assert "组织台账.xlsx" in city.get(LOG).content.decode()
    page = page_of(city, preview)
    assert "只有上传文件的人才能导入这个文件。" in page and "导入（全部无误才导入）" not in page
    assert city.post(reverse("ledger_import_commit", args=[preview.pk])).status_code == 403


def test_the_log_lists_ones_own_imports_newest_first_with_their_counts(as_user: Any) -> None:
    client = as_user("chengkou")
    first = uploaded(client, ledger(*GOOD), name="第一.xlsx")
    second = uploaded(client, ledger(*GOOD, *BAD), name="第二.xlsx")
    page = client.get(LOG).content.decode()
    assert page.index("第二.xlsx") < page.index("第一.xlsx")
    assert "4 行：新增 2，更新 0，无变化 0，有错误 2" in page
    assert reverse("ledger_import", args=[first.pk]) in page
    assert reverse("ledger_import_errors", args=[second.pk]) in page
    assert reverse("ledger_import_errors", args=[first.pk]) not in page  # nothing to correct


# The error copy ----------------------------------------------------------------------------


def _sheet(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


def test_the_error_copy_writes_the_reasons_on_the_rejected_rows(as_user: Any) -> None:
    client = as_user("chengkou")
    preview = uploaded(client, ledger(*GOOD, *BAD))
    response = client.get(reverse("ledger_import_errors", args=[preview.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "%E9%94%99%E8%AF%AF%E8%AF%B4%E6%98%8E.xlsx" in response["Content-Disposition"]  # 错误说明.xlsx
    rows = _sheet(response)
    assert rows[0][0] == "城口县社会工作组织台账（2018年7月）"  # the title row stays where it was
    assert rows[1] == (*HEADER, "错误说明")
    assert [row[1] for row in rows[2:]] == [row[1] for row in [*GOOD, *BAD]]
    assert rows[2][-1] is None and rows[3][-1] is None
    assert rows[4][-1] == "这条记录不在您的权限范围内。"
    assert rows[5][-1].startswith("登记日期：") and "2018-02-30" in rows[5][-1]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.cell(row=6, column=5).fill.fgColor.rgb.endswith("F4B6B0")  # the faulty date cell
    assert sheet.cell(row=6, column=2).fill.fgColor.rgb.endswith("FDECEA")  # the rest of its row
    assert sheet.cell(row=3, column=2).fill.fill_type is None
    assert AuditEntry.objects.filter(action="export", object_type="ledgers.ledgerimport").count() == 1


def test_the_error_copy_of_a_csv_is_a_workbook(as_user: Any) -> None:
    client = as_user("chengkou")
    data = csv_bytes([HEADER, *[[cell or "" for cell in row] for row in [*GOOD, *BAD]]])
    preview = uploaded(client, data, name="组织.csv")
    assert preview.rejected == 2
    rows = _sheet(client.get(reverse("ledger_import_errors", args=[preview.pk])))
    assert rows[0] == (*HEADER, "错误说明")
    assert rows[3][-1] == "这条记录不在您的权限范围内。" and rows[1][-1] is None


def test_a_clean_preview_has_no_error_copy(as_user: Any) -> None:
    client = as_user("chengkou")
    preview = uploaded(client, ledger(*GOOD))
    assert client.get(reverse("ledger_import_errors", args=[preview.pk])).status_code == 404
    assert caches["progress"].get(f"ledger-import:{preview.pk}") is None  # cleared when done


class Killed(BaseException):
    """The worker process dying in the middle of the import (not an error the import could catch)."""


def test_a_worker_killed_mid_import_leaves_nothing_and_the_import_runs_again(
    as_user: Any, world: World
) -> None:
    client = as_user("chengkou")
    before = Organisation.objects.count()
    preview = uploaded(client, ledger(*GOOD))
    client.post(reverse("ledger_import_commit", args=[preview.pk]), {"valid_only": "0"})
    entry = LedgerImport.objects.latest("id")

    real_save = Organisation.save
    saved: list[str] = []

    def dies_on_the_second_row(self: Organisation, *args: Any, **kwargs: Any) -> None:
        if saved:
            raise Killed
        real_save(self, *args, **kwargs)
        saved.append(self.name)

    with mock.patch.object(Organisation, "save", dies_on_the_second_row), pytest.raises(Killed):
        run_import(entry.pk)
    assert saved, "the first row was written before the worker died"
    assert Organisation.objects.count() == before  # rolled back with the transaction
    entry.refresh_from_db()
    assert entry.status == LedgerImport.Status.RUNNING  # nobody was left to say otherwise

    # Still within its time: the page keeps following it.
    assert "hx-trigger" in page_of(client, entry)
    # Fifteen minutes without a sign of life: the page says it was interrupted, nothing was written.
    later = time.time() + import_services.INTERRUPTED_AFTER_SECONDS + 1
    with mock.patch.object(import_services.time, "time", return_value=later):
        page = page_of(client, entry)
    assert "导入进行中被中断" in page and "数据库未作任何改动" in page
    entry.refresh_from_db()
    assert entry.status == LedgerImport.Status.FAILED

    # Run again: the same file goes in whole.
    again = uploaded(client, ledger(*GOOD))
    result = committed(client, again)
    assert result.outcome == "committed" and Organisation.objects.count() == before + 2

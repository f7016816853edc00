"""Importing the organisations ledger: all or nothing, valid rows only by choice, idempotent, scoped,
logged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import import_ledger
from sanqu.ledgers.models import LedgerImport
from sanqu.lib import creditcode
from sanqu.orgs.models import Organisation
from sanqu.testing import World

HEADER = ["统一社会信用代码", "单位名称", "类型", "区县", "登记日期", "注销日期", "业务主管单位"]
CODE = creditcode.make("52", "500229", "MJP100001")
GOOD = [
    [
        CODE,
        "城口县心连心社会工作服务中心",
        "社会服务机构",
        "城口",
        "2016/5/3",
        None,
        "城口县民政局",
    ],
    [None, "城口县社会工作协会", "社会团体", "500229", "2017年3月1日", None, None],
]


def ledger(*rows: list[object], title: bool = True) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append(["城口县社会工作组织台账（2018年7月）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, **options: bool):  # type: ignore[no-untyped-def]
    return import_ledger(
        actor=world["chengkou"], kind="organisation", data=data, filename="组织.xlsx", **options
    )


def test_a_county_imports_its_organisations_and_a_second_import_changes_nothing(world: World) -> None:
    before = Organisation.objects.count()
    first = run(world, ledger(*GOOD))
    assert first.committed and (first.count("create"), first.count("reject")) == (2, 0)
    assert Organisation.objects.count() == before + 2
    made = Organisation.objects.get(credit_code=CODE)
    assert (made.kind, made.home_county, made.registered_on.isoformat()) == (
        Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        world.chengkou,
        "2016-05-03",
    )
    again = run(world, ledger(*GOOD))
    assert (again.count("unchanged"), again.count("create")) == (2, 0)
    assert Organisation.objects.count() == before + 2
    log = LedgerImport.objects.order_by("id").last()
    assert log is not None and (log.outcome, log.unchanged, log.imported_by) == (
        "committed",
        2,
        world["chengkou"],
    )


def test_one_bad_row_keeps_the_whole_file_out_unless_valid_rows_only_is_chosen(world: World) -> None:
    before = Organisation.objects.count()
    rows = [*GOOD, [None, "万州区某社工机构", "社会服务机构", "万州", "2016-01-01", None, None],
            [None, "城口县某基金会", "基金会", "城口", "2018-02-30", None, None]]  # fmt: skip
    refused = run(world, ledger(*rows))
    assert not refused.committed and Organisation.objects.count() == before
    errors = {(row.number, column): message for row in refused.rejected for column, message in row.errors}
    assert errors[(5, "（整行）")] == "这条记录不在您的权限范围内。"  # 万州 is another county's
    assert "2018-02-30" in errors[(6, "登记日期")]
    assert refused.log.outcome == "refused" and refused.log.rejected == 2
    assert {entry["row"] for entry in refused.log.errors} == {5, 6}

    chosen = run(world, ledger(*rows), valid_only=True)
    assert chosen.committed and chosen.count("create") == 2
    assert Organisation.objects.count() == before + 2


def test_a_preview_writes_nothing_and_says_what_a_commit_would_do(world: World) -> None:
    before = Organisation.objects.count()
    preview = run(world, ledger(*GOOD), dry_run=True)
    assert (preview.count("create"), preview.committed, preview.log.outcome) == (2, False, "previewed")
    assert Organisation.objects.count() == before


def test_the_natural_key_updates_and_a_repeated_row_is_refused(world: World) -> None:
    run(world, ledger(*GOOD))
    renamed = [GOOD[0][0], "城口县心联社会工作服务中心", *GOOD[0][2:]]
    result = run(world, ledger(renamed, renamed))
    assert result.count("update") == 1 and not result.committed
    assert result.rejected[0].errors == [("（整行）", "与第 3 行是同一条记录。")]
    assert run(world, ledger(renamed)).count("update") == 1
    assert Organisation.objects.get(credit_code=GOOD[0][0]).name == "城口县心联社会工作服务中心"


def test_export_then_import_is_a_no_op(world: World) -> None:
    run(world, ledger(*GOOD))
    exported = export_ledger_file(actor=world["chengkou"], kind="organisation", scope=world.chengkou)
    result = import_ledger(
        actor=world["chengkou"], kind="organisation", data=exported.content, filename="export.xlsx"
    )
    assert result.count("reject") == 0 and result.count("unchanged") == len(result.rows) >= 2
    assert result.count("create") == result.count("update") == 0


def test_the_command_prints_the_errors_and_exits_1_when_nothing_was_imported(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "组织台账.xlsx"
    path.write_bytes(ledger(*GOOD, [None, "城口县某基金会", "基金会", "城口", "2018-02-30", None, None]))
    with pytest.raises(CommandError, match="有 1 行错误，未导入任何数据"):
        call_command("import-ledger", "organisation", str(path), "--user", "chengkou")
    out = capsys.readouterr().out
    assert "新增 2，更新 0，无变化 0，有错误 1" in out and "第 5 行 · 登记日期" in out
    call_command("import-ledger", "organisation", str(path), "--user", "chengkou", "--valid-only")
    assert "已导入" in capsys.readouterr().out

    (tmp_path / "notes.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 64)  # a zip cut short
    with pytest.raises(CommandError, match="文件已损坏"):
        call_command("import-ledger", "organisation", str(tmp_path / "notes.xlsx"), "--user", "chengkou")
    assert LedgerImport.objects.order_by("id").last().outcome == "unreadable"  # type: ignore[union-attr]
    with pytest.raises(CommandError, match="目前可导入的台账"):
        call_command("import-ledger", "nonsense", str(path), "--user", "chengkou")


def test_a_row_naming_another_countys_record_is_refused_even_when_it_changes_nothing(world: World) -> None:
    theirs = world.wanzhou_org
    row = [
        theirs.credit_code or None,
        theirs.name,
        theirs.get_kind_display(),
        theirs.home_county.code,
        theirs.registered_on.isoformat(),
        theirs.deregistered_on.isoformat() if theirs.deregistered_on else None,
        theirs.supervising_unit or None,
    ]
    result = run(world, ledger(row))
    assert result.count("unchanged") == 0
    assert result.rejected[0].errors == [("（整行）", "这条记录不在您的权限范围内。")]

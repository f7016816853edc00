"""Importing the certified social workers ledger: holders found (or registered) by ID number,
certificates by holder and level, through the people registry's services."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from sanqu.accounts.models import AuditEntry
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.adapters.certificates import CertificateRows
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import ImportResult, import_ledger
from sanqu.lib import idnumber
from sanqu.testing import World
from sanqu.workforce.models import Certificate, Person
from sanqu.workforce.services import find_person_by_id_number

HEADER = ["姓名", "身份证号码", "等级", "取得日期", "区县", "证书编号"]
NEW_ID = idnumber.make("500229", dt.date(1992, 3, 4), 511)


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ADAPTERS, "certificate", CertificateRows)


def good(world: World) -> list[list[object]]:
    return [
        ["李晓梅", world.worker_person.id_number, "助理社会工作师", "2017/6/20", "城口", "A2017500001"],
        ["张明", NEW_ID, "社会工作师", "2018年1月5日", "500229", None],
    ]


def ledger(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["城口县持证社工台账"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, user: str = "chengkou", **options: bool) -> ImportResult:
    return import_ledger(actor=world[user], kind="certificate", data=data, filename="持证.xlsx", **options)


def errors(result: ImportResult) -> dict[tuple[int, str], str]:
    return {(row.number, column): message for row in result.rejected for column, message in row.errors}


def test_a_county_imports_its_certificates_registering_new_holders_and_a_second_import_changes_nothing(
    world: World,
) -> None:
    people = Person.objects.count()
    first = run(world, ledger(*good(world)))
    assert first.committed and (first.count("create"), first.count("reject")) == (2, 0)
    mine = Certificate.objects.get(person=world.worker_person)
    assert (mine.level, mine.obtained_on, mine.county, mine.number) == (
        Certificate.Level.ASSISTANT,
        dt.date(2017, 6, 20),
        world.chengkou,
        "A2017500001",
    )
    holder = find_person_by_id_number(NEW_ID)
    assert holder is not None and (holder.name, holder.county, holder.sex) == ("张明", world.chengkou, "M")
    assert Person.objects.count() == people + 1
    assert holder.certificates.get().level == Certificate.Level.INTERMEDIATE
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, actor=world["chengkou"]).count() == 3

    again = run(world, ledger(*good(world)))
    assert (again.count("unchanged"), again.count("create"), again.count("update")) == (2, 0, 0)
    assert Certificate.objects.count() == 2 and Person.objects.count() == people + 1


def test_the_holder_and_level_update_a_certificate(world: World) -> None:
    run(world, ledger(*good(world)))
    changed = good(world)
    changed[0][3:] = ["2017-06-21", "城口县", "A2017500009"]
    result = run(world, ledger(*changed))
    assert (result.count("update"), result.count("unchanged")) == (1, 1) and result.committed
    mine = Certificate.objects.get(person=world.worker_person)
    assert (mine.obtained_on, mine.number) == (dt.date(2017, 6, 21), "A2017500009")
    # Another level for the same holder is another certificate.
    higher = ["李晓梅", world.worker_person.id_number, "社会工作师", "2018-06-30", "城口", None]
    assert run(world, ledger(higher)).count("create") == 1
    assert world.worker_person.certificates.count() == 2


def test_bad_cells_another_county_and_a_wrong_name_are_refused_and_nothing_is_committed(world: World) -> None:
    wrong_check = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    rows = [
        *good(world),
        ["王芳", wrong_check, "助理社会工作师", "2017-01-01", "城口", None],
        ["赵强", idnumber.make("500229", dt.date(1990, 1, 2), 321), "社会工作师", "2018-02-30", "城口", None],
        ["钱进", idnumber.make("500101", dt.date(1991, 2, 3), 123), "社会工作师", "2018-01-01", "万州", None],
        ["李小梅", world.mentor_person.id_number, "社会工作师", "2018-01-01", "城口", None],
    ]
    before = (Certificate.objects.count(), Person.objects.count())
    refused = run(world, ledger(*rows))
    assert not refused.committed and refused.count("reject") == 4
    assert (Certificate.objects.count(), Person.objects.count()) == before
    found = errors(refused)
    assert set(found) == {(5, "身份证号"), (6, "取得日期"), (7, "（整行）"), (8, "姓名")}
    assert "校验位" in found[(5, "身份证号")]
    assert "2018-02-30" in found[(6, "取得日期")]
    assert found[(7, "（整行）")] == "这条记录不在您的权限范围内。"
    assert found[(8, "姓名")] == "姓名“李小梅”与该身份证号登记的姓名“王建国”不符。"


def test_a_holder_or_certificate_out_of_sight_is_out_of_scope(world: World) -> None:
    run(world, ledger(*good(world)))
    # 万州's officer can neither add a certificate to 城口's worker nor change 城口's certificate.
    theirs = ["李晓梅", world.worker_person.id_number, "社会工作师", "2018-03-01", "万州", None]
    changed = ["李晓梅", world.worker_person.id_number, "助理社会工作师", "2017-06-20", "万州", None]
    result = run(world, ledger(theirs, changed), user="wanzhou")
    assert set(errors(result).values()) == {"这条记录不在您的权限范围内。"}
    assert result.count("reject") == 2
    assert Certificate.objects.get(person=world.worker_person).county == world.chengkou


def test_export_then_import_is_a_no_op(world: World) -> None:
    run(world, ledger(*good(world)))
    exported = export_ledger_file(
        actor=world["chengkou"], kind="certificate", scope=world.chengkou, unmask=True
    )
    result = import_ledger(
        actor=world["chengkou"], kind="certificate", data=exported.content, filename="export.xlsx"
    )
    assert result.count("reject") == 0 and result.count("unchanged") == len(result.rows) == 2

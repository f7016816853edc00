"""Importing the trainees ledger: recommended against the quota, idempotent, scoped, all or nothing."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.adapters.trainees import TraineeRows
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import import_ledger
from sanqu.lib import idnumber
from sanqu.testing import World
from sanqu.training.models import Trainee
from sanqu.training.tests.factories import Training, attend, build_training

HEADER = [
    "年度",
    "姓名",
    "身份证号码",
    "区县",
    "工作单位",
    "培训班名称",
    "培训类别",
    "学时",
    "是否结业",
    "结业日期",
]
NEW = idnumber.make("500229", dt.date(1990, 4, 12), 51)
GOOD = [
    # 2017: a ledger of an earlier year, with its own course columns.
    [2017, "陈思远", NEW, "城口", "城口县民政局", "2017年市级培训班", "市级", 32, "是", "2017/11/20"],
    # 2018: the county's remaining place; not completed yet.
    [2018, "陈思远", NEW, "城口县", "城口县民政局", None, None, None, "否", None],
]


@pytest.fixture
def training(world: World, settings, monkeypatch: pytest.MonkeyPatch) -> Training:  # type: ignore[no-untyped-def]
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    monkeypatch.setitem(ADAPTERS, "trainee", TraineeRows)
    return build_training(world)


def ledger(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["城口县培养对象台账"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, user: str = "chengkou", **options: bool):  # type: ignore[no-untyped-def]
    return import_ledger(actor=world[user], kind="trainee", data=data, filename="培养对象.xlsx", **options)


def test_a_county_imports_its_trainees_and_a_second_import_changes_nothing(
    world: World, training: Training
) -> None:
    first = run(world, ledger(*GOOD))
    assert first.committed and (first.count("create"), first.count("reject")) == (2, 0)
    earlier = Trainee.objects.get(person__name="陈思远", programme_year=training.earlier)
    assert (earlier.county, earlier.workplace, earlier.course_name) == (
        world.chengkou,
        "城口县民政局",
        "2017年市级培训班",
    )
    assert (earlier.course_level, earlier.hours, earlier.completed_on) == (
        "municipal",
        Decimal(32),
        dt.date(2017, 11, 20),
    )
    later = Trainee.objects.get(person__name="陈思远", programme_year=training.year)
    assert later.person == earlier.person and not later.completed
    again = run(world, ledger(*GOOD))
    assert again.committed and again.count("unchanged") == 2


def test_a_changed_value_updates_the_trainee_its_id_number_and_year_name(
    world: World, training: Training
) -> None:
    run(world, ledger(*GOOD))
    changed = [*GOOD[1][:5], "2018年市级培训班", "市级", Decimal("12.5"), "否", None]
    result = run(world, ledger(changed))
    assert result.committed and result.count("update") == 1
    trainee = Trainee.objects.get(person__name="陈思远", programme_year=training.year)
    assert (trainee.course_name, trainee.hours) == ("2018年市级培训班", Decimal("12.5"))


def test_bad_cells_and_another_county_are_refused_with_row_column_and_reason(
    world: World, training: Training
) -> None:
    wrong_check = NEW[:-1] + ("0" if NEW[-1] != "0" else "1")
    outsider = idnumber.make("500101", dt.date(1991, 1, 1), 61)
    result = run(
        world,
        ledger(
            [2018, "陈思远", wrong_check, "城口", None, None, None, None, "否", None],
            [
                2017,
                "赵敏",
                idnumber.make("500229", dt.date(1992, 2, 2), 71),
                "城口",
                None,
                None,
                None,
                None,
                "是",
                "2018-02-30",
            ],
            [2018, "孙力", outsider, "万州", None, None, None, None, "否", None],
            [
                2017,
                "钱进",
                idnumber.make("500229", dt.date(1993, 3, 3), 81),
                "城口",
                None,
                None,
                None,
                None,
                "是",
                None,
            ],
        ),
    )
    assert not result.committed and result.count("reject") == 4
    # Another county's trainee, claimed for 城口: refused without a word about it.
    theirs = training.wanzhou_trainee.person
    moved = run(
        world, ledger([2018, theirs.name, theirs.id_number, "城口", None, None, None, None, "否", None])
    )
    assert moved.rejected[0].errors == [("（整行）", "这条记录不在您的权限范围内。")]
    by_row = {row.number: row.errors for row in result.rejected}
    assert by_row[3][0][0] == "身份证号" and "校验" in by_row[3][0][1]
    assert by_row[4][0][0] == "结业日期"
    assert by_row[5] == [("（整行）", "这条记录不在您的权限范围内。")]
    assert by_row[6] == [("结业日期", "已结业的培养对象须填写结业日期。")]
    assert not Trainee.objects.filter(person__name__in=["赵敏", "孙力", "钱进"]).exists()


def test_the_quota_and_a_course_linked_trainee_follow_the_services(world: World, training: Training) -> None:
    # 城口 has one place left in 2018: the second new trainee is over the quota.
    other = idnumber.make("500229", dt.date(1994, 4, 4), 91)
    result = run(world, ledger(GOOD[1], [2018, "周岚", other, "城口", None, None, None, None, "否", None]))
    assert [row.action for row in result.rows] == ["create", "reject"]
    assert "培养名额为 2 人" in result.rejected[0].errors[0][1]
    # A trainee of a course completes only once attendance reaches the course's hours.
    person = training.chengkou_trainee.person
    number = person.id_number
    course = training.course.name
    row = [2018, person.name, number, "城口", "鸡鸣乡人民政府", course, "市级", None, "是", "2018-05-20"]
    refused = run(world, ledger(row))
    assert "未达到培训班要求的 16 学时" in refused.rejected[0].errors[0][1]
    attend(training.chengkou_trainee, *training.sessions[:2])
    row[7] = 16
    assert run(world, ledger(row)).committed
    training.chengkou_trainee.refresh_from_db()
    assert training.chengkou_trainee.completed_on == dt.date(2018, 5, 20)


def test_export_then_import_is_a_no_op(world: World, training: Training) -> None:
    run(world, ledger(*GOOD))
    attend(training.chengkou_trainee, *training.sessions[:2])
    exported = export_ledger_file(actor=world["chengkou"], kind="trainee", scope=world.chengkou, unmask=True)
    result = import_ledger(
        actor=world["chengkou"], kind="trainee", data=exported.content, filename="export.xlsx"
    )
    assert result.count("reject") == 0 and result.count("unchanged") == len(result.rows) == 3

"""Exports of every ledger kind and the blank templates, read back with openpyxl as a user would."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import execute_from_command_line
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Household, ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.incentives.models import IncentivePolicy
from sanqu.ledgers.exporting import (
    GUIDE_SHEET,
    NOTE_SHEET,
    LedgerError,
    blank_template,
    export_ledger,
    export_ledger_file,
)
from sanqu.ledgers.kinds import KINDS
from sanqu.ledgers.reading import read_ledger
from sanqu.lib import idnumber
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region
from sanqu.testing import World, make_person
from sanqu.training.models import Trainee
from sanqu.workforce.models import Certificate, Dispatch, Person

WORKER_PHONE = "13800138000"
BENEFICIARY_PHONE = "13900139000"


@dataclass
class Ledgers:
    """One record of every kind in 城口 (the worker's) and one in 万州, the outsider's county."""

    world: World
    chaping: Region
    outsider: Person
    beneficiary_id: str
    outside_beneficiary_id: str


def build_ledgers(world: World) -> Ledgers:
    year = ProgrammeYear.objects.create(
        year=2017, starts_on=dt.date(2017, 6, 1), ends_on=dt.date(2018, 5, 31)
    )
    chaping = Region.objects.create(
        code="500229212201", name="茶坪村", level=Region.Level.VILLAGE, parent=world.jiming
    )
    worker = world.worker_person
    worker.phone = WORKER_PHONE
    worker.save()
    Dispatch.objects.create(
        person=worker,
        programme_year=year,
        sending_organisation=world.yangguang,
        county=world.chengkou,
        station=world.station,
        started_on=dt.date(2017, 6, 15),
        planned_end_on=dt.date(2018, 6, 14),
        assessment=Dispatch.Assessment.GOOD,
    )
    Certificate.objects.create(
        person=worker, level="assistant", obtained_on=dt.date(2016, 11, 1), county=world.chengkou, number="A1"
    )
    Certificate.objects.create(
        person=worker, level="intermediate", obtained_on=dt.date(2018, 1, 5), county=world.chengkou
    )
    Trainee.objects.create(
        person=worker,
        programme_year=year,
        county=world.chengkou,
        workplace="鸡鸣乡社会工作站",
        course_name="2017年度社会工作专业人才培训班",
        course_level="municipal",
        hours=Decimal("36.0"),
        completed_on=dt.date(2017, 11, 30),
    )
    IncentivePolicy.objects.create(
        county=world.chengkou,
        name="城口县社会工作者职业水平证书奖励办法",
        kind=IncentivePolicy.Kind.ONE_OFF_AWARD,
        effective_from=dt.date(2016, 1, 1),
        amount=Decimal("2000.00"),
    )
    beneficiary = make_beneficiary(
        "张秀英", chaping, groups=("left_behind_elderly", "disabled"), worker=worker
    )
    beneficiary.phone = BENEFICIARY_PHONE
    beneficiary.household = Household.objects.create(
        head_name="张秀英", region=chaping, poverty_registered=True
    )
    beneficiary.save()
    ServiceRecord.objects.create(
        served_on=dt.date(2018, 3, 12),
        worker=worker,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.get(code="emotional_comfort"),
        duration_hours=Decimal("1.5"),
        place="张秀英家中",
        notes="上门探访，陪伴聊天",
        beneficiary=beneficiary,
        county=world.chengkou,
    )

    # 万州: a record of every kind the 城口 ledgers must never show.
    outsider = make_person("万州社工", world.wanzhou, organisation=world.wanzhou_org, address="500101")
    Dispatch.objects.create(
        person=outsider,
        programme_year=year,
        sending_organisation=world.wanzhou_org,
        county=world.wanzhou,
        started_on=dt.date(2017, 7, 1),
        planned_end_on=dt.date(2018, 6, 30),
    )
    Certificate.objects.create(
        person=outsider, level="assistant", obtained_on=dt.date(2017, 1, 1), county=world.wanzhou
    )
    Trainee.objects.create(person=outsider, programme_year=year, county=world.wanzhou)
    IncentivePolicy.objects.create(
        county=world.wanzhou, name="万州区职称补贴", kind="title_subsidy", effective_from=dt.date(2017, 1, 1)
    )
    far = make_beneficiary("万州对象", world.wanzhou, worker=outsider)
    ServiceRecord.objects.create(
        served_on=dt.date(2018, 4, 1),
        worker=outsider,
        method=ServiceRecord.Method.CASE,
        service_type=ServiceType.objects.get(code="counselling"),
        duration_hours=Decimal("1"),
        beneficiary=far,
        county=world.wanzhou,
    )
    return Ledgers(world, chaping, outsider, beneficiary.id_number, far.id_number)


@pytest.fixture
def ledgers(world: World) -> Ledgers:
    return build_ledgers(world)


def read(content: bytes) -> Workbook:
    return load_workbook(BytesIO(content))


def rows_of(content: bytes) -> list[dict[str, Any]]:
    """The data rows of the first sheet, as header → value."""
    sheet = read(content).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = values[0]
    return [dict(zip(header, row, strict=True)) for row in values[1:]]


def export(ledgers: Ledgers, username: str, kind: str, scope: Region | None = None, **options: Any) -> bytes:
    world = ledgers.world
    return export_ledger(actor=world[username], kind=kind, scope=scope or world.chengkou, **options)


# What each ledger shows --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_writes_the_template_header_in_order_on_one_sheet_named_by_the_title(
    ledgers: Ledgers, kind: str
) -> None:
    book = read(export(ledgers, "chengkou", kind, unmask=True))
    assert book.sheetnames == [KINDS[kind].title]
    header = next(book.worksheets[0].iter_rows(max_row=1, values_only=True))
    assert list(header) == [column.name for column in KINDS[kind].columns]


@pytest.mark.parametrize("kind", list(KINDS))
def test_it_exports_the_county_records_and_nothing_of_another_county(ledgers: Ledgers, kind: str) -> None:
    chengkou_rows = rows_of(export(ledgers, "chengkou", kind))
    wanzhou_rows = rows_of(export(ledgers, "wanzhou", kind, scope=ledgers.world.wanzhou))
    # One record of each kind in either county (the worker holds two certificates).
    assert len(chengkou_rows) == (2 if kind == "certificate" else 1)
    assert len(wanzhou_rows) == 1
    assert "万州" not in repr(chengkou_rows)
    assert "城口" not in repr(wanzhou_rows)


def test_the_dispatch_ledger_reads_as_the_bureau_writes_it(ledgers: Ledgers) -> None:
    (row,) = rows_of(export(ledgers, "chengkou", "dispatch", unmask=True))
    worker = ledgers.world.worker_person
    assert row == {
        "年度": 2017,
        "姓名": "李晓梅",
        "身份证号": worker.id_number,
        "性别": "男" if worker.sex == "M" else "女",
        "手机号": WORKER_PHONE,
        "派出单位": "重庆扬光社会工作服务中心",
        "受援区县": "城口县",
        "服务站点": "鸡鸣乡社会工作站",
        "派驻开始日期": dt.datetime(2017, 6, 15),
        "派驻结束日期": dt.datetime(2018, 6, 14),
        "状态": "在岗",
        "离岗原因": None,
        "考核结果": "良好",
        "证书等级": "社会工作师",  # the higher of her two certificates
    }


def test_the_other_ledgers_carry_their_records_values(ledgers: Ledgers) -> None:
    worker = ledgers.world.worker_person
    (trainee,) = rows_of(export(ledgers, "chengkou", "trainee", unmask=True))
    assert trainee["区县"] == "城口县"
    assert trainee["培训类别"] == "市级"
    assert trainee["学时"] == 36
    assert trainee["是否结业"] == "是"
    assert trainee["结业日期"] == dt.datetime(2017, 11, 30)
    (organisation,) = rows_of(export(ledgers, "chengkou", "organisation"))
    assert organisation["统一社会信用代码"] == ledgers.world.yangguang.credit_code
    assert organisation["类型"] == "社会服务机构"
    certificates = rows_of(export(ledgers, "chengkou", "certificate", unmask=True))
    assert [(row["等级"], row["证书编号"]) for row in certificates] == [
        ("助理社会工作师", "A1"),
        ("社会工作师", None),
    ]
    (beneficiary,) = rows_of(export(ledgers, "chengkou", "beneficiary", unmask=True))
    assert beneficiary["身份证号"] == ledgers.beneficiary_id
    assert (beneficiary["区县"], beneficiary["乡镇(街道)"], beneficiary["村(社区)"]) == (
        "城口县",
        "鸡鸣乡",
        "茶坪村",
    )
    assert set(beneficiary["服务对象类别"].split("、")) == {"留守老人", "残疾人"}
    assert beneficiary["联系电话"] == BENEFICIARY_PHONE
    assert beneficiary["是否建档立卡贫困户"] == "是"
    assert beneficiary["负责社工身份证号"] == worker.id_number
    (service,) = rows_of(export(ledgers, "chengkou", "service", unmask=True))
    assert service["服务对象身份证号"] == ledgers.beneficiary_id
    assert service["社工身份证号"] == worker.id_number
    assert (service["服务方式"], service["服务类型"], service["时长(小时)"]) == ("个案", "精神慰藉", 1.5)
    (policy,) = rows_of(export(ledgers, "chengkou", "incentive"))
    assert (policy["类别"], policy["标准(元)"], policy["失效日期"]) == ("一次性奖励", 2000, None)


def test_the_values_stay_chinese_for_a_reader_in_english(ledgers: Ledgers) -> None:
    with translation.override("en"):
        (row,) = rows_of(export(ledgers, "chengkou", "dispatch"))
    assert (row["状态"], row["考核结果"], row["证书等级"]) == ("在岗", "良好", "社会工作师")


def test_dates_are_excel_dates_and_id_numbers_text(ledgers: Ledgers) -> None:
    sheet = read(export(ledgers, "chengkou", "dispatch", unmask=True)).worksheets[0]
    started = sheet.cell(row=2, column=9)
    assert isinstance(started.value, dt.datetime)
    assert started.number_format == "yyyy-mm-dd"
    number = sheet.cell(row=2, column=3)
    assert isinstance(number.value, str)
    assert number.number_format == "@"


# Masking and audit -------------------------------------------------------------------------


def test_it_masks_id_numbers_and_phones_by_default_and_says_so(ledgers: Ledgers) -> None:
    exported = export_ledger_file(
        actor=ledgers.world["chengkou"], kind="dispatch", scope=ledgers.world.chengkou
    )
    (row,) = rows_of(exported.content)
    assert row["身份证号"] == idnumber.mask(ledgers.world.worker_person.id_number)
    assert row["手机号"] == "138****8000"
    book = read(exported.content)
    assert book.sheetnames[1] == NOTE_SHEET
    note = " ".join(str(cell) for row in book[NOTE_SHEET].iter_rows(values_only=True) for cell in row if cell)
    assert "脱敏" in note and "身份证号" in note and "手机号" in note
    assert "脱敏" in exported.filename
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.detail["unmasked"] is False


def test_a_role_with_unmask_exports_full_numbers_and_the_export_is_audited(ledgers: Ledgers) -> None:
    world = ledgers.world
    exported = export_ledger_file(
        actor=world["chengkou"], kind="beneficiary", scope=world.chengkou, unmask=True
    )
    (row,) = rows_of(exported.content)
    assert row["身份证号"] == ledgers.beneficiary_id
    assert row["联系电话"] == BENEFICIARY_PHONE
    assert read(exported.content).sheetnames == ["服务对象台账"]
    assert "脱敏" not in exported.filename
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.actor == world["chengkou"]
    assert (
        entry.detail.items()
        >= {"ledger": "beneficiary", "scope": "500229", "count": 1, "unmasked": True}.items()
    )


def test_a_read_only_role_asking_to_unmask_still_gets_masked_numbers(ledgers: Ledgers) -> None:
    (row,) = rows_of(export(ledgers, "leader", "dispatch", unmask=True))
    assert row["身份证号"] == idnumber.mask(ledgers.world.worker_person.id_number)
    assert AuditEntry.objects.get(action=AuditEntry.Action.EXPORT).detail["unmasked"] is False


def test_unmasking_beneficiaries_takes_their_own_permission(ledgers: Ledgers) -> None:
    # The city office may unmask people but not beneficiaries: the worker's number shows, not theirs.
    (row,) = rows_of(export(ledgers, "city", "service", unmask=True))
    assert row["社工身份证号"] == ledgers.world.worker_person.id_number
    assert row["服务对象身份证号"] == idnumber.mask(ledgers.beneficiary_id)


# Scope -------------------------------------------------------------------------------------


def test_an_outsider_cannot_export_another_county(ledgers: Ledgers) -> None:
    with pytest.raises(LedgerError):
        export(ledgers, "wanzhou", "beneficiary", scope=ledgers.world.chengkou)
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_city_exports_the_municipality(ledgers: Ledgers) -> None:
    rows = rows_of(export(ledgers, "city", "dispatch", scope=ledgers.world.chongqing))
    assert {row["受援区县"] for row in rows} == {"城口县", "万州区"}


def test_a_township_scope_takes_the_dispatches_posted_to_its_stations(ledgers: Ledgers) -> None:
    rows = rows_of(export(ledgers, "chengkou", "dispatch", scope=ledgers.world.jiming))
    assert [row["姓名"] for row in rows] == ["李晓梅"]


def test_a_worker_exports_her_own_records_in_her_township(ledgers: Ledgers) -> None:
    world = ledgers.world
    assert [row["姓名"] for row in rows_of(export(ledgers, "worker", "dispatch", scope=world.jiming))] == [
        "李晓梅"
    ]
    assert len(rows_of(export(ledgers, "worker", "service", scope=world.jiming))) == 1
    with pytest.raises(LedgerError):
        export(ledgers, "worker", "trainee", scope=world.jiming)  # no page shows her trainees
    with pytest.raises(LedgerError):
        export(ledgers, "worker", "dispatch", scope=world.chengkou)  # wider than her membership


def test_an_organisation_manager_exports_her_organisations_dispatches_only(ledgers: Ledgers) -> None:
    rows = rows_of(export(ledgers, "yangguang", "dispatch"))
    assert [row["派出单位"] for row in rows] == ["重庆扬光社会工作服务中心"]
    with pytest.raises(LedgerError):
        export(ledgers, "yangguang", "certificate")


# Blank templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_blank_template_has_the_exact_header_and_lists_for_its_choices(db: None, kind: str) -> None:
    ledger = KINDS[kind]
    book = read(blank_template(kind))
    assert book.sheetnames == [ledger.title, GUIDE_SHEET]
    sheet = book[ledger.title]
    assert [cell.value for cell in sheet[1]] == [column.name for column in ledger.columns]
    assert sheet.max_row == 1  # no data, no title row
    validated = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            validated[sheet.cell(row=1, column=cell_range.min_col).value] = validation
    for index, column in enumerate(ledger.columns, start=1):
        header = sheet.cell(row=1, column=index)
        assert header.font.bold
        assert (header.comment is not None) == column.required
        if column.kind == "choice":
            validation = validated[column.name]
            assert validation.type == "list"
            listed = _listed(book, validation.formula1)
            assert listed == list(column.choices)


def _listed(book: Workbook, formula: str) -> list[str]:
    sheet_name, cells = formula.split("!")
    first, last = cells.replace("$", "").split(":")
    sheet = book[sheet_name.strip("'")]
    return [row[0].value for row in sheet[first:last]]


def test_the_service_template_lists_the_service_types_the_database_holds(db: None) -> None:
    book = read(blank_template("service"))
    sheet = book["服务记录台账"]
    (validation,) = [
        item for item in sheet.data_validations.dataValidation if str(item.sqref).startswith("E")
    ]
    assert "精神慰藉" in _listed(book, validation.formula1)


def test_the_guide_names_each_column_whether_required_and_how_to_write_it(db: None) -> None:
    guide = read(blank_template("beneficiary"))[GUIDE_SHEET]
    rows = {row[0]: row for row in guide.iter_rows(values_only=True) if row and row[0]}
    for column in KINDS["beneficiary"].columns:
        assert rows[column.name][1] == ("必填" if column.required else "选填")
    assert "2018年3月1日" in rows["建档日期"][2]
    assert "500229" in rows["区县"][2]
    assert "留守儿童" in rows["服务对象类别"][3]


# The command -------------------------------------------------------------------------------


@pytest.fixture
def keep_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command run from argv closes every database connection when it ends, which on PostgreSQL
    would close the test's own transaction: keep it open."""
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)


def test_the_command_writes_the_file_masked_unless_asked(
    ledgers: Ledgers, tmp_path: Path, capsys: Any, keep_connection: None
) -> None:
    out = tmp_path / "dispatch.xlsx"
    execute_from_command_line(["sanqu", "export-ledger", "dispatch", "--scope", "城口", "--out", str(out)])
    (row,) = rows_of(out.read_bytes())
    assert row["身份证号"] == idnumber.mask(ledgers.world.worker_person.id_number)
    assert "1 条记录" in capsys.readouterr().out
    execute_from_command_line(
        ["sanqu", "export-ledger", "dispatch", "--scope", "500229", "--out", str(out), "--unmask"]
    )
    (row,) = rows_of(out.read_bytes())
    assert row["身份证号"] == ledgers.world.worker_person.id_number
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).latest("at")
    assert entry.actor is None
    assert (
        entry.detail.items()
        >= {"ledger": "dispatch", "scope": "500229", "count": 1, "unmasked": True}.items()
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nope", "--scope", "500229"], "没有名为“nope”的台账"),
        (["dispatch", "--scope", "不存在县"], "找不到区划"),
    ],
)
def test_the_command_refuses_a_bad_kind_or_scope_with_exit_1(
    ledgers: Ledgers, tmp_path: Path, capsys: Any, argv: list[str], message: str, keep_connection: None
) -> None:
    out = tmp_path / "x.xlsx"
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["sanqu", "export-ledger", *argv, "--out", str(out)])
    assert exit_.value.code == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_the_command_refuses_a_path_in_a_missing_folder(
    ledgers: Ledgers, tmp_path: Path, capsys: Any, keep_connection: None
) -> None:
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(
            [
                "sanqu",
                "export-ledger",
                "dispatch",
                "--scope",
                "500229",
                "--out",
                str(tmp_path / "no" / "x.xlsx"),
            ]
        )
    assert exit_.value.code == 1
    assert "无法写入" in capsys.readouterr().err


# Export then read back -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_unmasked_export_reads_back_without_an_error_or_a_warning(ledgers: Ledgers, kind: str) -> None:
    exported = export_ledger_file(
        actor=ledgers.world["chengkou"], kind=kind, scope=ledgers.world.chengkou, unmask=True
    )
    table = read_ledger(exported.content, filename=exported.filename, kind=KINDS[kind])
    assert (table.header_row, table.ignored, table.warnings) == (1, [], [])
    assert [row.errors for row in table.rows] == [{}] * len(rows_of(exported.content))
    values = table.rows[0].values
    if "id_number" in values:
        assert values["id_number"] in {ledgers.world.worker_person.id_number, ledgers.beneficiary_id}


def test_a_masked_export_does_not_read_back(ledgers: Ledgers) -> None:
    exported = export_ledger_file(
        actor=ledgers.world["chengkou"], kind="dispatch", scope=ledgers.world.chengkou
    )
    (row,) = read_ledger(exported.content, filename=exported.filename, kind=KINDS["dispatch"]).rows
    assert "id_number" in row.errors


def test_the_export_costs_the_same_queries_for_one_record_or_many(
    ledgers: Ledgers, django_assert_max_num_queries: Any
) -> None:
    world = ledgers.world
    with CaptureQueriesContext(connection) as one:
        export(ledgers, "chengkou", "beneficiary")
    for number in range(5):
        make_beneficiary(f"对象{number}", ledgers.chaping, worker=world.worker_person)
    with django_assert_max_num_queries(len(one)):
        assert len(rows_of(export(ledgers, "chengkou", "beneficiary"))) == 6

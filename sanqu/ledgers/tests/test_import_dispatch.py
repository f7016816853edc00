"""Importing the dispatch ledger: workers found (or registered) by ID number, terms by worker and year,
through the people registry's services; a demo's export read back is a no-op."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from openpyxl import Workbook

from sanqu.accounts.models import AuditEntry, User
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.adapters.dispatches import DispatchRows
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import ImportResult, import_ledger
from sanqu.lib import idnumber
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region
from sanqu.testing import World
from sanqu.workforce.models import Dispatch, Person
from sanqu.workforce.services import find_person_by_id_number

HEADER = [
    "年度",
    "姓名",
    "身份证号码",
    "性别",
    "手机号",
    "派出单位",
    "受援区县",
    "服务站点",
    "派驻开始日期",
    "派驻结束日期",
    "状态",
    "离岗原因",
    "考核结果",
    "证书等级",
]
NEW_ID = idnumber.make("500229", dt.date(1993, 5, 6), 211)  # 211: odd, a man
TODAY = dt.date(2018, 7, 10)
SCOPE_MESSAGE = "这条记录不在您的权限范围内。"


@pytest.fixture
def years(world: World, settings: Any, monkeypatch: pytest.MonkeyPatch) -> dict[int, ProgrammeYear]:
    settings.SANQU_TODAY = TODAY
    monkeypatch.setitem(ADAPTERS, "dispatch", DispatchRows)
    made = {}
    for year in (2017, 2018):
        made[year] = ProgrammeYear.objects.create(
            year=year, starts_on=dt.date(year, 1, 1), ends_on=dt.date(year, 12, 31)
        )
        ReceivingCounty.objects.create(programme_year=made[year], county=world.chengkou, dispatch_quota=5)
        ReceivingCounty.objects.create(programme_year=made[year], county=world.wanzhou, dispatch_quota=5)
    return made


def good(world: World) -> list[list[object]]:
    return [
        # 2017: the posted worker's first term, ended and assessed; no station column value.
        [
            2017,
            "李晓梅",
            world.worker_person.id_number,
            # Her sex as her ID number has it (the factories' numbers run on, test after test).
            "男" if idnumber.sex(world.worker_person.id_number) == "M" else "女",
            None,
            "重庆扬光社会工作服务中心",
            "城口",
            None,
            "2017/3/1",
            "2018-02-28",
            "期满",
            None,
            "良好",
            "助理社会工作师",  # read, not stored: certificates come from their own ledger
        ],
        # 2018: someone new, in post at the station of 鸡鸣乡; no end given: a year from the start.
        [
            2018,
            "张明",
            NEW_ID,
            "男",
            "13800138000",
            "重庆扬光社会工作服务中心",
            "城口县",
            "鸡鸣乡社会工作站",
            "2018年3月1日",
            None,
            "在岗",
            None,
            None,
            None,
        ],
    ]


def ledger(*rows: list[object], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["城口县选派社工台账"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, user: str = "chengkou", **options: bool) -> ImportResult:
    return import_ledger(actor=world[user], kind="dispatch", data=data, filename="选派.xlsx", **options)


def errors(result: ImportResult) -> dict[tuple[int, str], str]:
    return {(row.number, column): message for row in result.rejected for column, message in row.errors}


def test_a_county_imports_its_terms_registering_new_workers_and_a_second_import_changes_nothing(
    world: World, years: dict[int, ProgrammeYear]
) -> None:
    people = Person.objects.count()
    first = run(world, ledger(*good(world)))
    assert first.committed and (first.count("create"), first.count("reject")) == (2, 0), first.rows
    earlier = Dispatch.objects.get(person=world.worker_person)
    assert (earlier.programme_year, earlier.county, earlier.sending_organisation, earlier.station) == (
        years[2017],
        world.chengkou,
        world.yangguang,
        None,
    )
    assert (earlier.started_on, earlier.ended_on, earlier.status, earlier.assessment) == (
        dt.date(2017, 3, 1),
        dt.date(2018, 2, 28),
        Dispatch.Status.COMPLETED,
        Dispatch.Assessment.GOOD,
    )
    worker = find_person_by_id_number(NEW_ID)
    assert worker is not None and Person.objects.count() == people + 1
    assert (worker.name, worker.sex, worker.phone, worker.county, worker.organisation) == (
        "张明",
        "M",
        "13800138000",
        world.chengkou,
        world.yangguang,
    )
    assert not worker.certificates.exists()
    term = worker.dispatches.get()
    assert (term.station, term.status, term.planned_end_on, term.ended_on) == (
        world.station,
        Dispatch.Status.SERVING,
        dt.date(2019, 2, 28),
        None,
    )
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, actor=world["chengkou"])
    assert created.count() == 3  # one person, two terms

    again = run(world, ledger(*good(world)))
    assert (again.count("unchanged"), again.count("create"), again.count("update")) == (2, 0, 0)
    assert AuditEntry.objects.filter(actor=world["chengkou"]).count() == 3


def test_a_row_ends_a_term_with_its_reason_and_brings_a_new_phone(
    world: World, years: dict[int, ProgrammeYear]
) -> None:
    run(world, ledger(*good(world)))
    rows = good(world)
    rows[1][4] = "13900139000"
    rows[1][9:12] = ["2018-06-30", "提前离岗", "考上了乡镇公务员"]
    result = run(world, ledger(*rows))
    assert result.committed and (result.count("update"), result.count("unchanged")) == (1, 1)
    worker = find_person_by_id_number(NEW_ID)
    assert worker is not None and worker.phone == "13900139000"
    term = worker.dispatches.get()
    assert (term.status, term.ended_on, term.leave_reason, term.leave_note) == (
        Dispatch.Status.LEFT_EARLY,
        dt.date(2018, 6, 30),
        Dispatch.LeaveReason.CIVIL_SERVICE,
        "考上了乡镇公务员",
    )
    # Reasons in the ledger's words: a label (with its note after the colon), or 其他 with the text kept.
    for text, reason, note in [
        ("家庭原因：照顾老人", Dispatch.LeaveReason.FAMILY, "照顾老人"),
        ("个人另有安排", Dispatch.LeaveReason.OTHER, "个人另有安排"),
    ]:
        rows[1][11] = text
        assert run(world, ledger(*rows)).count("update") == 1
        term.refresh_from_db()
        assert (term.leave_reason, term.leave_note) == (reason, note)
    # An older file saying she is still in post does not reopen the term.
    stale = run(world, ledger(good(world)[1]))
    assert errors(stale) == {(3, "状态"): "该选派已于 2018-06-30 结束（提前离岗），不能由台账改回在岗。"}


def test_another_countys_row_is_out_of_scope_and_nothing_is_written(
    world: World, years: dict[int, ProgrammeYear]
) -> None:
    theirs = good(world)[1]
    theirs[6:8] = ["万州", None]
    before = (Person.objects.count(), Dispatch.objects.count(), AuditEntry.objects.count())
    result = run(world, ledger(theirs))
    assert errors(result) == {(3, "（整行）"): SCOPE_MESSAGE} and not result.committed
    assert (Person.objects.count(), Dispatch.objects.count(), AuditEntry.objects.count()) == before
    # 万州's officer can neither post 城口's worker nor move 城口's term.
    run(world, ledger(*good(world)))
    mine = good(world)[0]
    mine[6] = "万州"
    result = run(world, ledger(mine), user="wanzhou")
    assert errors(result) == {(3, "（整行）"): SCOPE_MESSAGE}
    assert Dispatch.objects.get(person=world.worker_person).county == world.chengkou


def test_refused_rows_say_why_in_their_column_and_nothing_is_committed(
    world: World, years: dict[int, ProgrammeYear]
) -> None:
    wrong_check = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")
    base = good(world)[1]

    def row(n: int, **cells: object) -> list[object]:
        """A row of a new woman (the n-th), with the cells given changed."""
        changed = list(base)
        changed[1:4] = [f"王芳{n}", idnumber.make("500229", dt.date(1991, 2, 3), 100 + 2 * n), "女"]
        for header, value in cells.items():
            changed[HEADER.index(header)] = value
        return changed

    rows = [
        *good(world),
        # The worker's 2018 term overlaps her 2017 one (ending 2018-02-28).
        row(1, 姓名="李晓梅", 身份证号码=world.worker_person.id_number, 派驻开始日期="2018-02-01", 性别=None),
        row(2, 身份证号码=wrong_check),
        row(3, 派驻开始日期="2018-02-30"),
        row(4, 性别="男"),
        row(5, 姓名="王建", 身份证号码=world.mentor_person.id_number, 性别=None),
        row(6, 派出单位="城口县阳光社工"),
        row(7, 年度=2017, 受援区县="开州"),
        row(8, 服务站点="双河乡社会工作站"),
        row(9, 派驻结束日期="2018-06-30", 状态=None),
        row(10, 考核结果="优秀"),
        row(11, 派驻结束日期="2018-08-01", 状态="期满"),
    ]
    Region.objects.create(code="500154", name="开州区", level=Region.Level.COUNTY, parent=world.chongqing)
    before = (Person.objects.count(), Dispatch.objects.count(), AuditEntry.objects.count())
    refused = run(world, ledger(*rows))
    assert not refused.committed and (refused.count("create"), refused.count("reject")) == (2, 11)
    assert (Person.objects.count(), Dispatch.objects.count(), AuditEntry.objects.count()) == before
    assert errors(refused) == {
        (5, "派驻开始日期"): "与该社工的另一期选派时间重叠：2017年度 城口县 2017-03-01 至 2018-02-28。",
        (6, "身份证号"): errors(refused)[(6, "身份证号")],
        (7, "派驻开始日期"): errors(refused)[(7, "派驻开始日期")],
        (8, "性别"): "性别“男”与身份证号不符（按身份证号应为“女”）。",
        (9, "姓名"): "姓名“王建”与该身份证号登记的姓名“王建国”不符。",
        (10, "派出单位"): "没有名为“城口县阳光社工”的派出单位：请填写单位登记的全称。",
        (11, "（整行）"): SCOPE_MESSAGE,  # 开州 is not the officer's
        (12, "服务站点"): "城口县没有名为“双河乡社会工作站”的服务站点。",
        (13, "状态"): "派驻结束日期 2018-06-30 已过，请在“状态”中注明“期满”或“提前离岗”。",
        (14, "考核结果"): "选派结束后才能记录考核结果。",
        (15, "派驻结束日期"): "实际结束日期不能晚于今天。",
    }
    assert "校验位" in errors(refused)[(6, "身份证号")]
    assert "2018-02-30" in errors(refused)[(7, "派驻开始日期")]

    # The city may post to 开州, but not in a year it does not receive workers.
    city = run(world, ledger(rows[8]), user="city")
    assert errors(city) == {(3, "受援区县"): "开州区不是2017年度的受援区县。"}

    # Valid rows only: the two good rows are kept.
    kept = run(world, ledger(*rows), valid_only=True)
    assert kept.committed and kept.count("create") == 2
    assert Dispatch.objects.count() == before[1] + 2


def test_a_name_on_file_is_not_changed_by_a_ledger(world: World, years: dict[int, ProgrammeYear]) -> None:
    rows = good(world)
    rows[0][1] = "李小梅"
    result = run(world, ledger(*rows))
    assert errors(result) == {(3, "姓名"): "姓名“李小梅”与该身份证号登记的姓名“李晓梅”不符。"}
    world.worker_person.refresh_from_db()
    assert world.worker_person.name == "李晓梅"


def test_a_sending_organisation_from_elsewhere_is_found_in_the_registry(
    world: World, years: dict[int, ProgrammeYear]
) -> None:
    # 城口's officer sees no 万州 organisation until it has sent someone to 城口: the dispatch form
    # offers the whole registry, and so does the ledger.
    row = good(world)[1]
    row[5] = "万州区社会工作协会"
    assert run(world, ledger(row)).count("create") == 1
    worker = find_person_by_id_number(NEW_ID)
    assert worker is not None and worker.dispatches.get().sending_organisation == world.wanzhou_org


# The demo's dispatches, exported by the city and read back: every row unchanged. ---------------

DEMO_PASSWORD = "Demo-password-2018"


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo, loaded once for this module inside a transaction rolled back afterwards."""
    environment = mock.patch.dict(os.environ, {"SANQU_DEMO_PASSWORD": DEMO_PASSWORD})
    with django_db_blocker.unblock(), environment, transaction.atomic():
        call_command("demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demos_export_read_back_by_the_city_changes_nothing(demo: None, settings: Any) -> None:
    settings.SANQU_TODAY = TODAY
    city = User.objects.get(username="city")
    exported = export_ledger_file(
        actor=city, kind="dispatch", scope=Region.objects.get(code="500000"), unmask=True
    )
    audit = AuditEntry.objects.count()
    result = import_ledger(actor=city, kind="dispatch", data=exported.content, filename="export.xlsx")
    assert [row for row in result.rows if row.action != "unchanged"] == []
    assert len(result.rows) == Dispatch.objects.count() > 200
    assert result.committed and AuditEntry.objects.count() == audit

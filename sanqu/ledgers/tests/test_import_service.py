"""Importing the service-record ledger: checked in bulk with the form's rules and scope, written all or
nothing with the rollups kept, a re-import changing nothing, a record on file never changed."""

from __future__ import annotations

import datetime as dt
import gc
import io
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from openpyxl import Workbook

from sanqu.accounts.models import AuditEntry
from sanqu.cases import rollups
from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import import_ledger
from sanqu.ledgers.reading import LedgerFileError, Table, read_ledger
from sanqu.lib import idnumber
from sanqu.projects import served
from sanqu.projects.tests.factories import make_project
from sanqu.testing import World
from sanqu.workforce.models import Person

HEADER = [
    "服务日期",
    "服务对象身份证号码",
    "社工身份证号",
    "服务方式",
    "服务类型",
    "时长（小时）",
    "服务地点",
    "服务内容",
]


@pytest.fixture
def people(world: World, settings) -> tuple[Beneficiary, Beneficiary]:  # type: ignore[no-untyped-def]
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    return (
        make_beneficiary("赵秀英", world.jiming, worker=world.worker_person),
        make_beneficiary("钱大爷", world.jiming),
    )


def kind_name() -> str:
    return ServiceType.objects.filter(active=True).order_by("pk").first().name  # type: ignore[union-attr]


def ledger(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["城口县服务记录台账（2018年上半年）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row(person: Beneficiary, worker: Person, day: str = "2018/6/1", **changes: object) -> list[object]:
    cells: dict[str, object] = {
        "day": day,
        "served": person.id_number,
        "worker": worker.id_number,
        "method": "个案",
        "kind": kind_name(),
        "hours": 1.5,
        "place": "鸡鸣乡社会工作站",
        "notes": "入户探访，了解近况",
    }
    cells.update(changes)
    return list(cells.values())


def run(world: World, user: str, data: bytes, **options: bool):  # type: ignore[no-untyped-def]
    return import_ledger(actor=world[user], kind="service", data=data, filename="服务记录.xlsx", **options)


def test_the_county_section_back_fills_services_and_a_second_import_changes_nothing(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, second = people
    project = make_project(world, year=2018)  # 阳光's in 城口, whose workers the records name
    data = ledger(
        row(first, world.worker_person),
        row(first, world.worker_person, "2018年6月8日", method="小组", hours="2"),
        row(second, world.mentor_person, "2018.6.2", hours=0.5, place=None, notes=None),
    )
    result = run(world, "chengkou", data)
    assert result.committed and (result.count("create"), result.count("reject")) == (3, 0)
    made = ServiceRecord.objects.order_by("served_on", "pk")
    assert [(r.served_on, r.beneficiary, r.worker, r.method, r.duration_hours) for r in made] == [
        (dt.date(2018, 6, 1), first, world.worker_person, "case", Decimal("1.5")),
        (dt.date(2018, 6, 2), second, world.mentor_person, "case", Decimal("0.5")),
        (dt.date(2018, 6, 8), first, world.worker_person, "group", Decimal("2.0")),
    ]
    assert {r.county for r in made} == {world.chengkou} and {r.created_by for r in made} == {
        world["chengkou"]
    }
    # The figures' tallies moved with the bulk write (the project's people served too), and one
    # audit entry names the file.
    assert rollups.differences() == [] and served.differences() == []
    assert served.people_served([project.pk], dt.date(2018, 6, 1)) == {project.pk: 1}
    assert served.people_served([project.pk], dt.date(2018, 6, 2)) == {project.pk: 2}
    entry = AuditEntry.objects.filter(detail__ledger="service").get()
    assert entry.actor == world["chengkou"] and entry.detail["created"] == 3

    again = run(world, "chengkou", data)
    assert again.committed and again.count("unchanged") == 3 and ServiceRecord.objects.count() == 3


def test_one_bad_row_keeps_the_whole_file_out_unless_the_user_takes_the_valid_rows(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, _second = people
    data = ledger(
        row(first, world.worker_person),
        row(first, world.worker_person, "2018/7/11"),  # after today
        row(first, world.worker_person, "2018/6/3", hours=25),
        row(first, world.worker_person, "2018/6/4", kind="不存在的类型"),
        row(first, world.worker_person, "2018/6/5", hours=1.25),
        row(first, world.worker_person),  # the first row again
    )
    refused = run(world, "chengkou", data)
    assert not refused.committed and ServiceRecord.objects.count() == 0
    reasons = {r.number: r.errors for r in refused.rejected}
    assert reasons == {
        4: [("服务日期", "服务日期不能晚于今天。")],
        5: [("时长(小时)", "服务时长须大于0且不超过24小时。")],
        6: [("服务类型", "没有名为“不存在的类型”的服务类型。")],
        7: [("时长(小时)", "服务时长最多保留一位小数。")],
        8: [("（整行）", "与第 3 行是同一条记录。")],
    }
    assert rollups.in_table() == {}

    taken = run(world, "chengkou", data, valid_only=True)
    assert taken.committed and taken.count("create") == 1 and ServiceRecord.objects.count() == 1
    assert rollups.differences() == []


def test_a_service_on_file_is_never_changed_from_a_ledger(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, _second = people
    run(world, "chengkou", ledger(row(first, world.worker_person)))
    result = run(world, "chengkou", ledger(row(first, world.worker_person, hours=3)))
    assert not result.committed
    assert result.rejected[0].errors[0][1].startswith("该服务已登记，但时长、地点或内容摘要与系统中的不同")
    assert ServiceRecord.objects.get().duration_hours == Decimal("1.5")


def test_people_out_of_scope_read_as_people_not_on_file(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, _second = people
    unknown = row(
        first, world.worker_person, "2018/6/2", served=idnumber.make("500229", dt.date(1949, 1, 2), 555)
    )
    result = run(world, "wanzhou", ledger(row(first, world.worker_person), unknown))
    assert not result.committed and ServiceRecord.objects.count() == 0
    # 城口's person and one no one registered get the same words: nothing is told about 城口.
    first_reasons, unknown_reasons = (r.errors for r in result.rejected)
    assert ("服务对象身份证号", "在您的权限范围内没有该身份证号的服务对象。") in first_reasons
    assert ("服务对象身份证号", "在您的权限范围内没有该身份证号的服务对象。") in unknown_reasons
    assert ("社工身份证号", "在您的权限范围内没有该身份证号的社工。") in first_reasons


def test_a_worker_imports_her_own_services_only(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, _second = people
    result = run(world, "worker", ledger(row(first, world.worker_person), row(first, world.mentor_person)))
    assert [r.errors for r in result.rejected] == [
        [("社工身份证号", "在您的权限范围内没有该身份证号的社工。")]
    ]
    mine = run(world, "worker", ledger(row(first, world.worker_person)))
    assert mine.committed and ServiceRecord.objects.get().worker == world.worker_person


def test_a_preview_writes_nothing(world: World, people: tuple[Beneficiary, Beneficiary]) -> None:
    first, _second = people
    result = run(world, "chengkou", ledger(row(first, world.worker_person)), dry_run=True)
    assert result.count("create") == 1 and not result.committed
    assert ServiceRecord.objects.count() == 0 and rollups.in_table() == {}


def test_the_exported_ledger_imports_back_unchanged(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    first, second = people
    run(
        world,
        "chengkou",
        ledger(row(first, world.worker_person), row(second, world.mentor_person, "2018/5/30", method="社区")),
    )
    exported = export_ledger_file(actor=world["chengkou"], kind="service", scope=world.chengkou, unmask=True)
    result = run(world, "chengkou", exported.content)
    assert result.count("reject") == 0, result.rejected
    assert result.count("unchanged") == len(result.rows) == 2


def test_one_bad_row_among_a_hundred_thousand_is_named_and_nothing_is_written(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    served = [make_beneficiary(f"对象{n}", world.jiming) for n in range(20)]
    kind = kind_name()
    wrong_check = world.worker_person.id_number[:17] + (
        "0" if world.worker_person.id_number[17] != "0" else "1"
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    first_day = dt.date(2013, 9, 1)
    for n in range(100_000):
        person = served[n % 20]
        method = ("个案", "小组", "社区")[n // 20 % 3]
        day = first_day + dt.timedelta(days=n // 60)
        worker = wrong_check if n == 50_000 else world.worker_person.id_number
        sheet.append([day, person.id_number, worker, method, kind, 1, None, None])
    out = io.BytesIO()
    book.save(out)

    result = run(world, "chengkou", out.getvalue())
    assert not result.committed and len(result.rows) == 100_000
    assert [(row.number, [column for column, _reason in row.errors]) for row in result.rejected] == [
        (50_002, ["社工身份证号"])
    ]
    assert ServiceRecord.objects.count() == 0 and rollups.in_table() == {}


def test_the_collector_runs_again_after_an_import_kept_or_refused(
    world: World, people: tuple[Beneficiary, Beneficiary]
) -> None:
    # The import keeps the collector off while it runs (its rows live until it ends); the task
    # worker that runs it must not be left without one, whatever the import's outcome.
    seen: list[bool] = []

    def reading(*args: Any, **kwargs: Any) -> Table:
        seen.append(gc.isenabled())
        return read_ledger(*args, **kwargs)

    with mock.patch("sanqu.ledgers.importing.read_ledger", side_effect=reading):
        assert run(world, "chengkou", ledger(row(people[0], world.worker_person))).committed
        with pytest.raises(LedgerFileError):
            run(world, "chengkou", b"not a ledger")
    assert seen == [False, False] and gc.isenabled()

"""Importing the beneficiaries ledger: updates through the registry's services, scoped, all or nothing;
a person not on file is registered with the consent the ledger's consent columns record."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from sanqu.cases.models import Beneficiary, Household
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.adapters.beneficiaries import BeneficiaryRows
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import import_ledger
from sanqu.lib import idnumber
from sanqu.regions.models import Region
from sanqu.testing import World

HEADER = [
    "姓名",
    "身份证号码",
    "区县",
    "乡镇(街道)",
    "村(社区)",
    "服务对象类别",
    "联系电话",
    "是否建档立卡贫困户",
    "负责社工身份证号",
    "建档日期",
]


@pytest.fixture
def village(world: World, settings, monkeypatch: pytest.MonkeyPatch) -> Region:  # type: ignore[no-untyped-def]
    settings.SANQU_TODAY = dt.date(2018, 7, 10)
    monkeypatch.setitem(ADAPTERS, "beneficiary", BeneficiaryRows)
    return Region.objects.create(
        code="500229212201", name="鸡鸣村", level=Region.Level.VILLAGE, parent=world.jiming
    )


def consented(beneficiary: Beneficiary) -> Beneficiary:
    beneficiary.consent_on = dt.date(2018, 3, 1)
    beneficiary.consent_by = Beneficiary.ConsentBy.SELF
    beneficiary.save()
    return beneficiary


def ledger(*rows: list[object], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["城口县服务对象台账"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, **options: bool):  # type: ignore[no-untyped-def]
    return import_ledger(
        actor=world["chengkou"], kind="beneficiary", data=data, filename="服务对象.xlsx", **options
    )


def row_of(beneficiary: Beneficiary, **changes: object) -> list[object]:
    cells: dict[str, object] = {
        "name": beneficiary.name,
        "id": beneficiary.id_number,
        "county": "城口",
        "township": "鸡鸣乡",
        "village": None,
        "groups": "留守老人",
        "phone": None,
        "poor": "否",
        "worker": None,
        "registered": "2018-03-01",
    }
    cells.update(changes)
    return list(cells.values())


def test_a_person_not_on_file_is_refused_for_want_of_consent(world: World, village: Region) -> None:
    number = idnumber.make("500229", dt.date(1948, 5, 6), 123)
    result = run(
        world,
        ledger(["王秀英", number, "城口", "鸡鸣乡", "鸡鸣村", "留守老人", None, "是", None, "2018-04-01"]),
    )
    assert not result.committed and result.count("reject") == 1
    assert ("知情同意日期", "请填写知情同意的日期。") in result.rejected[0].errors
    assert not Beneficiary.objects.filter(name="王秀英").exists()


def test_the_consent_columns_register_new_people_by_the_registrations_rules(
    world: World, village: Region
) -> None:
    elder = idnumber.make("500229", dt.date(1948, 5, 6), 123)
    child = idnumber.make("500229", dt.date(2010, 9, 1), 124)
    header = [*HEADER, "知情同意日期", "知情同意人", "监护人姓名", "监护人关系"]
    place = ["城口", "鸡鸣乡", "鸡鸣村"]
    elder_row = [
        "王秀英",
        elder,
        *place,
        "留守老人",
        None,
        "否",
        None,
        "2018-04-01",
        "2018/4/1",
        "本人",
        None,
        None,
    ]
    child_by_self = [
        "王小雨",
        child,
        *place,
        "留守儿童",
        None,
        "否",
        None,
        "2018-04-01",
        "2018/4/1",
        "本人",
        None,
        None,
    ]
    refused = run(world, ledger(elder_row, child_by_self, header=header))
    assert not refused.committed
    assert refused.rejected[0].errors == [("知情同意人", "未满14周岁的服务对象须由监护人同意。")]

    child_by_guardian = [*child_by_self[:-3], "监护人", "王大山", "祖父"]
    made = run(world, ledger(elder_row, child_by_guardian, header=header))
    assert made.committed and made.count("create") == 2
    registered = Beneficiary.objects.get(name="王小雨")
    assert (registered.consent_on, registered.consent_by, registered.guardian_name) == (
        dt.date(2018, 4, 1),
        Beneficiary.ConsentBy.GUARDIAN,
        "王大山",
    )
    assert registered.region == village


def test_a_changed_row_updates_the_person_its_id_number_names_and_again_changes_nothing(
    world: World, village: Region
) -> None:
    person = consented(make_beneficiary("周桂兰", world.jiming))
    assert run(world, ledger(row_of(person))).count("unchanged") == 1
    changed = row_of(
        person,
        village="鸡鸣村",
        groups="留守老人、残疾人",
        phone="13800138000",
        poor="是",
        worker=world.worker_person.id_number,
    )
    result = run(world, ledger(changed))
    assert result.committed and result.count("update") == 1, result.rejected
    person.refresh_from_db()
    assert (person.region, person.phone, person.responsible_worker) == (
        village,
        "13800138000",
        world.worker_person,
    )
    assert set(person.target_groups.values_list("code", flat=True)) == {
        "left_behind_elderly",
        "disabled",
        "registered_poor",
    }
    again = run(world, ledger(changed))
    assert again.committed and again.count("unchanged") == 1


def test_bad_cells_unknown_groups_and_another_county_are_refused_and_nothing_is_committed(
    world: World, village: Region
) -> None:
    person = consented(make_beneficiary("周桂兰", world.jiming))
    household = Household.objects.create(head_name="周桂兰", region=world.jiming, poverty_registered=True)
    poor = consented(make_beneficiary("吴大山", world.jiming))
    poor.household = household
    poor.save()
    fifth = consented(make_beneficiary("褚大爷", world.jiming))
    fifth.household = household
    fifth.save()
    other = consented(make_beneficiary("冯阿婆", world.jiming))
    wanzhou_town = Region.objects.create(
        code="500101001", name="高笋塘街道", level=Region.Level.TOWNSHIP, parent=world.wanzhou
    )
    outsider = consented(make_beneficiary("郑老汉", wanzhou_town))
    number = person.id_number
    wrong_check = number[:-1] + ("0" if number[-1] != "0" else "1")
    result = run(
        world,
        ledger(
            row_of(person, name="周桂芳"),  # a good change, held back by the bad rows
            row_of(person, id=wrong_check),
            row_of(person, id=idnumber.make("500229", dt.date(1950, 1, 1), 999), registered="2018-02-30"),
            row_of(poor, groups="外星人"),
            row_of(fifth, poor="否"),
            row_of(other, groups="留守老人、建档立卡贫困户", poor="否"),
            row_of(outsider, county="万州", township="高笋塘街道", name="郑大爷"),
        ),
    )
    assert not result.committed and [row.action for row in result.rows] == ["update", *["reject"] * 6]
    errors = {row.number: row.errors for row in result.rejected}
    assert errors[4][0][0] == "身份证号" and "校验" in errors[4][0][1]
    assert errors[5][0][0] == "建档日期"
    assert errors[6] == [("服务对象类别", "没有名为“外星人”的服务对象类别。")]
    assert errors[7] == [
        ("是否建档立卡贫困户", "该服务对象的家庭已登记为建档立卡贫困户，请在家庭信息中更改。")
    ]
    assert errors[8] == [("是否建档立卡贫困户", "服务对象类别含“建档立卡贫困户”，与“否”不一致。")]
    assert errors[9] == [("（整行）", "这条记录不在您的权限范围内。")]
    person.refresh_from_db()
    outsider.refresh_from_db()
    assert (person.name, outsider.name) == ("周桂兰", "郑老汉")


def test_export_then_import_is_a_no_op(world: World, village: Region) -> None:
    consented(make_beneficiary("周桂兰", world.jiming, worker=world.worker_person))
    second = consented(make_beneficiary("吴大山", village, groups=("left_behind_elderly", "registered_poor")))
    second.phone = "13900139000"
    second.save()
    household = Household.objects.create(head_name="陈", region=world.jiming, poverty_registered=True)
    third = consented(
        make_beneficiary("陈小军", world.jiming, groups=("left_behind_children",), born=dt.date(2000, 1, 1))
    )
    third.household = household
    third.save()
    exported = export_ledger_file(
        actor=world["chengkou"], kind="beneficiary", scope=world.chengkou, unmask=True
    )
    result = import_ledger(
        actor=world["chengkou"], kind="beneficiary", data=exported.content, filename="export.xlsx"
    )
    assert result.count("reject") == 0, result.rejected
    assert result.count("unchanged") == len(result.rows) == 3

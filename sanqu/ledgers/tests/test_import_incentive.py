"""Importing the incentive policies ledger: a policy is its county, name and kind; written through
the incentives services, which keep the eligibility rule the ledger does not hold."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from sanqu.accounts.models import AuditEntry
from sanqu.incentives.models import IncentivePolicy, PolicyRate
from sanqu.incentives.services import policy_set_eligibility
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.adapters.incentives import IncentiveRows
from sanqu.ledgers.exporting import export_ledger_file
from sanqu.ledgers.importing import ImportResult, import_ledger
from sanqu.testing import World
from sanqu.workforce.models import Certificate

HEADER = ["区县", "政策名称", "类别", "生效日期", "失效日期", "标准（元）"]
SUBSIDY = "城口县社会工作专业人才职称补贴办法"
AWARD = "城口县持证社工一次性奖励办法"
GOOD: list[list[object]] = [
    ["城口", SUBSIDY, "职称补贴", "2017/1/1", None, 600],
    ["城口县", AWARD, "一次性奖励", "2017-03-01", "2019年12月31日", "2000"],
]


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ADAPTERS, "incentive", IncentiveRows)


def ledger(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["城口县激励政策台账（2018年）"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(world: World, data: bytes, **options: bool) -> ImportResult:
    return import_ledger(
        actor=world["chengkou"], kind="incentive", data=data, filename="激励.xlsx", **options
    )


def errors(result: ImportResult) -> dict[tuple[int, str], str]:
    return {(row.number, column): message for row in result.rejected for column, message in row.errors}


def test_a_county_imports_its_policies_and_a_second_import_changes_nothing(world: World) -> None:
    first = run(world, ledger(*GOOD))
    assert first.committed and (first.count("create"), first.count("reject")) == (2, 0)
    subsidy = IncentivePolicy.objects.get(name=SUBSIDY)
    assert (
        subsidy.county,
        subsidy.kind,
        subsidy.effective_from,
        subsidy.effective_until,
        subsidy.amount,
    ) == (
        world.chengkou,
        IncentivePolicy.Kind.TITLE_SUBSIDY,
        dt.date(2017, 1, 1),
        None,
        Decimal("600"),
    )
    award = IncentivePolicy.objects.get(name=AWARD)
    assert (award.effective_until, award.amount) == (dt.date(2019, 12, 31), Decimal("2000"))
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATE, actor=world["chengkou"]).count() == 2

    again = run(world, ledger(*GOOD))
    assert (again.count("unchanged"), again.count("create"), again.count("update")) == (2, 0, 0)
    assert IncentivePolicy.objects.count() == 2


def test_the_natural_key_updates_a_policy_and_keeps_its_eligibility_rule(world: World) -> None:
    run(world, ledger(*GOOD))
    subsidy = IncentivePolicy.objects.get(name=SUBSIDY)
    policy_set_eligibility(
        actor=world["chengkou"],
        policy=subsidy,
        certificate_in_force=True,
        rates={Certificate.Level.ASSISTANT: None, Certificate.Level.INTERMEDIATE: Decimal("900")},
    )
    changed = [[*GOOD[0][:4], "2020-12-31", "800"], GOOD[1]]
    result = run(world, ledger(*changed))
    assert (result.count("update"), result.count("unchanged")) == (1, 1) and result.committed
    subsidy.refresh_from_db()
    assert (subsidy.effective_until, subsidy.amount, subsidy.certificate_in_force) == (
        dt.date(2020, 12, 31),
        Decimal("800"),
        True,
    )
    assert PolicyRate.objects.filter(policy=subsidy).count() == 2

    # The assistant level is paid the standard: clearing it is refused, naming the column.
    cleared = run(world, ledger([*GOOD[0][:4], "2020-12-31", None]))
    assert list(errors(cleared)) == [(3, "标准(元)")] and not cleared.committed
    # Another kind under the same name is another policy.
    assert run(world, ledger([*GOOD[0][:2], "考试费用报销", *GOOD[0][3:]])).count("create") == 1


def test_bad_cells_rules_and_another_county_are_refused_and_nothing_is_committed(world: World) -> None:
    rows = [
        *GOOD,
        ["城口", "城口县社工考试费用报销办法", "考试费用报销", "2018-02-30", None, 300],
        ["城口", "城口县社工考试费用报销办法", "考试费用报销", "2018-03-01", "2018-02-01", 300],
        ["城口", "城口县社工督导补贴", "职称补贴", "2018-03-01", None, -5],
        ["万州", "万州区社工职称补贴", "职称补贴", "2018-01-01", None, 500],
    ]
    refused = run(world, ledger(*rows))
    assert not refused.committed and refused.count("reject") == 4
    assert IncentivePolicy.objects.count() == 0
    found = errors(refused)
    assert set(found) == {(5, "生效日期"), (6, "失效日期"), (7, "标准(元)"), (8, "（整行）")}
    assert "2018-02-30" in found[(5, "生效日期")]
    assert found[(6, "失效日期")] == "失效日期不能早于生效日期。"
    assert found[(7, "标准(元)")] == "标准(元)须大于 0。"
    assert found[(8, "（整行）")] == "这条记录不在您的权限范围内。"


def test_another_countys_policy_cannot_be_changed(world: World) -> None:
    theirs = IncentivePolicy.objects.create(
        county=world.wanzhou,
        name="万州区社工职称补贴",
        kind="title_subsidy",
        effective_from=dt.date(2018, 1, 1),
    )
    result = run(world, ledger(["万州", theirs.name, "职称补贴", "2018-01-01", None, 500]))
    assert errors(result) == {(3, "（整行）"): "这条记录不在您的权限范围内。"}
    theirs.refresh_from_db()
    assert theirs.amount is None


def test_export_then_import_is_a_no_op(world: World) -> None:
    run(world, ledger(*GOOD))
    exported = export_ledger_file(
        actor=world["chengkou"], kind="incentive", scope=world.chengkou, unmask=True
    )
    result = import_ledger(
        actor=world["chengkou"], kind="incentive", data=exported.content, filename="export.xlsx"
    )
    assert result.count("reject") == 0 and result.count("unchanged") == len(result.rows) == 2

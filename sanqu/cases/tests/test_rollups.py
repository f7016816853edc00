"""The service rollups stay equal to the records, whatever is saved, moved or deleted."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanqu.cases import rollups
from sanqu.cases.models import ServiceRecord, ServiceRollup, ServiceType
from sanqu.figures.engine import compute_figures, service_figures
from sanqu.figures.tests.factories import Programme, build_programme, person

D = dt.date(2014, 12, 31)


@pytest.fixture
def made(db: None) -> Programme:
    return build_programme()


def record(where: object, day: dt.date, code: str, hours: str) -> ServiceRecord:
    return ServiceRecord.objects.create(
        served_on=day,
        worker=person("武十六", where),  # type: ignore[arg-type]
        method=ServiceRecord.Method.CASE,
        county=where,
        service_type=ServiceType.objects.get(code=code),
        duration_hours=Decimal(hours),
    )


def tally(where: object, day: dt.date, code: str) -> tuple[int, int] | None:
    days = ServiceRollup.objects.filter(county=where, span="day", served_on=day)
    row = days.filter(service_type__code=code).first()
    return None if row is None else (row.records, row.hour_tenths)


def test_a_saved_record_counts_on_its_day_and_moves_with_it(made: Programme) -> None:
    first = record(made.chengkou, dt.date(2014, 5, 1), "growth_support", "1.5")
    record(made.chengkou, dt.date(2014, 5, 1), "growth_support", "2")
    assert tally(made.chengkou, dt.date(2014, 5, 1), "growth_support") == (2, 35)

    first.served_on = dt.date(2014, 6, 2)
    first.county = made.wanzhou
    first.duration_hours = Decimal("0.5")
    first.save()
    assert tally(made.chengkou, dt.date(2014, 5, 1), "growth_support") == (1, 20)
    assert tally(made.wanzhou, dt.date(2014, 6, 2), "growth_support") == (1, 5)

    first.delete()
    assert tally(made.wanzhou, dt.date(2014, 6, 2), "growth_support") is None  # no empty rows left
    assert rollups.differences() == []


def test_the_figures_read_through_the_rollups_equal_a_recount(made: Programme) -> None:
    before = compute_figures(scope=made.kaizhou, as_of=D)
    record(made.kaizhou, dt.date(2014, 7, 1), "policy_publicity", "0.1")
    record(made.kaizhou, dt.date(2014, 7, 1), "policy_publicity", "1.4")
    record(made.kaizhou, dt.date(2015, 7, 1), "policy_publicity", "0.2")  # after D
    figures = compute_figures(scope=made.kaizhou, as_of=D)
    policy = before["services_by_type"]["policy_publicity"]  # type: ignore[index]
    assert figures["services_by_type"]["policy_publicity"] == policy + 2  # type: ignore[index]
    assert figures["service_hours"] == before["service_hours"] + 1.5  # type: ignore[operator]
    assert figures == compute_figures(scope=made.kaizhou, as_of=D, recompute=True)


days = st.dates(min_value=dt.date(2013, 6, 1), max_value=dt.date(2015, 6, 30))
hours = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("12"), places=1)
edits = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 2), days, st.integers(0, 2), hours),
        st.tuples(st.just("move"), st.integers(0, 99), days, st.integers(0, 2), hours),
        st.tuples(st.just("delete"), st.integers(0, 99)),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=edits)
def test_rollups_equal_the_full_recompute_after_random_edits(made: Programme, edits: list[tuple]) -> None:
    counties = [made.chengkou, made.wanzhou, made.kaizhou]
    kinds = list(ServiceType.objects.order_by("id")[:3])
    worker = person("武十七", made.chengkou)
    for edit in edits:
        existing = list(ServiceRecord.objects.order_by("id"))
        match edit:
            case ("add", where, day, kind, length):
                ServiceRecord.objects.create(
                    served_on=day, worker=worker, method=ServiceRecord.Method.CASE, county=counties[where],
                    service_type=kinds[kind], duration_hours=length,
                )  # fmt: skip
            case ("move", which, day, kind, length) if existing:
                target = existing[which % len(existing)]
                target.served_on, target.service_type, target.duration_hours = day, kinds[kind], length
                target.save()
            case ("delete", which) if existing:
                existing[which % len(existing)].delete()
    assert rollups.differences() == []
    for scope in (made.chongqing, made.kaizhou):
        for day in (dt.date(2013, 12, 31), dt.date(2014, 7, 15), D, dt.date(2015, 6, 1)):
            assert service_figures(scope=scope, as_of=day) == service_figures(
                scope=scope, as_of=day, recompute=True
            )


def test_bulk_writes_inside_deferred_are_tallied_once_at_the_end(made: Programme) -> None:
    worker = person("武十八", made.chengkou)
    kind = ServiceType.objects.get(code="growth_support")
    with rollups.deferred():
        ServiceRecord.objects.bulk_create(
            ServiceRecord(
                served_on=dt.date(2014, 3, day), worker=worker, method=ServiceRecord.Method.CASE,
                county=made.chengkou, service_type=kind, duration_hours=Decimal("1.0"),
            )
            for day in range(1, 11)
        )  # fmt: skip
        ServiceRecord.objects.filter(served_on=dt.date(2014, 3, 1)).delete()
    march = ServiceRollup.objects.filter(
        county=made.chengkou, span="day", served_on__range=(dt.date(2014, 3, 1), dt.date(2014, 3, 10))
    )
    assert march.count() == 9
    assert rollups.differences() == []


def test_records_inserted_in_bulk_add_to_the_days_and_months_already_counted(made: Programme) -> None:
    record(made.chengkou, dt.date(2014, 5, 1), "growth_support", "1.5")  # counted by its save
    worker = person("武十六", made.chengkou)
    kind = ServiceType.objects.get(code="growth_support")
    may = ServiceRollup.objects.filter(
        county=made.chengkou, service_type=kind, span="month", served_on=dt.date(2014, 5, 1)
    )
    before = may.values_list("records", "hour_tenths").get()
    bulk = [(dt.date(2014, 5, 1), "0.5"), (dt.date(2014, 5, 1), "2"), (dt.date(2014, 5, 20), "1.5")]
    # bulk_create sends no signals, as a ledger's bulk insert sends none: the tallies are added after.
    ServiceRecord.objects.bulk_create(
        ServiceRecord(
            served_on=day, worker=worker, method=ServiceRecord.Method.CASE, county=made.chengkou,
            service_type=kind, duration_hours=Decimal(hours),
        )
        for day, hours in bulk
    )  # fmt: skip
    touched = rollups.count_created((made.chengkou.pk, kind.pk, day, Decimal(hours)) for day, hours in bulk)

    assert touched == 3  # two days and their month
    assert tally(made.chengkou, dt.date(2014, 5, 1), "growth_support") == (3, 40)
    assert tally(made.chengkou, dt.date(2014, 5, 20), "growth_support") == (1, 15)
    assert may.values_list("records", "hour_tenths").get() == (before[0] + 3, before[1] + 40)
    assert rollups.differences() == []


def test_the_recompute_command_finds_rollups_out_of_step_and_the_rebuild_mends_them(
    made: Programme, capsys: pytest.CaptureFixture[str]
) -> None:
    record(made.chengkou, dt.date(2014, 5, 1), "growth_support", "1.5")
    call_command("figures", "--recompute", "--as-of", "2014-12-31")
    assert "与汇总一致" in capsys.readouterr().out

    # A bulk insert that skipped the upkeep: the recount sees the records the rollups miss.
    ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                served_on=dt.date(2014, 5, 1), worker=person("武十九", made.chengkou),
                method=ServiceRecord.Method.CASE, county=made.chengkou,
                service_type=ServiceType.objects.get(code="growth_support"), duration_hours=Decimal("2.0"),
            )
        ]
    )  # fmt: skip
    with pytest.raises(CommandError, match="汇总与原始记录不一致：2 项指标、2 行汇总"):
        call_command("figures", "--recompute", "--as-of", "2014-12-31")
    out = capsys.readouterr().out
    assert "✗ 服务时长（小时）：汇总 12.0，原始记录 14.0" in out  # the programme's 10.5 hours, then ours
    assert "✗ 服务记录（按服务类型，次） · growth_support：汇总 3，原始记录 4" in out
    kind = ServiceType.objects.get(code="growth_support").pk
    place = f"✗ 汇总（区县 {made.chengkou.pk}，服务类型 {kind}"
    assert f"{place}，2014-05-01）：记录 2 次，汇总 1 次" in out  # the day
    assert re.search(f"{place}，2014-05）：记录 (\\d+) 次，汇总 (\\d+) 次", out)  # and its month

    call_command("figures", "--rebuild-rollups", "--recompute", "--as-of", "2014-12-31")
    assert "与汇总一致" in capsys.readouterr().out


def test_a_drifted_tally_never_makes_a_users_delete_fail(made: Programme) -> None:
    kept = record(made.chengkou, dt.date(2014, 5, 2), "growth_support", "1.0")
    ServiceRecord.objects.filter(pk=kept.pk).update(duration_hours=Decimal("9.0"))  # bypasses the upkeep
    ServiceRecord.objects.get(pk=kept.pk).delete()  # takes away more hours than the tally holds
    assert not ServiceRecord.objects.filter(pk=kept.pk).exists()
    assert rollups.differences() != []  # the drift is found …
    rollups.rebuild()
    assert rollups.differences() == []  # … and mended


def test_a_deleted_service_type_takes_its_tallies_with_it(made: Programme) -> None:
    # The rollups hold no foreign-key constraint in the database (the records do): Django's cascade
    # must still take the rows of a type an administrator deletes.
    retired = ServiceType.objects.create(code="retired_type", name="停用的服务类型")
    record(made.chengkou, dt.date(2014, 5, 2), "retired_type", "1.0").delete()  # the type is unused again
    ServiceRollup.objects.create(  # a row left behind by a write outside the upkeep
        county=made.chengkou, service_type=retired, span="day", served_on=dt.date(2014, 5, 2), records=1,
        hour_tenths=10,
    )  # fmt: skip

    gone = retired.pk
    retired.delete()

    assert not ServiceRollup.objects.filter(service_type_id=gone).exists()

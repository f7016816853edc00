"""The drill-down registry: for every figure and part, the rows add up to the engine's number.

On the hand-built programme of `factories.py`, at D and at an earlier date, in the municipality and
in a county: a count figure has as many rows as it counts, a sum figure's rows add up to it, a rate
lists its denominator. A key of FIGURE_LABELS without a drill-down fails here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from itertools import count
from typing import Any

import pytest

from sanqu.figures.drilldown import REGISTRY, Measure, drill, figure_value, parts, records_url
from sanqu.figures.engine import FIGURE_LABELS, FigureError, compute_figures
from sanqu.figures.tests import factories
from sanqu.figures.tests.factories import D, Programme
from sanqu.workforce.models import Person

DATES = [D, dt.date(2014, 3, 1)]


@pytest.fixture(autouse=True)
def fresh_id_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factories number ID numbers from one counter (three digits): restart it for each programme."""
    monkeypatch.setattr(factories, "_sequence", count(100))


def test_every_figure_has_a_drill_down() -> None:
    assert set(REGISTRY) == set(FIGURE_LABELS)


def _rounded(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


DISJOINT = {
    "organisations_by_type",
    "cases_by_stage",
    "services_by_type",
    "early_leavers_by_reason",
    "evaluation_grades",
}
OVERLAPPING = {"beneficiaries_by_group", "certified_by_level"}


def _flat(value: dict[str, Any]) -> list[int]:
    return [n for item in value.values() for n in (_flat(item) if isinstance(item, dict) else [item])]


def check(
    key: str, part: str | None, figures: dict[str, Any], programme: Programme, scope: Any, day: dt.date
):
    found = drill(key, part, scope=scope, as_of=day)
    value = figure_value(figures, key, part)
    rows = found.records.count()
    if isinstance(value, dict) and part is None and found.measure is Measure.COUNT and key in DISJOINT:
        assert rows == sum(_flat(value)), key  # every row in exactly one category
    elif isinstance(value, dict) and part is None and key in OVERLAPPING:
        assert max(_flat(value), default=0) <= rows <= sum(_flat(value)), key  # a row in several categories
    elif found.measure in {Measure.COUNT, Measure.DISTINCT}:
        assert rows == value, (key, part)
    elif found.measure is Measure.SUM:
        total = found.total()
        if isinstance(value, dict):  # project progress: the goals add up, and what was done
            assert total == value["goal"], (key, part)
            done = sum(Decimal(str(row["done"])) for row in found.computed(list(found.records)).values())
            assert done == Decimal(str(value["done"])), (key, part)
        elif isinstance(value, float):
            assert _rounded(total, "0.1") == _rounded(Decimal(str(value)), "0.1"), (key, part)
        else:
            assert total == Decimal(str(value)), (key, part)
    elif found.measure is Measure.RATE:
        denominator = {"dispatch_retention": "ended", "report_timeliness": "due"}[key]
        assert found.total() == figures[key][denominator], (key, part)
    elif found.measure is Measure.MULTIPLE:
        assert rows == figures["certified_total"]
    return found


@pytest.mark.parametrize("key", list(FIGURE_LABELS))
def test_each_figure_and_part_lists_the_records_it_counts(programme: Programme, key: str) -> None:
    for scope in (programme.chongqing, programme.chengkou):
        for day in DATES:
            figures = compute_figures(scope=scope, as_of=day)
            check(key, None, figures, programme, scope, day)
            for part in parts(key):
                check(key, part, figures, programme, scope, day)


def test_category_parts_cover_the_figure(programme: Programme) -> None:
    figures = compute_figures(scope=programme.chongqing, as_of=D)
    assert set(parts("organisations_by_type")) == set(figures["organisations_by_type"])
    assert set(parts("beneficiaries_by_group")) >= set(figures["beneficiaries_by_group"])
    assert set(parts("services_by_type")) >= set(figures["services_by_type"])
    assert set(parts("cases_by_stage")) == set(figures["cases_by_stage"])


def test_the_rows_are_the_ones_the_comments_name(programme: Programme) -> None:
    dispatched = drill("dispatched_people", scope=programme.chongqing, as_of=D).records
    assert set(dispatched.values_list("name", flat=True)) == {"张一", "李二", "赵四"}
    added = drill("organisations_added", scope=programme.chongqing, as_of=D).records
    assert {(row.name, row.change) for row in added} == {
        ("城口社会工作协会", 1), ("开州社工基金会", 1), ("万州丙社工中心", -1),
    }  # fmt: skip
    stage = drill("cases_by_stage", "intervention", scope=programme.chongqing, as_of=D).records
    assert list(stage.values_list("number", flat=True)) == ["C2"]
    hours = drill("service_hours", scope=programme.chengkou, as_of=D)
    assert hours.total() == Decimal("4.5") and hours.records.count() == 3
    certified = drill("certified_by_level", "intermediate", scope=programme.chongqing, as_of=D).records
    assert list(certified.values_list("name", flat=True)) == ["郑九"]
    assert Person.objects.filter(pk__in=certified.values("pk")).count() == 1


def test_it_refuses_an_unknown_figure_or_part(programme: Programme) -> None:
    with pytest.raises(FigureError, match="nonsense"):
        drill("nonsense", scope=programme.chongqing, as_of=D)
    with pytest.raises(FigureError, match="nobody"):
        drill("beneficiaries_by_group", "nobody", scope=programme.chongqing, as_of=D)
    with pytest.raises(FigureError):
        drill("dispatched_total", "anything", scope=programme.chongqing, as_of=D)


def test_records_url_names_the_figure_scope_and_date(programme: Programme) -> None:
    url = records_url("cases_by_stage", "closed", scope=programme.chengkou, as_of=D)
    assert url == "/figures/records/?figure=cases_by_stage&part=closed&scope=500229&as_of=2014-12-31"
    assert records_url("dispatched_total", scope="500000", as_of="2018-07-10").endswith(
        "?figure=dispatched_total&scope=500000&as_of=2018-07-10"
    )

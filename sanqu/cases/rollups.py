"""Keeping `ServiceRollup` (service records per county and type, by month and by day) equal to the records.

Every save and delete of a `ServiceRecord` moves its count and hours out of the day and month it
was on and into those it is on now, in the same transaction as the write, with one upsert per row:
`records = records + 1`, never "read, add, write back", so two workers saving at the same moment
both count (the database serialises the row). Rows that fall to zero are removed, so the table
holds exactly what `rebuild()` would write.

Writes that bypass `save()` and `delete()` (bulk_create, queryset update, raw SQL) send no signals:
code that writes records that way runs inside `deferred()`, which skips the per-record upkeep and
rebuilds the table from the records at the end (the demo loader does).
`differences()` compares the table with the records, and `sanqu figures --recompute` reports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.signals import post_delete, post_save, pre_save

from sanqu.cases.models import ServiceRecord, ServiceRollup

Key = tuple[int, int, dt.date]  # a record's place: county id, service type id, day
RowKey = tuple[int, int, str, dt.date]  # a row's: county id, service type id, span, day or 1st of month
DAY, MONTH = ServiceRollup.Span.DAY.value, ServiceRollup.Span.MONTH.value

_KEY_COLUMNS = "county_id, service_type_id, span, served_on"

_deferred: ContextVar[bool] = ContextVar("service_rollups_deferred", default=False)


@dataclass(frozen=True)
class Tally:
    records: int
    hour_tenths: int


@dataclass(frozen=True)
class Difference:
    key: RowKey
    expected: Tally  # from the records
    found: Tally  # in the rollup table


def tenths(hours: Decimal | int | float | str) -> int:
    """Hours (one decimal place) as a whole number of tenths."""
    return int((Decimal(str(hours)) * 10).to_integral_value())


def _key(record: ServiceRecord) -> Key:
    # A record saved from code may still hold its date as text: read it as the database will.
    day = ServiceRecord._meta.get_field("served_on").to_python(record.served_on)
    return (record.county_id, record.service_type_id, day)


def _rows(key: Key) -> list[RowKey]:
    county, kind, day = key
    return [(county, kind, DAY, day), (county, kind, MONTH, day.replace(day=1))]


def _upsert_sql(source: str = "VALUES (%s, %s, %s, %s, %s, %s)") -> str:
    """Add tallies to rows, making a row when it is missing. The source gives key, records and tenths:
    by default one row from parameters."""
    # The only text put into the SQL is the model's own table name (and a fixed source); values are
    # parameters.
    table = connection.ops.quote_name(ServiceRollup._meta.db_table)
    return (
        f"INSERT INTO {table} ({_KEY_COLUMNS}, records, hour_tenths) {source} "
        f"ON CONFLICT ({_KEY_COLUMNS}) DO UPDATE SET "
        f"records = {table}.records + excluded.records, "
        f"hour_tenths = {table}.hour_tenths + excluded.hour_tenths"
    )


def _add(key: Key, records: int, hour_tenths: int) -> None:
    """Add a record's tally to its day and month (or with negative numbers take it away), atomically
    in the database."""
    table = connection.ops.quote_name(ServiceRollup._meta.db_table)
    at_key = "county_id = %s AND service_type_id = %s AND span = %s AND served_on = %s"
    with connection.cursor() as cursor:
        for row in _rows(key):
            if records > 0:
                cursor.execute(_upsert_sql(), [*row, records, hour_tenths])
            else:  # the row exists: the record counted there
                cursor.execute(
                    f"UPDATE {table} SET records = records + %s, hour_tenths = hour_tenths + %s "  # noqa: S608
                    f"WHERE {at_key}",
                    [records, hour_tenths, *row],
                )
                cursor.execute(f"DELETE FROM {table} WHERE {at_key} AND records = 0", list(row))  # noqa: S608


def count_created(records: Iterable[tuple[int, int, dt.date, Decimal]]) -> int:
    """Add records just inserted in bulk (no signals), given as (county id, service type id, day, hours),
    to their days and months, all in one pass; returns the number of rollup rows touched.

    Its cost follows the records added, not the table, so a bulk import of new records uses it
    rather than `deferred()`'s rebuild. Call it in the transaction that inserted them.
    """
    by_day: dict[Key, list[Any]] = {}
    for county, kind, day, hours in records:
        tally = by_day.setdefault((county, kind, day), [0, Decimal(0)])
        tally[0] += 1
        tally[1] += hours
    added: dict[RowKey, list[int]] = {}
    for key, (count, hours) in by_day.items():
        for row in _rows(key):
            tally = added.setdefault(row, [0, 0])
            tally[0] += count
            tally[1] += tenths(hours)
    values: list[list[Any]] = [[*row, n, hours] for row, (n, hours) in added.items()]
    # The tallies go into an unindexed scratch table and are added in one statement: on PostgreSQL a
    # statement per row (or per thousand rows) spent longer planning than writing; on SQLite each
    # row's upsert searched the rollups' unique index on its own (a third slower).
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE sanqu_rollup_added (county_id bigint, service_type_id bigint, "
            "span text, served_on date, records integer, hour_tenths bigint)"
        )
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY sanqu_rollup_added ({_KEY_COLUMNS}, records, hour_tenths) FROM STDIN"
            ) as copy:
                for tally in values:
                    copy.write_row(tally)
        else:
            cursor.executemany("INSERT INTO sanqu_rollup_added VALUES (%s, %s, %s, %s, %s, %s)", values)
        # `WHERE true`: SQLite would otherwise read ON CONFLICT as part of the SELECT.
        source = f"SELECT {_KEY_COLUMNS}, records, hour_tenths FROM sanqu_rollup_added WHERE true"  # noqa: S608
        cursor.execute(_upsert_sql(source))
        cursor.execute("DROP TABLE sanqu_rollup_added")
    return len(added)


def _remember(sender: Any, instance: ServiceRecord, raw: bool = False, **kwargs: Any) -> None:
    """Before a save: where the record counted until now (nothing for a new record)."""
    instance._rollup_was = None  # type: ignore[attr-defined]
    if raw or instance.pk is None or _deferred.get():
        return
    was = (
        ServiceRecord.objects.filter(pk=instance.pk)
        .values_list("county_id", "service_type_id", "served_on", "duration_hours")
        .first()
    )
    if was is not None:
        instance._rollup_was = ((was[0], was[1], was[2]), tenths(was[3]))  # type: ignore[attr-defined]


def _saved(sender: Any, instance: ServiceRecord, raw: bool = False, **kwargs: Any) -> None:
    if raw or _deferred.get():
        return
    with transaction.atomic():
        was = getattr(instance, "_rollup_was", None)
        if was is not None:
            _add(was[0], -1, -was[1])
        _add(_key(instance), 1, tenths(instance.duration_hours))
    instance._rollup_was = None  # type: ignore[attr-defined]


def _deleted(sender: Any, instance: ServiceRecord, **kwargs: Any) -> None:
    if _deferred.get():
        return
    _add(_key(instance), -1, -tenths(instance.duration_hours))


def connect() -> None:
    """Called once from the app's ready()."""
    pre_save.connect(_remember, sender=ServiceRecord, dispatch_uid="service_rollup_remember")
    post_save.connect(_saved, sender=ServiceRecord, dispatch_uid="service_rollup_saved")
    post_delete.connect(_deleted, sender=ServiceRecord, dispatch_uid="service_rollup_deleted")


def from_records() -> dict[RowKey, Tally]:
    """The rows the records give, computed afresh (one grouped query)."""
    records: dict[RowKey, int] = {}
    hours: dict[RowKey, int] = {}
    grouped = (
        ServiceRecord.objects.order_by()
        .values_list("county_id", "service_type_id", "served_on")
        .annotate(n=Count("pk"), hours=Sum("duration_hours"))
    )
    for county, kind, day, n, total in grouped:
        for row in _rows((county, kind, day)):
            records[row] = records.get(row, 0) + n
            hours[row] = hours.get(row, 0) + tenths(total)
    return {row: Tally(records[row], hours[row]) for row in records}


def in_table() -> dict[RowKey, Tally]:
    rows = ServiceRollup.objects.values_list(
        "county_id", "service_type_id", "span", "served_on", "records", "hour_tenths"
    )
    return {(county, kind, span, day): Tally(n, hours) for county, kind, span, day, n, hours in rows}


def differences() -> list[Difference]:
    """Every row where the table and the records disagree, in key order (none when all is well)."""
    expected, found = from_records(), in_table()
    nothing = Tally(0, 0)
    return [
        Difference(key, expected.get(key, nothing), found.get(key, nothing))
        for key in sorted(expected.keys() | found.keys())
        if expected.get(key, nothing) != found.get(key, nothing)
    ]


@transaction.atomic
def rebuild() -> int:
    """Rewrite the table from the records; returns the number of rows written."""
    ServiceRollup.objects.all().delete()
    rows = [
        ServiceRollup(
            county_id=county,
            service_type_id=kind,
            span=span,
            served_on=day,
            records=t.records,
            hour_tenths=t.hour_tenths,
        )
        for (county, kind, span, day), t in from_records().items()
    ]
    ServiceRollup.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@contextmanager
def deferred() -> Iterator[None]:
    """Bulk writes inside skip the per-record upkeep; the table is rebuilt once at the end.

    Use it inside the bulk write's transaction, so the records and their rollups commit together.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    rebuild()

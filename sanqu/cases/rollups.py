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

The same holds for the two other rollups, kept by signals in the same way:
- `BeneficiaryRollup`, people served per county and target group by day and month of registration:
  a beneficiary's save (region, registration date), its target groups (m2m_changed, either side)
  and its delete move its counts. Bulk inserts add theirs with `count_created_beneficiaries`.
- `CaseStageRollup`, the changes in the number of cases at each stage per county: a case's stage
  as of a date follows from the dates of its stage records (`stage_from_dates`), so every save and
  delete of a case, an assessment, a plan, an evaluation or a closure recomputes that one case's
  changes before and after the write and applies the difference. Bulk inserts add theirs with
  `count_created_cases`.
`rebuild()`, `differences()` and `deferred()` cover all three tables.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncDate
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import Signal

from sanqu.cases.models import (
    Assessment,
    Beneficiary,
    BeneficiaryRollup,
    Case,
    CasePlan,
    CaseStageRollup,
    Closure,
    Evaluation,
    ServiceRecord,
    ServiceRollup,
)
from sanqu.regions.models import Region

Key = tuple[int, int, dt.date]  # a record's place: county id, service type id, day
RowKey = tuple[int, int, str, dt.date]  # a row's: county id, service type id, span, day or 1st of month
DAY, MONTH = ServiceRollup.Span.DAY.value, ServiceRollup.Span.MONTH.value

_KEY_COLUMNS = "county_id, service_type_id, span, served_on"

_deferred: ContextVar[bool] = ContextVar("service_rollups_deferred", default=False)

# Sent at the end of `rebuild()`, in its transaction: tallies kept by other apps from the same
# records (each project's people served) rebuild themselves with these.
rebuilt = Signal()


def is_deferred() -> bool:
    """Inside `deferred()`: per-write upkeep is skipped, and everything is rebuilt at the end."""
    return _deferred.get()


@dataclass(frozen=True)
class Tally:
    records: int
    hour_tenths: int


@dataclass(frozen=True)
class Difference:
    key: tuple[Any, ...]  # the row's key columns, in the table's order
    expected: Any  # from the records: a Tally for the services, a count for the others
    found: Any  # in the rollup table
    table: str = "services"  # "services", "beneficiaries" or "stages"


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


def _upsert_sql(source: str) -> str:
    """Add tallies to rows, making a row when it is missing. The source (VALUES rows of parameters or
    a SELECT) gives key, records and tenths."""
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
        if records > 0:  # the day's and the month's rows in one statement, in that order
            day, month = _rows(key)
            both = "VALUES (%s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s)"
            cursor.execute(_upsert_sql(both), [*day, records, hour_tenths, *month, records, hour_tenths])
            return
        # Taking away: the rows exist (the record counted there). Row by row, the day's first: every
        # writer locks a day's row before its month's, so two writers cannot deadlock on the pair.
        for row in _rows(key):
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
    return add_tallies(tallies_of(records))


def tallies_of(records: Iterable[tuple[int, int, dt.date, Decimal]]) -> list[list[Any]]:
    """The rows that records add, summed by day and month: [county, type, span, day, records,
    tenths], in the order of the rollups' key. No database work: it may run on a second thread."""
    # Hours repeat (0.5, 1.0, 1.5 …): each distinct value is turned into tenths once, and the days'
    # and months' sums are whole numbers.
    tenths_of: dict[Any, int] = {}
    records_by_day: Counter[Key] = Counter()
    tenths_by_day: defaultdict[Key, int] = defaultdict(int)
    for county, kind, day, hours in records:
        key = (county, kind, day)
        records_by_day[key] += 1
        if (hour_tenths := tenths_of.get(hours)) is None:
            hour_tenths = tenths_of[hours] = tenths(hours)
        tenths_by_day[key] += hour_tenths
    added: dict[RowKey, list[int]] = {}
    for (county, kind, day), count in records_by_day.items():
        hour_tenths = tenths_by_day[county, kind, day]
        added[county, kind, DAY, day] = [count, hour_tenths]
        month = added.setdefault((county, kind, MONTH, day.replace(day=1)), [0, 0])
        month[0] += count
        month[1] += hour_tenths
    # Sorted here, where a ledger import does it beside the records' insert, so that the database's
    # sort in `add_tallies` finds them in order (adding 95,000 rows: 0.75-0.81 s against 0.80-0.82).
    return [[*row, n, hours] for row, (n, hours) in sorted(added.items())]


def add_tallies(values: Sequence[Sequence[Any]]) -> int:
    """Add rows of `tallies_of` to the rollups; returns how many rows."""
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
        # In the key's order, so that the rows are locked in one order by every writer: a county and
        # type's days before its months, as a save locks its day's row and then its month's. In the
        # rows' first-seen order, a ledger spanning a month locked the month before its later days,
        # and a save of one of those days meanwhile deadlocked with it (test_rollup_locks). The
        # unique index is walked in order too: the upsert took 0.73 s against 0.81.
        # `WHERE true`: SQLite would otherwise read ON CONFLICT as part of the SELECT.
        source = (
            f"SELECT {_KEY_COLUMNS}, records, hour_tenths FROM sanqu_rollup_added "  # noqa: S608
            f"WHERE true ORDER BY {_KEY_COLUMNS}"
        )
        cursor.execute(_upsert_sql(source))
        cursor.execute("DROP TABLE sanqu_rollup_added")
    return len(values)


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
    # Atomic on its own when saved outside a transaction; inside one (every service does) it needs
    # no savepoint of its own: a failure here fails the save, and the caller's transaction with it.
    with transaction.atomic(savepoint=False):
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
    pre_save.connect(_beneficiary_remember, sender=Beneficiary, dispatch_uid="beneficiary_rollup_remember")
    post_save.connect(_beneficiary_saved, sender=Beneficiary, dispatch_uid="beneficiary_rollup_saved")
    pre_delete.connect(_beneficiary_deleting, sender=Beneficiary, dispatch_uid="beneficiary_rollup_deleting")
    post_delete.connect(_beneficiary_deleted, sender=Beneficiary, dispatch_uid="beneficiary_rollup_deleted")
    m2m_changed.connect(_groups_changed, sender=GROUPS, dispatch_uid="beneficiary_rollup_groups")
    for model in STAGE_FIELDS:
        label = model._meta.model_name
        pre_save.connect(_stage_remember, sender=model, dispatch_uid=f"stage_rollup_remember_{label}")
        post_save.connect(_stage_saved, sender=model, dispatch_uid=f"stage_rollup_saved_{label}")
        pre_delete.connect(_stage_deleting, sender=model, dispatch_uid=f"stage_rollup_deleting_{label}")
        post_delete.connect(_stage_deleted, sender=model, dispatch_uid=f"stage_rollup_deleted_{label}")


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


# Applying changes to the beneficiary and case-stage tables ---------------------------------------


def _add_rows(model: type[models.Model], value: str, changes: Mapping[tuple[Any, ...], int]) -> None:
    """Add changes to rows keyed by the model's unique key columns (+ a count, or − one), making
    rows that are missing and removing those that fall to zero, atomically in the database.

    The keys follow the columns of `_KEYS[model]`; a beneficiary row's group may be None
    (everyone), which has its own unique key.
    """
    changes = {key: n for key, n in changes.items() if n}
    if not changes:
        return
    columns = _KEYS[model]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(columns)
    by_target: dict[str, list[list[Any]]] = defaultdict(list)
    for key, n in changes.items():
        if model is BeneficiaryRollup and key[1] is None:
            target = "(county_id, span, registered_on) WHERE target_group_id IS NULL"
        elif model is BeneficiaryRollup:
            target = "(county_id, target_group_id, span, registered_on) WHERE target_group_id IS NOT NULL"
        else:
            target = f"({names})"
        by_target[target].append([*key, n])
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    with connection.cursor() as cursor:
        for target, rows in by_target.items():
            # Only the model's own table and column names go into the SQL; values are parameters.
            cursor.executemany(
                f"INSERT INTO {table} ({names}, {value}) VALUES ({placeholders}) "  # noqa: S608
                f"ON CONFLICT {target} DO UPDATE SET {value} = {table}.{value} + excluded.{value}",
                rows,
            )
    if len(changes) > 200:  # a bulk addition: one pass over the table
        model._default_manager.filter(**{value: 0}).delete()
        return
    fields = [column.removesuffix("_id") for column in columns]
    at_keys = Q()
    for key in changes:
        at_keys |= Q(**dict(zip(fields, key, strict=True)))
    model._default_manager.filter(at_keys, **{value: 0}).delete()


# People served: BeneficiaryRollup ---------------------------------------------------------------

GROUPS = Beneficiary.target_groups.through
BeneficiaryKey = tuple[int, int | None, str, dt.date]  # county id, group id (None: everyone), span, day


def _counties(prefixes: Iterable[str]) -> dict[str, int]:
    """The county id of each 6-digit path prefix (a region's own path when it has no more)."""
    return dict(Region.objects.filter(path__in=set(prefixes)).values_list("path", "pk"))


def _spans(day: dt.date) -> tuple[tuple[str, dt.date], tuple[str, dt.date]]:
    return ((DAY, day), (MONTH, day.replace(day=1)))


def _beneficiary_rows(beneficiaries: QuerySet[Beneficiary] | None = None) -> Counter[BeneficiaryKey]:
    """The rows the beneficiaries count in, from the database (all of them without a queryset): one
    grouped query for everyone and one for the groups."""
    people = Beneficiary.objects.all() if beneficiaries is None else beneficiaries
    overall = (
        people.annotate(c=Substr("region__path", 1, 6))
        .order_by()
        .values_list("c", "registered_on")
        .annotate(n=Count("pk"))
    )
    in_groups: QuerySet[Any] = (
        GROUPS.objects.all() if beneficiaries is None else GROUPS.objects.filter(beneficiary__in=people)
    )
    by_group = (
        in_groups.annotate(c=Substr("beneficiary__region__path", 1, 6))
        .order_by()
        .values_list("c", "targetgroup_id", "beneficiary__registered_on")
        .annotate(n=Count("pk"))
    )
    tallies = [(c, None, day, n) for c, day, n in overall] + list(by_group)
    counties = _counties(c for c, _group, _day, _n in tallies)
    rows: Counter[BeneficiaryKey] = Counter()
    for prefix, group, day, n in tallies:
        for span, on in _spans(day):
            rows[(counties[prefix], group, span, on)] += n
    return rows


def _pair_rows(pairs: Iterable[tuple[int, int]]) -> Counter[BeneficiaryKey]:
    """The group rows of (beneficiary id, group id) pairs."""
    pairs = list(pairs)
    if not pairs:
        return Counter()
    places = {
        pk: (prefix, day)
        for pk, prefix, day in Beneficiary.objects.filter(pk__in={b for b, _g in pairs})
        .annotate(c=Substr("region__path", 1, 6))
        .values_list("pk", "c", "registered_on")
    }
    counties = _counties(prefix for prefix, _day in places.values())
    rows: Counter[BeneficiaryKey] = Counter()
    for beneficiary, group in pairs:
        prefix, day = places[beneficiary]
        for span, on in _spans(day):
            rows[(counties[prefix], group, span, on)] += 1
    return rows


def _difference(after: Mapping[Any, int], before: Mapping[Any, int]) -> dict[Any, int]:
    return {key: after.get(key, 0) - before.get(key, 0) for key in after.keys() | before.keys()}


def _beneficiary_remember(sender: Any, instance: Beneficiary, raw: bool = False, **kwargs: Any) -> None:
    """Before a save: the rows the person counts in until now, when the place or date changes."""
    instance._rollup_was = None  # type: ignore[attr-defined]
    if raw or instance.pk is None or _deferred.get():
        return
    was = Beneficiary.objects.filter(pk=instance.pk).values_list("region_id", "registered_on").first()
    day = Beneficiary._meta.get_field("registered_on").to_python(instance.registered_on)
    if was is not None and was != (instance.region_id, day):
        instance._rollup_was = _beneficiary_rows(Beneficiary.objects.filter(pk=instance.pk))  # type: ignore[attr-defined]


def _beneficiary_saved(
    sender: Any, instance: Beneficiary, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or _deferred.get():
        return
    was = getattr(instance, "_rollup_was", None)
    if created or was is not None:
        now = _beneficiary_rows(Beneficiary.objects.filter(pk=instance.pk))
        _add_rows(BeneficiaryRollup, "people", _difference(now, was or {}))
    instance._rollup_was = None  # type: ignore[attr-defined]


def _beneficiary_deleting(sender: Any, instance: Beneficiary, **kwargs: Any) -> None:
    """Before a delete, while its groups are still linked: the rows the person counts in."""
    if not _deferred.get():
        instance._rollup_was = _beneficiary_rows(Beneficiary.objects.filter(pk=instance.pk))  # type: ignore[attr-defined]


def _beneficiary_deleted(sender: Any, instance: Beneficiary, **kwargs: Any) -> None:
    was = getattr(instance, "_rollup_was", None)
    if was is not None and not _deferred.get():
        _add_rows(BeneficiaryRollup, "people", {key: -n for key, n in was.items()})


def _groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """A person's target groups (or a group's people) added, removed or cleared."""
    if _deferred.get():
        return
    side = "targetgroup_id" if reverse else "beneficiary_id"
    linked = GROUPS.objects.filter(**{side: instance.pk})
    if action in {"pre_remove", "pre_clear"}:  # only the links that exist count down
        if pk_set is not None:
            linked = linked.filter(**{"beneficiary_id__in" if reverse else "targetgroup_id__in": pk_set})
        instance._rollup_unlinked = list(linked.values_list("beneficiary_id", "targetgroup_id"))
    elif action in {"post_remove", "post_clear"}:
        pairs = getattr(instance, "_rollup_unlinked", [])
        instance._rollup_unlinked = []
        _add_rows(BeneficiaryRollup, "people", {key: -n for key, n in _pair_rows(pairs).items()})
    elif action == "post_add" and pk_set:  # pk_set holds only the links just made
        pairs = [(pk, instance.pk) if reverse else (instance.pk, pk) for pk in pk_set]
        _add_rows(BeneficiaryRollup, "people", _pair_rows(pairs))


def count_created_beneficiaries(ids: Iterable[int]) -> int:
    """Add beneficiaries just inserted in bulk (no signals), with their target groups, to their
    rows; returns the number of rows touched. Call it in the transaction that inserted them."""
    rows: Counter[BeneficiaryKey] = Counter()
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        rows.update(_beneficiary_rows(Beneficiary.objects.filter(pk__in=ids[start : start + 5000])))
    _add_rows(BeneficiaryRollup, "people", rows)
    return len(rows)


def beneficiaries_from_records() -> dict[BeneficiaryKey, int]:
    """The rows the beneficiaries give, computed afresh (two grouped queries)."""
    return {key: n for key, n in _beneficiary_rows().items() if n}


def beneficiaries_in_table() -> dict[BeneficiaryKey, int]:
    rows = BeneficiaryRollup.objects.values_list(
        "county_id", "target_group_id", "span", "registered_on", "people"
    )
    return {(county, group, span, day): n for county, group, span, day, n in rows}


# Case stages: CaseStageRollup -------------------------------------------------------------------

StageKey = tuple[int, str, str, dt.date]  # county id, stage, span, day

NEVER = dt.date(1, 1, 1)  # stands for "no such record yet" when comparing stage dates
STAGE_DATES = ("assessed", "planned", "approved", "evaluated", "closed")

# The stage rule, latest first: a stage holds when its record exists and is dated no earlier than
# each record of the stages before it. A plan drafted after the approval is a revision: intervention.
STAGE_RULES = (
    (Case.Stage.CLOSED, "closed", ("assessed", "planned", "approved", "evaluated")),
    (Case.Stage.EVALUATION, "evaluated", ("assessed", "planned", "approved")),
    (Case.Stage.INTERVENTION, "approved", ("assessed",)),
    (Case.Stage.PLAN, "planned", ("assessed",)),
    (Case.Stage.ASSESSMENT, "assessed", ()),
)


def stage_from_dates(dates: Mapping[str, dt.date]) -> str:
    """A case's stage from the latest date of each of `STAGE_DATES` (NEVER where there is none)."""
    for stage, name, others in STAGE_RULES:
        if dates[name] != NEVER and all(dates[name] >= dates[other] for other in others):
            return stage
    return Case.Stage.INTAKE


def approved_plans() -> QuerySet[CasePlan]:
    """Plans that were approved, annotated with `approved_on` (the review's day, or the draft's when
    the case needs no approval)."""
    return CasePlan.objects.filter(
        # A superseded plan was approved only if it was reviewed: a draft replaced while awaiting
        # review is superseded too, and never approved.
        Q(status=CasePlan.Status.APPROVED)
        | Q(status=CasePlan.Status.SUPERSEDED, reviewed_at__isnull=False)
        | (Q(case__approval_required=False) & ~Q(status=CasePlan.Status.RETURNED))
    ).annotate(approved_on=Coalesce(TruncDate("reviewed_at"), F("drafted_on")))


def counted_closures() -> QuerySet[Closure]:
    """Closures that close the case: approved, or not returned when the case needs no approval."""
    return Closure.objects.filter(
        Q(status=Closure.Status.APPROVED)
        | (Q(case__approval_required=False) & ~Q(status=Closure.Status.RETURNED))
    )


def _stage_events() -> tuple[tuple[str, QuerySet[Any], str], ...]:
    return (
        ("assessed", Assessment.objects.all(), "assessed_on"),
        ("planned", CasePlan.objects.all(), "drafted_on"),
        ("approved", approved_plans(), "approved_on"),
        ("evaluated", Evaluation.objects.all(), "evaluated_on"),
        ("closed", counted_closures(), "closed_on"),
    )


def stage_changes(opened_on: dt.date, events: Mapping[str, Iterable[dt.date]]) -> list[tuple[dt.date, str]]:
    """A case's stages in time: (day, stage) each time the stage changes, from its opening."""
    dates = {name: sorted(events.get(name, ())) for name in STAGE_DATES}
    days = sorted({opened_on, *(day for found in dates.values() for day in found if day > opened_on)})
    changes: list[tuple[dt.date, str]] = []
    for day in days:
        latest = {name: max((d for d in found if d <= day), default=NEVER) for name, found in dates.items()}
        stage = stage_from_dates(latest)
        if not changes or changes[-1][1] != stage:
            changes.append((day, stage))
    return changes


def _stage_rows(cases: QuerySet[Case] | None = None) -> Counter[StageKey]:
    """The rows the cases count in, from the database (every case without a queryset): six queries."""
    chosen = Case.objects.all() if cases is None else cases
    opened = {pk: (county, day) for pk, county, day in chosen.values_list("pk", "county_id", "opened_on")}
    events: dict[int, dict[str, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for name, records, field in _stage_events():
        if cases is not None:
            records = records.filter(case__in=chosen.values("pk"))
        for case, day in records.order_by().values_list("case_id", field):
            events[case][name].append(day)
    rows: Counter[StageKey] = Counter()
    for pk, (county, opened_on) in opened.items():
        previous = None
        for day, stage in stage_changes(opened_on, events.get(pk, {})):
            for span, on in _spans(day):
                rows[(county, stage, span, on)] += 1
                if previous is not None:
                    rows[(county, previous, span, on)] -= 1
            previous = stage
    return rows


# The fields of each model that a case's stages depend on, and how to reach the case.
STAGE_FIELDS: dict[type[models.Model], tuple[str, ...]] = {
    Case: ("county_id", "opened_on", "approval_required"),
    Assessment: ("case_id", "assessed_on"),
    CasePlan: ("case_id", "drafted_on", "status", "reviewed_at"),
    Evaluation: ("case_id", "evaluated_on"),
    Closure: ("case_id", "closed_on", "status"),
}


def _case_id(instance: models.Model) -> int | None:
    return instance.pk if isinstance(instance, Case) else instance.case_id  # type: ignore[attr-defined]


def _rows_of(case_ids: set[Any]) -> Counter[StageKey]:
    case_ids.discard(None)
    return _stage_rows(Case.objects.filter(pk__in=case_ids)) if case_ids else Counter()


def _stage_remember(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """Before a save that moves a date, a status or a county: the changes of the cases it touches."""
    instance._rollup_was = None  # type: ignore[attr-defined]
    if raw or _deferred.get():
        return
    fields = STAGE_FIELDS[sender]
    if instance.pk is None:
        touched = {_case_id(instance)}
    else:
        was = sender._default_manager.filter(pk=instance.pk).values_list(*fields).first()
        now = tuple(sender._meta.get_field(name).to_python(getattr(instance, name)) for name in fields)
        if was == now:
            return
        touched = {_case_id(instance), was[0] if was is not None and sender is not Case else None}
    instance._rollup_touched = touched  # type: ignore[attr-defined]
    instance._rollup_was = _rows_of(set(touched))  # type: ignore[attr-defined]


def _stage_saved(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    was = getattr(instance, "_rollup_was", None)
    if raw or _deferred.get() or was is None:
        return
    now = _rows_of({*instance._rollup_touched, _case_id(instance)})  # type: ignore[attr-defined]
    _add_rows(CaseStageRollup, "cases", _difference(now, was))
    instance._rollup_was = None  # type: ignore[attr-defined]


def _pending(origin: Any) -> dict[int, Counter[StageKey]]:
    """What the rollup holds for each case a delete touches, kept on the delete's origin (the
    instance or queryset deleted): Django sends every pre_delete of a delete, cascades included,
    before the first post_delete, and the post_deletes one model after another."""
    if origin is None:
        return {}
    pending: dict[int, Counter[StageKey]] | None = getattr(origin, "_stage_rollup_pending", None)
    if pending is None:
        pending = {}
        origin._stage_rollup_pending = pending
    return pending


def _stage_deleting(sender: Any, instance: models.Model, origin: Any = None, **kwargs: Any) -> None:
    case = _case_id(instance)
    pending = _pending(origin)
    if not _deferred.get() and case not in pending:
        pending[case] = _rows_of({case})  # type: ignore[index]


def _stage_deleted(sender: Any, instance: models.Model, origin: Any = None, **kwargs: Any) -> None:
    case = _case_id(instance)
    pending = _pending(origin)
    if _deferred.get() or case not in pending:
        return
    now = _rows_of({case})
    _add_rows(CaseStageRollup, "cases", _difference(now, pending[case]))
    pending[case] = now


def count_created_cases(ids: Iterable[int]) -> int:
    """Add cases just inserted in bulk (no signals), with their stage records, to the stage rows;
    returns the number of rows touched. Call it in the transaction that inserted them."""
    rows: Counter[StageKey] = Counter()
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        rows.update(_stage_rows(Case.objects.filter(pk__in=ids[start : start + 5000])))
    _add_rows(CaseStageRollup, "cases", rows)
    return len(rows)


def stages_from_records() -> dict[StageKey, int]:
    """The rows the cases give, computed afresh (six queries over every case and stage record)."""
    return {key: n for key, n in _stage_rows().items() if n}


def stages_in_table() -> dict[StageKey, int]:
    rows = CaseStageRollup.objects.values_list("county_id", "stage", "span", "changed_on", "cases")
    return {(county, stage, span, day): n for county, stage, span, day, n in rows}


_KEYS: dict[type[models.Model], tuple[str, ...]] = {
    BeneficiaryRollup: ("county_id", "target_group_id", "span", "registered_on"),
    CaseStageRollup: ("county_id", "stage", "span", "changed_on"),
}


def _compare(
    expected: Mapping[Any, Any], found: Mapping[Any, Any], *, table: str, nothing: Any
) -> list[Difference]:
    return [
        Difference(key, expected.get(key, nothing), found.get(key, nothing), table)
        for key in sorted(expected.keys() | found.keys(), key=_sort_key)
        if expected.get(key, nothing) != found.get(key, nothing)
    ]


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((value is not None, value) for value in key)  # the everyone rows (no group) first


def differences() -> list[Difference]:
    """Every row where a rollup table and the records disagree: the services' rows, then the
    beneficiaries', then the case stages', each in key order (none when all is well)."""
    return [
        *_compare(from_records(), in_table(), table="services", nothing=Tally(0, 0)),
        *_compare(beneficiaries_from_records(), beneficiaries_in_table(), table="beneficiaries", nothing=0),
        *_compare(stages_from_records(), stages_in_table(), table="stages", nothing=0),
    ]


@transaction.atomic
def rebuild() -> int:
    """Rewrite the three rollup tables from the records (and, through `rebuilt`, the tallies other apps
    keep from them); returns the number of rollup rows written."""
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
    BeneficiaryRollup.objects.all().delete()
    people = [
        BeneficiaryRollup(county_id=county, target_group_id=group, span=span, registered_on=day, people=n)
        for (county, group, span, day), n in beneficiaries_from_records().items()
    ]
    BeneficiaryRollup.objects.bulk_create(people, batch_size=2000)
    CaseStageRollup.objects.all().delete()
    stages = [
        CaseStageRollup(county_id=county, stage=stage, span=span, changed_on=day, cases=n)
        for (county, stage, span, day), n in stages_from_records().items()
    ]
    CaseStageRollup.objects.bulk_create(stages, batch_size=2000)
    rebuilt.send(sender=ServiceRollup)
    return len(rows) + len(people) + len(stages)


@contextmanager
def deferred() -> Iterator[None]:
    """Bulk writes inside skip the per-record upkeep of every rollup; the tables are rebuilt once at
    the end.

    Use it inside the bulk write's transaction, so the records and their rollups commit together.
    """
    token = _deferred.set(True)
    try:
        yield
    finally:
        _deferred.reset(token)
    rebuild()

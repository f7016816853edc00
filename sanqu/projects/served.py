"""Keeping each project's people served equal to the records: `ProjectBeneficiary` (one row per
project and person, with the first day the project served them) and `ProjectPeopleServed` (those
rows counted by project and first day, which the progress figure adds up).

A person's rows follow from that person's own service records and the projects, so every change
refills the rows it touches from the records (`refresh`): delete them and insert what one grouped
statement gives now, so a row cannot drift, and the next write of a person mends whatever a write
outside the upkeep left. The day counts move by the difference between the rows before and after,
each an atomic addition in the database, so two people refreshed at once both count; the person's
row is locked first, so two writes for one person refresh one after the other.

What refreshes what, in the same transaction as the write:
- a service record saved or deleted: its person, and the person it named before an edit;
- a case whose organisation changed: the people of its records (the case's organisation owns them);
- a worker whose organisation changed: the people of their records without a case organisation;
- a project new or with another county, organisation or dates: that project's rows.
A project's deletion takes its rows with it (the keys cascade); records protect the people.

Writes that send no signals: inside `rollups.deferred()` nothing is kept per write and both tables
are rebuilt with the other rollups (`rollups.rebuilt`); a bulk insert of service records calls
`refresh(people=…)` itself (the ledger import), and `sanqu generate` rebuilds once at its end.
`differences()` compares the tables with the records (`sanqu figures --recompute`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import batched
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save, pre_save

from sanqu.cases import rollups
from sanqu.cases.models import Beneficiary, Case, ServiceRecord
from sanqu.cases.rollups import Difference
from sanqu.projects.models import Project, ProjectBeneficiary, ProjectPeopleServed
from sanqu.workforce.models import Person

Days = Counter[tuple[int, dt.date]]  # rows counted by (project, first day)

_PER_STATEMENT = 4000  # ids in one IN list: well under SQLite's 32,766 parameters with the rest


def owned_services() -> QuerySet[ServiceRecord]:
    """Service records with the organisation they were done under: the case's, else the worker's."""
    return ServiceRecord.objects.annotate(owner=Coalesce("case__organisation", "worker__organisation"))


def _first_days(records: QuerySet[ServiceRecord], projects: Sequence[int] = ()) -> tuple[str, list[Any]]:
    """SELECT project, person, first day: the records joined to the projects that hold them.

    The records' side is the ORM's query (its joins for the owner); the join to the projects is on
    county, organisation and a date range, which the ORM cannot express, so it is written here.
    """
    inner, params = (
        records.filter(beneficiary__isnull=False)
        .annotate(r_place=F("county"), r_owner=F("owner"), r_day=F("served_on"), r_person=F("beneficiary"))
        .values("r_place", "r_owner", "r_day", "r_person")
        .order_by()
        .query.sql_with_params()
    )
    table = connection.ops.quote_name(Project._meta.db_table)
    only = f"p.id IN ({', '.join(['%s'] * len(projects))})" if projects else "1 = 1"
    sql = (
        f"SELECT p.id, r.r_person, MIN(r.r_day) FROM ({inner}) r JOIN {table} p "  # noqa: S608
        "ON p.county_id = r.r_place AND p.organisation_id = r.r_owner "
        f"AND r.r_day BETWEEN p.starts_on AND p.ends_on WHERE {only} GROUP BY p.id, r.r_person"
    )
    return sql, [*params, *projects]


def _fill(records: QuerySet[ServiceRecord], projects: Sequence[int] = (), *, counted: bool = False) -> Days:
    """Insert the rows the records give (only those of `projects`, when given); with `counted`, the
    rows written counted by (project, first day), else nothing."""
    select, params = _first_days(records, projects)
    table = connection.ops.quote_name(ProjectBeneficiary._meta.db_table)
    # Only the model's own table name goes into the SQL; values are parameters.
    sql = (
        f"INSERT INTO {table} (project_id, beneficiary_id, first_served_on) {select} "
        "ON CONFLICT (beneficiary_id, project_id) DO UPDATE SET first_served_on = CASE "
        f"WHEN excluded.first_served_on < {table}.first_served_on THEN excluded.first_served_on "
        f"ELSE {table}.first_served_on END"
    )
    with connection.cursor() as cursor:
        if not counted:
            cursor.execute(sql, params)
            return Counter()
        cursor.execute(f"{sql} RETURNING project_id, first_served_on", params)
        return Counter(cursor.fetchall())  # both databases give the day as a date


def _delete(column: str, ids: Sequence[int]) -> Days:
    """Delete the rows of these people or projects; returns them counted by (project, first day)."""
    table = connection.ops.quote_name(ProjectBeneficiary._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {column} IN ({marks}) RETURNING project_id, first_served_on",  # noqa: S608
            list(ids),
        )
        return Counter(cursor.fetchall())  # both databases give the day as a date


def _add_days(changes: Mapping[tuple[int, dt.date], int]) -> None:
    """Add changes to the day counts (making rows that are missing, removing those that fall to
    zero), each an atomic addition in the database."""
    changes = {key: n for key, n in changes.items() if n}
    if not changes:
        return
    table = connection.ops.quote_name(ProjectPeopleServed._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (project_id, first_served_on, people) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (project_id, first_served_on) "
            f"DO UPDATE SET people = {table}.people + excluded.people",
            # In the key's order, as the rollups are added: two writers lock their rows in one order.
            [[project, day, n] for (project, day), n in sorted(changes.items())],
        )
    emptied = {project for (project, _day), n in changes.items() if n < 0}  # only a fall reaches zero
    if emptied:
        ProjectPeopleServed.objects.filter(project__in=emptied, people=0).delete()


def _refill(
    column: str, ids: Sequence[int], records: QuerySet[ServiceRecord], projects: Sequence[int]
) -> None:
    """Fill afresh the rows of these people or projects, and move the day counts by the difference."""
    # The rows before and after, as the DELETE and the INSERT return them: no count of their own.
    before = _delete(column, ids)
    after = _fill(records, projects, counted=True)
    after.subtract(before)
    _add_days(after)


def refresh(*, people: Iterable[int | None] = (), projects: Iterable[int] = ()) -> None:
    """Fill afresh the rows of these people (beneficiary ids) and of these projects (ids).

    The people's rows are locked first (on PostgreSQL; SQLite writes one at a time anyway), so two
    writes for one person refresh one after the other and the second sees the first's records. A
    project's refill rewrites the rows of people it has not locked, so it takes the table against
    every other writer first (readers go on): beside a save of one of its people it counted the
    save's new row twice (test_served_locks). Projects change seldom; a save that comes meanwhile
    waits for the project's change to commit.
    """
    people = sorted({person for person in people if person is not None})
    chosen = sorted(set(projects))
    if not people and not chosen:
        return
    with transaction.atomic(savepoint=False):  # no savepoint: a failure fails the caller's write
        if chosen and connection.vendor == "postgresql":
            # First of all: holding a person's row while waiting for the table, it could wait on a
            # refill that holds the table's writes and waits for that person.
            table = connection.ops.quote_name(ProjectBeneficiary._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        for chunk in batched(people, _PER_STATEMENT):
            # NO KEY: a record being inserted for the person (its foreign key check) is not held up. By
            # id, as the chunks go: in the model's order (by name) within a chunk and by id across
            # chunks, two refreshes of more than one chunk could lock two people in opposite orders.
            locking = Beneficiary.objects.select_for_update(no_key=True).filter(pk__in=chunk).order_by("pk")
            list(locking.values_list("pk"))
            _refill("beneficiary_id", chunk, owned_services().filter(beneficiary__in=chunk), ())
        for chunk in batched(chosen, _PER_STATEMENT):
            spans = Project.objects.filter(pk__in=chunk).values_list("county", "starts_on", "ends_on")
            within = Q(pk__in=[])
            for county, starts_on, ends_on in spans:
                within |= Q(county=county, served_on__range=(starts_on, ends_on))
            _refill("project_id", chunk, owned_services().filter(within), chunk)


@transaction.atomic
def rebuild() -> int:
    """Rewrite both tables from the records; returns the number of (project, person) rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The records may have been written in this very transaction (`sanqu generate`, the demo),
            # which autovacuum cannot see: with the statistics of the tables as they were before, the
            # planner may take them for nearly empty and join ten million records row by row.
            tables = ", ".join(
                connection.ops.quote_name(model._meta.db_table)
                for model in (ServiceRecord, Case, Person, Project)
            )
            cursor.execute(f"ANALYZE {tables}")
        for model in (ProjectPeopleServed, ProjectBeneficiary):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
    _fill(owned_services())
    ProjectPeopleServed.objects.bulk_create(
        (
            ProjectPeopleServed(project_id=project, first_served_on=day, people=n)
            for (project, day), n in _all_days().items()
        ),
        batch_size=2000,
    )
    return ProjectBeneficiary.objects.count()


def _all_days() -> Days:
    rows = (
        ProjectBeneficiary.objects.order_by()
        .values_list("project", "first_served_on")
        .annotate(n=Count("pk"))
    )
    return Counter({(project, day): n for project, day, n in rows})


def people_served(project_ids: Iterable[int], as_of: dt.date) -> dict[int, int]:
    """{project id: people it served from its start to the date} (absent: none). One query per
    4,000 projects, reading their day counts."""
    counts: dict[int, int] = {}
    for chunk in batched(sorted(set(project_ids)), _PER_STATEMENT):
        rows = (
            ProjectPeopleServed.objects.filter(project__in=chunk, first_served_on__lte=as_of)
            .order_by()
            .values_list("project")
            .annotate(n=Sum("people"))
        )
        counts.update(rows)
    return counts


def differences() -> list[Difference]:
    """Every (project, person) where the table and the records disagree — the first day the records
    give and the one in the table (None where a row is missing) — then every (project, day) whose
    count is not the number of those rows (none when all is well)."""
    select, params = _first_days(owned_services())
    with connection.cursor() as cursor:
        cursor.execute(select, params)
        expected = {(project, person): _day(day) for project, person, day in cursor.fetchall()}
    found = {
        (project, person): day
        for project, person, day in ProjectBeneficiary.objects.values_list(
            "project", "beneficiary", "first_served_on"
        )
    }
    days = {
        (project, day): n
        for project, day, n in ProjectPeopleServed.objects.values_list("project", "first_served_on", "people")
    }
    counted = _all_days()
    return [
        *(
            Difference(key, expected.get(key), found.get(key), "projects")
            for key in sorted(expected.keys() | found.keys())
            if expected.get(key) != found.get(key)
        ),
        *(
            Difference(key, counted.get(key, 0), days.get(key, 0), "project days")
            for key in sorted(counted.keys() | days.keys())
            if counted.get(key, 0) != days.get(key, 0)
        ),
    ]


def _day(value: Any) -> dt.date:
    """A date from the raw cursor (SQLite gives text)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


# Signals ------------------------------------------------------------------------------------------


def _was(model: type[Any], instance: Any, *fields: str) -> tuple[Any, ...] | None:
    """The fields as stored before this save (None for a new row)."""
    if instance.pk is None:
        return None
    return model._base_manager.filter(pk=instance.pk).values_list(*fields).first()


def _record_remember(sender: Any, instance: ServiceRecord, raw: bool = False, **kwargs: Any) -> None:
    skip = raw or rollups.is_deferred()
    was = None if skip else _was(ServiceRecord, instance, "beneficiary")
    instance._served_was = was[0] if was else None  # type: ignore[attr-defined]


def _record_saved(sender: Any, instance: ServiceRecord, raw: bool = False, **kwargs: Any) -> None:
    if raw or rollups.is_deferred():
        return
    refresh(people=[instance.beneficiary_id, getattr(instance, "_served_was", None)])


def _record_deleted(sender: Any, instance: ServiceRecord, **kwargs: Any) -> None:
    if not rollups.is_deferred():
        refresh(people=[instance.beneficiary_id])


def _owner_remember(sender: Any, instance: Case | Person, raw: bool = False, **kwargs: Any) -> None:
    skip = raw or rollups.is_deferred()
    was = None if skip else _was(sender, instance, "organisation")
    instance._served_owner_was = was  # type: ignore[union-attr]


def _owner_saved(sender: Any, instance: Case | Person, raw: bool = False, **kwargs: Any) -> None:
    was = getattr(instance, "_served_owner_was", None)
    if raw or rollups.is_deferred() or was is None or was[0] == instance.organisation_id:
        return
    if isinstance(instance, Case):
        records = ServiceRecord.objects.filter(case=instance)
    else:  # the worker's organisation owns only their records without a case organisation
        records = ServiceRecord.objects.filter(Q(case__isnull=True) | Q(case__organisation__isnull=True))
        records = records.filter(worker=instance)
    refresh(people=records.order_by().values_list("beneficiary", flat=True).distinct())


_SPAN_FIELDS = ("county", "organisation", "starts_on", "ends_on")


def _project_remember(sender: Any, instance: Project, raw: bool = False, **kwargs: Any) -> None:
    skip = raw or rollups.is_deferred()
    instance._served_span_was = None if skip else _was(Project, instance, *_SPAN_FIELDS)  # type: ignore[attr-defined]


def _project_saved(
    sender: Any, instance: Project, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    if raw or rollups.is_deferred():
        return
    now = (instance.county_id, instance.organisation_id, *_dates(instance))
    was = getattr(instance, "_served_span_was", None)
    if created or was is None or was != now:
        refresh(projects=[instance.pk])


def _dates(project: Project) -> tuple[dt.date, dt.date]:
    # A project saved from code may still hold its dates as text: read them as the database will.
    field = Project._meta.get_field("starts_on")
    return field.to_python(project.starts_on), field.to_python(project.ends_on)


def _rebuilt(sender: Any, **kwargs: Any) -> None:
    rebuild()


def connect() -> None:
    """Called once from the app's ready()."""
    pre_save.connect(_record_remember, sender=ServiceRecord, dispatch_uid="project_served_record_was")
    post_save.connect(_record_saved, sender=ServiceRecord, dispatch_uid="project_served_record_saved")
    post_delete.connect(_record_deleted, sender=ServiceRecord, dispatch_uid="project_served_record_deleted")
    for model in (Case, Person):
        label = model._meta.label_lower
        pre_save.connect(_owner_remember, sender=model, dispatch_uid=f"project_served_owner_was_{label}")
        post_save.connect(_owner_saved, sender=model, dispatch_uid=f"project_served_owner_saved_{label}")
    pre_save.connect(_project_remember, sender=Project, dispatch_uid="project_served_project_was")
    post_save.connect(_project_saved, sender=Project, dispatch_uid="project_served_project_saved")
    rollups.rebuilt.connect(_rebuilt, dispatch_uid="project_served_rebuilt")

"""Inserting many rows of one model at once, for imports that have already checked every row.

`QuerySet.bulk_create` builds a model instance per row and compiles each value of each row into the
statement: for a 100,000-row ledger that is most of the import's time (measured: about four fifths of
the write). `insert_rows` sends one prepared INSERT with `executemany` on SQLite (in process, so a
statement per row costs little) and a COPY on PostgreSQL instead: values are converted
for the database once per column kind (dates and decimals through the backend's own adapters, the
same ones `bulk_create` uses), columns not given take the fields' defaults, and nothing else
happens — no `save()`, no signals, no instance. So it is only for rows already validated by the
kind's rules, inside the caller's transaction, and the caller keeps what signals would keep
(`sanqu.cases.rollups.count_created` for service records) after it.

`insert_rows_beside` runs some of the caller's work meanwhile, on PostgreSQL only and only work
that needs no database: the COPY spends most of its time waiting on the server, with the GIL free,
and a 100,000-row service ledger's tallies were summed in that time (the import took 4.9 s against
5.35). Database work cannot go beside it (the connection runs one statement at a time: the two took
as long as one after the other), nor anything on SQLite, where the insert ran 2.3× slower with a
second thread (the sqlite3 module takes the GIL back after every row, and waits for it while the
other thread runs Python).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import islice, repeat
from typing import Any, cast

from django.db import connection, models

# Column kinds whose Python values the database drivers take as they are.
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def _converter(field: models.Field[Any, Any]) -> Callable[[Sequence[Any]], list[Any]] | None:
    """None for values sent as they are; else the field's own conversion of a column of values,
    remembered per value (a ledger's dates and hours repeat, so each distinct one is converted once,
    and the column is then mapped through the memo in C).

    A field class of our own (`EncryptedTextField` reports itself as a TextField) always goes
    through its conversion, value by value: an encrypted value must be encrypted, under a fresh
    nonce each time."""
    own = not type(field).__module__.startswith("django.")
    if own:
        return lambda values: [field.get_db_prep_save(value, connection) for value in values]
    if field.get_internal_type() in _AS_IS:
        return None
    converted: dict[Any, Any] = {}

    def convert(values: Sequence[Any]) -> list[Any]:
        try:
            # The first of equal values is the one converted, as when the rows are taken one by one.
            for value in set(values).difference(converted):
                converted[value] = field.get_db_prep_save(value, connection)
        except TypeError:  # a value that is not hashable
            return [field.get_db_prep_save(value, connection) for value in values]
        return list(map(converted.__getitem__, values))

    return convert


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    source = iter(rows)
    while chunk := list(islice(source, size)):
        yield chunk


def _prepared(
    chunk: list[Sequence[Any]],
    converters: list[Callable[[Sequence[Any]], list[Any]] | None],
    tail: tuple[Any, ...],
    width: int,
) -> Iterable[Sequence[Any]]:
    """The chunk's rows as the database takes them: converted a column at a time, then `tail` (the
    constants and defaults) after each row's own values."""
    columns: list[Sequence[Any]] = list(zip(*chunk, strict=True))
    if len(columns) != width:
        raise ValueError(f"rows of {len(columns)} values for {width} columns")
    for index, convert in enumerate(converters):
        if convert is not None:
            columns[index] = convert(columns[index])
    return zip(*columns, *(repeat(value, len(chunk)) for value in tail), strict=True)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch: int = 5000,
    constants: dict[str, Any] | None = None,
) -> int:
    """Insert rows (values in the order of `columns`, field names; a foreign key by its `…_id`);
    returns how many. `constants` gives fields that take the same value in every row (the importer);
    fields named in neither take their defaults."""
    meta = model._meta
    fixed = constants or {}
    # get_field knows a foreign key's `…_id` too.
    given = [cast(models.Field[Any, Any], meta.get_field(name)) for name in columns]
    same = [cast(models.Field[Any, Any], meta.get_field(name)) for name in fixed]
    rest = [
        field
        for field in meta.concrete_fields
        if field not in given and field not in same and not field.primary_key and field.column is not None
    ]
    tail = (
        *(
            field.get_db_prep_save(value, connection)
            for field, value in zip(same, fixed.values(), strict=True)
        ),
        *(field.get_db_prep_save(field.get_default(), connection) for field in rest),
    )
    converters = [_converter(field) for field in given]
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in [*given, *same, *rest])
    table = connection.ops.quote_name(meta.db_table)
    width = len(given)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command: a statement per row, even pipelined, took as long
            # again as the rest of a 100,000-row import. Only the model's own names are in the SQL.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                write_row = copy.write_row
                for chunk in _batches(rows, batch):
                    for row in _prepared(chunk, converters, tail, width):
                        write_row(row)
                    count += len(chunk)
            return count
        marks = ", ".join(["%s"] * (width + len(tail)))
        # Only the model's own table and column names are put into the SQL; every value is a parameter.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        for chunk in _batches(rows, batch):
            cursor.executemany(sql, list(_prepared(chunk, converters, tail, width)))
            count += len(chunk)
    return count


def insert_rows_beside[T](
    work: Callable[[], T],
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    constants: dict[str, Any] | None = None,
) -> tuple[int, T]:
    """`insert_rows`, and `work`'s result: on PostgreSQL `work` runs on a second thread while the rows
    are copied, elsewhere after them. `work` must not use the database, and nothing may change
    `rows` meanwhile (both threads read it)."""
    if connection.vendor != "postgresql":
        count = insert_rows(model, columns, rows, constants=constants)
        return count, work()
    with ThreadPoolExecutor(max_workers=1) as pool:
        working = pool.submit(work)
        count = insert_rows(model, columns, rows, constants=constants)
        return count, working.result()

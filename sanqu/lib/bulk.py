"""Inserting many rows of one model at once, for imports that have already checked every row.

`QuerySet.bulk_create` builds a model instance per row and compiles each value of each row into the
statement: for a 100,000-row ledger that is most of the import's time (measured: about four fifths of
the write). `insert_rows` sends one prepared INSERT with `executemany` on SQLite (in process, so a
statement per row costs little) and a COPY on PostgreSQL instead: values are converted
for the database once per column kind (dates and decimals through the backend's own adapters, the
same ones `bulk_create` uses), columns not given take the fields' defaults, and nothing else
happens — no `save()`, no signals, no instance. So it is only for rows already validated by the
kind's rules, inside the caller's transaction, and the caller keeps what signals would keep
(`sanqu.cases.rollups.count_created` for service records).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import islice
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


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    """None for values sent as they are; else the field's own conversion, remembered per value (a
    ledger's dates and hours repeat, so each distinct one is converted once).

    A field class of our own (`EncryptedTextField` reports itself as a TextField) always goes
    through its conversion, value by value: an encrypted value must be encrypted, under a fresh
    nonce each time."""
    own = not type(field).__module__.startswith("django.")
    if own:
        return lambda value: field.get_db_prep_save(value, connection)
    if field.get_internal_type() in _AS_IS:
        return None
    converted: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return converted[value]
        except KeyError:
            converted[value] = found = field.get_db_prep_save(value, connection)
            return found
        except TypeError:  # not hashable
            return field.get_db_prep_save(value, connection)

    return convert


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 5000
) -> int:
    """Insert rows (values in the order of `columns`, field names; a foreign key by its `…_id`);
    returns how many. Fields not named take their defaults."""
    meta = model._meta
    # get_field knows a foreign key's `…_id` too.
    given = [cast(models.Field[Any, Any], meta.get_field(name)) for name in columns]
    rest = [
        field
        for field in meta.concrete_fields
        if field not in given and not field.primary_key and field.column is not None
    ]
    defaults = [field.get_db_prep_save(field.get_default(), connection) for field in rest]
    converters = [_converter(field) for field in given]
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in [*given, *rest])
    table = connection.ops.quote_name(meta.db_table)

    def prepared(row: Sequence[Any]) -> list[Any]:
        converted = (
            value if convert is None else convert(value)
            for convert, value in zip(converters, row, strict=True)
        )
        return [*converted, *defaults]

    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one command: a statement per row, even pipelined, took as long
            # again as the rest of a 100,000-row import. Only the model's own names are in the SQL.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared(row))
                    count += 1
            return count
        marks = ", ".join(["%s"] * (len(given) + len(rest)))
        # Only the model's own table and column names are put into the SQL; every value is a parameter.
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        source = iter(rows)
        while chunk := list(islice(source, batch)):
            cursor.executemany(sql, [prepared(row) for row in chunk])
            count += len(chunk)
    return count

"""Service records partitioned by year of `served_on` on PostgreSQL (SQLite keeps one plain table).

A province records millions of services a year, and almost every read of them names a span of days
(a county's year, a worker's month, the figures up to a date): with one partition per calendar year
PostgreSQL reads only the years a query can touch, an index stays the size of one year, and an old
year can be archived or dropped whole.

What differs from the plain table, and why:

- the key is (id, served_on): a partitioned table's unique keys must hold the partition key. Django
  still sees `id` as the primary key, and `id` still comes from the one identity sequence on the
  parent table, so ids stay unique across years (nothing has a foreign key to a service record);
- `client_token` is unique together with `served_on` instead of on its own. A double-submitted form
  carries the same token and the same day, so the second insert still fails and the service returns
  the first record; the service's look-up by token alone (before it inserts) still finds a record
  of any year;
- both keys are unique indexes (`service_id_day_key`, `service_client_token_day_key`), not
  constraints: `pg_restore --clean` (what `sanqu restore` runs) drops each partition's share of a
  key constraint before the parent's, which PostgreSQL refuses ("cannot drop inherited
  constraint"), while a partitioned index is dropped whole with its parent. They hold the same rule;
- Django's `varchar_pattern_ops` index on `client_token` (for LIKE, which nothing asks of a token)
  is not re-created.

Years: one partition per year from `FIRST_YEAR` through `YEARS_AHEAD` years after the working date,
and a DEFAULT partition that takes any other day, so no insert ever fails. `ensure_partitions` adds
the years that are missing (moving any of their rows out of DEFAULT); it runs after every `migrate`
(`on_post_migrate`), so a deployment that migrates at least once a year never writes into DEFAULT.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.utils import CursorWrapper

from sanqu.lib import clock

TABLE = "cases_servicerecord"
KEY = "served_on"
DEFAULT_PARTITION = f"{TABLE}_default"
FIRST_YEAR = 2010  # the programme began in 2013; ledgers may carry earlier services
YEARS_AHEAD = 2
ID_KEY = "service_id_day_key"
TOKEN_KEY = "service_client_token_day_key"  # noqa: S105 (a constraint's name)
_YEAR_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})$")


def partition_name(year: int) -> str:
    return f"{TABLE}_y{year}"


def is_partitioned(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        return _is_partitioned(cursor)


def _is_partitioned(cursor: CursorWrapper) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
        " WHERE c.relname = %s AND pg_table_is_visible(c.oid))",
        [TABLE],
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def partitions(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The partitions' table names, years in order, then DEFAULT ([] when not partitioned)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        return _partitions(cursor) if _is_partitioned(cursor) else []


def _partitions(cursor: CursorWrapper) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [TABLE],
    )
    names = [name for (name,) in cursor.fetchall()]
    return sorted(names, key=lambda name: (name == DEFAULT_PARTITION, name))


def _years(cursor: CursorWrapper) -> set[int]:
    return {int(found.group(1)) for name in _partitions(cursor) if (found := _YEAR_NAME.match(name))}


def _through_year() -> int:
    return clock.today().year + YEARS_AHEAD


def ensure_partitions(
    *, first: int = FIRST_YEAR, through: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[int]:
    """Create the year partitions missing from `first` through `through` (default: the working
    date's year + YEARS_AHEAD); rows of those years waiting in DEFAULT move into them. Returns the
    years created; nothing happens on SQLite or before the table is partitioned."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    last = _through_year() if through is None else through
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            return []
        missing = sorted(set(range(first, last + 1)) - _years(cursor))
        for year in missing:
            _add_year(cursor, year)
    return missing


def on_post_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate receiver (connect it with the cases app as sender): next years' partitions."""
    ensure_partitions(using=using)


def _bounds(year: int) -> tuple[str, str]:
    return dt.date(year, 1, 1).isoformat(), dt.date(year + 1, 1, 1).isoformat()


def _range(year: int) -> str:
    """The partition bound clause (dates made here, not given: DDL takes no parameters)."""
    low, high = _bounds(year)
    return f"FOR VALUES FROM ('{low}') TO ('{high}')"


def _add_year(cursor: CursorWrapper, year: int) -> None:
    name = _quote(partition_name(year))
    low, high = _bounds(year)
    cursor.execute(f"LOCK TABLE {_quote(DEFAULT_PARTITION)} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {_quote(DEFAULT_PARTITION)} WHERE {KEY} >= %s AND {KEY} < %s)",  # noqa: S608
        [low, high],
    )
    row = cursor.fetchone()
    if not (row and row[0]):
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {_quote(TABLE)} {_range(year)}")
        return
    # Rows of the year are in DEFAULT: the new partition cannot be created over them, so they move
    # into a table of their own, which then becomes the year's partition.
    columns = ", ".join(_quote(column) for column in _columns(cursor))
    cursor.execute(f"CREATE TABLE {name} (LIKE {_quote(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {_quote(DEFAULT_PARTITION)} WHERE {KEY} >= %s AND {KEY} < %s"  # noqa: S608
        f" RETURNING {columns}) INSERT INTO {name} ({columns}) SELECT {columns} FROM moved",
        [low, high],
    )
    cursor.execute(f"ALTER TABLE {_quote(TABLE)} ATTACH PARTITION {name} {_range(year)}")


def _columns(cursor: CursorWrapper) -> list[str]:
    cursor.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum",
        [TABLE],
    )
    return [name for (name,) in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# Converting the table (the migration's forward and backward steps).


def _constraints(cursor: CursorWrapper) -> list[tuple[str, str, str]]:
    """(name, kind, definition) of the table's own constraints: p, u, c, f."""
    cursor.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'c', 'f') ORDER BY contype, conname",
        [TABLE],
    )
    return [(name, kind, definition) for name, kind, definition in cursor.fetchall()]


def _indexes(cursor: CursorWrapper) -> list[tuple[str, str, list[str]]]:
    """(name, CREATE INDEX statement, columns) of the indexes that back no constraint."""
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid),"
        " ARRAY(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY k(num, pos)"
        "       JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.num ORDER BY k.pos)"
        " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
        " WHERE x.indrelid = %s::regclass"
        " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid"
        "                 AND c.conrelid = x.indrelid)"
        " ORDER BY i.relname",
        [TABLE],
    )
    return [(name, definition, list(columns)) for name, definition, columns in cursor.fetchall()]


def _sequence_state(cursor: CursorWrapper) -> tuple[str, int | None, bool]:
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    row = cursor.fetchone()
    assert row is not None and row[0]  # noqa: S101 (Django made id an identity column)
    sequence = str(row[0])
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 (the catalogue's name)
    state = cursor.fetchone()
    assert state is not None  # noqa: S101
    return sequence, state[0], bool(state[1])


def _restore_sequence(cursor: CursorWrapper, old_name: str, last: int | None, called: bool) -> None:
    """The new table's identity sequence takes the old one's name and position."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    row = cursor.fetchone()
    assert row is not None and row[0]  # noqa: S101
    current = str(row[0])
    short = old_name.split(".")[-1].strip('"')
    if current.split(".")[-1].strip('"') != short:
        cursor.execute(f"ALTER SEQUENCE {current} RENAME TO {_quote(short)}")
    if last is not None:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)", [TABLE, last, called])


def _copy_table(cursor: CursorWrapper, old: str, *, partition_by: str) -> None:
    """A new `TABLE` like `old` (columns, defaults, identity), filled with its rows; `old` dropped."""
    cursor.execute(f"ALTER TABLE {_quote(TABLE)} RENAME TO {_quote(old)}")
    cursor.execute(
        f"CREATE TABLE {_quote(TABLE)} (LIKE {_quote(old)} INCLUDING DEFAULTS INCLUDING IDENTITY"
        f" INCLUDING STORAGE INCLUDING COMMENTS){partition_by}"
    )
    if partition_by:
        # The years of the rows already there get their partitions too (within reason: a mistyped
        # year waits in DEFAULT).
        cursor.execute(f"SELECT min({KEY}), max({KEY}) FROM {_quote(old)}")  # noqa: S608
        row = cursor.fetchone()
        first, last = FIRST_YEAR, _through_year()
        if row is not None and row[0] is not None:
            first = max(min(first, row[0].year), FIRST_YEAR - 20)
            last = min(max(last, row[1].year), last + 10)
        for year in range(first, last + 1):
            cursor.execute(
                f"CREATE TABLE {_quote(partition_name(year))} PARTITION OF {_quote(TABLE)} {_range(year)}"
            )
        cursor.execute(f"CREATE TABLE {_quote(DEFAULT_PARTITION)} PARTITION OF {_quote(TABLE)} DEFAULT")
    columns = ", ".join(_quote(column) for column in _columns(cursor))
    cursor.execute(f"INSERT INTO {_quote(TABLE)} ({columns}) SELECT {columns} FROM {_quote(old)}")  # noqa: S608
    cursor.execute(f"DROP TABLE {_quote(old)}")


def partition_table(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Turn the plain table into one partitioned by year, with its rows, keys, checks and indexes."""
    with schema_editor.connection.cursor() as cursor:
        if _is_partitioned(cursor):
            return
        constraints, indexes = _constraints(cursor), _indexes(cursor)
        sequence, last, called = _sequence_state(cursor)
        _copy_table(cursor, f"{TABLE}_plain", partition_by=f" PARTITION BY RANGE ({KEY})")
        _restore_sequence(cursor, sequence, last, called)
        statements = []
        for name, kind, definition in constraints:
            if kind == "p":
                statements.append(f"CREATE UNIQUE INDEX {_quote(ID_KEY)} ON {_quote(TABLE)} (id, {KEY})")
            elif kind == "u":
                if definition != "UNIQUE (client_token)":
                    raise RuntimeError(
                        f"{name}: a unique key without {KEY} cannot hold on a partitioned table"
                    )
                statements.append(
                    f"CREATE UNIQUE INDEX {_quote(TOKEN_KEY)} ON {_quote(TABLE)} (client_token, {KEY})"
                )
            else:
                statements.append(f"ALTER TABLE {_quote(TABLE)} ADD CONSTRAINT {_quote(name)} {definition}")
        for name, definition, columns in indexes:
            if columns == ["client_token"]:
                continue  # LIKE on a token: never asked
            if " UNIQUE " in f" {definition} " and KEY not in columns:
                raise RuntimeError(f"{name}: a unique index without {KEY} cannot hold on a partitioned table")
            statements.append(definition)
        for statement in statements:
            cursor.execute(statement)


def unpartition_table(schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Back to one plain table, as Django made it: key (id), `client_token` unique on its own."""
    with schema_editor.connection.cursor() as cursor:
        if not _is_partitioned(cursor):
            return
        constraints, indexes = _constraints(cursor), _indexes(cursor)
        sequence, last, called = _sequence_state(cursor)
        _copy_table(cursor, f"{TABLE}_partitioned", partition_by="")
        _restore_sequence(cursor, sequence, last, called)
        statements = [
            f"ALTER TABLE {_quote(TABLE)} ADD CONSTRAINT {_quote(name)} {definition}"
            for name, _kind, definition in constraints
        ]
        for name, definition, _columns in indexes:
            if name == ID_KEY:
                statements.append(
                    f"ALTER TABLE {_quote(TABLE)} ADD CONSTRAINT {_quote(TABLE + '_pkey')} PRIMARY KEY (id)"
                )
            elif name == TOKEN_KEY:
                like = schema_editor._create_index_name(TABLE, ["client_token"], suffix="_like")  # type: ignore[attr-defined]
                statements.append(
                    f"ALTER TABLE {_quote(TABLE)} ADD CONSTRAINT {_quote(TABLE + '_client_token_key')}"
                    " UNIQUE (client_token)"
                )
                statements.append(
                    f"CREATE INDEX {_quote(like)} ON {_quote(TABLE)} (client_token varchar_pattern_ops)"
                )
            else:
                statements.append(definition.replace(" ON ONLY ", " ON ", 1))
        for statement in statements:
            cursor.execute(statement)

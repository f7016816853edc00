"""Tampering with the audit log as a database administrator could: the guard triggers dropped for the
duration of a block (inside the test's transaction) and put back as migration 0004 made them."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from sanqu.accounts.audit_integrity import TABLES

guards = importlib.import_module("sanqu.accounts.migrations.0004_audit_append_only")


@contextmanager
def triggers_dropped() -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
                cursor.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        else:
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER {table}_no_update")
                cursor.execute(f"DROP TRIGGER {table}_no_delete")
        yield
        for table in TABLES:
            for sql in (
                guards.postgres_guards if connection.vendor == "postgresql" else guards.sqlite_guards
            )(table):
                cursor.execute(sql)


def raw(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def insert_ghost(entry_id: int, at: object) -> None:
    """An entry written straight into the table (inserting is not guarded: the seals find it)."""
    raw(
        "INSERT INTO accounts_auditentry"
        " (id, at, actor_name, action, object_type, object_id, object_repr, detail)"
        " VALUES (%s, %s, 'ghost', 'login', '', '', '', '{}')",
        [entry_id, at],
    )

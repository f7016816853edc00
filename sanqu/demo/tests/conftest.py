"""The demo, loaded once per test process for the demo's test modules (it is the slowest fixture)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection, transaction

PASSWORD = "Demo-password-2018"


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """Load the demo inside a transaction rolled back after the package's tests; its output."""
    environment = mock.patch.dict(os.environ, {"SANQU_DEMO_PASSWORD": PASSWORD})
    with django_db_blocker.unblock(), environment, transaction.atomic():
        out = io.StringIO()
        call_command("demo", stdout=out)
        # Check the deferred foreign keys once, here: on PostgreSQL each test's teardown check runs
        # in a savepoint, and a savepoint rolled back would leave them all to be checked again.
        connection.check_constraints()
        if connection.vendor == "postgresql":
            # The rows are not committed, so autovacuum never gathers their statistics: without
            # them the planner takes the tables for empty and the figures' joins crawl.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        yield out.getvalue()
        transaction.set_rollback(True)

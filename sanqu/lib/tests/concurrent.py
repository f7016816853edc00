"""Helpers for tests that run writers at once on PostgreSQL, each on its own thread and connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection


def in_thread(work: Callable[[], None], failures: list[BaseException]) -> threading.Thread:
    """Start `work` on a thread of its own (so with its own connection, closed at its end); what it
    raises goes into `failures`."""

    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def backend_pid() -> int:
    """This thread's connection's server process, for `waits_on_a_lock`."""
    connection.ensure_connection()
    return int(connection.connection.info.backend_pid)


def waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        found = cursor.fetchone()
    return found is not None and found[0] == "Lock"


def until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False

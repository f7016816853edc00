"""The long-running processes settle their start-up objects out of the collector's walks."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
from unittest import mock

from django.urls import get_resolver

from sanqu import cli
from sanqu.lib import heap


def test_settling_leaves_the_collector_only_what_comes_later() -> None:
    # The test process settles its own start-up objects (conftest.py); this settles the rest of what
    # the tests before it left alive, as a server settles what it loaded.
    gc.collect()
    walked_before = len(gc.get_objects())
    heap.settle()
    patterns = get_resolver().url_patterns
    walked = gc.get_objects()
    assert len(walked) < walked_before // 10
    assert not any(pattern is patterns for pattern in walked)
    later = [object()]
    assert gc.is_tracked(later) and any(obj is later for obj in gc.get_objects())


def test_the_task_worker_and_the_scheduler_settle_at_start_and_other_commands_do_not() -> None:
    for command, settles in (("db_worker", True), ("scheduler", True), ("check", False)):
        with (
            mock.patch.object(sys, "argv", ["sanqu", command]),
            mock.patch.object(heap, "settle") as settle,
            mock.patch("django.core.management.execute_from_command_line") as run,
            mock.patch("sys.stdout", io.StringIO()),
        ):
            cli.main()
        assert settle.called is settles, command
        run.assert_called_once_with(["sanqu", command])


def test_the_web_application_settles_when_it_is_loaded() -> None:
    # In a process of its own, as granian loads it: the import itself must settle.
    probe = "import gc, sanqu.wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "sanqu.test_settings"}
    answer = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, check=True
    )
    frozen, walked = map(int, answer.stdout.split()[-2:])
    assert frozen > 100_000 and walked < frozen // 10


def test_the_collector_is_off_inside_a_paused_block_and_back_after_it_even_on_an_error() -> None:
    assert gc.isenabled()
    try:
        with heap.collector_paused():
            assert not gc.isenabled()
            raise RuntimeError("the work failed")
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_a_paused_block_leaves_a_collector_that_was_off_off() -> None:
    gc.disable()
    try:
        with heap.collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

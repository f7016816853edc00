from __future__ import annotations

import gc
import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.testcases import LiveServerThread
from hypothesis import settings as hypothesis_settings

from sanqu.testing import World, build_world

# Property tests judge correctness, not speed: a busy 2-core machine must not fail them on time.
hypothesis_settings.register_profile("sanqu", deadline=None)
# `make fuzz`: the fuzzing properties for longer, with new examples on every run.
hypothesis_settings.register_profile("fuzz", deadline=None, max_examples=20_000, derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sanqu"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Keep the garbage collector's share of the suite small. A test process builds and drops
    objects by the hundred thousand (each database's migrations render their models some 22,000
    times; every page renders its templates), and with Python's default thresholds the collector
    took a quarter of the migrations' time and a seventh of the authorization matrix's, mostly
    walking Django's start-up objects again and again. Those are settled out of its walks, as the
    servers do (sanqu.lib.heap), and it runs after 100,000 new objects instead of 700."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server of the browser tests answers one request at a time on SQLite. A page asks
    for several things at once (Wagtail's admin fetches its icon sprite while the form posts), and
    the server's threads reach the test's in-memory database through its shared cache, or through
    the test's own connection when pytest-django hands it over (when the test database exists
    before the server starts). Two requests at once broke each other's statements there ("bad
    parameter or other API misuse"): the request then found no session and the page landed on the
    sign-in form. Each response is read whole inside the lock, so no thread touches the database
    after letting go. On PostgreSQL every thread has its own connection and the server stays
    parallel."""

    def set_app(self, application):
        if connections[DEFAULT_DB_ALIAS].vendor != "sqlite":
            return super().set_app(application)
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            with lock:
                response = application(environ, start_response)
                try:
                    return [b"".join(response)]
                finally:
                    if hasattr(response, "close"):
                        response.close()

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def as_user(world: World):
    """`as_user("chengkou")` gives a test client logged in as that persona."""

    def login(username: str) -> Client:
        client = Client()
        client.force_login(world[username])
        return client

    return login


@pytest.fixture(autouse=True)
def _wagtail_rows(request: pytest.FixtureRequest) -> None:
    """A test on a live server or with real transactions flushes the database after it, taking the rows
    Wagtail's migrations made (the default locale, the root collection): put them back before each
    such test (browser tests, live_server, transactional_db, django_db(transaction=True))."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction"))
    if not (
        request.node.get_closest_marker("browser")
        or transactional
        or {"live_server", "transactional_db"} & set(request.fixturenames)
    ):
        return
    request.getfixturevalue("transactional_db")
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale

    Locale.objects.get_or_create(language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")

"""The test server behind the browser tests answers pages asked for at once, as a browser asks."""

from __future__ import annotations

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test import Client

from sanqu.testing import World

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = ["/admin/sprite/", "/admin/snippets/orgs/organisation/add/"]


def test_pages_asked_for_at_once_all_find_the_signed_in_user(live_server, world: World) -> None:
    client = Client()
    client.force_login(world["chengkou"])
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    running, most = 0, 0
    counting = threading.Lock()

    def started(**_: object) -> None:
        nonlocal running, most
        with counting:
            running += 1
            most = max(most, running)

    def finished(**_: object) -> None:
        nonlocal running
        with counting:
            running -= 1

    def fetch(n: int) -> str:
        path = PAGES[n % 2]
        server = http.client.HTTPConnection(urlsplit(live_server.url).netloc, timeout=60)
        try:
            server.request("GET", path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})
            answer = server.getresponse()
            return f"{answer.status} {path}"
        finally:
            server.close()

    request_started.connect(started)
    request_finished.connect(finished)
    try:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(fetch, range(64)))
    finally:
        request_started.disconnect(started)
        request_finished.disconnect(finished)
    assert set(answers) == {f"200 {path}" for path in PAGES}
    # On SQLite the server's threads may share the test's connection, so they take turns; with a
    # connection each (PostgreSQL) the server answers in parallel.
    assert (most == 1) if connection.vendor == "sqlite" else (most > 1)

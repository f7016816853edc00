"""Controls of docs/security.md that a user or an auditor would notice on any page: the idle-session
timeout, CSRF refusal, the security headers, and PDFs that never fetch from another host."""

from __future__ import annotations

import socket
import time
from unittest import mock

import pytest
from django.test import Client
from weasyprint import HTML

from sanqu.accounts.middleware import SESSION_KEY
from sanqu.lib import pdf
from sanqu.testing import World

pytestmark = pytest.mark.django_db


def test_a_session_idle_longer_than_the_timeout_is_signed_out(world: World, as_user, settings) -> None:
    client = as_user("worker")
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_KEY] = time.time() - settings.SANQU_IDLE_TIMEOUT + 60  # idle, but not long enough
    session.save()
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_KEY] = time.time() - settings.SANQU_IDLE_TIMEOUT - 1
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/cases/").status_code == 302  # signed out, not only redirected once


def test_reading_pages_writes_the_session_at_most_once_a_minute(world: World, as_user) -> None:
    from django.contrib.sessions.models import Session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user("worker")
    assert client.get("/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
        assert client.get("/cases/").status_code == 200
    writes = [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]
    assert writes == []  # within the minute: the last activity stands
    session = client.session
    session[SESSION_KEY] = time.time() - 61
    session.save()
    assert client.get("/").status_code == 200
    last_seen = Session.objects.get(session_key=client.session.session_key).get_decoded()[SESSION_KEY]
    assert time.time() - last_seen < 5  # a minute on, the request is recorded again


def test_a_post_without_the_csrf_token_is_refused(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world["worker"])
    refused = client.post("/accounts/password/", {"old_password": "x", "new_password1": "y"})
    assert refused.status_code == 403
    token = client.get("/accounts/password/").context["csrf_token"]
    accepted = client.post("/accounts/password/", {"csrfmiddlewaretoken": token, "old_password": "x"})
    assert accepted.status_code == 200  # the form's own answer: the password is wrong


def test_every_page_carries_the_security_headers(world: World, as_user) -> None:
    for response in (as_user("worker").get("/"), Client().get("/accounts/login/")):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_a_pdf_never_fetches_from_another_host() -> None:
    fetcher = pdf.StaticOnlyFetcher(fail_on_errors=False)
    with mock.patch.object(socket, "create_connection", side_effect=AssertionError("no network")):
        for url in (
            "http://example.com/logo.png",
            "https://sanqu.invalid/../etc/passwd",
            "file:///etc/passwd",
        ):
            with pytest.raises(pdf.RefusedURL):
                fetcher.fetch(url)
        html = '<p>外部图片</p><img src="http://example.com/tracker.png"><link rel="stylesheet" href="http://cdn.example.com/x.css">'
        document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=fetcher).write_pdf()
    assert document.startswith(b"%PDF")

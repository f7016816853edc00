"""After a form, a page goes where its `next` says only when that is this site."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from sanqu.lib.redirects import safe_next

HOME = "/"


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/?page=2", "/cases/?page=2"),
        ("https://evil.example/login", HOME),
        ("//evil.example/login", HOME),
        ("javascript:alert(1)", HOME),
        ("", HOME),
    ],
)
def test_only_an_address_on_this_site_is_followed(target: str, expected: str) -> None:
    assert safe_next(RequestFactory().get("/", {"next": target}), HOME) == expected


def test_the_forms_next_comes_before_the_querys() -> None:
    request = RequestFactory().post("/?next=/figures/", {"next": "/cases/"})
    assert safe_next(request, HOME) == "/cases/"


def test_a_page_served_over_https_never_sends_the_user_to_plain_http() -> None:
    request = RequestFactory().get("/", {"next": "http://testserver/cases/"}, secure=True)
    assert safe_next(request, HOME) == HOME
    request = RequestFactory().get("/", {"next": "https://testserver/cases/"}, secure=True)
    assert safe_next(request, HOME) == "https://testserver/cases/"

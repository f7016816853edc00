"""The public site's strict Content-Security-Policy (sanqu.publicity.csp)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.test import Client, RequestFactory
from wagtail.models import Page, Site

from sanqu.publicity.csp import PublicSiteCSPMiddleware, public_site_policy

MIDDLEWARE = "sanqu.publicity.csp.PublicSiteCSPMiddleware"


@pytest.fixture
def strict_site(db: None, settings: Any) -> Page:
    """A bare Wagtail page as the root of a site served to the test client, and the middleware on."""
    middleware = list(settings.MIDDLEWARE)
    if MIDDLEWARE not in middleware:
        middleware.insert(
            middleware.index("django.middleware.csp.ContentSecurityPolicyMiddleware") + 1, MIDDLEWARE
        )
    settings.MIDDLEWARE = middleware
    root = Page.get_first_root_node()
    page = root.add_child(instance=Page(title="CSP 测试页", slug="csp-test"))
    Site.objects.all().delete()
    Site.objects.create(hostname="testserver", port=80, root_page=page, is_default_site=True)
    return page


def directives(header: str) -> dict[str, list[str]]:
    found = {}
    for part in header.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def test_it_serves_the_public_site_with_the_strict_policy(strict_site: Page) -> None:
    response = Client().get("/site/")
    assert response.status_code == 200
    assert "CSP 测试页" in response.text
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-src"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)
    assert response.headers["X-Frame-Options"] == "DENY"


def test_it_allows_only_nonce_scripts_or_none() -> None:
    assert directives(public_site_policy(None))["script-src"] == ["'none'"]
    assert directives(public_site_policy("abc123"))["script-src"] == ["'nonce-abc123'"]


def test_it_leaves_the_workbench_policy_alone(strict_site: Page) -> None:
    response = Client().get("/accounts/login/")
    assert "'unsafe-inline'" in directives(response.headers["Content-Security-Policy"])["style-src"]


def test_it_replaces_a_policy_a_view_set_itself(db: None) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        response = HttpResponse("<p>x</p>")
        response.headers["Content-Security-Policy"] = "default-src *; script-src 'unsafe-inline'"
        return response

    request = RequestFactory().get("/site/news/")
    response = PublicSiteCSPMiddleware(view)(request)
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert directives(response.headers["Content-Security-Policy"])["default-src"] == ["'self'"]


def test_it_puts_the_nonce_the_page_used_in_the_header(db: None) -> None:
    from django.middleware.csp import ContentSecurityPolicyMiddleware

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse(f'<script nonce="{get_nonce(request)}">1</script>')

    request = RequestFactory().get("/site/")
    response = ContentSecurityPolicyMiddleware(PublicSiteCSPMiddleware(view))(request)
    assert isinstance(response, HttpResponse)
    (nonce,) = re.findall(r'nonce="([^"]+)"', response.content.decode())
    assert directives(response.headers["Content-Security-Policy"])["script-src"] == [f"'nonce-{nonce}'"]

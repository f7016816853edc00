"""Walking the site for the authorization matrix: every URL pattern, its URL with real ids, and what
a request to it answered, reduced to the matrix's words (allow, deny, not_found)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sanqu.accounts.authz_matrix import ALLOW, ANONYMOUS, DENY, NOT_FOUND, Rule

# What the pages of the walk put in the URL besides record ids.
FIXED_KWARGS: dict[str, str] = {
    "kind": "organisation",  # ledger templates
    "province": "50",  # the county map of Chongqing
    "table": "receiving_counties",  # snapshot changes: a table of the snapshot and a bucket of it
    "bucket": "added",
}


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None  # with its namespace, e.g. "bulletins:detail"
    kwargs: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.name or self.route


def patterns() -> list[Pattern]:
    """Every URL pattern of the site, in the order the resolver tries them."""
    return list(_walk(get_resolver().url_patterns, "", ""))


def _walk(entries: list[Any], prefix: str, namespace: str) -> Iterator[Pattern]:
    for entry in entries:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = namespace + entry.name if entry.name else None
            kwargs = tuple(entry.pattern.regex.groupindex)
            yield Pattern(route=route, name=name, kwargs=kwargs)


def url_for(pattern: Pattern, rule: Rule, ids: dict[str, int | str], persona: str) -> str:
    kwargs: dict[str, Any] = {}
    for kwarg in pattern.kwargs:
        kind = rule.ids.get(kwarg)
        if kind == "own_token":
            kwargs[kwarg] = ids[f"token:{persona if persona != ANONYMOUS else 'city'}"]
        elif kind is not None:
            kwargs[kwarg] = ids[kind]
        else:
            kwargs[kwarg] = FIXED_KWARGS[kwarg]
    assert pattern.name is not None, pattern.route
    if pattern.name == "wagtail_serve":
        return reverse(pattern.name, args=[""])  # the public site's home page
    query = rule.query.format(**ids) if rule.query else ""
    return reverse(pattern.name, kwargs=kwargs) + (f"?{query}" if query else "")


def outcome(response: HttpResponse) -> str:
    """The matrix's word for a response: a refusal is 403, 401 (the API), a 302 to a sign-in page or
    Wagtail's 302 back to its dashboard; 404 is not_found; anything else the user was let in to."""
    status = response.status_code
    location = response.get("Location", "")
    if status == 404:
        return NOT_FOUND
    if status in (401, 403):
        return DENY
    if status == 302 and ("/login/" in location or location in ("/admin/", "/accounts/two-factor/setup/")):
        return DENY
    if status in (405, 500) or status > 500:
        return f"status {status}"
    return ALLOW


def ask(client: Client, method: str, url: str) -> HttpResponse:
    """One request, its writes rolled back so the world stays as built for the next one."""
    caches["throttle"].clear()
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, {}, content_type="application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return response

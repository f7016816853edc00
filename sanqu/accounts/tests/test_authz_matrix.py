"""The authorization matrix (`sanqu.accounts.authz_matrix`) against the site itself.

Every URL pattern is classified; every walkable one is requested as each persona and an anonymous
visitor with the ids of 城口's records and must answer what the matrix declares; the pages of
records answer 404 to the other county's section both ways (万州's ids to 城口's section, 城口's
to 万州's), downloads, PDFs, exports and the API included; no list or search shows the other
county's people. One world is built for the module; every request's writes are rolled back.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings

from sanqu.accounts.authz_matrix import ANONYMOUS, NOT_FOUND, PERSONAS, RULES, Rule, rule_for
from sanqu.accounts.tests import authz_world
from sanqu.accounts.tests.authz_walk import Pattern, ask, outcome, patterns, url_for
from sanqu.testing import build_world

pytestmark = pytest.mark.django_db

# Record kinds the walk takes from `common` (city-wide), not from a county.
COMMON = {"course", "course_session", "bulletin", "issued_bulletin", "recipient", "own_token"}
# 万州's people as the lists would show them (names of its records, never 城口's).
WANZHOU_NAMES = ("赵万州", "钱督导", "万州区对象", "万州区志愿者", "万州区学员")


@pytest.fixture(scope="module")
def built(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[authz_world.AuthzWorld]:
    files: Path = tmp_path_factory.mktemp("authz-files")
    pinned = override_settings(SANQU_TODAY=authz_world.TODAY, MEDIA_ROOT=files / "media")
    with django_db_blocker.unblock(), pinned, transaction.atomic():
        yield authz_world.build(build_world())
        transaction.set_rollback(True)


def _walked() -> list[tuple[Pattern, Rule]]:
    found = []
    for pattern in patterns():
        rule = rule_for(pattern)
        if rule is not None and rule.walk:
            found.append((pattern, rule))
    return found


def _client(built: authz_world.AuthzWorld, persona: str) -> Client:
    client = Client()
    if persona != ANONYMOUS:
        client.force_login(built.world[persona])
    return client


def _walk(built: authz_world.AuthzWorld, method: str) -> list[str]:
    ids = {**built.chengkou.ids, **built.common.ids}
    wrong = []
    for pattern, rule in _walked():
        declared = rule.get if method == "GET" else rule.post
        if declared is None:
            continue
        for persona in (ANONYMOUS, *PERSONAS):
            url = url_for(pattern, rule, ids, persona)
            response = ask(_client(built, persona), method, url)
            expected, answered = declared.expected(persona), outcome(response)
            if expected != answered:
                wrong.append(
                    f"{method} {url} as {persona}: {answered} ({response.status_code}), not {expected}"
                )
    return wrong


def test_every_url_pattern_is_classified() -> None:
    unclassified = [p.route for p in patterns() if rule_for(p) is None]
    assert unclassified == [], "add these to sanqu/accounts/authz_matrix.py"
    known = {p.key for p in patterns()}
    stale = [name for rule in RULES for name in rule.names if name not in known]
    assert stale == [], "the matrix names pages the site no longer has"


def test_every_page_answers_each_persona_as_declared(built: authz_world.AuthzWorld) -> None:
    assert _walk(built, "GET") == []


def test_the_other_countys_records_answer_404_both_ways(built: authz_world.AuthzWorld) -> None:
    wrong = []
    for pattern, rule in _walked():
        kinds = set(rule.ids.values())
        if not kinds or kinds <= COMMON:
            continue
        method = "GET" if rule.get is not None else "POST"
        for persona, theirs in (("chengkou", built.wanzhou), ("wanzhou", built.chengkou)):
            url = url_for(pattern, rule, {**theirs.ids, **built.common.ids}, persona)
            answered = outcome(ask(_client(built, persona), method, url))
            if answered != NOT_FOUND:
                wrong.append(f"{method} {url} as {persona}: {answered}")
    assert wrong == []


def test_no_list_or_search_shows_the_other_countys_people(built: authz_world.AuthzWorld) -> None:
    client = _client(built, "chengkou")
    ids = {**built.chengkou.ids, **built.common.ids}
    shown = []
    for pattern, rule in _walked():
        if rule.get is None or rule.ids or rule.get.expected("chengkou") != "allow":
            continue
        url = url_for(pattern, rule, ids, "chengkou")
        for query in ("", "q=万州", "search=万州", "q=赵"):
            full = f"{url}{'&' if '?' in url else '?'}{query}" if query else url
            response = ask(client, "GET", full)
            if response.get("Content-Type", "").startswith(("text/html", "application/json")):
                body = response.content.decode()
                shown += [f"{full}: {name}" for name in WANZHOU_NAMES if name in body]
    assert shown == []


def test_every_write_answers_each_persona_as_declared(built: authz_world.AuthzWorld) -> None:
    # After the reads: an empty form posted may clear a file (a score's evidence) that no rollback restores.
    assert _walk(built, "POST") == []

"""No page issues more queries when the programme grows (issue: scale).

A programme is generated at one size and at twice that size (`sanqu generate`, the same seed: the
same counties, stations and workers, each with twice the people served, cases, groups and service
records), and every list and dashboard page is asked for by the city office, a county section and a
social worker of the first county. Each page must issue exactly the same number of queries at both
sizes: a page that looped over its rows with a query each (an N+1) would issue more.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.cases.models import ServiceRecord
from sanqu.regions.models import Region
from sanqu.workforce.models import Person

BASE = ["--counties", "2", "--years", "2", "--stations-per-county", "2", "--workers", "6"]
SIZES = {
    "1x": [*BASE, "--beneficiaries", "120", "--services", "1200", "--groups", "8"],
    "2x": [*BASE, "--beneficiaries", "240", "--services", "2400", "--groups", "16"],
}

# Every list and dashboard page (no record id in the address), for each persona that may open it.
PAGES = {
    "city": [
        "/", "/audit/", "/people/", "/dispatches/", "/dispatches/retention/", "/teams/",
        "/teams/supervision/", "/volunteers/", "/training/", "/training/trainees/", "/training/hours/",
        "/training/courses/", "/incentives/", "/incentives/policies/", "/incentives/spend/",
        "/incentives/exams/", "/cases/beneficiaries/", "/cases/groups/",
        "/cases/community/", "/projects/", "/projects/reports/", "/projects/visits/",
        "/projects/evaluations/", "/projects/desk/", "/projects/programme/", "/projects/livelihood/",
        "/figures/", "/figures/snapshots/", "/figures/reports/", "/ledgers/", "/ledgers/imports/",
        "/bulletins/",
    ],
    "officer": [
        "/", "/people/", "/dispatches/", "/teams/", "/teams/supervision/", "/volunteers/",
        "/training/trainees/", "/incentives/", "/cases/county/", "/cases/reviews/",
        "/cases/beneficiaries/", "/cases/groups/", "/cases/community/", "/projects/", "/projects/reports/",
        "/projects/visits/", "/projects/desk/", "/projects/livelihood/", "/figures/", "/ledgers/imports/",
    ],
    "worker": [
        "/", "/cases/", "/cases/beneficiaries/", "/cases/services/mine/", "/cases/groups/",
        "/cases/community/", "/teams/supervision/follow-ups/", "/projects/visits/actions/",
    ],
}  # fmt: skip


def personas() -> dict[str, User]:
    """Accounts for the generated programme: the city office, the first county's section and its
    busiest social worker."""
    busiest = (
        ServiceRecord.objects.values("worker_id").annotate(n=Count("id")).order_by("-n", "worker_id").first()
    )
    assert busiest is not None
    worker = Person.objects.get(pk=busiest["worker_id"])
    made = {}
    for name, role, region, person in (
        ("city", Role.CITY_ADMIN, Region.objects.get(code="500000"), None),
        ("officer", Role.COUNTY_OFFICER, worker.county, None),
        ("worker", Role.SOCIAL_WORKER, worker.county, worker),
    ):
        user, _created = User.objects.get_or_create(username=f"q-{name}", defaults={"display_name": name})
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(user=user, role=role, region=region, person=person)
        made[name] = user
    return made


def counts(users: dict[str, User]) -> dict[tuple[str, str], tuple[int, int]]:
    """(persona, page) → (status, queries)."""
    found = {}
    for name, paths in PAGES.items():
        client = Client()
        client.force_login(users[name])
        client.get("/")  # the session and the caches of the first request are not the page's
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                status = client.get(path).status_code
            found[name, path] = (status, len(queries))
    return found


@pytest.fixture(scope="module")
def measured(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, dict[Any, Any]]]:
    results: dict[str, dict[Any, Any]] = {}
    pinned = override_settings(SANQU_TODAY=dt.date(2018, 7, 10))
    with django_db_blocker.unblock(), pinned, transaction.atomic():
        for size, options in SIZES.items():
            call_command("generate", *options, "--seed", "7", "--reset", stdout=io.StringIO())
            results[size] = counts(personas())
        transaction.set_rollback(True)
    yield results


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "path"), [(name, path) for name, paths in PAGES.items() for path in paths]
)
def test_the_page_issues_as_many_queries_at_twice_the_data(
    measured: dict[str, Any], persona: str, path: str
) -> None:
    small_status, small = measured["1x"][persona, path]
    large_status, large = measured["2x"][persona, path]
    assert small_status == large_status == 200, (small_status, large_status)
    assert large == small, f"{small} queries with the smaller programme, {large} with twice the data"

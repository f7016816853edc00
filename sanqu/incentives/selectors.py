"""Scoped reads of exam results, incentive policies and claims.

Region roles (city admin and viewer, county officer) see what lies in their region: a policy and
its claims by the policy's county, an exam result by the county it was sat in or the person's
county. A social worker sees her own results and claims, and the policies of her county. Claims
are changed (decided, paid) only by the county officer of the policy's county.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.incentives import exams
from sanqu.incentives.models import ExamAttempt, IncentiveClaim, IncentivePolicy, PolicyRate
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, Person


def own_person_ids(user: User) -> set[int]:
    """The person records of the user's social-worker memberships (herself, never her supervisees)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        user.memberships.filter(role=Role.SOCIAL_WORKER, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )


# Policies.


def policies_for(user: User) -> QuerySet[IncentivePolicy]:
    scope = scope_of(user)
    policies = IncentivePolicy.objects.select_related("county").prefetch_related(
        Prefetch("rates", queryset=PolicyRate.objects.order_by("level"))
    )
    if scope.superuser:
        return policies
    own = Person.objects.filter(pk__in=own_person_ids(user)).values("county")
    return policies.filter(scope.region_q("county") | Q(county__in=own))


def writable_policies(user: User) -> QuerySet[IncentivePolicy]:
    return scope_of(user).filter(IncentivePolicy.objects.all(), region="county")


def in_force(policies: QuerySet[IncentivePolicy], day: dt.date) -> QuerySet[IncentivePolicy]:
    return policies.filter(effective_from__lte=day).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=day)
    )


def get_policy_for_user(user: User, pk: Any) -> IncentivePolicy:
    return get_or_404(policies_for(user), pk=pk)


# Exam results.


def exam_attempts_for(user: User) -> QuerySet[ExamAttempt]:
    scope = scope_of(user)
    attempts = ExamAttempt.objects.select_related("person", "county")
    if scope.superuser:
        return attempts
    return attempts.filter(
        scope.region_q("county") | scope.region_q("person__county") | Q(person__in=own_person_ids(user))
    )


def writable_exam_attempts(user: User) -> QuerySet[ExamAttempt]:
    return scope_of(user).filter(ExamAttempt.objects.all(), region="county")


def exam_people_for(user: User) -> QuerySet[Person]:
    """The people whose exam results the user may record: of the counties of the user's region roles."""
    return scope_of(user).filter(Person.objects.select_related("county"), region="county")


@dataclass(frozen=True)
class LevelStanding:
    level: str
    label: str
    status: exams.Status
    certificate: Certificate | None
    missing_label: str = ""


def standings(person: Person, attempts: list[ExamAttempt], *, today: dt.date) -> list[LevelStanding]:
    """The person's status at each level (with the certificate held, if any)."""
    history = [attempt.as_attempt() for attempt in attempts]
    held = {certificate.level: certificate for certificate in person.certificates.all()}
    next_year = exams.next_exam_year(today)
    subjects = dict(ExamAttempt.Subject.choices)
    found = []
    for level, label in Certificate.Level.choices:
        standing = exams.status(level, history, next_year=next_year)
        missing = str(subjects[standing.missing]) if standing.missing else ""
        found.append(LevelStanding(level, str(label), standing, held.get(level), missing))
    return found


@dataclass(frozen=True)
class OneAway:
    person: Person
    level: str
    level_label: str
    missing: str  # the subject's label
    by_year: int
    county: Region


def one_subject_away(user: User, *, today: dt.date) -> list[OneAway]:
    """People in the user's scope one subject away from a level they do not hold a certificate of.

    Only the attempts that can make someone one away are read: 中级 results of the last exam year
    held and later, and every 高级 result (an exam pass waits for its review).
    """
    next_year = exams.next_exam_year(today)
    carried = next_year - exams.INTERMEDIATE_WINDOW_YEARS + 1
    attempts = exam_attempts_for(user).filter(
        Q(level=Certificate.Level.INTERMEDIATE, year__gte=carried) | Q(level=Certificate.Level.SENIOR)
    )
    histories: dict[tuple[int, str], list[exams.Attempt]] = defaultdict(list)
    people: dict[int, Person] = {}
    for attempt in attempts:
        histories[(attempt.person_id, attempt.level)].append(attempt.as_attempt())
        people[attempt.person_id] = attempt.person
    held = set(Certificate.objects.filter(person__in=list(people)).values_list("person_id", "level"))
    levels = dict(Certificate.Level.choices)
    subjects = dict(ExamAttempt.Subject.choices)
    found: list[OneAway] = []
    for (person_id, level), history in histories.items():
        if (person_id, level) in held:
            continue
        standing = exams.status(level, history, next_year=next_year)
        if standing.state == exams.State.ONE_AWAY and standing.missing and standing.year:
            person = people[person_id]
            found.append(
                OneAway(
                    person,
                    level,
                    str(levels[level]),
                    str(subjects[standing.missing]),
                    standing.year,
                    person.county,
                )
            )
    return sorted(found, key=lambda row: (row.county.code, row.level, row.person.name, row.person.pk))


# Claims.


def claimants_for(user: User) -> QuerySet[Person]:
    """Certificate holders the user may file a claim for: the county officer's county, or herself."""
    scope = scope_of(user)
    people = Person.objects.select_related("county").filter(certificates__isnull=False).distinct()
    if scope.superuser:
        return people
    officer = scope.paths_by_role.get(Role.COUNTY_OFFICER, ())
    return people.filter(scope.region_q("county", officer) | Q(pk__in=own_person_ids(user)))


def claims_for(user: User) -> QuerySet[IncentiveClaim]:
    scope = scope_of(user)
    claims = IncentiveClaim.objects.select_related(
        "person", "policy", "policy__county", "certificate", "decided_by", "filed_by"
    )
    if scope.superuser:
        return claims
    return claims.filter(scope.region_q("policy__county") | Q(person__in=own_person_ids(user)))


def decidable_claims(user: User) -> QuerySet[IncentiveClaim]:
    """Claims the user decides and pays: the county officer's, of the policy's county."""
    scope = scope_of(user)
    claims = IncentiveClaim.objects.all()
    if scope.superuser:
        return claims
    return claims.filter(scope.region_q("policy__county", scope.paths_by_role.get(Role.COUNTY_OFFICER, ())))


def get_claim_for_user(user: User, pk: Any) -> IncentiveClaim:
    return get_or_404(claims_for(user).prefetch_related("evidence", "exam_attempts"), pk=pk)


QUEUES = {
    "waiting": [IncentiveClaim.Status.SUBMITTED],
    "unpaid": [IncentiveClaim.Status.APPROVED],
    "decided": [IncentiveClaim.Status.REFUSED, IncentiveClaim.Status.PAID],
}


def claim_queue(claims: QuerySet[IncentiveClaim], queue: str) -> QuerySet[IncentiveClaim]:
    claims = claims.filter(status__in=QUEUES[queue])
    # Waiting claims oldest first (first come, first served); the others most recent first.
    return (
        claims.order_by("claimed_on", "id") if queue == "waiting" else claims.order_by("-claimed_on", "-id")
    )


def queue_counts(claims: QuerySet[IncentiveClaim]) -> dict[str, int]:
    row = claims.aggregate(
        **{name: Count("pk", filter=Q(status__in=statuses)) for name, statuses in QUEUES.items()}
    )
    return {name: row[name] for name in QUEUES}


@dataclass(frozen=True)
class SpendCell:
    count: int
    amount: Decimal
    year: int | None = None


@dataclass(frozen=True)
class Spend:
    years: list[int]
    rows: list[tuple[Region, list[SpendCell], SpendCell]]  # county, a cell per year, the county total
    totals: list[SpendCell]  # a cell per year over the counties
    total: SpendCell


def spend(user: User) -> Spend:
    """Paid claims (count and yuan) per policy county and year of payment, in the user's scope."""
    rows = (
        claims_for(user)
        .filter(status=IncentiveClaim.Status.PAID)
        .annotate(paid_year=ExtractYear("paid_on"))
        .order_by()
        .values("policy__county", "paid_year")
        .annotate(n=Count("pk"), amount=Sum("amount"))
    )
    cells: dict[tuple[int, int], SpendCell] = {
        (row["policy__county"], row["paid_year"]): SpendCell(row["n"], row["amount"] or Decimal(0))
        for row in rows
    }
    years = sorted({year for _county, year in cells})
    counties = Region.objects.filter(pk__in={county for county, _year in cells}).order_by("code")
    empty = SpendCell(0, Decimal(0))

    def add(parts: list[SpendCell], year: int | None = None) -> SpendCell:
        return SpendCell(sum(p.count for p in parts), sum((p.amount for p in parts), Decimal(0)), year)

    table = []
    for county in counties:
        per_year = [add([cells.get((county.pk, year), empty)], year) for year in years]
        table.append((county, per_year, add(per_year)))
    totals = [add([cells.get((county.pk, year), empty) for county in counties], year) for year in years]
    return Spend(years=years, rows=table, totals=totals, total=add(totals))

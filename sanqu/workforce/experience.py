"""Social-work experience from dispatch terms, as the vocational exam asks for it (从事社会工作年限).

A term counts once it has ended and its end-of-term assessment (考核) was passed (any grade but
不合格): from its start to its end, both days included. Days two terms share are counted once.
Years are days ÷ 365, rounded *down* to one decimal, so nobody is told they have two years when
they have 1.99.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from sanqu.workforce.models import Dispatch, Person


@dataclass(frozen=True)
class Experience:
    days: int
    terms: int  # passed terms that count

    @property
    def years(self) -> Decimal:
        return (Decimal(self.days) / Decimal(365)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)

    def has_years(self, years: int) -> bool:
        """At least this many full years (365 days each)."""
        return self.days >= 365 * years


def passed_terms(person: Person, *, as_of: dt.date) -> list[Dispatch]:
    return list(
        Dispatch.objects.filter(
            person=person,
            status__in=[Dispatch.Status.COMPLETED, Dispatch.Status.LEFT_EARLY],
            ended_on__lte=as_of,
        )
        .exclude(assessment="")
        .exclude(assessment=Dispatch.Assessment.FAIL)
        .order_by("started_on")
    )


def dispatch_experience(person: Person, *, as_of: dt.date) -> Experience:
    """The days of social-work experience the person's passed, ended terms give by the date."""
    terms = passed_terms(person, as_of=as_of)
    days = 0
    covered_until: dt.date | None = None
    for term in terms:
        assert term.ended_on is not None  # noqa: S101 - filtered on ended_on
        start = term.started_on
        if covered_until is not None and start <= covered_until:
            start = covered_until + dt.timedelta(days=1)
        if term.ended_on >= start:
            days += (term.ended_on - start).days + 1
        covered_until = max(covered_until or term.ended_on, term.ended_on)
    return Experience(days=days, terms=len(terms))

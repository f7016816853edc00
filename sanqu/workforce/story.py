"""A person's programme story: the pieces of the person page that other parts of the platform keep.

The page itself is reached through `get_person_for_user`, so every piece here is about a person
the user may already see; each piece reads only what it names and never a beneficiary's details
(a caseload is shown as counts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from sanqu.accounts.models import User
from sanqu.cases.models import Case, ServiceRecord
from sanqu.incentives.models import IncentiveClaim
from sanqu.incentives.selectors import claims_for
from sanqu.training.selectors import YearHours, training_hours_by_year
from sanqu.volunteers.models import Volunteer
from sanqu.volunteers.selectors import total_hours, volunteers_for
from sanqu.workforce.experience import Experience, dispatch_experience
from sanqu.workforce.models import Person, SupervisionSession, TeamMember
from sanqu.workforce.team_selectors import sessions_of_person, teams_of_person


@dataclass(frozen=True)
class Caseload:
    open_by_stage: list[tuple[str, int]]  # (stage label, cases) for the stages that hold any
    open_total: int
    referred: int
    closed: int
    services_year: int  # service records in the twelve months up to today
    hours_year: Decimal

    @property
    def empty(self) -> bool:
        return not (self.open_total or self.referred or self.closed or self.services_year)


def caseload_of(person: Person, *, today: dt.date) -> Caseload:
    """The cases the person holds, by stage, and their service records of the last twelve months."""
    stages = dict(Case.Stage.choices)
    rows = (
        Case.objects.filter(worker=person)
        .values("status", "stage")
        .annotate(n=Count("pk"))
        .order_by()  # GROUP BY status, stage only
    )
    open_counts: dict[str, int] = {}
    by_status: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] == Case.Status.OPEN:
            open_counts[row["stage"]] = open_counts.get(row["stage"], 0) + row["n"]
    year_ago = today - dt.timedelta(days=365)
    services = ServiceRecord.objects.filter(worker=person).aggregate(
        n=Count("pk", filter=Q(served_on__gt=year_ago, served_on__lte=today)),
        hours=Sum("duration_hours", filter=Q(served_on__gt=year_ago, served_on__lte=today)),
    )
    return Caseload(
        open_by_stage=[
            (str(stages[stage]), open_counts[stage]) for stage in Case.Stage.values if stage in open_counts
        ],
        open_total=by_status.get(Case.Status.OPEN, 0),
        referred=by_status.get(Case.Status.REFERRED, 0),
        closed=by_status.get(Case.Status.CLOSED, 0),
        services_year=services["n"],
        hours_year=services["hours"] or Decimal(0),
    )


@dataclass(frozen=True)
class Story:
    caseload: Caseload
    experience: Experience
    teams: list[TeamMember]
    sessions: list[SupervisionSession]  # the latest few the person gave or received
    sessions_total: int
    training_hours: list[YearHours]
    claims: list[IncentiveClaim]
    volunteer: Volunteer | None
    volunteer_hours: Decimal | None
    sees_exams: bool

    @property
    def training_total(self) -> Decimal:
        return sum((row.hours for row in self.training_hours), Decimal(0))


def story_of(user: User, person: Person, *, today: dt.date, sessions_shown: int = 5) -> Story:
    """Every piece of the person page, each read through the user's own scope for that piece."""
    sessions = sessions_of_person(user, person).select_related("supervisor").order_by("-held_on", "-id")
    volunteer: Any = volunteers_for(user).filter(person=person).first()
    return Story(
        caseload=caseload_of(person, today=today),
        experience=dispatch_experience(person, as_of=today),
        teams=list(teams_of_person(user, person)),
        sessions=list(sessions[:sessions_shown]),
        sessions_total=sessions.count(),
        training_hours=training_hours_by_year(person),
        claims=list(claims_for(user).filter(person=person).order_by("-claimed_on", "-id")),
        volunteer=volunteer,
        volunteer_hours=total_hours(volunteer) if volunteer is not None else None,
        sees_exams=user.has_perm("incentives.view_examattempt"),
    )

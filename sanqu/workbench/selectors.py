"""The scoped reads of the home page: what needs a user's attention and the numbers of their scope.

A user may hold several memberships; the home page shows one panel per membership, each read
through the user's scope (`scope_of` + `Scope.filter`) and narrowed to the membership's own
region, organisation or person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Q, QuerySet
from wagtail.models import TaskState, WorkflowState

from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import VIEW_AUDIT, Role
from sanqu.accounts.scoping import Scope, scope_of
from sanqu.cases.selectors.cases import caseload_for, review_queue_for
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.orgs.models import Organisation
from sanqu.projects.desk_selectors import todo_counts
from sanqu.publicity.models import NewsIndexPage
from sanqu.regions.models import Region
from sanqu.workforce.models import Dispatch, Person, Supervision

ENDING_SOON_DAYS = 30
LIST_LIMIT = 20

# Which figures a panel shows as tiles, in reading order.
MUNICIPAL_TILES = (
    "receiving_counties",
    "dispatched_total",
    "dispatched_people",
    "trained_total",
    "organisations_total",
    "counties_with_organisations",
    "organisations_added",
    "certified_total",
    "certified_growth_multiple",
    "incentive_counties",
)
COUNTY_TILES = (
    "dispatched_total",
    "dispatched_people",
    "trained_total",
    "organisations_total",
    "organisations_added",
    "certified_total",
    "certified_growth_multiple",
)


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: object


@dataclass
class Panel:
    """One membership's part of the home page; `template` names the fragment that renders it."""

    role: str
    template: str
    membership: Membership
    data: dict[str, Any] = field(default_factory=dict)


def _tiles(figures: dict[str, object], keys: tuple[str, ...]) -> list[Tile]:
    return [Tile(key=key, label=str(FIGURE_LABELS[key]), value=figures[key]) for key in keys]


def _organisation_kinds(figures: dict[str, object]) -> list[tuple[str, int]]:
    by_type = cast(dict[str, int], figures.get("organisations_by_type") or {})
    return [(str(Organisation.Kind(kind).label), count) for kind, count in by_type.items() if count]


def _serving(queryset: QuerySet[Dispatch], *, today: dt.date) -> QuerySet[Dispatch]:
    return queryset.filter(status=Dispatch.Status.SERVING, started_on__lte=today).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today)
    )


def _dispatches(scope: Scope) -> QuerySet[Dispatch]:
    return scope.filter(
        Dispatch.objects.select_related(
            "person", "county", "station", "sending_organisation", "programme_year"
        ),
        region="county",
        organisation="sending_organisation",
        person="person",
    )


def _people(scope: Scope) -> QuerySet[Person]:
    return scope.filter(
        Person.objects.select_related("county", "organisation"),
        region=("county", "dispatches__county"),
        organisation=("organisation", "dispatches__sending_organisation"),
        person="id",
    )


def _in_region(queryset: QuerySet[Any], *, lookup: str, region: Region) -> QuerySet[Any]:
    return queryset.filter(**{f"{lookup}__path__startswith": region.path})


def _municipal_panel(membership: Membership, *, today: dt.date) -> Panel:
    figures = compute_figures(scope=membership.region, as_of=today)
    return Panel(
        role=membership.role,
        template="workbench/_panel_city.html",
        membership=membership,
        data={
            "tiles": _tiles(figures, MUNICIPAL_TILES),
            "kinds": _organisation_kinds(figures),
        },
    )


def _county_panel(membership: Membership, scope: Scope, *, today: dt.date) -> Panel:
    county = membership.region
    figures = compute_figures(scope=county, as_of=today)
    dispatches = _in_region(_dispatches(scope), lookup="county", region=county)
    serving = _serving(dispatches, today=today)
    # Ending soon, or already past the planned end while still recorded as serving.
    ending_soon = serving.filter(planned_end_on__lte=today + dt.timedelta(days=ENDING_SOON_DAYS)).order_by(
        "planned_end_on", "person__name"
    )
    without_station = serving.filter(station__isnull=True).order_by("person__name")
    organisations = scope.filter(Organisation.objects.all(), region="home_county", organisation="id")
    without_credit_code = (
        _in_region(organisations, lookup="home_county", region=county)
        .filter(credit_code="", deregistered_on__isnull=True)
        .order_by("name")
    )
    return Panel(
        role=membership.role,
        template="workbench/_panel_county.html",
        membership=membership,
        data={
            "tiles": _tiles(figures, COUNTY_TILES),
            "kinds": _organisation_kinds(figures),
            "ending_soon": list(ending_soon[:LIST_LIMIT]),
            "ending_soon_count": ending_soon.count(),
            "without_station": list(without_station[:LIST_LIMIT]),
            "without_station_count": without_station.count(),
            "without_credit_code": list(without_credit_code[:LIST_LIMIT]),
            "without_credit_code_count": without_credit_code.count(),
            "ending_soon_days": ENDING_SOON_DAYS,
        },
    )


def _organisation_panel(membership: Membership, scope: Scope, *, today: dt.date) -> Panel:
    organisation = membership.organisation
    serving = _serving(_dispatches(scope).filter(sending_organisation=organisation), today=today).order_by(
        "county__code", "person__name"
    )
    people = _people(scope).filter(organisation=organisation).order_by("name", "id")
    return Panel(
        role=membership.role,
        template="workbench/_panel_organisation.html",
        membership=membership,
        data={
            "organisation": organisation,
            "serving": list(serving[:LIST_LIMIT]),
            "serving_count": serving.count(),
            "people": list(people[:LIST_LIMIT]),
            "people_count": people.count(),
        },
    )


def _worker_panel(membership: Membership, scope: Scope, *, today: dt.date) -> Panel:
    person = membership.person
    dispatches = _dispatches(scope).filter(person=person)
    current = _serving(dispatches, today=today).order_by("-started_on").first()
    supervisions = (
        scope.filter(Supervision.objects.select_related("supervisor"), person="supervisee")
        .filter(supervisee=person, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .order_by("started_on")
    )
    return Panel(
        role=membership.role,
        template="workbench/_panel_worker.html",
        membership=membership,
        data={
            "person": person,
            "dispatch": current,
            "days_left": (current.planned_end_on - today).days if current else None,
            "supervisors": [link.supervisor for link in supervisions],
            "past_dispatches": list((dispatches.exclude(pk=current.pk) if current else dispatches)[:5]),
            "caseload": _caseload_summary(membership.user, today=today),
        },
    )


def _caseload_summary(user: User, *, today: dt.date) -> dict[str, int]:
    """How many of the worker's cases are open, and how many need doing something about now."""
    cases = [case for group in caseload_for(user, today=today) for case in group.cases]
    overdue = [case for case in cases if getattr(case, "overdue", False)]  # annotated by caseload_for
    return {"open": len(cases), "overdue": len(overdue)}


def _supervisor_panel(membership: Membership, scope: Scope, *, today: dt.date) -> Panel:
    links = (
        scope.filter(Supervision.objects.select_related("supervisee"), person="supervisor")
        .filter(supervisor=membership.person, started_on__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .order_by("supervisee__name")
    )
    supervisees = [link.supervisee for link in links]
    serving = _serving(_dispatches(scope).filter(person__in=supervisees), today=today)
    by_person = {dispatch.person_id: dispatch for dispatch in serving.order_by("started_on")}
    return Panel(
        role=membership.role,
        template="workbench/_panel_supervisor.html",
        membership=membership,
        data={
            "rows": [(person, by_person.get(person.pk)) for person in supervisees],
            "awaiting_review": review_queue_for(membership.user).total,
        },
    )


def _publicity_panel(membership: Membership) -> Panel:
    """News items waiting on this person: a reviewer's to review, an editor's in review or returned."""
    user = membership.user
    news = NewsIndexPage.objects.live().first()
    data: dict[str, Any] = {"news_url": news.url if news is not None else None}
    if membership.role == Role.REVIEWER:
        data["to_review"] = list(
            TaskState.objects.reviewable_by(user).select_related("workflow_state").order_by("started_at")[:20]
        )
    else:
        mine = WorkflowState.objects.filter(requested_by=user).order_by("-created_at")
        data["in_review"] = list(mine.filter(status=WorkflowState.STATUS_IN_PROGRESS)[:20])
        data["returned"] = list(mine.filter(status=WorkflowState.STATUS_NEEDS_CHANGES)[:20])
    return Panel(
        role=membership.role, template="workbench/_panel_publicity.html", membership=membership, data=data
    )


def home_panels_for(*, user: User, today: dt.date) -> list[Panel]:
    """The panels of the user's home page, one per membership."""
    scope = scope_of(user, today=today)
    panels: list[Panel] = []
    memberships = user.memberships.select_related("region", "organisation", "person").order_by("role", "id")
    for membership in memberships:
        if membership.role in {Role.CITY_ADMIN, Role.CITY_VIEWER}:
            panels.append(_municipal_panel(membership, today=today))
        elif membership.role == Role.COUNTY_OFFICER:
            panels.append(_county_panel(membership, scope, today=today))
        elif membership.role == Role.ORG_MANAGER and membership.organisation_id:
            panels.append(_organisation_panel(membership, scope, today=today))
        elif membership.role == Role.SOCIAL_WORKER and membership.person_id:
            panels.append(_worker_panel(membership, scope, today=today))
        elif membership.role == Role.SUPERVISOR and membership.person_id:
            panels.append(_supervisor_panel(membership, scope, today=today))
        elif membership.role in {Role.EDITOR, Role.REVIEWER}:
            panels.append(_publicity_panel(membership))
    first = next(iter(memberships), None)
    if first is not None and user.has_perm("projects.view_project"):
        panels.append(
            Panel(
                role="projects",
                template="workbench/_panel_projects.html",
                membership=first,
                data=todo_counts(user, today),
            )
        )
    return panels


def audit_entries_for(*, user: User) -> QuerySet[AuditEntry]:
    """The audit trail, for those who may read it (and nothing for anyone else)."""
    if not user.has_perm(VIEW_AUDIT):
        return AuditEntry.objects.none()
    return AuditEntry.objects.select_related("actor").order_by("-at", "-id")

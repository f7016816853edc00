"""Scoped reads of monitoring visits (督查/走访) and their follow-up actions.

Who sees a visit:
- the region roles over its county (city office, leadership, the county section);
- for a visit to a project: whoever sees the project's filing side (its organisation's manager,
  the organisation's workers posted in the county);
- for a visit to a station: the manager of the organisation that runs it, the social workers
  posted there (their membership's region covers the station).
Who acts on it:
- plans, records, edits, adds actions (`supervised_visits`): the county section of its county and
  the city office;
- closes an action: its owner, or the supervising side;
- reopens a closed action: the county section of its county only.

Counts are grouped queries: a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet

from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.lib import clock
from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.project_selectors import filing_projects
from sanqu.regions.models import Region, Station

# The audit detail key that keeps why a closed action was reopened.
REOPEN_REASON = "reopen_reason"


def _supervisor_paths(scope: Scope) -> tuple[str, ...]:
    return scope.paths_by_role.get(Role.COUNTY_OFFICER, ()) + scope.paths_by_role.get(Role.CITY_ADMIN, ())


def _visible_q(user: User, scope: Scope) -> Q:
    query = scope.region_q("county")
    query |= Q(project__in=filing_projects(user).values("pk"))
    if scope.organisation_ids:
        query |= Q(station__organisation__in=scope.organisation_ids)
    query |= scope.region_q("station__region", scope.paths_by_role.get(Role.SOCIAL_WORKER, ()))
    return query


def visits_for(user: User) -> QuerySet[MonitoringVisit]:
    """The visits the user may read (newest plan first)."""
    visits = MonitoringVisit.objects.select_related(
        "county", "project", "project__organisation", "station", "station__region"
    )
    scope = scope_of(user)
    if scope.superuser:
        return visits
    if scope.is_empty:
        return visits.none()
    return visits.filter(_visible_q(user, scope))


def get_visit_for_user(user: User, pk: Any) -> MonitoringVisit:
    return get_or_404(visits_for(user), pk=pk)


def supervised_visits(user: User) -> QuerySet[MonitoringVisit]:
    """Visits the user plans, records and follows up: the county section and the city office."""
    scope = scope_of(user)
    if scope.superuser:
        return MonitoringVisit.objects.all()
    return MonitoringVisit.objects.filter(scope.region_q("county", _supervisor_paths(scope)))


def supervised_stations(user: User) -> QuerySet[Station]:
    """Stations the user may plan a visit to: in a county they supervise, still open."""
    stations = Station.objects.select_related("region").filter(closed_on__isnull=True)
    scope = scope_of(user)
    if scope.superuser:
        return stations
    return stations.filter(scope.region_q("region", _supervisor_paths(scope)))


def visited_counties(user: User) -> QuerySet[Region]:
    """The counties of the visits the user reads (for the list's filter)."""
    return Region.objects.filter(pk__in=visits_for(user).values("county")).order_by("code")


def reopening_visits(user: User) -> QuerySet[MonitoringVisit]:
    """Visits whose closed actions the user may reopen: the county section of the county only."""
    scope = scope_of(user)
    if scope.superuser:
        return MonitoringVisit.objects.all()
    return MonitoringVisit.objects.filter(
        scope.region_q("county", scope.paths_by_role.get(Role.COUNTY_OFFICER, ()))
    )


def actions_for(user: User) -> QuerySet[VisitAction]:
    """The actions of the visits the user sees."""
    return VisitAction.objects.select_related("visit", "visit__county", "owner", "closed_by").filter(
        visit__in=visits_for(user).values("pk")
    )


def get_action_for_user(user: User, pk: Any) -> VisitAction:
    return get_or_404(actions_for(user), pk=pk)


def closable_actions(user: User) -> QuerySet[VisitAction]:
    """Actions the user may close: those they own, and those of the visits they supervise."""
    return actions_for(user).filter(Q(owner=user) | Q(visit__in=supervised_visits(user).values("pk")))


def _prefixes(path: str, shortest: int = 1) -> list[str]:
    return [path[:length] for length in range(shortest, len(path) + 1)]


def action_owner_choices(visit: MonitoringVisit) -> QuerySet[User]:
    """Who may own an action of the visit: a person who sees the visited project or station.

    The county section of the county, the manager of the organisation (the project's, or the
    station's operator) and the social workers posted there (for a project: the organisation's
    workers in the county; for a station: those whose region covers the station's).
    """
    query = Q(role=Role.COUNTY_OFFICER, region__path__in=_prefixes(visit.county.path))
    project, station = visit.project, visit.station
    if project is not None:
        query |= Q(role=Role.ORG_MANAGER, organisation_id=project.organisation_id)
        query |= Q(
            role=Role.SOCIAL_WORKER,
            region__path__startswith=visit.county.path,
            person__organisation_id=project.organisation_id,
        )
    elif station is not None:
        if station.organisation_id is not None:
            query |= Q(role=Role.ORG_MANAGER, organisation_id=station.organisation_id)
        query |= Q(
            role=Role.SOCIAL_WORKER,
            region__path__in=_prefixes(station.region.path, len(visit.county.path)),
            person__isnull=False,
        )
    return User.objects.filter(
        is_active=True, pk__in=Membership.objects.filter(query).values("user")
    ).order_by("display_name", "username")


def with_action_counts(
    visits: QuerySet[MonitoringVisit], as_of: dt.date, *, only_open: bool = False
) -> QuerySet[MonitoringVisit]:
    """Each visit with `open_actions` and `overdue_actions` (due before the date, still open);
    `only_open` keeps the visits with an open action."""
    open_q = Q(actions__closed_on__isnull=True)
    if only_open:
        visits = visits.filter(pk__in=VisitAction.objects.filter(closed_on__isnull=True).values("visit"))
    return visits.annotate(
        open_actions=Count("actions", filter=open_q),
        overdue_actions=Count("actions", filter=open_q & Q(actions__due_on__lt=as_of)),
        action_count=Count("actions"),
    )


def visits_due(user: User, as_of: dt.date, days: int = 14) -> QuerySet[MonitoringVisit]:
    """Planned visits not recorded yet, planned on or before `as_of + days`, of the counties the
    user supervises (the county section, the city office); those already past their date first."""
    horizon = as_of + dt.timedelta(days=days)
    return (
        MonitoringVisit.objects.select_related("county", "project", "station", "station__region")
        .filter(pk__in=supervised_visits(user).values("pk"))
        .filter(visited_on__isnull=True, planned_on__lte=horizon)
        .annotate(
            late=ExpressionWrapper(Q(planned_on__lt=as_of), output_field=BooleanField()),
        )
        .order_by("planned_on", "id")
    )


def open_actions_for(user: User, as_of: dt.date) -> QuerySet[VisitAction]:
    """Open actions the user owns, and for the county section all open actions of its county;
    each with `overdue` (due before `as_of`), soonest due first."""
    scope = scope_of(user)
    query = Q(owner=user)
    if scope.superuser:
        query = Q()
    else:
        query |= scope.region_q("visit__county", scope.paths_by_role.get(Role.COUNTY_OFFICER, ()))
    return (
        actions_for(user)
        .select_related("visit__project", "visit__station")
        .filter(query, closed_on__isnull=True)
        .annotate(overdue=ExpressionWrapper(Q(due_on__lt=as_of), output_field=BooleanField()))
        .order_by("due_on", "id")
    )


def closed_actions_of(user: User) -> QuerySet[VisitAction]:
    """Closed actions the user owns, most recently closed first."""
    return (
        actions_for(user)
        .select_related("visit__project", "visit__station")
        .filter(owner=user, closed_on__isnull=False)
        .order_by("-closed_on", "-id")
    )


def open_action_counts(
    projects: Iterable[Project] | QuerySet[Project], as_of: dt.date | None = None
) -> dict[int, tuple[int, int]]:
    """project id → (open actions, overdue actions) of the visits to each project; every project
    given has an entry ((0, 0) when nothing is open). One query (two for a queryset)."""
    as_of = as_of or clock.today()
    if isinstance(projects, QuerySet):
        ids = list(projects.values_list("pk", flat=True))
    else:
        ids = [project.pk for project in projects]
    counts = dict.fromkeys(ids, (0, 0))
    if not ids:
        return counts
    rows = (
        VisitAction.objects.filter(visit__project__in=ids, closed_on__isnull=True)
        .values("visit__project")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=as_of)))
        .order_by()
    )
    for row in rows:
        counts[row["visit__project"]] = (row["open"], row["overdue"])
    return counts


ACTION_STATES = ("open", "overdue", "closed_on_time", "closed_late")


def action_states(as_of: dt.date) -> dict[str, Q]:
    """An action's state on a date: closed when its closed_on is on or before the date, otherwise
    open; `open` includes `overdue` (open and due before the date); a closed action is on time when
    closed on or before its due date, late otherwise."""
    closed = Q(closed_on__isnull=False, closed_on__lte=as_of)
    still_open = Q(closed_on__isnull=True) | Q(closed_on__gt=as_of)
    return {
        "open": still_open,
        "overdue": still_open & Q(due_on__lt=as_of),
        "closed_on_time": closed & Q(closed_on__lte=F("due_on")),
        "closed_late": closed & Q(closed_on__gt=F("due_on")),
    }


def actions_of_visits(region_path: str, as_of: dt.date) -> QuerySet[VisitAction]:
    """The actions of visits to counties under `region_path` recorded on or before `as_of`."""
    return VisitAction.objects.filter(
        visit__county__path__startswith=region_path,
        visit__visited_on__isnull=False,
        visit__visited_on__lte=as_of,
    )


def open_actions_figure(region_path: str, as_of: dt.date) -> dict[str, int]:
    """`visits_open_actions`: `actions_of_visits` counted by their state on the date (see
    `action_states`). One aggregate query."""
    states = action_states(as_of)
    row = actions_of_visits(region_path, as_of).aggregate(
        **{state: Count("pk", filter=states[state]) for state in ACTION_STATES}
    )
    return {key: int(row[key] or 0) for key in ACTION_STATES}


def reopen_reasons(actions: list[VisitAction]) -> dict[int, str]:
    """action id → the reason of its latest reopening, for the actions given (one query)."""
    if not actions:
        return {}
    entries = AuditEntry.objects.filter(
        object_type=VisitAction._meta.label_lower,
        object_id__in=[str(item.pk) for item in actions],
        detail__has_key=REOPEN_REASON,
    ).order_by("at", "id")
    return {int(entry.object_id): str(entry.detail[REOPEN_REASON]) for entry in entries}

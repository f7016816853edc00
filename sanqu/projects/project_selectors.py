"""Scoped reads of county projects and what hangs off them (reports, visits, evaluations).

Who sees a project:
- the region roles over its county (city office, leadership, the county section);
- the manager of its organisation;
- a social worker posted in its county who works for its organisation.
Who acts on it:
- signs and edits: the city office (`signable_projects`);
- files reports: the organisation (manager, posted workers) (`filing_projects`); milestones are
  marked done by the manager, the county section and the city office (permissions in roles.py);
- reviews reports, visits and evaluates: the county section of its county and the city office
  (`supervised_projects`); nobody outside the county.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.projects.models import Project


def _worker_q(user: User) -> Q:
    """Projects of the organisation a worker belongs to, in the counties where she is posted."""
    query = Q(pk__in=[])
    memberships = Membership.objects.filter(
        user=user, role=Role.SOCIAL_WORKER, person__organisation__isnull=False
    ).values_list("region__path", "person__organisation_id")
    for path, organisation_id in memberships:
        query |= Q(county__path=path[:6], organisation_id=organisation_id)
    return query


def _cached(user: User, name: str, build: Any) -> Q:
    cache = getattr(user, "_sanqu_project_q", None)
    if cache is None:
        cache = user._sanqu_project_q = {}  # type: ignore[attr-defined]
    if name not in cache:
        cache[name] = build()
    return cache[name]


def _filing_q(user: User, scope: Scope) -> Q:
    query = _cached(user, "worker", lambda: _worker_q(user))
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    return query


def projects_for(user: User) -> QuerySet[Project]:
    projects = Project.objects.select_related("programme_year", "county", "organisation")
    scope = scope_of(user)
    if scope.superuser:
        return projects
    return projects.filter(scope.region_q("county") | _filing_q(user, scope))


def get_project_for_user(user: User, pk: Any) -> Project:
    return get_or_404(projects_for(user), pk=pk)


def filing_projects(user: User) -> QuerySet[Project]:
    """Projects whose reports the user files: her organisation's (manager or posted worker)."""
    scope = scope_of(user)
    if scope.superuser:
        return Project.objects.all()
    return Project.objects.filter(_filing_q(user, scope))


def supervised_projects(user: User) -> QuerySet[Project]:
    """Projects the user supervises: the county section of the project's county, the city office."""
    scope = scope_of(user)
    if scope.superuser:
        return Project.objects.all()
    paths = scope.paths_by_role.get(Role.COUNTY_OFFICER, ()) + scope.paths_by_role.get(Role.CITY_ADMIN, ())
    return Project.objects.filter(scope.region_q("county", paths))


def signable_projects(user: User) -> QuerySet[Project]:
    """Projects the user may sign and edit: the city office's."""
    scope = scope_of(user)
    if scope.superuser:
        return Project.objects.all()
    return Project.objects.filter(scope.region_q("county", scope.paths_by_role.get(Role.CITY_ADMIN, ())))

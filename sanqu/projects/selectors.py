"""Scoped reads of livelihood projects (生计项目) and their outcome measures.

A project is seen by the region roles over its village (city, county officer), by the social
workers posted there, and by the organisation that runs it. It is changed by the county officer
of its county and by the social workers posted where it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import Scope, get_or_404, scope_of
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject


def _project_q(scope: Scope, *, write: bool) -> Q:
    posted = scope.region_q("region", scope.paths_by_role.get(Role.SOCIAL_WORKER, ()))
    if write:
        return scope.region_q("region", scope.paths_by_role.get(Role.COUNTY_OFFICER, ())) | posted
    query = scope.region_q("region") | posted
    if scope.organisation_ids:
        query |= Q(organisation__in=scope.organisation_ids)
    return query


def livelihood_projects_for(user: User) -> QuerySet[LivelihoodProject]:
    projects = LivelihoodProject.objects.select_related("county", "region", "organisation")
    scope = scope_of(user)
    return projects if scope.superuser else projects.filter(_project_q(scope, write=False))


def writable_livelihood_projects(user: User) -> QuerySet[LivelihoodProject]:
    scope = scope_of(user)
    projects = LivelihoodProject.objects.all()
    return projects if scope.superuser else projects.filter(_project_q(scope, write=True))


def get_livelihood_project_for_user(user: User, pk: Any) -> LivelihoodProject:
    return get_or_404(livelihood_projects_for(user), pk=pk)


@dataclass(frozen=True)
class Latest:
    indicator: str
    label: str
    value: Any
    measured_on: Any
    name: str


def latest_measures(project: LivelihoodProject) -> list[Latest]:
    """The most recent value of each indicator (and label: 核桃 and 雪莲果 are two series)."""
    latest: dict[tuple[str, str], LivelihoodMeasure] = {}
    for measure in project.measures.order_by("measured_on", "id"):
        latest[(measure.indicator, measure.label)] = measure
    order = [value for value, _label in LivelihoodMeasure.Indicator.choices]
    return [
        Latest(m.indicator, m.label, m.value, m.measured_on, m.get_indicator_display())
        for (indicator, label), m in sorted(latest.items(), key=lambda kv: (order.index(kv[0][0]), kv[0][1]))
    ]


def measure_history(project: LivelihoodProject) -> QuerySet[LivelihoodMeasure]:
    return project.measures.order_by("measured_on", "indicator", "label", "id")

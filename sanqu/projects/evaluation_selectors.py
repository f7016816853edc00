"""Scoped reads of performance evaluations (绩效评估), their score sheets and grade figures.

Who reads an evaluation: whoever sees its project (`projects_for`) and holds the view permission:
the city office and leadership, the county section, the organisation's manager and its workers
posted in the county. Who scores it: the county section of the project's county and the city
office (`supervised_projects`, with the EVALUATE permission).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from sanqu.accounts.models import User
from sanqu.accounts.roles import EVALUATE, VIEW_EVALUATION
from sanqu.accounts.scoping import get_or_404
from sanqu.projects.models import EvaluationScheme, Grade, Project, ProjectEvaluation
from sanqu.projects.project_selectors import projects_for, supervised_projects


def evaluations_for(user: User) -> QuerySet[ProjectEvaluation]:
    """The evaluations of the projects the user sees (none without the view permission)."""
    evaluations = ProjectEvaluation.objects.select_related(
        "project__county", "project__programme_year", "project__organisation", "scheme"
    )
    if not user.has_perm(VIEW_EVALUATION):
        return evaluations.none()
    return evaluations.filter(project__in=projects_for(user).values("pk"))


def get_evaluation_for_user(user: User, pk: Any) -> ProjectEvaluation:
    return get_or_404(evaluations_for(user), pk=pk)


def can_evaluate(user: User, project: Project) -> bool:
    """Whether the user may start and score evaluations of this project."""
    return bool(user.has_perm(EVALUATE)) and supervised_projects(user).filter(pk=project.pk).exists()


def schemes_for(project: Project) -> QuerySet[EvaluationScheme]:
    """The active schemes a project may be evaluated on: those of its year and those for any year."""
    return EvaluationScheme.objects.filter(active=True).filter(
        Q(programme_year__isnull=True) | Q(programme_year=project.programme_year_id)
    )


def grades_of(projects: QuerySet[Project] | Iterable[Project]) -> dict[int, ProjectEvaluation]:
    """{project id: its latest submitted evaluation}, the final one over the mid-term one; one query."""
    if isinstance(projects, QuerySet):
        within: Any = projects.values("pk")
    else:
        within = [project.pk for project in projects]
    submitted = ProjectEvaluation.objects.filter(
        project__in=within, status=ProjectEvaluation.Status.SUBMITTED
    ).order_by("project_id", "evaluated_on", "id")
    latest: dict[int, ProjectEvaluation] = {}
    for evaluation in submitted:
        held = latest.get(evaluation.project_id)
        if held is None or held.kind != ProjectEvaluation.Kind.FINAL:
            latest[evaluation.project_id] = evaluation
    return latest


def submitted_evaluations(region_path: str, as_of: dt.date) -> QuerySet[ProjectEvaluation]:
    """Submitted evaluations evaluated on or before `as_of`, of projects in counties under the path."""
    return ProjectEvaluation.objects.filter(
        project__county__path__startswith=region_path,
        status=ProjectEvaluation.Status.SUBMITTED,
        evaluated_on__lte=as_of,
    )


def grade_counts(region_path: str, as_of: dt.date) -> dict[str, dict[str, int]]:
    """Submitted evaluations evaluated on or before `as_of`, of projects in counties under the path.

    `{"midterm": {"excellent": n, "good": n, "fair": n, "poor": n}, "final": {...}}`, every kind
    and grade present (0 when none).
    """
    rows = (
        submitted_evaluations(region_path, as_of).order_by().values("kind", "grade").annotate(n=Count("pk"))
    )
    counts = {(row["kind"], row["grade"]): row["n"] for row in rows}
    return {
        kind: {grade: counts.get((kind, grade), 0) for grade in Grade.values}
        for kind in ProjectEvaluation.Kind.values
    }


# The score sheet: the indicators grouped by dimension, from the live scheme while a draft and from
# the frozen copy once submitted (later edits of the scheme never change a submitted sheet).


@dataclass
class SheetRow:
    indicator_id: int
    dimension: str
    name: str
    guide: str
    weight: Decimal
    score: Decimal | None
    note: str
    score_id: int | None
    evidence_name: str


@dataclass
class SheetDimension:
    name: str
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def weight(self) -> Decimal:
        return sum((row.weight for row in self.rows), Decimal(0))

    @property
    def subtotal(self) -> Decimal:
        return sum((row.score for row in self.rows if row.score is not None), Decimal(0))

    @property
    def scored(self) -> int:
        return sum(1 for row in self.rows if row.score is not None)


@dataclass
class Sheet:
    scheme_name: str
    bands: dict[str, Decimal]
    dimensions: list[SheetDimension]

    @property
    def rows(self) -> list[SheetRow]:
        return [row for dimension in self.dimensions for row in dimension.rows]

    @property
    def weight(self) -> Decimal:
        return sum((dimension.weight for dimension in self.dimensions), Decimal(0))

    @property
    def total(self) -> Decimal:
        return sum((dimension.subtotal for dimension in self.dimensions), Decimal(0))

    @property
    def scored(self) -> int:
        return sum(dimension.scored for dimension in self.dimensions)

    @property
    def complete(self) -> bool:
        return self.scored == len(self.rows)


def _group(rows: list[SheetRow]) -> list[SheetDimension]:
    dimensions: dict[str, SheetDimension] = {}
    for row in rows:
        dimensions.setdefault(row.dimension, SheetDimension(row.dimension)).rows.append(row)
    return list(dimensions.values())


def score_sheet(evaluation: ProjectEvaluation) -> Sheet:
    """The evaluation's indicators, scores and evidence, grouped by dimension in the scheme's order."""
    if evaluation.is_frozen and evaluation.frozen:
        frozen = evaluation.frozen
        rows = [
            SheetRow(
                indicator_id=item["indicator"],
                dimension=item["dimension"],
                name=item["name"],
                guide=item.get("guide", ""),
                weight=Decimal(item["weight"]),
                score=Decimal(item["score"]),
                note=item.get("note", ""),
                score_id=item.get("score_id"),
                evidence_name=item.get("evidence_name", ""),
            )
            for item in frozen["indicators"]
        ]
        bands = {key: Decimal(value) for key, value in frozen["bands"].items()}
        return Sheet(frozen["scheme"]["name"], bands, _group(rows))
    scheme = evaluation.scheme
    scores = {score.indicator_id: score for score in evaluation.scores.all()}
    rows = []
    for indicator in scheme.indicators.order_by("sort_order", "id"):
        score = scores.get(indicator.pk)
        rows.append(
            SheetRow(
                indicator_id=indicator.pk,
                dimension=indicator.dimension,
                name=indicator.name,
                guide=indicator.guide,
                weight=indicator.weight,
                score=score.score if score else None,
                note=score.evidence_note if score else "",
                score_id=score.pk if score else None,
                evidence_name=score.evidence_name if score and score.evidence else "",
            )
        )
    bands = {
        "excellent_from": scheme.excellent_from,
        "good_from": scheme.good_from,
        "fair_from": scheme.fair_from,
    }
    return Sheet(scheme.name, bands, _group(rows))


def filter_evaluations(
    evaluations: QuerySet[ProjectEvaluation],
    *,
    year: int | None = None,
    county: Any = None,
    kind: str = "",
    grade: str = "",
    status: str = "",
) -> QuerySet[ProjectEvaluation]:
    """The list page's filters: programme year, county (or anything under it), kind, grade, status."""
    if year:
        evaluations = evaluations.filter(project__programme_year__year=year)
    if county is not None:
        evaluations = evaluations.filter(project__county__path__startswith=county.path)
    if kind:
        evaluations = evaluations.filter(kind=kind)
    if grade:
        evaluations = evaluations.filter(grade=grade)
    if status:
        evaluations = evaluations.filter(status=status)
    return evaluations.order_by("-evaluated_on", "-id")

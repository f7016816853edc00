"""A project's work counted from the records: for a period (the figures a periodic report is
pre-filled with) and since the start (progress against the service agreement's targets).

A record belongs to a project when it is in the project's county, within the span, and done under
the project's organisation: a case, group or community activity run by it; a service record of such
a case (or, without a case, by a worker of the organisation); a volunteer registered with it; a
supervision session of one of its workers. Trainees are recommended by the county, so each trainee
who completed the training is credited to one project of the county and year (see `_trainees`).

Every figure is one query whatever the number of projects (the spans joined to the records, see
`_grouped`), so the programme page issues as many queries for three projects as for three hundred,
and only the records of the spans' counties and dates are read. The people served since a
project's start are counted from its tally of them instead (`served`): finding distinct people
among a province's records took seconds.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import F, Q, QuerySet

from sanqu.cases.models import Beneficiary, CommunityActivity, GroupSession
from sanqu.cases.models import Case as CaseRecord
from sanqu.projects.models import PeriodFigure, Project, Target
from sanqu.projects.served import owned_services, people_served
from sanqu.training.models import Trainee
from sanqu.volunteers.models import VolunteerService
from sanqu.workforce.models import SupervisionSession


@dataclass(frozen=True)
class Span:
    key: Any  # what the caller gets the figures back under (a project id, a period…)
    county_id: int
    organisation_id: int
    programme_year_id: int
    start: dt.date
    end: dt.date
    county_path: str = ""


# Spans joined to the records in one statement: a CTE of the spans (a VALUES row each on SQLite, five
# arrays unnested on PostgreSQL) joined to the records on county, organisation and day. A record
# counts in every span that holds it. The database reads the spans' counties and dates once (by the
# (county, day) index for a few spans, in one pass for a province's), so the cost follows the
# records inside the spans, not the number of spans. The ORM has no join to a list of values, so
# the outer statement is written here around the records' query the ORM compiles.
_SPANS_PER_STATEMENT = 4000  # on SQLite 5 parameters each and a county each at most: under its 32,766


class Measure(enum.Enum):
    COUNT = "COUNT(r.span_value)"
    DISTINCT = "COUNT(DISTINCT r.span_value)"
    SUM = "SUM(r.span_value)"


def _grouped(
    queryset: QuerySet[Any],
    spans: Sequence[Span],
    *,
    day: str,
    measure: Measure,
    value: str = "pk",
    county: str = "county",
    organisation: str = "organisation",
) -> dict[Any, Any]:
    """The records of `queryset` measured per span: counted, counted once each, or `value` summed.

    `county` is a lookup to the record's county; one ending in `__path` is matched to the span's
    county by path prefix (a beneficiary's village, say).
    """
    by_path = county.endswith("__path")
    connection = connections[queryset.db]
    adapt = connection.ops.adapt_datefield_value
    result: dict[Any, Any] = {}
    for first in range(0, len(spans), _SPANS_PER_STATEMENT):
        chunk = spans[first : first + _SPANS_PER_STATEMENT]
        dates = (min(span.start for span in chunk), max(span.end for span in chunk))
        records = queryset.filter(**{f"{day}__range": dates})
        if not by_path:
            records = records.filter(**{f"{county}__in": {s.county_id for s in chunk}})
        records = records.annotate(
            span_place=F(county), span_owner=F(organisation), span_day=F(day), span_value=F(value)
        ).values("span_place", "span_owner", "span_day", "span_value")
        inner, inner_params = records.order_by().query.sql_with_params()  # no model ordering to sort by
        place = "substr(r.span_place, 1, length(s.place)) = s.place" if by_path else "r.span_place = s.place"
        joined = (
            f"FROM s JOIN ({inner}) r ON {place} AND r.span_owner = s.owner "
            "AND r.span_day BETWEEN s.first_day AND s.last_day"
        )
        select = f"SELECT s.position, {measure.value} {joined} GROUP BY s.position"
        columns = [
            list(range(len(chunk))),
            [span.county_path if by_path else span.county_id for span in chunk],
            [span.organisation_id for span in chunk],
            [adapt(span.start) for span in chunk],
            [adapt(span.end) for span in chunk],
        ]
        params: list[Any]
        if connection.vendor == "postgresql":
            # Five arrays rather than five parameters a span: psycopg spent 85 ms a statement
            # splitting a province's 6,650 placeholders.
            kind = "text" if by_path else "bigint"
            rows = f"SELECT * FROM unnest(%s::integer[], %s::{kind}[], %s::bigint[], %s::date[], %s::date[])"  # noqa: S608
            params = columns
        else:
            rows = "VALUES " + ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params = [value for row in zip(*columns, strict=True) for value in row]
        sql = f"WITH s (position, place, owner, first_day, last_day) AS ({rows}) {select}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *inner_params])
            for position, number in cursor.fetchall():
                result[chunk[position].key] = number or 0
    return result


def _figure(name: str, spans: Sequence[Span]) -> dict[Any, Any]:
    match name:
        case PeriodFigure.SERVICES:
            services = owned_services()
            return _grouped(services, spans, day="served_on", organisation="owner", measure=Measure.COUNT)
        case PeriodFigure.BENEFICIARIES_SERVED | Target.BENEFICIARIES:
            return _grouped(
                owned_services().filter(beneficiary__isnull=False),
                spans,
                day="served_on",
                organisation="owner",
                measure=Measure.DISTINCT,
                value="beneficiary",
            )
        case PeriodFigure.NEW_BENEFICIARIES:
            return _grouped(
                Beneficiary.objects.all(),
                spans,
                day="registered_on",
                county="region__path",
                organisation="responsible_worker__organisation",
                measure=Measure.DISTINCT,
            )
        case PeriodFigure.CASES_OPENED | Target.CASES:
            return _grouped(CaseRecord.objects.all(), spans, day="opened_on", measure=Measure.COUNT)
        case PeriodFigure.CASES_CLOSED:
            return _grouped(CaseRecord.objects.all(), spans, day="closed_on", measure=Measure.COUNT)
        case PeriodFigure.GROUP_SESSIONS | Target.GROUP_SESSIONS:
            return _grouped(
                GroupSession.objects.all(),
                spans,
                day="held_on",
                county="group__county",
                organisation="group__organisation",
                measure=Measure.COUNT,
            )
        case PeriodFigure.COMMUNITY_ACTIVITIES | Target.COMMUNITY_ACTIVITIES:
            return _grouped(CommunityActivity.objects.all(), spans, day="held_on", measure=Measure.COUNT)
        case PeriodFigure.COMMUNITY_PARTICIPANTS:
            return _grouped(
                CommunityActivity.objects.all(),
                spans,
                day="held_on",
                measure=Measure.SUM,
                value="attendance__headcount",
            )
        case PeriodFigure.VOLUNTEER_HOURS | Target.VOLUNTEER_HOURS:
            hours = _grouped(
                VolunteerService.objects.all(),
                spans,
                day="served_on",
                organisation="volunteer__organisation",
                measure=Measure.SUM,
                value="hours",
            )
            # SQLite sums decimals as floats: back to the tenths of an hour they are kept in.
            return {key: Decimal(str(total)).quantize(Decimal("0.1")) for key, total in hours.items()}
        case PeriodFigure.SUPERVISION_SESSIONS:
            return _grouped(
                SupervisionSession.objects.all(),
                spans,
                day="held_on",
                organisation="supervisees__organisation",
                measure=Measure.DISTINCT,
            )
        case Target.TRAINEES:
            return _trainees(spans)
    raise ValueError(f"unknown figure {name!r}")


def _trainees(spans: Sequence[Span]) -> dict[Any, int]:
    """Trainees who completed their training within the span, of the county and programme year.

    Trainees are recommended by the county, not by an organisation: each is credited to one
    project of the county and year — the one run by the trainee's own organisation if there is
    one, else the first signed (lowest id) — so no trainee counts twice, whatever projects are
    asked about together. Two queries.
    """
    years = {(span.county_id, span.programme_year_id) for span in spans}
    if not years:
        return {}
    # The spans' counties and years as two lists, the pairs picked out here: an OR of every pair
    # cost the ORM a third of a second to build for a province.
    within = Q(
        county__in={county for county, _year in years}, programme_year__in={year for _c, year in years}
    )
    owners: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for pk, county_id, year_id, organisation_id in (
        Project.objects.filter(within)
        .order_by("pk")
        .values_list("pk", "county", "programme_year", "organisation")
    ):
        if (county_id, year_id) in years:
            owners[(county_id, year_id)].append((pk, organisation_id))
    credited: dict[int, list[tuple[dt.date, Any]]] = defaultdict(list)  # project → (completed, person)
    trainees = Trainee.objects.filter(within, completed_on__isnull=False).values_list(
        "county", "programme_year", "person", "person__organisation", "completed_on"
    )
    for county_id, year_id, person_id, organisation_id, completed_on in trainees:
        candidates = owners.get((county_id, year_id))
        if candidates and completed_on is not None:
            owner = next((pk for pk, org in candidates if org == organisation_id), candidates[0][0])
            credited[owner].append((completed_on, person_id))
    result: dict[Any, int] = {}
    for span in spans:
        mine = [
            pk
            for pk, org in owners.get((span.county_id, span.programme_year_id), [])
            if org == span.organisation_id
        ]
        people = {person for pk in mine for day, person in credited[pk] if span.start <= day <= span.end}
        result[span.key] = len(people)
    return result


def _number(value: Any) -> int | Decimal:
    if isinstance(value, Decimal):
        return value.normalize() if value == value.to_integral() else value
    return int(value or 0)


def figures_for(spans: Sequence[Span], names: Iterable[str]) -> dict[Any, dict[str, int | Decimal]]:
    """{span key: {figure name: value}}, every name present (0 when no record)."""
    names = list(dict.fromkeys(names))
    result: dict[Any, dict[str, int | Decimal]] = defaultdict(dict)
    for name in names:
        values = _figure(name, spans)
        for span in spans:
            result[span.key][name] = _number(values.get(span.key, 0))
    return dict(result)


def _span(project: Project, key: Any, start: dt.date, end: dt.date) -> Span:
    return Span(
        key,
        project.county_id,
        project.organisation_id,
        project.programme_year_id,
        start,
        end,
        project.county.path,
    )


def period_figures(project: Project, start: dt.date, end: dt.date) -> dict[str, int | Decimal]:
    """Every period figure a report template can pre-fill, for one project and period."""
    names = [value for value, _label in PeriodFigure.choices]
    return figures_for([_span(project, project.pk, start, end)], names)[project.pk]


@dataclass(frozen=True)
class Progress:
    target: str
    label: str
    goal: int
    done: int | Decimal

    @property
    def percent(self) -> int | None:
        """Done as a whole percentage of the goal (may pass 100); None when no goal was set."""
        if not self.goal:
            return None
        return int(Decimal(self.done) * 100 / self.goal)


def progress_of(
    projects: Sequence[Project], as_of: dt.date, *, recompute: bool = False
) -> dict[int, list[Progress]]:
    """Each project's work from its start to `as_of` (or its end), against every target.

    The people served are counted from each project's tally of them (`ProjectBeneficiary`); with
    `recompute`, as distinct people among the records themselves (`sanqu figures --recompute`
    compares the two).
    """
    started = [p for p in projects if p.starts_on <= as_of]
    spans = [_span(p, p.pk, p.starts_on, min(p.ends_on, as_of)) for p in started]
    names = [value for value, _label in Target.choices]
    if not recompute:
        names.remove(Target.BENEFICIARIES)
    done = figures_for(spans, names)
    if not recompute:
        served = people_served([project.pk for project in started], as_of)
        for project in started:
            done.setdefault(project.pk, {})[Target.BENEFICIARIES] = served.get(project.pk, 0)
    return {
        project.pk: [
            Progress(name, str(label), project.target(name), done.get(project.pk, {}).get(name, 0))
            for name, label in Target.choices
        ]
        for project in projects
    }

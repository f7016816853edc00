"""The bureau's results report (成效报告): the seed's five parts, written from the records.

`build_report(scope=, as_of=)` gathers everything the report says: the engine's figures (each a
`Number` that renders as a link to its records, `sanqu.figures.drilldown.records_url`), their parts
by type, group and county, real examples read from the records (livelihood projects, groups,
teams, incentive policies), the charts (`sanqu.figures.report_charts`) and the consistency checks.
`render_report(...)` turns it into one self-contained HTML document or an A4 PDF.

Nothing here knows about Chongqing: the issuing body is the scope's name + 民政局, the period runs
from the first programme year the scope's counties received in to the date, and every example
is whatever the records of the scope hold. A part with nothing in the records says so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sanqu.cases.models import Group, GroupSession
from sanqu.figures import dashboard, drilldown, engine
from sanqu.figures.checks import Check, consistency_checks
from sanqu.figures.engine import FigureError
from sanqu.incentives.models import IncentivePolicy
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodMeasure, Project
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, TeamMember

Progress = Callable[[int, str], None]

FORMATS = ("html", "pdf")
LANGUAGES = ("zh-hans", "en")
TEMPLATE = "figures/report/report.html"
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "report.css"

# How many examples of each kind the report tells in full.
GROUP_EXAMPLES = 3
TEAM_EXAMPLES = 3
LIVELIHOOD_EXAMPLES = 8


def _shown(value: Any) -> str:
    """A figure as printed: integers plain (1077), decimals to one place (7.3), money without .00."""
    if value is None:
        return "—"
    if isinstance(value, str) and not re.fullmatch(r"-?\d+(\.\d+)?", value):
        return value  # a name (a county) standing for its records
    if isinstance(value, Decimal | str):
        value = Decimal(value)
        return str(value.quantize(Decimal(1))) if value == value.to_integral() else f"{value:.2f}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.1f}"
    return str(value)


@dataclass(frozen=True)
class Number:
    """A figure and the address of its records: prints as the number, renders in HTML as a link."""

    value: Any
    url: str

    def __str__(self) -> str:
        return _shown(self.value)

    @property
    def link(self) -> SafeString:
        """The number as a link to its records (templates write `{{ number.link }}`)."""
        return format_html('<a class="n" href="{}">{}</a>', self.url, str(self))

    def __bool__(self) -> bool:
        return bool(self.value)


@dataclass(frozen=True)
class Part:
    """One part of a figure (a type, a group, a county) with its number."""

    label: str
    number: Number


@dataclass(frozen=True)
class Headline:
    label: str
    number: Number
    unit: str


@dataclass(frozen=True)
class CountyPolicies:
    name: str
    url: str  # the county's policies in force (the incentive_counties drill of that county)
    kinds: list[str]


@dataclass(frozen=True)
class LivelihoodExample:
    name: str
    url: str
    place: str
    kind: str
    started_on: dt.date
    households: int
    description: str
    products: str
    channels: str
    measures: list[str]  # "核桃种植面积(亩) 500" as of the date, latest of each indicator and label


@dataclass(frozen=True)
class GroupExample:
    name: str
    url: str
    place: str
    target_groups: list[str]
    sessions: int
    members: int
    started_on: dt.date
    purpose: str
    evaluation: str


@dataclass(frozen=True)
class TeamExample:
    name: str
    county: str
    station: str
    counts: dict[str, int]  # TeamMember.Role value → people


@dataclass(frozen=True)
class Chart:
    key: str  # trend, target_groups, service_types, counties
    number: int  # 图1, 图2… in the order they appear
    title: str
    svg: SafeString
    note: str = ""


@dataclass
class ResultsReport:
    """Everything the report's templates need, for one scope and date."""

    scope: Region
    as_of: dt.date
    issuer: str  # 重庆市民政局
    period: str  # 2013年至2018年7月
    report_date: str  # 2018年7月10日 (in the active language)
    first_year: int | None
    baseline: dt.date | None
    n: dict[str, Number]  # the engine's scalar figures (and totals) by key
    headline: list[Headline]
    counties: list[Part]  # receiving counties, each linking to its dispatches
    target_groups: list[Part]
    service_types: list[Part]
    cases_closed: Number
    organisation_types: list[Part]
    certificate_levels: list[Part]
    incentive_counties: list[CountyPolicies]
    claims_count: Number
    claims_amount: Number
    plans_uploaded: int
    retention: dict[str, Number]
    timeliness: dict[str, Number]
    actions: dict[str, Number]
    trainees: dict[str, Number]
    team_counts: dict[str, int]  # teams, and people by role across them
    teams_complete: int  # teams with all four roles
    team_examples: list[TeamExample]
    livelihood: list[LivelihoodExample]
    livelihood_more: int
    groups: list[GroupExample]
    county_rows: list[dict[str, Any]]  # counties compared: code, name, and a Number per column
    checks: list[Check]
    charts: list[Chart] = field(default_factory=list)
    link_base: str = ""

    @property
    def charts_by_key(self) -> dict[str, Chart]:
        return {chart.key: chart for chart in self.charts}

    @property
    def checks_ok(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    @property
    def is_county(self) -> bool:
        """A county's own report: no "N receiving counties" or comparisons between counties."""
        return self.scope.level >= Region.Level.COUNTY


def issuer_of(scope: Region) -> str:
    """The civil-affairs bureau of the scope: 重庆市民政局, 城口县民政局."""
    return _("%(region)s民政局") % {"region": scope.name}


def _period(first_year: int | None, as_of: dt.date) -> str:
    """2013年至2018年7月; 2013年至2017年 at a year end; the dates when the first year is the last."""
    if first_year is None:
        return _("截至%(date)s") % {"date": date_format(as_of, "DATE_FORMAT")}
    if first_year == as_of.year:
        return _("%(year)s年（截至%(date)s）") % {
            "year": first_year,
            "date": date_format(as_of, "DATE_FORMAT"),
        }
    last = (
        _("%(year)s年") % {"year": as_of.year}
        if (as_of.month, as_of.day) == (12, 31)
        else date_format(as_of, "YEAR_MONTH_FORMAT")
    )
    return _("%(first)s年至%(last)s") % {"first": first_year, "last": last}


def _step(progress: Progress | None, percent: int, message: str) -> None:
    if progress is not None:
        progress(percent, message)


def build_report(*, scope: Region, as_of: dt.date, link_base: str = "") -> ResultsReport:
    """The report's data for the scope at the date (texts in the active language)."""
    return _build(scope=scope, as_of=as_of, link_base=link_base, progress=None)


def _build(*, scope: Region, as_of: dt.date, link_base: str, progress: Progress | None) -> ResultsReport:
    if not isinstance(scope, Region) or not isinstance(as_of, dt.date) or isinstance(as_of, dt.datetime):
        raise FigureError(_("统计范围须为行政区划，统计日期须为日期。"))
    receiving = engine.receiving_county_rows(scope=scope, as_of=as_of)
    if not receiving.exists():
        raise FigureError(
            _("%(scope)s截至%(date)s没有受援区县，无成效可报告。")
            % {"scope": scope.name, "date": as_of.isoformat()}
        )
    figures: dict[str, Any] = engine.compute_figures(scope=scope, as_of=as_of)
    _step(progress, 20, _("已计算各项数字"))

    def url(key: str, part: str | None = None, *, region: Region = scope, day: dt.date = as_of) -> str:
        return link_base + drilldown.records_url(key, part, scope=region, as_of=day)

    def number(key: str, part: str | None = None, *, value: Any = None) -> Number:
        if value is None:
            value = drilldown.figure_value(figures, key, part)
        return Number(value, url(key, part))

    def parts_of(key: str, *, skip_zero: bool = True) -> list[Part]:
        labels = drilldown.part_labels(key)
        return [
            Part(labels.get(part, part), number(key, part))
            for part, value in figures[key].items()
            if value or not skip_zero
        ]

    n = {
        key: number(key)
        for key, value in figures.items()
        if not isinstance(value, dict) and key in engine.FIGURE_LABELS
    }
    beneficiaries = engine.beneficiaries_registered(scope=scope, as_of=as_of)
    n["beneficiaries"] = number("beneficiaries_by_group", value=beneficiaries)
    n["services"] = number("services_by_type", value=sum(figures["services_by_type"].values()))
    n["cases"] = number("cases_by_stage", value=sum(figures["cases_by_stage"].values()))
    n["volunteer_hours"] = number("volunteer_hours")

    is_county = scope.level >= Region.Level.COUNTY
    headline = [
        *([] if is_county else [Headline(_("受援区县"), n["receiving_counties"], _("个"))]),
        Headline(_("累计选派社工"), n["dispatched_total"], pgettext("dispatch count", "人次")),
        Headline(_("培养本土社会工作人才"), n["trained_total"], _("人")),
        Headline(_("受援区县社会工作组织"), n["organisations_total"], _("家")),
        Headline(_("持证社会工作者"), n["certified_total"], _("人")),
        Headline(_("出台激励政策的区县"), n["incentive_counties"], _("个")),
        Headline(_("登记的服务对象"), n["beneficiaries"], _("人")),
        Headline(_("累计服务记录"), n["services"], _("次")),
    ]
    headline = [item for item in headline if item.number]  # a part with nothing says so in its text

    first_year = receiving.aggregate(first=Min("programme_year__year"))["first"]
    counties = list(engine.receiving_counties(scope=scope, as_of=as_of).order_by("code"))
    county_parts = [
        Part(county.short_name or county.name, Number(county.name, url("dispatched_total", region=county)))
        for county in counties
    ]

    retention = figures["dispatch_retention"]
    claims = figures["incentive_claims_paid"]
    report = ResultsReport(
        scope=scope,
        as_of=as_of,
        issuer=issuer_of(scope),
        period=_period(first_year, as_of),
        report_date=date_format(as_of, "DATE_FORMAT"),
        first_year=first_year,
        baseline=engine.baseline_date(),
        n=n,
        headline=headline,
        counties=county_parts,
        target_groups=parts_of("beneficiaries_by_group"),
        service_types=sorted(parts_of("services_by_type"), key=lambda part: -part.number.value),
        cases_closed=number("cases_by_stage", "closed"),
        organisation_types=parts_of("organisations_by_type"),
        certificate_levels=parts_of("certified_by_level"),
        incentive_counties=_incentive_counties(scope, as_of, url),
        claims_count=number("incentive_claims_paid", "count"),
        claims_amount=number("incentive_claims_paid", "amount", value=claims["amount"]),
        plans_uploaded=Project.objects.filter(county__path__startswith=scope.path, signed_on__lte=as_of)
        .exclude(plan_document="")
        .count(),
        retention={
            part: number("dispatch_retention", part, value=retention[part])
            for part in ("ended", "completed", "left_early", "rate")
        },
        timeliness={
            part: number("report_timeliness", part) for part in ("due", "on_time", "late", "missing", "rate")
        },
        actions={part: number("visits_open_actions", part) for part in ("open", "overdue", "closed_on_time")},
        trainees={part: number("trainees_vs_quota", part) for part in ("quota", "recommended", "completed")},
        team_counts={},
        teams_complete=0,
        team_examples=[],
        livelihood=[],
        livelihood_more=0,
        groups=_groups(scope, as_of, link_base),
        county_rows=_county_rows(scope, as_of, url),
        checks=consistency_checks(figures),
        link_base=link_base,
    )
    _teams(report)
    report.livelihood, report.livelihood_more = _livelihood(scope, as_of, link_base)
    _step(progress, 40, _("已收集实例"))

    from sanqu.figures.report_charts import report_charts  # charts read the report's numbers

    report.charts = report_charts(report, trend=dashboard.trend(scope=scope, as_of=as_of))
    _step(progress, 60, _("已绘制图表"))
    return report


def _incentive_counties(scope: Region, as_of: dt.date, url: Callable[..., str]) -> list[CountyPolicies]:
    """The counties with a policy in force, each with the kinds of its policies."""
    kinds: dict[int, set[str]] = {}
    regions: dict[int, Region] = {}
    for policy in engine.policies_in_force(scope=scope, as_of=as_of).select_related("county"):
        kinds.setdefault(policy.county_id, set()).add(policy.kind)
        regions[policy.county_id] = policy.county
    order = list(IncentivePolicy.Kind)
    return [
        CountyPolicies(
            name=regions[pk].short_name or regions[pk].name,
            url=url("incentive_counties", region=regions[pk]),
            kinds=[str(kind.label) for kind in order if kind.value in kinds[pk]],
        )
        for pk in sorted(regions, key=lambda pk: regions[pk].code)
    ]


def _groups(scope: Region, as_of: dt.date, link_base: str) -> list[GroupExample]:
    """The groups of the scope that had held the most sessions by the date.

    Two steps: the busiest groups from their sessions alone, then the members of just those. Counting
    sessions and members in one query joins every session to every member of its group, which at a
    province (10,000 groups) took a second of the results report."""
    busiest = (
        GroupSession.objects.filter(
            scope.subtree_q("group__county"), group__started_on__lte=as_of, held_on__lte=as_of
        )
        .values("group")
        .annotate(held=Count("pk"))
        .order_by("-held", "group__started_on", "group")[:GROUP_EXAMPLES]
    )
    held = {row["group"]: row["held"] for row in busiest}
    groups = sorted(
        Group.objects.filter(pk__in=held)
        .annotate(people=Count("members", filter=Q(members__joined_on__lte=as_of)))
        .select_related("region", "county")
        .prefetch_related("target_groups"),
        key=lambda group: (-held[group.pk], group.started_on, group.pk),
    )
    return [
        GroupExample(
            name=group.name,
            url=link_base + reverse("group_detail", args=[group.pk]),
            place=f"{group.county.short_name or group.county.name}{group.region.name}"
            if group.region_id != group.county_id
            else group.county.name,
            target_groups=[str(target.name) for target in group.target_groups.all()],
            sessions=held[group.pk],
            members=group.people,
            started_on=group.started_on,
            purpose=group.purpose,
            evaluation=group.evaluation if (group.ended_on and group.ended_on <= as_of) else "",
        )
        for group in groups
    ]


def _livelihood(scope: Region, as_of: dt.date, link_base: str) -> tuple[list[LivelihoodExample], int]:
    """The livelihood projects started by the date, the most households first, with their measures."""
    projects = list(
        engine.livelihood_projects_started(scope=scope, as_of=as_of)
        .select_related("county", "region")
        .order_by("-households_reached", "started_on", "pk")
    )
    shown = projects[:LIVELIHOOD_EXAMPLES]
    latest: dict[tuple[int, str, str], LivelihoodMeasure] = {}
    for measure in LivelihoodMeasure.objects.filter(project__in=shown, measured_on__lte=as_of).order_by(
        "measured_on", "pk"
    ):
        latest[(measure.project_id, measure.indicator, measure.label)] = measure
    examples = []
    for project in shown:
        measures = [
            (_("%(label)s：%(indicator)s %(value)s") if measure.label else _("%(indicator)s %(value)s"))
            % {
                "label": measure.label,
                "indicator": measure.get_indicator_display(),
                "value": _shown(measure.value),
            }
            for key, measure in latest.items()
            if key[0] == project.pk
        ]
        place = project.county.short_name or project.county.name
        if project.region_id != project.county_id:
            place += project.region.name
        examples.append(
            LivelihoodExample(
                name=project.name,
                url=link_base + reverse("livelihood_detail", args=[project.pk]),
                place=place,
                kind=project.get_kind_display(),
                started_on=project.started_on,
                households=project.households_reached,
                description=project.description,
                products=project.products,
                channels=project.sales_channels,
                measures=measures,
            )
        )
    return examples, len(projects) - len(shown)


def _teams(report: ResultsReport) -> None:
    """The team model: teams in being, people by role, the teams with all four roles, examples."""
    rows = dashboard.team_model(scope=report.scope, as_of=report.as_of)
    roles = TeamMember.Role.values
    report.team_counts = {"teams": len(rows), **{role: sum(row[role] for row in rows) for role in roles}}
    complete = [row for row in rows if all(row[role] for role in roles)]
    report.teams_complete = len(complete)
    chosen = sorted(complete, key=lambda row: -sum(row[role] for role in roles))[:TEAM_EXAMPLES]
    report.team_examples = [
        TeamExample(
            name=row["name"],
            county=row["county"],
            station=row["station"],
            counts={role: row[role] for role in roles},
        )
        for row in chosen
    ]


# The county table's columns: engine key → label.
COUNTY_COLUMNS: dict[str, Promise | str] = {
    "dispatched_total": dashboard.COUNTY_FIGURES["dispatched_total"][0],
    "trained_total": dashboard.COUNTY_FIGURES["trained_total"][0],
    "organisations_total": dashboard.COUNTY_FIGURES["organisations_total"][0],
    "certified_total": dashboard.COUNTY_FIGURES["certified_total"][0],
    "beneficiaries": dashboard.COUNTY_FIGURES["beneficiaries"][0],
    "services": dashboard.COUNTY_FIGURES["services"][0],
}
_COLUMN_KEYS = {"beneficiaries": "beneficiaries_by_group", "services": "services_by_type"}


def _county_rows(scope: Region, as_of: dt.date, url: Callable[..., str]) -> list[dict[str, Any]]:
    rows = []
    regions = {region.code: region for region in engine.receiving_counties(scope=scope, as_of=as_of)}
    for row in dashboard.county_figures(scope=scope, as_of=as_of):
        county = regions[row["code"]]
        rows.append(
            {
                "code": row["code"],
                "name": row["short_name"] or row["name"],
                "cells": [
                    Number(row[column], url(_COLUMN_KEYS.get(column, column), region=county))
                    for column in COUNTY_COLUMNS
                ],
            }
        )
    return rows


# Rendering ----------------------------------------------------------------------------------------


def _stylesheet() -> SafeString:
    """report.css, inlined so the document needs nothing else (saved to disk, printed, as a PDF)."""
    text = STYLESHEET.read_text(encoding="utf-8")
    return mark_safe(text.replace("</", "<\\/"))  # noqa: S308  # our own file, not input


def _css_string(text: str) -> SafeString:
    """Text as a CSS string literal (quotes, backslashes and brackets dropped)."""
    return mark_safe('"' + re.sub(r'["\\<>\n]', "", text) + '"')  # noqa: S308  # nothing left to escape


def _page_footer() -> SafeString:
    """The CSS `content` of the page footer: "第 " counter(page) " 页 共 " counter(pages) " 页"."""
    text = _("第 %(page)s 页 共 %(pages)s 页")
    tokens = []
    for piece in re.split(r"(%\((?:page|pages)\)s)", text):
        if piece in ("%(page)s", "%(pages)s"):
            tokens.append(f"counter({piece[2:-2]})")
        elif piece:
            tokens.append(_css_string(piece))
    return mark_safe(" ".join(tokens))  # noqa: S308  # made of _css_string() and counter()


def render_report(
    *,
    scope: Region,
    as_of: dt.date,
    fmt: str,
    language: str = "zh-hans",
    link_base: str = "",
    progress: Progress | None = None,
) -> bytes:
    """The report as HTML or PDF bytes. In a PDF, site-relative links are made absolute with the
    site's address (settings.WAGTAILADMIN_BASE_URL) so they still open the records."""
    if fmt not in FORMATS:
        raise FigureError(_("格式“%(fmt)s”无效：只能是 html 或 pdf。") % {"fmt": fmt})
    if language not in LANGUAGES:
        raise FigureError(_("语言“%(language)s”无效：只能是 zh-hans 或 en。") % {"language": language})
    if fmt == "pdf" and not link_base:
        link_base = str(getattr(settings, "WAGTAILADMIN_BASE_URL", "")).rstrip("/")
    with translation.override(language):
        report = _build(scope=scope, as_of=as_of, link_base=link_base, progress=progress)
        context = {
            "report": report,
            "stylesheet": _stylesheet(),
            "fmt": fmt,
            "lang": "zh-Hans" if language == "zh-hans" else "en",
            "role_labels": dict(TeamMember.Role.choices),
            "organisation_kinds": dict(Organisation.Kind.choices),
            "levels": dict(Certificate.Level.choices),
            "county_columns": [str(label) for label in COUNTY_COLUMNS.values()],
            "page_footer": _page_footer(),
            "issuer_css": _css_string(report.issuer),
            "date_css": _css_string(report.report_date),
        }
        if fmt == "html":
            html = render_to_string(TEMPLATE, context)
            _step(progress, 100, _("已生成文档"))
            return html.encode("utf-8")
        from sanqu.lib.pdf import render_pdf  # WeasyPrint is heavy: load it only for a PDF

        _step(progress, 80, _("已生成文档"))
        pdf = render_pdf(TEMPLATE, context)
        _step(progress, 100, _("已写出 PDF"))
        return pdf


__all__ = ["FORMATS", "LANGUAGES", "Number", "ResultsReport", "build_report", "issuer_of", "render_report"]

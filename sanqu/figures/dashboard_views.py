"""The dashboard: headline figures, charts and the county map for a scope, a date and a span of years.

The filters live in the query string (scope, as_of, year_from, year_to, and the figure the map and
the county comparison show), so a shared link shows the same view. A scope outside the user's
answers 404, as does the page for roles without a dashboard (organisations, workers).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sanqu.cases.models import ServiceType, TargetGroup
from sanqu.figures.checks import consistency_checks
from sanqu.figures.dashboard import (
    COUNTY_FIGURES,
    TREND_FIGURES,
    county_figures,
    county_shapes,
    county_shapes_json,
    dashboard_paths,
    dashboard_scopes,
    match_shapes,
    programme_years,
    team_model,
    trend,
)
from sanqu.figures.drilldown import records_url
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.lib import clock
from sanqu.regions.models import Region
from sanqu.workforce.models import TeamMember

SECTION = "figures"
# The seed table's headline figures, in the order of the tiles.
HEADLINE = [
    "receiving_counties",
    "dispatched_total",
    "trained_total",
    "organisations_total",
    "certified_total",
    "incentive_counties",
]
DEFAULT_FIGURE = "dispatched_total"


class DashboardFilters(forms.Form):
    scope = forms.ChoiceField(label=gettext_lazy("范围"), required=False)
    as_of = forms.DateField(
        label=gettext_lazy("截至日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": gettext_lazy("截至日期须写成 YYYY-MM-DD 格式的真实日期，例如 2018-07-10。")
        },
    )
    year_from = forms.TypedChoiceField(
        label=gettext_lazy("起始年度"), required=False, coerce=int, empty_value=None
    )
    year_to = forms.TypedChoiceField(
        label=gettext_lazy("截止年度"), required=False, coerce=int, empty_value=None
    )
    figure = forms.ChoiceField(label=gettext_lazy("地图与比较指标"), required=False)

    def __init__(self, *args: Any, scopes: list[Region], years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year_choices = [("", _("全部"))] + [(str(year), str(year)) for year in years]
        choices = {
            "scope": [(region.code, region.name) for region in scopes],
            "year_from": year_choices,
            "year_to": year_choices,
            "figure": [(key, label) for key, (label, _key) in COUNTY_FIGURES.items()],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        for name in ("year_from", "year_to"):
            self.fields[name].error_messages["invalid_choice"] = _("没有这个项目年度。")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("year_from"), cleaned.get("year_to")
        if first is not None and last is not None and first > last:
            self.add_error("year_to", _("截止年度不能早于起始年度。"))
        return cleaned


def _allowed(request: HttpRequest) -> list[Region]:
    scopes = dashboard_scopes(request.user)
    if not scopes:
        raise Http404
    return scopes


def _value(form: DashboardFilters, name: str, default: Any) -> Any:
    """A filter's clean value, or the default when it is missing or wrong (the error is shown)."""
    if name in form.errors:
        return default
    value = form.cleaned_data.get(name)
    return default if value in (None, "") else value


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scopes = _allowed(request)
    by_code = {region.code: region for region in scopes}
    requested = request.GET.get("scope")
    if requested and requested not in by_code:
        raise Http404  # a region outside the user's: never say whether it exists
    years = programme_years()
    # The form shows the values in force: those asked for, else the defaults.
    query = request.GET.copy()
    query.setdefault("scope", scopes[0].code)
    query.setdefault("as_of", clock.today().isoformat())
    form = DashboardFilters(query, scopes=scopes, years=years)
    form.is_valid()
    scope = by_code[_value(form, "scope", scopes[0].code)]
    as_of: dt.date = _value(form, "as_of", clock.today())
    first = _value(form, "year_from", None)
    last = _value(form, "year_to", None)
    if "year_to" in form.errors:
        first = last = None
    figure = _value(form, "figure", DEFAULT_FIGURE)

    figures = compute_figures(scope=scope, as_of=as_of, with_progress=False)  # the desk shows progress
    counties = county_figures(scope=scope, as_of=as_of)
    data = _chart_data(
        scope=scope,
        as_of=as_of,
        figures=figures,
        counties=counties,
        trend_rows=trend(scope=scope, as_of=as_of, first=first, last=last),
        teams=team_model(scope=scope, as_of=as_of),
        figure=figure,
    )
    unmatched = data.pop("unmatched")
    return render(
        request,
        "figures/dashboard/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "as_of": as_of,
            "tiles": _tiles(figures, scope=scope, as_of=as_of),
            "checks": consistency_checks(figures),
            "growth": {
                "baseline": figures["certified_baseline"],
                "multiple": figures["certified_growth_multiple"],
                "url": records_url("certified_baseline", scope=scope.code, as_of=as_of),
            },
            "data": data,
            "has": {name: bool(value) for name, value in data.items() if isinstance(value, list)},
            "several_counties": len(counties) > 1,
            "unmatched": unmatched,
            "figure_label": COUNTY_FIGURES[figure][0],
            "nav_section": SECTION,
        },
    )


def _tiles(figures: dict[str, Any], *, scope: Region, as_of: dt.date) -> list[dict[str, Any]]:
    return [
        {
            "key": key,
            "label": FIGURE_LABELS[key],
            "value": figures[key],
            "url": records_url(key, scope=scope.code, as_of=as_of),
        }
        for key in HEADLINE
    ]


def _chart_data(
    *,
    scope: Region,
    as_of: dt.date,
    figures: dict[str, Any],
    counties: list[dict[str, Any]],
    trend_rows: list[dict[str, Any]],
    teams: list[dict[str, Any]],
    figure: str,
) -> dict[str, Any]:
    """Everything the charts draw, with the drill-down link of each element (passed by json_script)."""
    code = scope.code

    def link(key: str, part: str | None = None, *, where: str = code, day: dt.date = as_of) -> str:
        return records_url(key, part, scope=where, as_of=day)

    group_names = dict(TargetGroup.objects.values_list("code", "name"))
    type_names = dict(ServiceType.objects.values_list("code", "name"))
    matched: dict[str, str] = {}
    missing: list[Region] = []
    if len(counties) > 1:  # the map is drawn for several counties only
        matched, missing = match_shapes(
            list(Region.objects.filter(code__in=[row["code"] for row in counties])),
            county_shapes(scope.path[:2]),
        )
    return {
        "figure": figure,
        "figures": [{"key": key, "label": str(label)} for key, (label, _engine) in COUNTY_FIGURES.items()],
        "trend": [
            {
                "year": row["year"],
                "as_of": row["as_of"].isoformat(),
                "values": {key: row[key] for key in TREND_FIGURES},
                "links": {key: link(engine, day=row["as_of"]) for key, (_l, engine) in TREND_FIGURES.items()},
            }
            for row in trend_rows
        ],
        "trend_series": [
            {"key": key, "label": str(label)} for key, (label, _engine) in TREND_FIGURES.items()
        ],
        "counties": [
            {
                "code": row["code"],
                "name": row["short_name"] or row["name"],
                "feature": matched.get(row["code"]),
                "values": {key: row[key] for key in COUNTY_FIGURES},
                "links": {
                    key: link(engine, where=row["code"]) for key, (_l, engine) in COUNTY_FIGURES.items()
                },
                "retention": {
                    **row["dispatch_retention"],
                    "link": link("dispatch_retention", "rate", where=row["code"]),
                },
                "certificates": {
                    "baseline": row["certified_baseline"],
                    "total": row["certified_total"],
                    "baseline_link": link("certified_baseline", where=row["code"]),
                    "total_link": link("certified_total", where=row["code"]),
                },
            }
            for row in counties
        ],
        "groups": [
            {
                "code": key,
                "name": group_names.get(key, key),
                "value": value,
                "link": link("beneficiaries_by_group", key),
            }
            for key, value in figures["beneficiaries_by_group"].items()
            if value
        ],
        "services": [
            {
                "code": key,
                "name": type_names.get(key, key),
                "value": value,
                "link": link("services_by_type", key),
            }
            for key, value in figures["services_by_type"].items()
            if value
        ],
        "team_roles": [{"key": role, "label": str(label)} for role, label in TeamMember.Role.choices],
        "teams": [
            {
                "label": f"{team['county']} · {team['station'] or team['name']}",
                "values": {role: team[role] for role in TeamMember.Role.values},
                "link": reverse("team_detail", args=[team["team"]]),
            }
            for team in teams
        ],
        "map_url": reverse("figures_county_map", args=[scope.path[:2]]),
        "unmatched": [county.name for county in missing],
        "labels": {
            "cumulative": _("截至年度末累计"),
            "baseline": _("基期"),
            "as_of": _("截至日期"),
            "rate": _("留任率（%）"),
            "completed": _("期满"),
            "left_early": _("提前离岗"),
            "no_data": _("无数据"),
            "not_receiving": _("非受援区县"),
            "map_failed": _("地图边界加载失败，请刷新页面重试。"),
        },
    }


@login_required
@require_GET
def county_map(request: HttpRequest, province: str) -> HttpResponse:
    """The counties' boundaries of a province the user has a dashboard in (GeoJSON, cached)."""
    if not any(path[:2] == province for path in dashboard_paths(request.user)):
        raise Http404
    response = HttpResponse(county_shapes_json(province), content_type="application/geo+json; charset=utf-8")
    response["Cache-Control"] = "private, max-age=86400"
    return response

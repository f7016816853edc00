"""The figures benchmark (issue 6): does a dashboard cost the same with ten times the service records?

On each database: migrate, load the demo (Chongqing on 2018-07-10), and measure
  - the dashboard's server time (GET /figures/ through Django's test client, logged in) for the
    municipality as the city admin and for 城口县 as its county officer;
  - `compute_figures` for the municipality;
  - the service figures (by type, total hours, per county) through the engine and the dashboard,
    side by side with the same numbers from a plain aggregate query over `ServiceRecord`, after
    checking that both give the same numbers;
then copy the service records until there are `--scale` times as many (same county, type, worker
and beneficiary, dates spread over the programme years up to the demo's day), rebuild the
service rollups, and measure again. The goal: the dashboard's 10×/1× ratio within 1.5.
`--profile` also times each part of the dashboard and finds the queries that grew.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import time
import traceback
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from bench.common import (
    DEMO_TODAY,
    ROOT,
    analyze,
    database,
    database_version,
    measure,
    milliseconds,
    progress,
    ratio,
    run_in_django,
    table,
    times,
)

GOAL = 1.5  # the dashboard's cost at 10× the records over its cost at 1×, at most
CITY, COUNTY = "500000", "500229"  # the municipality and 城口县
CITY_USER, COUNTY_USER = "city", "chengkou"  # the demo's city admin and 城口 county officer
SEED = 20180710  # the copies' dates (their own generator: the demo's are untouched)
BATCH = 5000
PROFILE_REPEAT = 3  # runs of each part with --profile (at most --repeat)
SANQU = ROOT / "sanqu"

MEASURES = {
    "dashboard_city": "dashboard /figures/ 重庆市 (city admin)",
    "dashboard_county": "dashboard /figures/ 城口县 (county officer)",
    "compute_figures": "compute_figures(重庆市)",
    "engine_services": "engine: services by type + hours",
    "plain_services": "plain aggregate: by type + hours",
    "engine_county_services": "dashboard: county_figures (all counties)",
    "plain_county_services": "plain aggregate: per county × type",
}
# engine measure → the plain aggregate giving the same numbers
PAIRS = {"engine_services": "plain_services", "engine_county_services": "plain_county_services"}
DASHBOARDS = ("dashboard_city", "dashboard_county")
PARTS = {
    "compute_figures": "compute_figures (whole)",
    "headline": "  headline figures (the rest)",
    "work_figures": "  work_figures",
    "service_figures": "    service_figures",
    "cases_by_stage": "    cases_by_stage",
    "workforce_figures": "  workforce_figures",
    "project_figures": "  project_figures",
    "county_figures": "county_figures",
    "trend": "trend",
    "team_model": "team_model",
    "view_rest": "the view's rest (charts data, checks, template)",
}


def add_arguments(parser: argparse._ArgumentGroup) -> None:
    parser.add_argument(
        "--scale",
        type=int,
        default=10,
        help="grow the service records to this many times the demo's (default: 10)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also time each part of the dashboard and the queries that grew",
    )


def run(options: argparse.Namespace) -> dict[str, Any]:
    if options.scale < 2:
        raise SystemExit("--scale must be at least 2")
    settings = {
        "repeat": options.repeat,
        "warmup": options.warmup,
        "scale": options.scale,
        "profile": options.profile,
    }
    results: dict[str, Any] = {}
    for kind in options.databases:
        progress(kind, "a throwaway database")
        with database(kind) as db:
            results[kind] = run_in_django(
                "bench.figures_bench:measure_database", db=db, options=settings | {"label": kind}
            )
    return {"goal": GOAL, "databases": results}


# The report (in the parent process) ------------------------------------------------------------


def report(result: dict[str, Any]) -> str:
    machine = result["machine"]
    options = result["options"]
    lines = [
        "",
        f"Figures benchmark — {machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"load average {' '.join(map(str, machine['load_average']))}",
        f"median and p95 of {options['repeat']} runs after {options['warmup']} warm-up, in ms",
    ]
    verdicts = []
    for kind, run in result["databases"].items():
        small, large = run["sizes"]
        scale = options["scale"]
        lines += [
            "",
            f"{run['database']}: {small['records']:,} service records (1×) → "
            f"{large['records']:,} ({scale}×); "
            f"rollup rows {small['rollup_rows']:,} → {large['rollup_rows']:,}",
            f"(copies inserted in {run['growth']['insert_seconds']:.1f} s, "
            f"rollups rebuilt in {run['growth']['rebuild_seconds']:.1f} s)",
            "",
        ]
        rows = []
        for key, label in MEASURES.items():
            a, b = small["timings"][key], large["timings"][key]
            rows.append(
                [
                    label,
                    milliseconds(a["median_ms"]),
                    milliseconds(a["p95_ms"]),
                    milliseconds(b["median_ms"]),
                    milliseconds(b["p95_ms"]),
                    times(ratio(b["median_ms"], a["median_ms"])),
                ]
            )
        lines.append(
            table(
                ["measure", "1× median", "1× p95", f"{scale}× median", f"{scale}× p95", f"{scale}×/1×"], rows
            )
        )
        lines.append("")
        pairs = []
        for engine, plain in PAIRS.items():
            pairs.append(
                [
                    f"{MEASURES[engine]} ÷ plain",
                    times(ratio(small["timings"][engine]["median_ms"], small["timings"][plain]["median_ms"])),
                    times(ratio(large["timings"][engine]["median_ms"], large["timings"][plain]["median_ms"])),
                ]
            )
        lines.append(table(["engine ÷ plain aggregate (same numbers)", "at 1×", f"at {scale}×"], pairs))
        growth = {
            key: ratio(large["timings"][key]["median_ms"], small["timings"][key]["median_ms"])
            for key in DASHBOARDS
        }
        met = all(value is not None and value <= GOAL for value in growth.values())
        verdict = (
            f"{kind}: dashboard {scale}×/1× city {times(growth['dashboard_city'])}, "
            f"county {times(growth['dashboard_county'])} — goal ≤ {GOAL}× {'MET' if met else 'NOT MET'}"
        )
        verdicts.append(verdict)
        lines += ["", verdict]
        if "parts" in small:
            lines += ["", *_profile(small, large, scale)]
    lines += ["", "Summary:", *(f"  {verdict}" for verdict in verdicts)]
    return "\n".join(lines)


def _profile(small: dict[str, Any], large: dict[str, Any], scale: int) -> list[str]:
    rows = []
    for key, label in PARTS.items():
        a, b = small["parts"][key]["median_ms"], large["parts"][key]["median_ms"]
        rows.append([label, milliseconds(a), milliseconds(b), times(ratio(b, a)), milliseconds(b - a)])
    lines = [
        table(
            ["part of the city dashboard", "1× median", f"{scale}× median", f"{scale}×/1×", "grew by"], rows
        )
    ]
    before, after = small["queries"], large["queries"]
    if len(before) != len(after):
        return [*lines, f"(the dashboard ran {len(before)} queries at 1× and {len(after)} at {scale}×)"]
    grown = sorted(
        (
            (b["ms"] - a["ms"], a["ms"], b["ms"], b["caller"], b["sql"])
            for a, b in zip(before, after, strict=True)
        ),
        reverse=True,
    )[:8]
    rows = [
        [milliseconds(delta), milliseconds(a), milliseconds(b), caller, sql[:60]]
        for delta, a, b, caller, sql in grown
    ]
    lines += [
        "",
        f"The city dashboard's {len(after)} queries, those that grew most (one request each):",
        table(["grew by", "1× ms", f"{scale}× ms", "asked for at", "query"], rows),
    ]
    return lines


# The measurements (in a Django process on one database) ----------------------------------------


def measure_database(options: dict[str, Any]) -> dict[str, Any]:
    from django.core.management import call_command

    from sanqu.demo import plan

    label = options["label"]
    as_of = dt.date.fromisoformat(DEMO_TODAY)
    if as_of != plan.AS_OF:
        raise RuntimeError(f"the demo's day is {plan.AS_OF}, the benchmark's {as_of}")
    progress(label, "migrate")
    call_command("migrate", verbosity=0, interactive=False)
    progress(label, "load the demo")
    call_command("demo", verbosity=0, stdout=io.StringIO())
    analyze()
    sizes = [measure_size(options, as_of=as_of, label=f"{label} 1×")]
    progress(label, f"grow the service records to {options['scale']}×")
    growth = grow(scale=options["scale"], as_of=as_of)
    analyze()
    sizes.append(measure_size(options, as_of=as_of, label=f"{label} {options['scale']}×"))
    return {"database": database_version(), "sizes": sizes, "growth": growth}


def _services(by_type: dict[str, int], hours: Decimal | float) -> dict[str, Any]:
    """Figures in one comparable form: the types that count, hours to one decimal."""
    return {
        "by_type": {code: n for code, n in by_type.items() if n},
        "hours": Decimal(str(hours)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
    }


def engine_services(*, scope: Any, as_of: dt.date) -> dict[str, Any]:
    from sanqu.figures.engine import service_figures

    by_type, hours = service_figures(scope=scope, as_of=as_of)
    return _services(by_type, hours)


def plain_services(*, scope: Any, as_of: dt.date) -> dict[str, Any]:
    """The same figures straight from the records: GROUP BY type, SUM of hours."""
    from django.db.models import Count, Sum

    from sanqu.cases.models import ServiceRecord

    records = ServiceRecord.objects.filter(
        county__path__startswith=scope.path, served_on__lte=as_of
    ).order_by()
    by_type = dict(records.values_list("service_type__code").annotate(n=Count("pk")))
    hours = records.aggregate(h=Sum("duration_hours"))["h"] or Decimal(0)
    return _services(by_type, hours)


def engine_county_services(*, scope: Any, as_of: dt.date) -> dict[str, Any]:
    from sanqu.figures.dashboard import county_figures

    rows = county_figures(scope=scope, as_of=as_of)
    return {
        row["code"]: _services(row["services_by_type"], row["service_hours"])
        for row in rows
        if row["services"]
    }


def plain_county_services(*, scope: Any, as_of: dt.date) -> dict[str, Any]:
    """Per county from the records: GROUP BY county, type with COUNT and SUM of hours."""
    from collections import defaultdict

    from django.db.models import Count, Sum

    from sanqu.cases.models import ServiceRecord

    rows = (
        ServiceRecord.objects.filter(county__path__startswith=scope.path, served_on__lte=as_of)
        .order_by()
        .values_list("county__code", "service_type__code")
        .annotate(n=Count("pk"), h=Sum("duration_hours"))
    )
    by_type: dict[str, dict[str, int]] = defaultdict(dict)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    for county, kind, n, h in rows:
        by_type[county][kind] = n
        hours[county] += h
    return {county: _services(by_type[county], hours[county]) for county in sorted(by_type)}


def _same(engine: dict[str, Any], plain: dict[str, Any], what: str) -> None:
    if engine != plain:
        raise AssertionError(
            f"{what}: the engine and the plain aggregate disagree\nengine: {engine}\nplain:  {plain}"
        )


def measure_size(options: dict[str, Any], *, as_of: dt.date, label: str) -> dict[str, Any]:
    from django.test import Client

    from sanqu.accounts.models import User
    from sanqu.cases.models import ServiceRecord, ServiceRollup
    from sanqu.figures.engine import compute_figures
    from sanqu.regions.models import Region

    city = Region.objects.get(code=CITY)
    _same(
        engine_services(scope=city, as_of=as_of),
        plain_services(scope=city, as_of=as_of),
        "services of 重庆市",
    )
    _same(
        engine_county_services(scope=city, as_of=as_of),
        plain_county_services(scope=city, as_of=as_of),
        "services per county",
    )
    progress(label, "engine and plain aggregate agree; measuring")

    def dashboard(username: str, scope: str) -> Any:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        url = f"/figures/?scope={scope}&as_of={as_of.isoformat()}"

        def get() -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise AssertionError(f"GET {url} as {username} answered {response.status_code}")

        return get

    functions = {
        "dashboard_city": dashboard(CITY_USER, CITY),
        "dashboard_county": dashboard(COUNTY_USER, COUNTY),
        "compute_figures": lambda: compute_figures(scope=city, as_of=as_of),
        "engine_services": lambda: engine_services(scope=city, as_of=as_of),
        "plain_services": lambda: plain_services(scope=city, as_of=as_of),
        "engine_county_services": lambda: engine_county_services(scope=city, as_of=as_of),
        "plain_county_services": lambda: plain_county_services(scope=city, as_of=as_of),
    }
    timings = {
        key: measure(function, repeat=options["repeat"], warmup=options["warmup"]).as_dict()
        for key, function in functions.items()
    }
    result: dict[str, Any] = {
        "records": ServiceRecord.objects.count(),
        "rollup_rows": ServiceRollup.objects.count(),
        "timings": timings,
    }
    if options["profile"]:
        progress(label, "profiling the dashboard's parts")
        result.update(profile(options, scope=city, as_of=as_of, dashboard=functions["dashboard_city"]))
        parts = result["parts"]
        parts["compute_figures"] = timings["compute_figures"]
        parts["county_figures"] = timings["engine_county_services"]  # county_figures and a dict
        inner = sum(
            parts[key]["median_ms"] for key in ("work_figures", "workforce_figures", "project_figures")
        )
        parts["headline"] = {"median_ms": round(parts["compute_figures"]["median_ms"] - inner, 2)}
        outer = sum(
            parts[key]["median_ms"] for key in ("compute_figures", "county_figures", "trend", "team_model")
        )
        parts["view_rest"] = {"median_ms": round(timings["dashboard_city"]["median_ms"] - outer, 2)}
    return result


def profile(options: dict[str, Any], *, scope: Any, as_of: dt.date, dashboard: Any) -> dict[str, Any]:
    """Each function the dashboard calls, timed alone, and every query of one dashboard request."""
    from django.db import connection

    from sanqu.figures import dashboard as charts
    from sanqu.figures import engine

    def timed(function: Any) -> dict[str, Any]:
        # The functions ran warm in the measures before: fewer runs keep the profile short.
        runs = min(options["repeat"], PROFILE_REPEAT)
        return measure(lambda: function(scope=scope, as_of=as_of), repeat=runs, warmup=0).as_dict()

    parts = {
        "work_figures": timed(engine.work_figures),
        "service_figures": timed(engine.service_figures),
        "cases_by_stage": timed(engine.cases_by_stage),
        "workforce_figures": timed(engine.workforce_figures),
        "project_figures": timed(engine.project_figures),
        "trend": timed(charts.trend),
        "team_model": timed(charts.team_model),
    }

    queries: list[dict[str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(
                {
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                    "caller": _caller(),
                    "sql": " ".join(sql.split()),
                }
            )

    with connection.execute_wrapper(record):
        dashboard()
    return {"parts": parts, "queries": queries}


def _caller() -> str:
    """The innermost line of Sanqu's own code on the stack: where a query was asked for."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if SANQU in path.parents and "site-packages" not in path.parts:
            return f"{path.relative_to(SANQU.parent)}:{frame.lineno} {frame.name}"
    return "?"


def grow(*, scale: int, as_of: dt.date) -> dict[str, Any]:
    """Copy the service records until there are `scale` times as many, then rebuild the rollups.

    A copy keeps the record's county, type, worker, method, hours, texts and beneficiary, and is
    dated at random between the first programme year's start (or the beneficiary's registration,
    when later) and the day. It belongs to no case, group session or community activity (a copy
    cannot be a second record of the same meeting) and has no client token.
    """
    from django.db import transaction

    from sanqu.cases import rollups
    from sanqu.cases.models import ServiceRecord
    from sanqu.projects.models import ProgrammeYear

    first_day = (
        ProgrammeYear.objects.order_by("starts_on").values_list("starts_on", flat=True).first() or as_of
    )
    source = list(
        ServiceRecord.objects.order_by("pk").values_list(
            "worker_id",
            "method",
            "service_type_id",
            "duration_hours",
            "place",
            "notes",
            "next_step",
            "beneficiary_id",
            "county_id",
            "created_by_id",
            "beneficiary__registered_on",
        )
    )
    rng = random.Random(SEED)  # noqa: S311 (dates of test data)
    started = time.monotonic()
    batch: list[ServiceRecord] = []
    with transaction.atomic():
        for _copy in range(scale - 1):
            for (
                worker,
                method,
                kind,
                hours,
                place,
                notes,
                next_step,
                beneficiary,
                county,
                author,
                registered,
            ) in source:
                start = min(max(first_day, registered or first_day), as_of)
                batch.append(
                    ServiceRecord(
                        served_on=start + dt.timedelta(days=rng.randint(0, (as_of - start).days)),
                        worker_id=worker,
                        method=method,
                        service_type_id=kind,
                        duration_hours=hours,
                        place=place,
                        notes=notes,
                        next_step=next_step,
                        beneficiary_id=beneficiary,
                        county_id=county,
                        created_by_id=author,
                    )
                )
                if len(batch) == BATCH:
                    ServiceRecord.objects.bulk_create(batch, batch_size=BATCH)
                    batch.clear()
        ServiceRecord.objects.bulk_create(batch, batch_size=BATCH)
    inserted = time.monotonic() - started
    started = time.monotonic()
    rollups.rebuild()
    return {
        "copies": len(source) * (scale - 1),
        "insert_seconds": round(inserted, 1),
        "rebuild_seconds": round(time.monotonic() - started, 1),
    }

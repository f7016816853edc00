"""The ledgers benchmark (issue 7): a 100,000-row service ledger validated and committed.

On each database: migrate, load the demo (Chongqing on 2018-07-10) and write a service ledger
(服务记录台账) of `--rows` rows as .xlsx, generated from the demo's beneficiaries and workers with
its own `random.Random` (outside every timing). Then, each from the same database state (the demo
without the ledger's rows: a copy of the SQLite file, or a PostgreSQL database made from a template)
and each in a fresh Django process, it measures wall time and peak memory of
  (a) Sanqu's `import_ledger(kind="service")` as the city admin: reading, validation, commit;
  (b) django-import-export reading the same file with tablib and `import_data(dataset,
      dry_run=False, raise_errors=False)` through a ModelResource (bench/ledgers_iex.py), with its
      defaults, and with `use_bulk=True` when `--iex-bulk` is given;
  (c) a bare `ServiceRecord.objects.bulk_create` of the rows already read, their foreign keys
      resolved beforehand (the ceiling: no validation, no audit, no rollups).
Every measure's rows are checked against the rows the generator meant (count and a digest of
every row). The goals: (a) at least 5× faster than (b), within 2× of (c), and at least 20,000
validated rows a second (issue 10).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import hashlib
import io
import json
import pstats
import random
import re
import shutil
import subprocess
import sys
import time
import traceback
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import (
    DEMO_TODAY,
    ROOT,
    Database,
    Timing,
    analyze,
    database,
    database_version,
    django_environment,
    progress,
    ratio,
    table,
    times,
)

GOAL_IEX = 5.0  # Sanqu at least this many times faster than django-import-export
GOAL_BULK = 2.0  # Sanqu at most this many times the bare bulk_create
GOAL_RATE = 20_000  # validated rows a second (issue 10)
ACTOR = "city"  # the demo's city admin: the whole municipality in scope
SEED = 7_100_710  # the ledger's own generator
ROWS = 100_000
IEX_ROWS = 10_000  # django-import-export's slice by default: it imports about 200 rows a second
LEDGER = "service-ledger.xlsx"
SANQU = ROOT / "sanqu"

MEASURES = {
    "sanqu": "(a) Sanqu import_ledger",
    "iex": "(b) django-import-export",
    "iex_bulk": "(b) django-import-export, use_bulk",
    "bulk_create": "(c) bare bulk_create",
}
IEX = ("iex", "iex_bulk")
METHODS = (("个案", 70), ("小组", 20), ("社区", 10))  # label, weight
NOTES = (
    "入户探访，了解近况与需求。",
    "电话回访，确认上次约定事项的落实。",
    "陪同办理低保复核手续。",
    "与家属沟通照料安排。",
    "开展情绪疏导，制定下一步计划。",
    "参加小组活动，分享近期变化。",
    "政策宣传与咨询。",
    "链接志愿者提供生活照顾。",
)


def add_arguments(parser: argparse._ArgumentGroup) -> None:
    parser.add_argument("--rows", type=int, default=ROWS, help=f"rows in the ledger (default: {ROWS:,})")
    parser.add_argument(
        "--iex-rows",
        type=int,
        default=IEX_ROWS,
        help=f"rows django-import-export imports (default: {IEX_ROWS:,}; fewer than --rows are the "
        "ledger's first rows, its time for all of them extrapolated and labelled so)",
    )
    parser.add_argument(
        "--iex-repeat",
        type=int,
        default=1,
        help="measured runs of django-import-export (default: 1, no warm-up; it is slow)",
    )
    parser.add_argument(
        "--iex-bulk", action="store_true", help="also measure django-import-export with use_bulk=True"
    )
    # --profile is shared with the other benchmarks (figures has one too): one option for all.
    if "--profile" not in parser._option_string_actions:
        parser.add_argument(
            "--profile",
            action="store_true",
            help="ledgers: also profile one Sanqu import (functions, queries)",
        )


# The run (in the parent process) ---------------------------------------------------------------


def run(options: argparse.Namespace) -> dict[str, Any]:
    rows = options.rows
    iex_rows = min(options.iex_rows, rows)
    if rows < 1 or iex_rows < 1 or options.iex_repeat < 1:
        raise SystemExit("--rows, --iex-rows and --iex-repeat must be at least 1")
    measures = ["sanqu", "iex", *(["iex_bulk"] if options.iex_bulk else []), "bulk_create"]
    settings = {"rows": rows, "iex_rows": iex_rows, "seed": SEED, "actor": ACTOR}
    results: dict[str, Any] = {}
    for kind in options.databases:
        progress(kind, "a throwaway database")
        with database(kind) as db:
            results[kind] = _run_database(db, options, settings, measures)
    return {
        "goals": {"iex": GOAL_IEX, "bulk_create": GOAL_BULK, "rate": GOAL_RATE},
        "rows": rows,
        "iex_rows": iex_rows,
        "measures": measures,
        "databases": results,
    }


def _run_database(
    db: Database, options: argparse.Namespace, settings: dict[str, Any], measures: list[str]
) -> dict[str, Any]:
    label = db.kind
    ledger = db.workdir / LEDGER
    prepared = _run_in_django(
        "bench.ledgers_bench:prepare", db=db, options=settings | {"label": label, "dir": str(db.workdir)}
    )
    state = _State(db)
    state.save()
    runs: dict[str, list[dict[str, Any]]] = {key: [] for key in measures}
    for round_ in range(options.warmup + options.repeat):
        measured = round_ >= options.warmup
        for key in measures:
            if key in IEX and not (measured and round_ - options.warmup < options.iex_repeat):
                continue
            iex = key in IEX
            count = settings["iex_rows"] if iex else settings["rows"]
            path = db.workdir / prepared["files"][str(count)]["name"]
            what = "measure" if measured else "warm-up"
            progress(label, f"{what} {MEASURES[key]} ({count:,} rows)")
            state.restore()
            result = _run_in_django(
                "bench.ledgers_bench:measure_one",
                db=db,
                options={"key": key, "file": str(path), "label": label, "actor": ACTOR} | prepared["base"],
            )
            expected = prepared["files"][str(count)]
            if result["rows"] != count or result["digest"] != expected["digest"]:
                raise AssertionError(
                    f"{MEASURES[key]} on {label}: {result['rows']:,} rows imported, {count:,} expected; "
                    f"digest {'matches' if result['digest'] == expected['digest'] else 'differs'}\n"
                    f"sample imported: {result['sample']}\nsample expected: {expected['sample']}"
                )
            progress(label, f"  {result['ms'] / 1000:.1f} s, peak RSS {result['peak_mb']:.0f} MB")
            if measured:
                runs[key].append(result)
    profile = None
    if options.profile:
        progress(label, "profiling one Sanqu import")
        state.restore()
        profile = _run_in_django(
            "bench.ledgers_bench:profile_one",
            db=db,
            options={"file": str(ledger), "actor": ACTOR, "label": label} | prepared["base"],
        )
    return {
        "database": prepared["database"],
        "prepared": prepared,
        "measures": {key: _summary(samples) for key, samples in runs.items()},
        "profile": profile,
    }


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    timing = Timing([sample["ms"] for sample in samples])
    peaks = [sample["peak_mb"] for sample in samples]
    growth = [sample["peak_mb"] - sample["start_mb"] for sample in samples]
    extra = {key: value for key, value in samples[-1].items() if key not in ("ms", "peak_mb", "start_mb")}
    return {
        **timing.as_dict(),
        "rows": samples[-1]["rows"],
        "rows_per_second": round(samples[-1]["rows"] / (timing.median / 1000)),
        "peak_mb": max(peaks),
        "growth_mb": max(growth),
        "start_mb": samples[-1]["start_mb"],
        "last": extra,
    }


def _run_in_django(function: str, *, db: Database, options: dict[str, Any]) -> Any:
    """`run_in_django` with the field and lookup keys of this database's first process kept for
    the next ones: the demo's ID numbers are encrypted and hashed with them, and every measure is a
    process of its own."""
    keys = _KEYS.setdefault(db.workdir, {})
    environment = django_environment(db)
    for name in ("SANQU_FIELD_KEYS", "SANQU_LOOKUP_KEY"):
        environment[name] = keys.setdefault(name, environment[name])
    result = db.workdir / "result.json"
    result.unlink(missing_ok=True)
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.worker", function, str(result)],
        input=json.dumps(options),
        text=True,
        env=environment,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{function} failed on {db.kind} (exit status {completed.returncode})")
    return json.loads(result.read_text())


_KEYS: dict[Path, dict[str, str]] = {}


class _State:
    """The database as the demo left it, kept and put back before each measure: a copy of the SQLite
    file, or a PostgreSQL template database the measured one is re-created from."""

    TEMPLATE = "sanqu_bench_base"

    def __init__(self, db: Database) -> None:
        self.db = db

    @property
    def _sqlite(self) -> Path:
        return Path(self.db.url.removeprefix("sqlite:///"))

    def _postgres(self, *statements: str) -> None:
        import psycopg

        url = self.db.url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(url, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]  # our own fixed statements

    def save(self) -> None:
        if self.db.kind == "sqlite":
            self._drop_journal()
            shutil.copyfile(self._sqlite, self._sqlite.with_suffix(".base"))
        else:
            self._postgres(f"CREATE DATABASE {self.TEMPLATE} TEMPLATE sanqu STRATEGY FILE_COPY")

    def restore(self) -> None:
        if self.db.kind == "sqlite":
            self._drop_journal()
            shutil.copyfile(self._sqlite.with_suffix(".base"), self._sqlite)
        else:
            self._postgres(
                "DROP DATABASE IF EXISTS sanqu WITH (FORCE)",
                f"CREATE DATABASE sanqu TEMPLATE {self.TEMPLATE} STRATEGY FILE_COPY",
            )

    def _drop_journal(self) -> None:
        # Every process has ended, so its write-ahead log was checkpointed into the file.
        for suffix in ("-wal", "-shm"):
            Path(f"{self._sqlite}{suffix}").unlink(missing_ok=True)


# The report (in the parent process) ------------------------------------------------------------


def _seconds(ms: float) -> str:
    return f"{ms / 1000:,.2f}"


def _full_ms(measure: dict[str, Any], rows: int) -> float:
    """The median time for all the rows (extrapolated from the rate when the measure took a slice)."""
    return measure["median_ms"] * rows / measure["rows"]


def report(result: dict[str, Any]) -> str:
    machine, options = result["machine"], result["options"]
    rows, iex_rows = result["rows"], result["iex_rows"]
    sliced = iex_rows < rows
    lines = [
        "",
        f"Ledgers benchmark — {machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"load average {' '.join(map(str, machine['load_average']))}",
        f"a {rows:,}-row service ledger (服务记录台账) validated and committed; each measure in a fresh "
        f"process from the same database state; median and p95 of {options['repeat']} runs after "
        f"{options['warmup']} warm-up (django-import-export: {options['iex_repeat']} run, no warm-up)",
    ]
    if sliced:
        lines.append(
            f"django-import-export imported the first {iex_rows:,} rows only: its time for {rows:,} is "
            "EXTRAPOLATED from its rate (marked *)"
        )
    verdicts = []
    for kind, run in result["databases"].items():
        prepared, measures = run["prepared"], run["measures"]
        ledger = prepared["files"][str(rows)]
        lines += [
            "",
            f"{run['database']}: the demo holds {prepared['base']['records_before']:,} service records; "
            f"ledger {ledger['bytes'] / 1e6:.1f} MB (its cells' sha256 {ledger['cells_sha256'][:12]}…), "
            f"written in {prepared['write_seconds']:.1f} s",
            "",
        ]
        sanqu = measures["sanqu"]["median_ms"]

        table_rows = []
        for key in result["measures"]:
            measure = measures[key]
            partial = measure["rows"] < rows
            table_rows.append(
                [
                    MEASURES[key],
                    f"{measure['rows']:,}",
                    _seconds(measure["median_ms"]),
                    _seconds(measure["p95_ms"]),
                    _seconds(measure["last"]["cpu_ms"]) if "cpu_ms" in measure["last"] else "—",
                    _seconds(measure["last"]["gc_ms"]) if "gc_ms" in measure["last"] else "—",
                    f"{measure['rows_per_second']:,}",
                    _seconds(_full_ms(measures[key], rows)) + ("*" if partial else ""),
                    times(ratio(_full_ms(measures[key], rows), sanqu)),
                    f"{measure['peak_mb']:,.0f}",
                    f"{measure['growth_mb']:,.0f}",
                ]
            )
        lines.append(
            table(
                [
                    "measure",
                    "rows",
                    "median s",
                    "p95 s",
                    "CPU s",
                    "collector s",
                    "rows/s",
                    f"s for {rows:,}",
                    "÷ (a)",
                    "peak RSS MB",
                    "above start",
                ],
                table_rows,
            )
        )
        rate = measures["sanqu"]["rows_per_second"]
        iex = ratio(_full_ms(measures["iex"], rows), sanqu)
        bulk = ratio(sanqu, _full_ms(measures["bulk_create"], rows))
        met = {
            "iex": iex is not None and iex >= GOAL_IEX,
            "bulk": bulk is not None and bulk <= GOAL_BULK,
            "rate": rate >= GOAL_RATE,
        }
        verdict = (
            f"{kind}: (b)÷(a) {times(iex)}{'*' if sliced else ''} (goal ≥ {GOAL_IEX:g}×: "
            f"{'MET' if met['iex'] else 'NOT MET'}); (a)÷(c) {times(bulk)} (goal ≤ {GOAL_BULK:g}×: "
            f"{'MET' if met['bulk'] else 'NOT MET'}); (a) {rate:,} rows/s (goal ≥ {GOAL_RATE:,}: "
            f"{'MET' if met['rate'] else 'NOT MET'})"
        )
        verdicts.append(verdict)
        extra = measures["bulk_create"]["last"]
        lines += [
            "",
            f"(c) left the service rollups stale; rebuilding them took another "
            f"{extra['rebuild_ms'] / 1000:.2f} s (not counted)",
            "every measure's rows equal the generator's (count and a digest of every row but its author); "
            "authors (录入人): "
            + "; ".join(
                f"{MEASURES[key].split()[0]} {', '.join(measures[key]['last']['authors'])}"
                for key in result["measures"]
            ),
            "",
            verdict,
        ]
        if run["profile"]:
            lines += ["", *_profile(run["profile"])]
    lines += ["", "Summary:", *(f"  {verdict}" for verdict in verdicts)]
    return "\n".join(lines)


def _profile(profile: dict[str, Any]) -> list[str]:
    lines = [
        f"Profile of one Sanqu import ({profile['seconds']:.1f} s under cProfile, "
        f"{profile['queries']:,} queries taking {profile['query_ms'] / 1000:.2f} s):",
        "",
        table(
            ["function (by own time)", "calls", "own s", "with callees s"],
            [
                [name, f"{calls:,}", f"{own:.2f}", f"{cumulative:.2f}"]
                for name, calls, own, cumulative in profile["own"]
            ],
        ),
        "",
        table(
            ["Sanqu function (by time with callees)", "calls", "own s", "with callees s"],
            [
                [name, f"{calls:,}", f"{own:.2f}", f"{cumulative:.2f}"]
                for name, calls, own, cumulative in profile["cumulative"]
            ],
        ),
        "",
        "(on PostgreSQL the records' COPY is not a query counted here, and the foreign keys are "
        "checked at the commit)",
        "",
        table(
            ["queries asked for at", "count", "s", "first query"],
            [
                [caller, f"{count:,}", f"{ms / 1000:.2f}", sql[:60]]
                for caller, count, ms, sql in profile["callers"]
            ],
        ),
    ]
    return lines


# In a Django process on one database -----------------------------------------------------------


def prepare(options: dict[str, Any]) -> dict[str, Any]:
    """Migrate, load the demo, write the ledger (and the slice django-import-export imports);
    returns what each measure is checked against."""
    from django.core.management import call_command

    from sanqu.cases.models import ServiceRecord
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
    progress(label, f"write the {options['rows']:,}-row ledger")
    started = time.monotonic()
    rows = generate(rows=options["rows"], seed=options["seed"], as_of=as_of, actor=options["actor"])
    files = {}
    for count in sorted({options["rows"], options["iex_rows"]}):
        name = LEDGER if count == options["rows"] else f"service-ledger-{count}.xlsx"
        data = write_xlsx(rows[:count])
        (Path(options["dir"]) / name).write_bytes(data)
        expected = [row["record"] for row in rows[:count]]
        files[str(count)] = {
            "name": name,
            "bytes": len(data),
            # The cells' digest, the same on every database (the .xlsx's bytes hold the time of writing).
            "cells_sha256": hashlib.sha256(
                "\n".join(repr(row["cells"]) for row in rows[:count]).encode()
            ).hexdigest(),
            "digest": _digest(expected),
            "sample": _sample(expected),
        }
    last = ServiceRecord.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {
        "database": database_version(),
        "write_seconds": round(time.monotonic() - started, 1),
        "files": files,
        "base": {"last_pk": last, "records_before": ServiceRecord.objects.count()},
    }


def generate(*, rows: int, seed: int, as_of: dt.date, actor: str) -> list[dict[str, Any]]:
    """The ledger's rows: each a (beneficiary, worker) pair of the demo's service records, a day
    between the programme's start (or the beneficiary's registration, when later) and `as_of`, a
    method, a real service type, 0.5–4.0 hours, the beneficiary's village as the place and a note;
    no two rows (nor a row and a demo record) share the natural key. Each row also carries the record
    it should become (foreign keys as ids), to check the imports against."""
    from sanqu.accounts.models import User
    from sanqu.cases.models import Beneficiary, ServiceRecord, ServiceType
    from sanqu.cases.selectors.beneficiaries import beneficiaries_for
    from sanqu.projects.models import ProgrammeYear
    from sanqu.regions.models import Region
    from sanqu.workforce.models import Person
    from sanqu.workforce.selectors import people_for

    first_day = ProgrammeYear.objects.order_by("starts_on").values_list("starts_on", flat=True).first()
    if first_day is None:
        raise RuntimeError("the demo has no programme year")
    user = User.objects.get(username=actor)
    counties = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("path", "pk"))
    # People the actor may record services for, and their workers she may see (none restricted).
    pairs = set(
        ServiceRecord.objects.filter(
            beneficiary__in=beneficiaries_for(user), worker__in=people_for(user)
        ).values_list("beneficiary_id", "worker_id")
    )
    beneficiaries = {
        b.pk: b
        for b in Beneficiary.objects.filter(pk__in={b for b, _ in pairs}).select_related("region")
        if b.registered_on <= as_of
    }
    workers = {p.pk: p.id_number for p in Person.objects.filter(pk__in={w for _, w in pairs})}
    # In the order of the ID numbers, so the file is the same whatever ids the database gave.
    choices = sorted(
        (beneficiaries[b].id_number, workers[w], b, w) for b, w in pairs if b in beneficiaries and workers[w]
    )
    types = sorted(ServiceType.objects.filter(active=True).values_list("code", "name", "pk"))
    values = {"个案": "case", "小组": "group", "社区": "community"}
    taken = set(
        ServiceRecord.objects.values_list(
            "served_on", "beneficiary_id", "worker_id", "method", "service_type_id"
        )
    )
    rng = random.Random(seed)  # noqa: S311 (test data)
    labels = [label for label, _ in METHODS]
    weights = [weight for _, weight in METHODS]
    result: list[dict[str, Any]] = []
    while len(result) < rows:
        beneficiary_number, worker_number, b, w = rng.choice(choices)
        beneficiary = beneficiaries[b]
        start = max(first_day, beneficiary.registered_on)
        served_on = start + dt.timedelta(days=rng.randint(0, (as_of - start).days))
        method = rng.choices(labels, weights)[0]
        _code, type_name, type_pk = rng.choice(types)
        hours = Decimal(rng.randint(1, 8)) / 2
        note = rng.choice(NOTES)
        key = (served_on, b, w, values[method], type_pk)
        if key in taken:
            continue
        taken.add(key)
        place = beneficiary.region.name
        result.append(
            {
                "cells": [
                    served_on,
                    beneficiary_number,
                    worker_number,
                    method,
                    type_name,
                    float(hours),
                    place,
                    note,
                ],
                "record": (
                    served_on.isoformat(),
                    b,
                    w,
                    values[method],
                    type_pk,
                    str(hours.quantize(Decimal("0.1"))),
                    place,
                    note,
                    "",
                    counties[beneficiary.region.path[:6]],
                ),
            }
        )
    return result


def write_xlsx(rows: list[dict[str, Any]]) -> bytes:
    """The ledger as the template writes it: the headers in the first row, then the rows."""
    from openpyxl import Workbook

    from sanqu.ledgers.kinds import SERVICE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(SERVICE.title)
    sheet.append([column.name for column in SERVICE.columns])
    for row in rows:
        sheet.append(row["cells"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FIELDS = (
    "served_on",
    "beneficiary_id",
    "worker_id",
    "method",
    "service_type_id",
    "duration_hours",
    "place",
    "notes",
    "next_step",
    "county_id",
)


def _imported(last_pk: int) -> list[tuple[Any, ...]]:
    """The records added since the demo, in the generator's form."""
    from sanqu.cases.models import ServiceRecord

    found = []
    for row in ServiceRecord.objects.filter(pk__gt=last_pk).values_list(*FIELDS, "case", "group_session"):
        served_on, b, w, method, kind, hours, place, notes, next_step, county, case, group = row
        if case is not None or group is not None:
            raise AssertionError(f"an imported record belongs to a case or a group session: {row}")
        found.append((served_on.isoformat(), b, w, method, kind, str(hours), place, notes, next_step, county))
    return found


def _digest(records: list[tuple[Any, ...]]) -> str:
    digest = hashlib.sha256()
    for record in sorted(records):
        digest.update(repr(record).encode())
    return digest.hexdigest()


def _sample(records: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    ordered = sorted(records)
    return [ordered[i] for i in sorted({0, len(ordered) // 2, len(ordered) - 1})] if ordered else []


def _status(name: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS, VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{name} not in /proc/self/status")


class CollectorTime:
    """A `gc.callbacks` entry adding up the time the garbage collector ran."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started


def measure_one(options: dict[str, Any]) -> dict[str, Any]:
    """One measure, once, in this fresh process: its wall time, the peak resident memory while it
    ran (the high-water mark reset just before), the garbage collector's time, and the rows it
    left."""
    from sanqu.accounts.models import User
    from sanqu.cases.models import ServiceRecord
    from sanqu.lib import heap

    key = options["key"]
    path = Path(options["file"])
    data = path.read_bytes()
    actor = User.objects.get(username=options["actor"])
    function, check = _prepared(key, data=data, filename=path.name, actor=actor)
    heap.settle()  # as the task worker that runs imports does at start (sanqu.cli)
    Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM) to the current RSS
    start_mb = _status("VmRSS")
    collector = CollectorTime()
    gc.callbacks.append(collector)
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = function()
    ms = (time.perf_counter() - started) * 1000
    cpu_ms = (time.process_time() - cpu_started) * 1000  # every thread's: above `ms` when two cores work
    gc.callbacks.remove(collector)
    peak_mb = _status("VmHWM")
    extra = check(outcome)
    records = _imported(options["last_pk"])
    authors = ServiceRecord.objects.filter(pk__gt=options["last_pk"]).values_list(
        "created_by__username", flat=True
    )
    return {
        "authors": sorted({str(author) for author in authors.order_by().distinct()}),
        "ms": round(ms, 1),
        "cpu_ms": round(cpu_ms, 1),
        "gc_ms": round(collector.seconds * 1000, 1),
        "start_mb": round(start_mb, 1),
        "peak_mb": round(peak_mb, 1),
        "rows": len(records),
        "digest": _digest(records),
        "sample": _sample(records),
        **extra,
    }


def _prepared(key: str, *, data: bytes, filename: str, actor: Any) -> tuple[Any, Any]:
    """The measured function and the check of its outcome (outside the timing)."""
    if key == "sanqu":
        from sanqu.ledgers.importing import import_ledger

        def sanqu() -> Any:
            return import_ledger(actor=actor, kind="service", data=data, filename=filename)

        def sanqu_check(result: Any) -> dict[str, Any]:
            if not result.committed or result.rejected:
                first = result.rejected[0] if result.rejected else None
                raise AssertionError(
                    f"Sanqu's import rejected {len(result.rejected):,} rows "
                    f"(committed {result.committed}); first: {first}"
                )
            return {"created": result.count("create")}

        return sanqu, sanqu_check
    if key in IEX:
        import tablib

        from bench.ledgers_iex import resource

        chosen = resource(bulk=key == "iex_bulk")

        def iex() -> Any:
            dataset = tablib.Dataset().load(data, format="xlsx")
            return chosen.import_data(dataset, dry_run=False, raise_errors=False, user=actor)

        def iex_check(result: Any) -> dict[str, Any]:
            if result.has_errors() or result.has_validation_errors():
                errors = [error.error for _, row_errors in result.row_errors() for error in row_errors][:3]
                invalid = [row.error for row in result.invalid_rows][:3]
                raise AssertionError(f"django-import-export reported errors: {errors} {invalid}")
            return {"totals": dict(result.totals)}

        return iex, iex_check
    if key == "bulk_create":
        from django.db import transaction

        from sanqu.cases import rollups
        from sanqu.cases.models import ServiceRecord

        parsed = _parsed(data, filename=filename, actor=actor)

        def bulk_create() -> Any:
            with transaction.atomic():
                return ServiceRecord.objects.bulk_create([ServiceRecord(**values) for values in parsed])

        def bulk_check(created: Any) -> dict[str, Any]:
            started = time.perf_counter()
            rollups.rebuild()
            return {"rebuild_ms": round((time.perf_counter() - started) * 1000, 1)}

        return bulk_create, bulk_check
    raise ValueError(f"unknown measure: {key}")


def _parsed(data: bytes, *, filename: str, actor: Any) -> list[dict[str, Any]]:
    """The ledger read (by Sanqu's reader) and every foreign key resolved to an id, for bulk_create."""
    from sanqu.cases.models import Beneficiary, ServiceType
    from sanqu.cases.models.beneficiaries import beneficiary_id_hash
    from sanqu.ledgers.kinds import SERVICE
    from sanqu.ledgers.reading import read_ledger
    from sanqu.regions.models import Region
    from sanqu.workforce.models import Person, id_number_hash

    table = read_ledger(data, filename=filename, kind=SERVICE)
    bad = [row for row in table.rows if row.errors]
    if bad:
        raise AssertionError(f"the ledger has rows the reader refuses: {bad[0].number} {bad[0].errors}")
    counties = dict(Region.objects.filter(level=Region.Level.COUNTY).values_list("path", "pk"))
    beneficiaries = {
        id_hash: (pk, counties[path[:6]])
        for id_hash, pk, path in Beneficiary.objects.values_list("id_hash", "pk", "region__path")
    }
    workers = dict(Person.objects.values_list("id_hash", "pk"))
    types = dict(ServiceType.objects.values_list("name", "pk"))
    methods = {"个案": "case", "小组": "group", "社区": "community"}
    parsed = []
    for row in table.rows:
        values = row.values
        beneficiary, county = beneficiaries[beneficiary_id_hash(values["beneficiary_id_number"])]
        parsed.append(
            {
                "served_on": values["served_on"],
                "beneficiary_id": beneficiary,
                "worker_id": workers[id_number_hash(values["worker_id_number"])],
                "method": methods.get(values["method"], values["method"]),
                "service_type_id": types[values["service_type"]],
                "duration_hours": values["duration_hours"],
                "place": values.get("place") or "",
                "notes": values.get("notes") or "",
                "county_id": county,
                "created_by_id": actor.pk,
            }
        )
    return parsed


def profile_one(options: dict[str, Any]) -> dict[str, Any]:
    """One Sanqu import under cProfile, its queries counted by the line of Sanqu's code asking."""
    from django.db import connection

    from sanqu.accounts.models import User
    from sanqu.ledgers.importing import import_ledger

    path = Path(options["file"])
    data = path.read_bytes()
    actor = User.objects.get(username=options["actor"])
    callers: dict[str, list[Any]] = {}

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = callers.setdefault(_caller(), [0, 0.0, " ".join(sql.split())])
            entry[0] += 1
            entry[1] += (time.perf_counter() - started) * 1000

    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(record):
        profiler.enable()
        import_ledger(actor=actor, kind="service", data=data, filename=path.name)
        profiler.disable()
    seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    entries = []
    for (filename, line, name), (_calls, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        entries.append((_where(filename, line, name), calls, round(own, 3), round(cumulative, 3), filename))
    own = sorted(entries, key=lambda entry: -entry[2])[:25]
    ours = sorted((entry for entry in entries if str(SANQU) in entry[4]), key=lambda entry: -entry[3])[:25]
    queries = sorted(callers.items(), key=lambda item: -item[1][1])
    return {
        "seconds": round(seconds, 2),
        "queries": sum(entry[0] for entry in callers.values()),
        "query_ms": round(sum(entry[1] for entry in callers.values()), 1),
        "own": [entry[:4] for entry in own],
        "cumulative": [entry[:4] for entry in ours],
        "callers": [(caller, n, round(ms, 1), sql) for caller, (n, ms, sql) in queries[:15]],
        "query_counts": dict(
            Counter({caller: entry[0] for caller, entry in callers.items()}).most_common(15)
        ),
    }


def _where(filename: str, line: int, name: str) -> str:
    path = Path(filename)
    if SANQU in path.parents:
        return f"{path.relative_to(SANQU.parent)}:{line} {name}"
    if "site-packages" in path.parts:
        index = path.parts.index("site-packages")
        return f"{'/'.join(path.parts[index + 1 :])}:{line} {name}"
    if filename == "~":  # a built-in: "<method 'commit' of …>", "<function … at 0x…>" without the address
        return re.sub(r" at 0x[0-9a-f]+", "", name)
    return f"{path.name}:{line} {name}"


def _caller() -> str:
    """The innermost line of Sanqu's own code on the stack: where a query was asked for."""
    for frame in reversed(traceback.extract_stack()):
        path = Path(frame.filename)
        if SANQU in path.parents and "site-packages" not in path.parts:
            return f"{path.relative_to(SANQU.parent)}:{frame.lineno} {frame.name}"
    return "?"

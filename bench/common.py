"""What the benchmarks share: timing, throwaway databases, the Django process, the machine, results.

A benchmark runs each measurement in a fresh Python process set up for Django on one database
(`run_in_django`), so SQLite and PostgreSQL never share a process or a connection. The databases
are throwaway: a SQLite file in a temporary directory, or a PostgreSQL cluster started on
127.0.0.1 for the run and stopped afterwards even when the run fails (the same way as
`scripts/test.sh`: initdb with trust authentication, fsync off, run as user `postgres` when root).
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
DATABASES = ("sqlite", "postgres")
# The demo is Chongqing's programme as it stood on this day (sanqu.demo.plan.AS_OF).
DEMO_TODAY = "2018-07-10"


# Timing ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    """Wall-clock samples of one measure, in milliseconds (warm-up runs excluded)."""

    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """The nearest-rank 95th percentile (the slowest sample below 20 repetitions)."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "median_ms": round(self.median, 2),
            "p95_ms": round(self.p95, 2),
            "samples_ms": [round(s, 2) for s in self.samples],
        }


def measure(function: Callable[[], object], *, repeat: int, warmup: int = 1) -> Timing:
    """`warmup` unmeasured runs, then `repeat` measured ones (garbage collected before each)."""
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return Timing(samples)


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 2) if denominator else None


# Databases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" or "postgres"
    url: str  # DATABASE_URL for Django
    workdir: Path  # a temporary directory of this run (SANQU_VAR_DIR lives in it)


def _as_postgres(command: Sequence[str | Path]) -> list[str]:
    """The command as the `postgres` user when running as root (initdb refuses root)."""
    args = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def postgres_bindir() -> Path:
    """The server binaries: `pg_config --bindir`, else the newest /usr/lib/postgresql/*/bin."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)  # noqa: S607
        candidates.append(Path(found.stdout.strip()))
    candidates += sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: [int(part) for part in path.parent.name.split(".") if part.isdigit()],
        reverse=True,
    )
    for path in candidates:
        if (path / "initdb").is_file():
            return path
    raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def postgres_cluster(workdir: Path) -> Iterator[str]:
    """A throwaway cluster on 127.0.0.1 with an empty database `sanqu`; yields its DATABASE_URL."""
    bindir = postgres_bindir()
    cluster = workdir / "postgres"
    cluster.mkdir()
    if os.geteuid() == 0:
        shutil.chown(workdir, user="postgres")
        shutil.chown(cluster, user="postgres")
    data, log, port = cluster / "data", cluster / "log", _free_port()
    subprocess.run(  # noqa: S603 (our own fixed commands)
        _as_postgres(
            [bindir / "initdb", "-D", data, "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "-U", "postgres"]
        ),
        stdout=subprocess.DEVNULL,
        check=True,
    )
    server_options = (
        f"-p {port} -k {cluster} -c listen_addresses=127.0.0.1 "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    try:
        started = subprocess.run(  # noqa: S603
            _as_postgres([bindir / "pg_ctl", "-D", data, "-l", log, "-w", "-o", server_options, "start"]),
            stdout=subprocess.DEVNULL,
            check=False,
        )
        if started.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{log.read_text(errors='replace')}")
        subprocess.run(  # noqa: S603
            _as_postgres(
                [bindir / "createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "sanqu"]
            ),
            stdout=subprocess.DEVNULL,
            check=True,
        )
        yield f"postgres://postgres@127.0.0.1:{port}/sanqu"
    finally:
        subprocess.run(  # noqa: S603
            _as_postgres([bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"]),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )


@contextmanager
def database(kind: str) -> Iterator[Database]:
    """An empty throwaway database of the kind, removed (and its server stopped) on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix=f"sanqu-bench-{kind}."))
    try:
        if kind == "sqlite":
            yield Database(kind, f"sqlite:///{workdir / 'sanqu.sqlite3'}", workdir)
        elif kind == "postgres":
            with postgres_cluster(workdir) as url:
                yield Database(kind, url, workdir)
        else:
            raise ValueError(f"unknown database: {kind}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so `finally` blocks stop the clusters of a killed run."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


# The Django process ----------------------------------------------------------------------------


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def django_environment(db: Database) -> dict[str, str]:
    """The environment of a Sanqu process on the database: development settings, the demo's day,
    fresh field keys, files under the run's directory, static files from the finders' storage."""
    var = db.workdir / "var"
    (var / "static").mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sanqu.settings",
        "SANQU_ENV": "development",
        "DATABASE_URL": db.url,
        "SANQU_VAR_DIR": str(var),
        "SANQU_TODAY": DEMO_TODAY,
        "SANQU_DEMO": "true",
        "SANQU_DEMO_PASSWORD": secrets.token_urlsafe(12),
        "SANQU_FIELD_KEYS": f"bench:{_key()}",
        "SANQU_LOOKUP_KEY": _key(),
        "SANQU_STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "PYTHONUNBUFFERED": "1",
    }


def run_in_django(function: str, *, db: Database, options: dict[str, Any]) -> Any:
    """Call `module:function(options)` in a new Django process on the database; its JSON result.

    The process's progress lines go straight to the terminal; a failure raises with its exit status.
    """
    result = db.workdir / "result.json"
    result.unlink(missing_ok=True)
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.worker", function, str(result)],
        input=json.dumps(options),
        text=True,
        env=django_environment(db),
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{function} failed on {db.kind} (exit status {completed.returncode})")
    return json.loads(result.read_text())


def progress(label: str, message: str) -> None:
    """A progress line on stderr, stamped in UTC (Django sets its own time zone in the measuring process)."""
    print(f"  {time.strftime('%H:%M:%S', time.gmtime())} [{label}] {message}", file=sys.stderr, flush=True)


def analyze() -> None:
    """Fresh planner statistics on PostgreSQL (a no-op on SQLite, whose plans the app runs as deployed)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def database_version() -> str:
    """The database's name and version, read from the connection of this Django process."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


# The machine and the results -------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average says whether something else ran)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """var/bench/<name>-<timestamp>.json (UTC timestamp, sortable)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{name}-{stamp}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(_pad(cell, widths[i], left=i == 0) for i, cell in enumerate(row)).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _width(text: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    padding = " " * (width - _width(text))
    return text + padding if left else padding + text


def milliseconds(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def times(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}×"

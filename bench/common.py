"""What the benchmarks share: timing, throwaway databases, the Django process, the machine, results.

A benchmark runs each measurement in a fresh Python process set up for Django on one database
(`run_in_django`), so SQLite and PostgreSQL never share a process or a connection. The databases
are throwaway: a SQLite file in a temporary directory, or a PostgreSQL cluster started on
127.0.0.1 for the run and stopped afterwards even when the run fails (the same way as
`scripts/test.sh`: initdb with trust authentication, fsync off, run as user `postgres` when root).
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import datetime as dt
import gc
import hashlib
import io
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


def server_buffers_mb() -> int:
    """PostgreSQL's shared buffers as a server of this machine's memory would have them: a quarter
    of it (the usual starting point), at most 8 GiB.

    The default 128 MB does not hold a province's working set: with twenty clients in eighteen counties
    each request read its pages again from the operating system's cache, and the workbench's p50 at
    the province was 73 ms against 48 ms with a quarter of this machine's memory (p95 191 against 116).
    """
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return max(128, min(memory_mb // 4, 8192))


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
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
        f"-c shared_buffers={server_buffers_mb()}MB"
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
        # Upper and lower case, digits and a symbol whatever the token: the demo refuses a password
        # its own rules would (a bare token_urlsafe lacked two of the classes about one run in ten).
        "SANQU_DEMO_PASSWORD": f"Bench-{secrets.token_hex(6)}-7",
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


# Generated datasets (`sanqu generate`), made once and kept in a cache ---------------------------

CACHE_DIR = RESULTS_DIR / "cache"
GENERATE_SEED = 2013  # `sanqu generate`'s own default
# What the generated rows depend on besides the migrations: a change to any of these files (or to
# the working date) makes a new cache entry, and the old ones are never restored again.
GENERATOR_FILES = (
    "sanqu/demo/generate.py",
    "sanqu/demo/management/commands/generate.py",
    "sanqu/demo/plan.py",
    "sanqu/demo/wording.py",
    "sanqu/demo/people.py",
    "sanqu/demo/groupwork.py",
    "sanqu/demo/builder.py",
    "sanqu/demo/loading.py",
    "sanqu/lib/bulk.py",
    "sanqu/cases/rollups.py",
    "sanqu/regions/management/commands/load_regions.py",
)
CACHE_MODES = ("use", "refresh", "off")


@dataclass(frozen=True)
class DatasetSpec:
    """A `sanqu generate` size: a preset with options on top of it, and the seed."""

    preset: str
    options: tuple[tuple[str, int], ...] = ()  # e.g. (("beneficiaries", 20000), ("services", 200000))
    seed: int = GENERATE_SEED

    @property
    def label(self) -> str:
        """`province`, or `small+beneficiaries=20000+services=200000` (the options sorted)."""
        return "+".join([self.preset, *(f"{name}={value}" for name, value in sorted(self.options))])

    def command_options(self) -> dict[str, Any]:
        return {"size": self.preset, "seed": self.seed, **dict(self.options)}


@dataclass(frozen=True)
class Dataset:
    """A throwaway database holding a generated programme, and how to open it."""

    db: Database
    spec: DatasetSpec
    env: dict[str, str]  # the field keys its rows were encrypted with (run_in_django_with's `env`)
    counts: dict[str, int]  # rows generated, by model label
    source: str  # "generated" or "cache"
    seconds: float  # generating it, or restoring it from the cache
    generated_seconds: float  # what generating it took (when the cache entry was made)

    def as_dict(self) -> dict[str, Any]:
        return {
            "size": self.spec.label,
            "seed": self.spec.seed,
            "counts": self.counts,
            "source": self.source,
            "seconds": round(self.seconds, 1),
            "generated_seconds": round(self.generated_seconds, 1),
        }


def dataset_key() -> str:
    """12 hex digits of a hash of the migrations, the generator's files and the working date."""
    digest = hashlib.sha256(DEMO_TODAY.encode())
    files = sorted(ROOT.glob("sanqu/*/migrations/*.py")) + [ROOT / name for name in GENERATOR_FILES]
    for path in files:
        if path.is_file():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_entry(kind: str, spec: DatasetSpec, *, key: str | None = None) -> Path:
    """var/bench/cache/<kind>-<size>-<seed>-<key> (without suffix: .json, .dump or .sqlite3 follow)."""
    size = spec.label.replace("=", "").replace("+", "-")
    return CACHE_DIR / f"{kind}-{size}-{spec.seed}-{key or dataset_key()}"


def run_in_django_with(function: str, *, db: Database, options: dict[str, Any], env: dict[str, str]) -> Any:
    """`run_in_django` with variables of the environment on top of `django_environment(db)`
    (a generated dataset's field keys, production-like settings)."""
    result = db.workdir / "result.json"
    result.unlink(missing_ok=True)
    completed = subprocess.run(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.worker", function, str(result)],
        input=json.dumps(options),
        text=True,
        env=django_environment(db) | env,
        cwd=ROOT,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{function} failed on {db.kind} (exit status {completed.returncode})")
    return json.loads(result.read_text())


def _postgres_address(db: Database) -> list[str]:
    """-h HOST -p PORT -U USER -d NAME of the run's database, for pg_dump, pg_restore and psql."""
    from urllib.parse import urlsplit

    url = urlsplit(db.url)
    return ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def _sqlite_file(db: Database) -> Path:
    return Path(db.url.removeprefix("sqlite:///"))


@contextmanager
def generated_database(
    kind: str, spec: DatasetSpec, *, cache: str = "use", key: str | None = None
) -> Iterator[Dataset]:
    """A throwaway database of the kind holding `sanqu generate`'s programme of the size and seed.

    With `cache="use"` it is restored from var/bench/cache when an entry of the same key is there
    (on PostgreSQL `pg_restore` of a `pg_dump -Fc`; on SQLite a copy of the file), else generated
    and then written to the cache; "refresh" generates and rewrites the entry; "off" generates and
    writes nothing. On PostgreSQL either is then vacuumed and analysed. The field keys are kept
    beside the entry (the ID numbers are encrypted with them); `Dataset.env` carries them to the
    processes on the database. `key` restores the entry of that key instead of the files'
    (`dataset_key()`), e.g. one made before a migration was added: the migrations since are
    applied after the restore.
    """
    if cache not in CACHE_MODES:
        raise ValueError(f"unknown cache mode: {cache}")
    label = f"{kind} {spec.label}"
    entry = cache_entry(kind, spec, key=key)
    if key is not None and key != dataset_key():
        progress(label, f"the cache entry of key {key} is asked for; the files' key is now {dataset_key()}")
    meta_path, data_path = (
        entry.with_suffix(".json"),
        entry.with_suffix(".dump" if kind == "postgres" else ".sqlite3"),
    )
    with database(kind) as db:
        started = time.monotonic()
        if cache == "use" and meta_path.is_file() and data_path.is_file():
            meta = json.loads(meta_path.read_text())
            progress(label, f"restoring the generated programme from {data_path.name}")
            _restore(db, data_path)
            env = meta["env"]
            run_in_django_with("bench.common:migrate_and_analyze", db=db, options={}, env=env)
            seconds = time.monotonic() - started
            progress(
                label, f"restored in {seconds:.1f} s (generating it took {meta['generated_seconds']:.0f} s)"
            )
            yield Dataset(db, spec, env, meta["counts"], "cache", seconds, meta["generated_seconds"])
            return
        env = {"SANQU_FIELD_KEYS": f"bench:{_key()}", "SANQU_LOOKUP_KEY": _key()}
        progress(label, f"generating (sanqu generate {_command_line(spec)})")
        counts = run_in_django_with(
            "bench.common:generate_in_django", db=db, options=spec.command_options(), env=env
        )
        run_in_django_with("bench.common:vacuum_and_analyze", db=db, options={}, env=env)
        seconds = time.monotonic() - started
        progress(label, f"generated in {seconds:.1f} s")
        if cache != "off":
            saving = time.monotonic()
            _save(db, data_path)
            meta_path.write_text(
                json.dumps(
                    {
                        "size": spec.label,
                        "seed": spec.seed,
                        "key": dataset_key(),
                        "env": env,
                        "counts": counts,
                        "generated_seconds": round(seconds, 1),
                    },
                    indent=2,
                )
                + "\n"
            )
            meta_path.chmod(0o600)  # it holds the field keys
            progress(label, f"cached as {data_path} in {time.monotonic() - saving:.1f} s")
        yield Dataset(db, spec, env, counts, "generated", seconds, seconds)


def _command_line(spec: DatasetSpec) -> str:
    return " ".join(
        [
            f"--size {spec.preset}",
            *(f"--{name} {value}" for name, value in sorted(spec.options)),
            f"--seed {spec.seed}",
        ]
    )


def _save(db: Database, path: Path) -> None:
    """Write the database to the cache entry's data file (a temporary name first: never half a file)."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if db.kind == "postgres":
        with partial.open("wb") as out:
            subprocess.run(  # noqa: S603
                _as_postgres(
                    [postgres_bindir() / "pg_dump", "-Fc", "-Z", "1", *_postgres_address(db), "sanqu"]
                ),
                stdout=out,
                check=True,
            )
    else:
        shutil.copyfile(_sqlite_file(db), partial)
    partial.chmod(0o644)  # pg_restore reads it as the postgres user
    partial.replace(path)


def _restore(db: Database, path: Path) -> None:
    if db.kind == "postgres":
        subprocess.run(  # noqa: S603
            _as_postgres(
                [
                    postgres_bindir() / "pg_restore",
                    "-j",
                    str(max(1, os.cpu_count() or 1)),
                    "--no-owner",
                    *_postgres_address(db),
                    "-d",
                    "sanqu",
                    path,
                ]
            ),
            check=True,
        )
    else:
        shutil.copyfile(path, _sqlite_file(db))


def generate_in_django(options: dict[str, Any]) -> dict[str, int]:
    """(In a Django process) migrate, then `sanqu generate` with the options; the rows it made."""
    from django.core.management import call_command

    from sanqu.accounts.models import User
    from sanqu.cases.models import Beneficiary, Case, ServiceRecord
    from sanqu.regions.models import Station
    from sanqu.workforce.models import Person

    class Lines(io.StringIO):
        """The command's progress lines, stamped, on stderr."""

        def write(self, text: str) -> int:
            for line in text.splitlines():
                if line.strip():
                    progress("generate", line.strip())
            return len(text)

    call_command("migrate", verbosity=0, interactive=False)
    call_command("generate", **options, stdout=Lines())  # ends with ANALYZE on PostgreSQL
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # everything into the main file: the cache copies only it
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    models = (Station, Person, Beneficiary, Case, ServiceRecord, User)
    return {model._meta.label: model._default_manager.count() for model in models}


def migrate_and_analyze(options: dict[str, Any]) -> dict[str, Any]:
    """(In a Django process) a restored database: migrations applied (none when the key matched),
    then vacuumed with fresh planner statistics (`vacuum_and_analyze`)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return vacuum_and_analyze(options)


def vacuum_and_analyze(options: dict[str, Any]) -> dict[str, Any]:
    """(In a Django process) on PostgreSQL, the database as a server that has run a while keeps it:
    vacuumed, with planner statistics. Tables just restored or generated are not: autovacuum would
    come to vacuum them in the middle of a measurement (their inserts pass its threshold), taking
    one of the two cores, and until it has, index-only scans still read the table's rows."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    return {}


# Processes' memory ------------------------------------------------------------------------------


def status_kib(pid: int | str, field: str) -> int | None:
    """A `VmHWM`/`VmRSS` line of /proc/<pid>/status in KiB (None once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def children_of(pid: int) -> list[int]:
    """The process's descendants (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    pending = [pid]
    while pending:
        parent = pending.pop()
        for task in Path(f"/proc/{parent}/task").glob("*/children"):
            try:
                kids = [int(child) for child in task.read_text().split()]
            except (OSError, ValueError):
                continue
            found += kids
            pending += kids
    return found


def reset_peak_memory() -> None:
    """Start this process's VmHWM afresh from its current resident set (as ledgers_bench does)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


# Datasets shared by the benchmarks of one run ---------------------------------------------------

_kept_open = contextlib.ExitStack()
_kept: dict[tuple[str, DatasetSpec, str, str | None], Dataset] = {}


def shared_dataset(kind: str, spec: DatasetSpec, *, cache: str = "use", key: str | None = None) -> Dataset:
    """`generated_database`, opened once in this process and kept until it exits: the workbench and
    report benchmarks of one `python -m bench` run restore (or generate) each programme once. What one
    benchmark adds (the workbench's accounts and service records) the next one finds."""
    wanted = (kind, spec, cache, key)
    if wanted not in _kept:
        if not _kept:
            atexit.register(_kept_open.close)
        _kept[wanted] = _kept_open.enter_context(generated_database(kind, spec, cache=cache, key=key))
    return _kept[wanted]

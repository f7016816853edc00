"""The workbench benchmark (issue 10): the workbench under load at province size.

On each database it takes a programme made by `sanqu generate` (restored from var/bench/cache when
it was made before; see `bench.common.generated_database`), gives some of its social workers and
county officers accounts with a password, starts the production web server (granian, WSGI, as
`sanqu serve` starts it, production settings) on a free port of 127.0.0.1, and runs clients on
loopback (threads with `requests`), each signed in as a social worker and as a county officer:

- caseload: GET /cases/ (the worker's own cases);
- search: GET /cases/beneficiaries/?q=… as the county officer (half a real name's first two
  characters, half a full ID number of someone the officer may see);
- entry: GET the service form of one of the worker's beneficiaries, POST a valid record with the
  form's CSRF token and client token, GET the page it redirects to (which must say it was saved).

First one client, then `--clients` at once, each for `--duration` seconds, after a warm-up. The
same on a small baseline programme (`--baseline-size`), so the report gives large ÷ small; and
the web processes' peak memory (VmHWM of granian's processes). Every request that answers other
than 2xx/3xx, a POST that does not redirect or a saved page without its message is a failure;
the records the clients saved are counted in the database at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.common import (
    DEMO_TODAY,
    ROOT,
    Dataset,
    DatasetSpec,
    _free_port,
    children_of,
    database_version,
    django_environment,
    milliseconds,
    progress,
    ratio,
    run_in_django_with,
    shared_dataset,
    status_kib,
    table,
    times,
)

GOAL_P95_MS = 150  # at 20 concurrent clients, 1,000,000 beneficiaries on PostgreSQL
GOAL_CLIENTS = 20
PASSWORD = "Bench-" + "x" * 6 + "-2018"
WEIGHTS = {"caseload": 4, "search": 3, "entry": 3}  # the mix of a client's actions
KINDS = {
    "caseload": "caseload  GET /cases/",
    "search": "search    GET /cases/beneficiaries/?q=",
    "entry_form": "entry     GET …/services/new/",
    "entry_save": "entry     POST …/services/new/",
    "entry_page": "entry     GET the page saved to",
}
SAVED = "已记录"  # the start of the message on the page after a saved service
SEARCHES_PER_COUNTY = 40
BENEFICIARIES_PER_WORKER = 30
WARMUP_SECONDS = 10
SAMPLE_SECONDS = 0.5
SLOW_MS = 500  # a request this slow is counted, with the seconds of the pass it was sent in


def add_arguments(parser: argparse._ArgumentGroup) -> None:
    """The dataset options are shared with the report benchmark."""
    parser.add_argument(
        "--size",
        default="province",
        help="the programme measured: a `sanqu generate` preset (default: province, 1,000,000 people served)",
    )
    parser.add_argument("--beneficiaries", type=int, help="people served (on top of --size)")
    parser.add_argument("--services", type=int, help="service records (on top of --size)")
    parser.add_argument("--workers", type=int, help="social workers (on top of --size)")
    parser.add_argument(
        "--baseline-size",
        default="county",
        help="the small programme of the same run's baseline: a preset (default: county), "
        "or preset+option=value+… (e.g. small+beneficiaries=20000+services=200000)",
    )
    parser.add_argument("--seed", type=int, default=2013, help="`sanqu generate`'s seed (default: 2013)")
    parser.add_argument(
        "--no-cache", action="store_true", help="generate the programmes afresh and keep no copy"
    )
    parser.add_argument(
        "--refresh-cache", action="store_true", help="generate the programmes afresh and replace the copy"
    )
    parser.add_argument(
        "--cache-key",
        metavar="KEY",
        help="restore the large programme from the cache entry of this key (12 hex digits) even though "
        "the migrations or the generator changed since; the newer migrations are applied to it",
    )
    parser.add_argument(
        "--clients",
        type=client_levels,
        default="20",
        metavar="N[,N…]",
        help="concurrent clients (default: 20); several, e.g. 20,50,100,200, give the large programme a "
        "pass at each and report the most that stay within the goal's p95 (the baseline is measured "
        "at 20, or at the fewest given)",
    )
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds of each pass, 1 client and all (default: 60)"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="each client's mean pause between actions (exponential; default 0: every client sends its "
        "next request as soon as the last one answers)",
    )
    parser.add_argument(
        "--web-workers",
        type=int,
        default=int(os.environ.get("SANQU_WEB_WORKERS", "2")),
        help="granian's worker processes (default: as `sanqu serve`, 2)",
    )


def client_levels(text: str) -> list[int]:
    """`20` or `20,50,100`: the numbers of concurrent clients, a pass at each."""
    try:
        levels = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of clients, or numbers with commas: {text}") from None
    if levels[0] < 1:
        raise argparse.ArgumentTypeError("every number of clients must be at least 1")
    return levels


def compared_level(levels: list[int]) -> int:
    """The number of clients the baseline, the ratios and the goal's verdict are taken at."""
    return GOAL_CLIENTS if GOAL_CLIENTS in levels else levels[0]


# The datasets (shared with the report benchmark) ------------------------------------------------


def parse_spec(text: str, *, seed: int) -> DatasetSpec:
    """`county` or `small+beneficiaries=20000+services=200000`."""
    preset, *given = text.split("+")
    options = []
    for item in given:
        name, _, value = item.partition("=")
        if not value.isdigit():
            raise SystemExit(f"not a size option: {item} (name=number)")
        options.append((name.replace("-", "_"), int(value)))
    return DatasetSpec(preset, tuple(sorted(options)), seed)


def specs(options: argparse.Namespace) -> dict[str, DatasetSpec]:
    """The baseline (small) and the measured (large) programmes."""
    large = tuple(
        sorted(
            (name, value)
            for name in ("beneficiaries", "services", "workers")
            if (value := getattr(options, name, None)) is not None
        )
    )
    return {
        "baseline": parse_spec(options.baseline_size, seed=options.seed),
        "large": DatasetSpec(options.size, large, options.seed),
    }


def cache_mode(options: argparse.Namespace) -> str:
    return "off" if options.no_cache else "refresh" if options.refresh_cache else "use"


def dataset(kind: str, spec: DatasetSpec, which: str, options: argparse.Namespace) -> Dataset:
    """The programme, kept open for the other benchmark of the run (`--cache-key` for the large one)."""
    key = options.cache_key if which == "large" else None
    return shared_dataset(kind, spec, cache=cache_mode(options), key=key)


def kinds_for(options: argparse.Namespace) -> list[str]:
    """PostgreSQL on `--db both` (make bench's default): the goal is PostgreSQL's at 1,000,000 people
    served; SQLite only when asked for (`--db sqlite`), at the sizes asked for."""
    return ["postgres"] if options.db == "both" else list(options.databases)


# The run (in the parent process) ---------------------------------------------------------------


def run(options: argparse.Namespace) -> dict[str, Any]:
    if options.duration < 1:
        raise SystemExit("--duration must be at least 1")
    results: dict[str, Any] = {}
    levels = {"baseline": [compared_level(options.clients)], "large": options.clients}
    for kind in kinds_for(options):
        sizes: dict[str, Any] = {}
        for which, spec in specs(options).items():
            sizes[which] = measure_dataset(dataset(kind, spec, which, options), options, levels[which])
        results[kind] = sizes
    return {"goal_p95_ms": GOAL_P95_MS, "databases": results}


def measure_dataset(dataset: Dataset, options: argparse.Namespace, levels: list[int]) -> dict[str, Any]:
    """A pass with one client, then one at each number of clients in `levels`."""
    label = f"{dataset.db.kind} {dataset.spec.label}"
    progress(label, "accounts for the clients")
    plan = run_in_django_with(
        "bench.workbench_bench:prepare",
        db=dataset.db,
        options={"clients": max(levels), "seed": options.seed},
        env=dataset.env,
    )
    environment = server_environment(dataset)
    with web_server(dataset, environment, workers=options.web_workers) as server:
        progress(label, f"granian on {server.base} (pid {server.process.pid}), {options.web_workers} workers")
        clients = [
            Client(server.base, plan["clients"][i], seed=options.seed + i, think=options.think)
            for i in range(max(levels))
        ]
        # Eight at a time, as many as granian's threads: the password hashing is the server's, and
        # 300 clients one after the other took 3 minutes.
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(Client.sign_in, clients))
        progress(label, f"{len(clients)} clients signed in; warming up {WARMUP_SECONDS} s")
        drive(clients, seconds=WARMUP_SECONDS, server=server)
        passes = {}
        for count in sorted({1, *levels}):
            progress(label, f"{count} client{'s' if count > 1 else ''} for {options.duration} s")
            passes[str(count)] = drive(clients[:count], seconds=options.duration, server=server)
            line = passes[str(count)]["overall"]
            progress(
                label,
                f"  {line['requests']:,} requests, {line['failures']} failed, "
                f"p95 {line['p95_ms']:.0f} ms, {line['rps']:.1f}/s",
            )
        memory = server.memory()
    tokens = [token for client in clients for token in client.saved_tokens]
    found = run_in_django_with(
        "bench.workbench_bench:count_saved", db=dataset.db, options={"tokens": tokens}, env=dataset.env
    )
    return {
        "database": found["database"],
        "dataset": dataset.as_dict(),
        "accounts": plan["accounts"],
        "passes": passes,
        "memory": memory,
        "saved": {"posted": len(tokens), "in_database": found["count"]},
    }


def server_environment(dataset: Dataset) -> dict[str, str]:
    """Production settings, as far as loopback allows: DEBUG off, each thread's database
    connection kept for a minute (production's default on PostgreSQL), no demo banner; two-factor
    sign-in off (the clients sign in with a password) and cookies without `Secure` (plain HTTP on
    loopback). Static files from the finders' storage, as the other benchmarks do: collecting and
    compressing them (production's manifest storage) takes minutes on 2 cores, and the clients
    fetch none."""
    return dataset.env | {
        "SANQU_ENV": "production",
        "SANQU_DEBUG": "false",
        "SANQU_SECRET_KEY": secrets.token_urlsafe(50),
        "SANQU_REQUIRE_2FA": "false",
        "SANQU_SECURE_COOKIES": "false",
        "SANQU_DEMO": "false",
        "SANQU_ALLOWED_HOSTS": "127.0.0.1",
        "SANQU_TODAY": DEMO_TODAY,
    }


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    peak_rss_kib: dict[int, int] = field(default_factory=dict)  # pid → the highest VmRSS sampled
    stop_sampling: threading.Event = field(default_factory=threading.Event)

    def pids(self) -> list[int]:
        return [self.process.pid, *children_of(self.process.pid)]

    def sample(self) -> None:
        while not self.stop_sampling.wait(SAMPLE_SECONDS):
            for pid in self.pids():
                rss = status_kib(pid, "VmRSS")
                if rss is not None:
                    self.peak_rss_kib[pid] = max(rss, self.peak_rss_kib.get(pid, 0))

    def memory(self) -> dict[str, Any]:
        """Each granian process: its peak (VmHWM) and resident set now, in MiB."""
        processes: list[dict[str, Any]] = []
        for pid in self.pids():
            hwm, rss = status_kib(pid, "VmHWM"), status_kib(pid, "VmRSS")
            if hwm is None or rss is None:
                continue
            processes.append(
                {
                    "pid": pid,
                    "role": "main" if pid == self.process.pid else "worker",
                    "peak_mib": round(hwm / 1024, 1),
                    "rss_mib": round(rss / 1024, 1),
                    "sampled_peak_mib": round(self.peak_rss_kib.get(pid, rss) / 1024, 1),
                }
            )
        return {
            "processes": processes,
            "total_peak_mib": round(sum(p["peak_mib"] for p in processes), 1),
            "total_rss_mib": round(sum(p["rss_mib"] for p in processes), 1),
        }


@contextlib.contextmanager
def web_server(dataset: Dataset, environment: dict[str, str], *, workers: int) -> Iterator[Server]:
    """granian as `sanqu serve` starts it (no task worker, no scheduler), stopped on the way out."""
    port = _free_port()
    command = [
        sys.executable, "-m", "granian", "--interface", "wsgi",
        "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--blocking-threads", "4", "--no-access-log",
        "sanqu.wsgi:application",
    ]  # fmt: skip
    process = subprocess.Popen(  # noqa: S603 (our own interpreter)
        command, env=django_environment(dataset.db) | environment, cwd=ROOT, start_new_session=True
    )
    server = Server(process, f"http://127.0.0.1:{port}")
    sampler = threading.Thread(target=server.sample, daemon=True)
    try:
        _wait_until_up(server)
        sampler.start()
        yield server
    finally:
        server.stop_sampling.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_up(server: Server) -> None:
    import requests

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"granian stopped (exit status {server.process.returncode})")
        with contextlib.suppress(requests.RequestException):
            if requests.get(server.base + "/accounts/login/", timeout=5).status_code == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("granian did not answer within 90 s")


# The clients -----------------------------------------------------------------------------------


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'name="client_token" value="([^"]+)"')
TYPE = re.compile(r'name="service_type" value="(\d+)"')
SERVED_ON = re.compile(r'name="served_on"[^>]*value="(\d{4}-\d{2}-\d{2})"')


@dataclass
class Sample:
    kind: str
    started: float  # time.monotonic() when sent
    ms: float
    ok: bool


class Client:
    """One person at the workbench: signed in as a social worker and as a county officer."""

    def __init__(self, base: str, plan: dict[str, Any], *, seed: int, think: float = 0.0) -> None:
        import requests

        self.base, self.plan, self.think = base, plan, think
        self.rng = random.Random(seed)  # noqa: S311 (the mix of actions)
        self.worker, self.officer = requests.Session(), requests.Session()
        self.samples: list[Sample] = []
        self.failures: list[str] = []
        self.saved_tokens: list[str] = []
        self.empty_searches = 0

    def sign_in(self) -> None:
        for session, username in ((self.worker, self.plan["worker"]), (self.officer, self.plan["officer"])):
            page = session.get(self.base + "/accounts/login/", timeout=60)
            token = CSRF.search(page.text)
            if token is None:
                raise RuntimeError(f"no CSRF token on the sign-in page ({page.status_code})")
            answer = session.post(
                self.base + "/accounts/login/",
                data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
                allow_redirects=False,
                timeout=60,
            )
            if answer.status_code != 302 or "/accounts/login/" in answer.headers.get("Location", ""):
                raise RuntimeError(f"{username} could not sign in ({answer.status_code})")

    def request(self, kind: str, session: Any, method: str, url: str, **kwargs: Any) -> Any:
        started = time.monotonic()
        clock = time.perf_counter()
        try:
            response = session.request(method, self.base + url, allow_redirects=False, timeout=120, **kwargs)
        except Exception as error:
            self.fail(kind, started, clock, f"{method} {url}: {error}")
            return None
        ms = (time.perf_counter() - clock) * 1000
        if not 200 <= response.status_code < 400:
            self.samples.append(Sample(kind, started, ms, ok=False))
            self.failures.append(f"{method} {url} → {response.status_code}: {response.text[:200]!r}")
            return None
        self.samples.append(Sample(kind, started, ms, ok=True))
        return response

    def fail(self, kind: str, started: float, clock: float, message: str) -> None:
        self.samples.append(Sample(kind, started, (time.perf_counter() - clock) * 1000, ok=False))
        self.failures.append(message)

    def caseload(self) -> None:
        self.request("caseload", self.worker, "GET", "/cases/")

    def search(self) -> None:
        term = self.rng.choice(self.plan["searches"])
        response = self.request(
            "search", self.officer, "GET", "/cases/beneficiaries/", params={"q": term["q"]}
        )
        if response is not None and term["expect"] not in response.text.replace(f'value="{term["q"]}"', ""):
            self.empty_searches += 1

    def entry(self) -> None:
        url = f"/cases/beneficiaries/{self.rng.choice(self.plan['beneficiaries'])}/services/new/"
        form = self.request("entry_form", self.worker, "GET", url)
        if form is None:
            return
        found = [pattern.search(form.text) for pattern in (CSRF, TOKEN, TYPE, SERVED_ON)]
        if not all(found):
            self.failures.append(f"GET {url}: the form lacks a field it needs")
            return
        csrf, token, service_type, served_on = (match.group(1) for match in found if match)
        data = {
            "csrfmiddlewaretoken": csrf,
            "client_token": token,
            "service_type": service_type,
            "served_on": served_on,
            "duration": self.rng.choice(["0.5", "1", "1.5", "2"]),
            "method": "case",
            "case": "",
            "place": "站点",
            "notes": "入户走访，了解近况。",
            "next_step": "",
        }
        started, clock = time.monotonic(), time.perf_counter()
        saved = self.request("entry_save", self.worker, "POST", url, data=data)
        if saved is None:
            return
        if saved.status_code != 302:
            self.samples[-1].ok = False
            self.failures.append(f"POST {url} → {saved.status_code} (not saved): {_errors(saved.text)}")
            return
        self.saved_tokens.append(token)
        page = self.request("entry_page", self.worker, "GET", saved.headers["Location"].split("#")[0])
        if page is not None and SAVED not in page.text:
            self.fail("entry_page", started, clock, f"the page after POST {url} does not say it was saved")

    def loop(self, until: float, stop: threading.Event) -> None:
        actions = list(WEIGHTS)
        weights = list(WEIGHTS.values())
        if self.think:
            # A pause before the first action too, so that the clients of a pass do not all send at
            # its first instant: with pauses, people's actions arrive at random from the start. (All
            # at once, 150 clients' first requests queued for up to a second and made 4 % of the
            # pass's requests.)
            stop.wait(min(self.rng.expovariate(1 / self.think), max(0.0, until - time.monotonic())))
        while time.monotonic() < until and not stop.is_set():
            getattr(self, self.rng.choices(actions, weights)[0])()
            if self.think:
                stop.wait(min(self.rng.expovariate(1 / self.think), max(0.0, until - time.monotonic())))


def _errors(html: str) -> str:
    found = re.findall(r'class="field__error">([^<]+)<', html) or re.findall(
        r'class="notice[^"]*">([^<]+)<', html
    )
    return "; ".join(found)[:300] or html[:200]


def drive(clients: list[Client], *, seconds: int, server: Server) -> dict[str, Any]:
    """Every client in its own thread for the seconds; the samples of requests sent in them."""
    started = time.monotonic()
    until = started + seconds
    marks = [len(client.samples) for client in clients]
    failures = [len(client.failures) for client in clients]
    empty = [client.empty_searches for client in clients]
    cpu = time.process_time()
    stop = threading.Event()
    threads = [threading.Thread(target=client.loop, args=(until, stop), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        stop.set()
        raise
    elapsed = time.monotonic() - started
    samples = [
        sample for client, mark in zip(clients, marks, strict=True) for sample in client.samples[mark:]
    ]
    messages = [
        message for client, mark in zip(clients, failures, strict=True) for message in client.failures[mark:]
    ]
    for message in messages[:10]:
        print(f"    failure: {message}", file=sys.stderr)
    result: dict[str, Any] = {
        "clients": len(clients),
        "seconds": round(elapsed, 1),
        "client_cpu_seconds": round(time.process_time() - cpu, 1),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "empty_searches": sum(c.empty_searches for c in clients) - sum(empty),
        "failure_messages": messages[:50],
        "overall": summary(samples, elapsed),
        "kinds": {kind: summary([s for s in samples if s.kind == kind], elapsed) for kind in KINDS},
        "slow": slow(samples, started),
    }
    return result


def slow(samples: list[Sample], started: float) -> dict[str, Any]:
    """The requests slower than SLOW_MS and the seconds of the pass they were sent in: bunched in a
    few seconds they point at a stall (a pause of the server or the database), spread over many at
    a queue."""
    seconds = sorted({int(sample.started - started) for sample in samples if sample.ms > SLOW_MS})
    return {
        "over_ms": SLOW_MS,
        "requests": sum(sample.ms > SLOW_MS for sample in samples),
        "seconds": len(seconds),
        "at": seconds[:40],
    }


def summary(samples: list[Sample], seconds: float) -> dict[str, Any]:
    durations = sorted(sample.ms for sample in samples)

    def rank(share: float) -> float:
        return round(durations[max(0, math.ceil(share * len(durations)) - 1)], 1) if durations else 0.0

    return {
        "requests": len(samples),
        "failures": sum(not sample.ok for sample in samples),
        "p50_ms": rank(0.50),
        "p95_ms": rank(0.95),
        "p99_ms": rank(0.99),
        "max_ms": round(durations[-1], 1) if durations else 0.0,
        "rps": round(len(samples) / seconds, 1) if seconds else 0.0,
    }


# The report (in the parent process) ------------------------------------------------------------


def report(result: dict[str, Any]) -> str:
    machine = result["machine"]
    options = result["options"]
    clients = str(compared_level(options["clients"]))
    lines = [
        "",
        f"Workbench benchmark — {machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"load average {' '.join(map(str, machine['load_average']))} at the start",
        f"granian WSGI, {options['web_workers']} workers × 4 threads, production settings; "
        f"{options['duration']} s per pass; latency in ms as the clients saw it (loopback, requests); "
        + (
            f"each client pauses {options['think']} s on average between actions"
            if options.get("think")
            else "no pause between a client's requests (a closed loop: latency ≈ clients ÷ throughput)"
        ),
    ]
    verdicts = []
    for kind, sizes in result["databases"].items():
        for which in ("baseline", "large"):
            run = sizes[which]
            data = run["dataset"]
            counts = data["counts"]
            lines += [
                "",
                f"{run['database']}, {which}: `sanqu generate` {data['size']} (seed {data['seed']}): "
                f"{counts.get('cases.Beneficiary', 0):,} people served, "
                f"{counts.get('cases.ServiceRecord', 0):,} service records, "
                f"{counts.get('workforce.Person', 0):,} workers; "
                f"{'restored from the cache' if data['source'] == 'cache' else 'generated'} "
                f"in {data['seconds']:.0f} s; {run['accounts']['social_workers']} social workers and "
                f"{run['accounts']['county_officers']} county officers signed in",
            ]
            for count, run_pass in run["passes"].items():
                rows = []
                for key, label in [("overall", "all requests"), *KINDS.items()]:
                    line = run_pass["overall"] if key == "overall" else run_pass["kinds"][key]
                    rows.append([label, *_latency_cells(line), f"{line['rps']:.1f}"])
                lines += [
                    "",
                    f"{count} client{'s' if count != '1' else ''}, {run_pass['seconds']:.0f} s "
                    f"(load average {' '.join(map(str, run_pass['load_average']))} at the end; "
                    f"the clients used {run_pass['client_cpu_seconds']:.0f} s of CPU; "
                    f"{run_pass['empty_searches']} searches found nobody)",
                    table(["", "requests", "failed", "p50", "p95", "p99", "per s"], rows),
                ]
                if late := run_pass.get("slow", {}).get("requests"):
                    lines.append(
                        f"{late} over {run_pass['slow']['over_ms']} ms, sent in "
                        f"{run_pass['slow']['seconds']} different seconds of the pass "
                        f"(the first: {', '.join(map(str, run_pass['slow']['at'][:20]))})"
                    )
            memory = run["memory"]
            workers = [p for p in memory["processes"] if p["role"] == "worker"]
            lines += [
                "",
                "web memory (MiB): "
                + ", ".join(
                    f"worker {p['pid']} peak {p['peak_mib']:.0f} now {p['rss_mib']:.0f}" for p in workers
                )
                + f"; all granian processes peak {memory['total_peak_mib']:.0f}, "
                f"now {memory['total_rss_mib']:.0f}",
                f"service records saved: {run['saved']['posted']:,} posted, "
                f"{run['saved']['in_database']:,} found in the database",
            ]
        small, large = sizes["baseline"], sizes["large"]
        rows = []
        for key, label in [("overall", "all requests"), *KINDS.items()]:

            def pick(run: dict[str, Any], count: str, key: str = key) -> dict[str, Any]:
                run_pass = run["passes"][count]
                return run_pass["overall"] if key == "overall" else run_pass["kinds"][key]

            rows.append(
                [
                    label,
                    times(ratio(pick(large, clients)["p50_ms"], pick(small, clients)["p50_ms"])),
                    times(ratio(pick(large, clients)["p95_ms"], pick(small, clients)["p95_ms"])),
                    times(ratio(pick(large, clients)["rps"], pick(small, clients)["rps"])),
                    times(ratio(pick(large, clients)["p95_ms"], pick(large, "1")["p95_ms"])),
                ]
            )
        beneficiaries = ratio(
            large["dataset"]["counts"].get("cases.Beneficiary", 0),
            small["dataset"]["counts"].get("cases.Beneficiary", 0),
        )
        lines += [
            "",
            f"{kind}: large ÷ small ({times(beneficiaries)} the people served), at {clients} clients; "
            f"and {clients} clients ÷ 1 on the large programme",
            table(["", "p50", "p95", "per s", f"p95 {clients}÷1"], rows),
        ]
        if len(options["clients"]) > 1:
            lines += ["", *limit(kind, large)]
        p95 = large["passes"][clients]["overall"]["p95_ms"]
        failures = sum(run_pass["overall"]["failures"] for run_pass in large["passes"].values())
        met = p95 <= GOAL_P95_MS and failures == 0
        verdict = (
            f"{kind}: p95 {milliseconds(p95)} ms at {clients} clients, "
            f"{large['dataset']['counts'].get('cases.Beneficiary', 0):,} people served, "
            f"{failures} failures — "
            f"goal ≤ {GOAL_P95_MS} ms {'MET' if met else 'NOT MET'}"
        )
        verdicts.append(verdict)
        lines += ["", verdict]
    lines += ["", "Summary:", *(f"  {verdict}" for verdict in verdicts)]
    return "\n".join(lines)


def _latency_cells(line: dict[str, Any]) -> list[object]:
    """Requests, failed, p50, p95 and p99 of a pass's summary, as the tables print them."""
    return [
        f"{line['requests']:,}",
        line["failures"],
        milliseconds(line["p50_ms"]),
        milliseconds(line["p95_ms"]),
        milliseconds(line["p99_ms"]),
    ]


def limit(kind: str, large: dict[str, Any]) -> list[str]:
    """The large programme's passes side by side, and the most clients measured within the goal."""
    rows = []
    within = []
    for count, run_pass in large["passes"].items():
        line, save = run_pass["overall"], run_pass["kinds"]["entry_save"]
        ok = line["p95_ms"] <= GOAL_P95_MS and line["failures"] == 0
        if ok:
            within.append(int(count))
        rows.append(
            [
                count,
                *_latency_cells(line),
                milliseconds(save["p95_ms"]),
                f"{line['rps']:.1f}",
                run_pass["load_average"][0],
                f"{run_pass['client_cpu_seconds']:.0f}",
                "yes" if ok else "no",
            ]
        )
    # The most clients within the goal, below the fewest that were not (a pass can come back under
    # the line after one above it when the machine was busy: the lower count is the one that holds).
    counts = [int(count) for count in large["passes"]]
    over = [count for count in counts if count not in within]
    held = [count for count in within if not over or count < min(over)]
    verdict = (
        f"{kind}: the most clients measured within p95 ≤ {GOAL_P95_MS} ms: {max(held)}"
        + (f" (above the line at {min(over)})" if over else " (every pass within it)")
        if held
        else f"{kind}: no pass within p95 ≤ {GOAL_P95_MS} ms"
    )
    return [
        f"{kind}: the large programme at each number of clients",
        table(
            [
                "clients",
                "requests",
                "failed",
                "p50",
                "p95",
                "p99",
                "save p95",
                "per s",
                "load",
                "client CPU s",
                "within",
            ],
            rows,
        ),
        "",
        verdict,
    ]


# In a Django process on the dataset ------------------------------------------------------------


def prepare(options: dict[str, Any]) -> dict[str, Any]:
    """Accounts for the clients, with the benchmark's password: `clients` social workers with open
    cases (each at the station of most of their cases) and a county officer for each of their counties;
    for each client the worker's beneficiaries for entry and searches the officer's list answers."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count
    from django.utils import timezone

    from sanqu.accounts.models import Membership, User
    from sanqu.accounts.roles import Role
    from sanqu.cases.models import Beneficiary, Case
    from sanqu.cases.selectors.beneficiaries import beneficiaries_for
    from sanqu.regions.models import Region, Station

    rng = random.Random(options["seed"])  # noqa: S311 (which accounts)
    places = (
        Case.objects.filter(status=Case.Status.OPEN, station__isnull=False)
        .values_list("worker_id", "station_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    best: dict[int, tuple[int, int]] = {}
    for worker_id, station_id, n in places:
        if n > best.get(worker_id, (0, 0))[0]:
            best[worker_id] = (n, station_id)
    if not best:
        raise RuntimeError("no social worker has an open case")
    # One worker a client; on a programme with fewer workers than clients, some share an account.
    chosen = sorted(rng.sample(sorted(best), min(options["clients"], len(best))))
    stations = Station.objects.in_bulk([best[pk][1] for pk in chosen])
    password = make_password(PASSWORD)
    now = timezone.now()

    def account(username: str) -> User:
        # Kept when the programme is measured again (their records and audit entries hold on to them).
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"display_name": username, "password": password, "password_changed_at": now},
        )
        return user

    accounts = []
    with transaction.atomic():
        officers: dict[int, User] = {}
        for index, person_id in enumerate(chosen):
            station = stations[best[person_id][1]]
            region = Region.objects.get(pk=station.region_id)
            county = _county_of(region)
            worker = account(f"bench-worker-{index + 1}")
            worker.memberships.all().delete()
            Membership.objects.create(
                user=worker, role=Role.SOCIAL_WORKER, region=region, person_id=person_id
            )
            if county.pk not in officers:
                officers[county.pk] = account(f"bench-officer-{county.code}")
                Membership.objects.get_or_create(
                    user=officers[county.pk], role=Role.COUNTY_OFFICER, region=county
                )
            accounts.append({"worker": worker, "officer": officers[county.pk], "county": county})
    clients = [accounts[index % len(accounts)] for index in range(options["clients"])]
    searches: dict[int, list[dict[str, str]]] = {}
    for county_pk, officer in officers.items():
        visible = list(
            beneficiaries_for(officer)
            .filter(region__path__startswith=clients_county(clients, county_pk).path)
            .order_by("pk")
            .values_list("pk", flat=True)[:5000]
        )
        picked = Beneficiary.objects.in_bulk(rng.sample(visible, min(SEARCHES_PER_COUNTY, len(visible))))
        terms = []
        for index, beneficiary in enumerate(picked.values()):
            if index % 2 and beneficiary.id_number:
                terms.append({"q": beneficiary.id_number, "expect": beneficiary.name})
            else:
                terms.append({"q": beneficiary.name[:2], "expect": beneficiary.name[:2]})
        searches[county_pk] = terms
    plans = []
    seen: dict[int, list[int]] = {}
    for client in clients:
        worker = client["worker"]
        if worker.pk not in seen:
            seen[worker.pk] = list(
                beneficiaries_for(worker).order_by("pk").values_list("pk", flat=True)[:2000]
            )
        mine = seen[worker.pk]
        if not mine:
            raise RuntimeError(f"{worker.username} sees no beneficiary")
        plans.append(
            {
                "worker": worker.username,
                "officer": client["officer"].username,
                "beneficiaries": rng.sample(mine, min(BENEFICIARIES_PER_WORKER, len(mine))),
                "searches": searches[client["county"].pk],
            }
        )
    return {
        "clients": plans,
        "accounts": {"social_workers": len(accounts), "county_officers": len(officers)},
    }


def clients_county(clients: list[dict[str, Any]], county_pk: int) -> Any:
    return next(client["county"] for client in clients if client["county"].pk == county_pk)


def _county_of(region: Any) -> Any:
    from sanqu.regions.models import Region

    while region.level != Region.Level.COUNTY:
        region = region.parent
    return region


def count_saved(options: dict[str, Any]) -> dict[str, Any]:
    """How many of the clients' saved records (by client token) are in the database."""
    from sanqu.cases.models import ServiceRecord

    tokens = options["tokens"]
    count = sum(
        ServiceRecord.objects.filter(client_token__in=tokens[start : start + 500]).count()
        for start in range(0, len(tokens), 500)
    )
    return {"count": count, "database": database_version()}

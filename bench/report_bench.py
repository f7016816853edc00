"""The report benchmark (issue 10): the results report PDF for the municipality at 10,000,000 service records.

On each database it takes `sanqu generate`'s programme (the same datasets as the workbench benchmark,
restored from var/bench/cache when made before: `--size`, `--baseline-size`, `--seed`, `--no-cache`,
`--refresh-cache` are shared with it) and, in a fresh Django process, times the task the worker runs
for a results report (`sanqu.figures.report_tasks.generate_report`) for 重庆市 on the working
date, as a PDF in Chinese: `--warmup` unmeasured runs, then `--repeat` measured ones, each on a
report queued beforehand (outside the timing). Each run's steps are timed from the progress the task
writes (figures and the document up to 80 %, then WeasyPrint), and the process's peak memory
(VmHWM, reset through /proc/self/clear_refs before the run). The goal: at most 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
from typing import Any

from bench.common import (
    DEMO_TODAY,
    Dataset,
    Timing,
    database_version,
    milliseconds,
    progress,
    ratio,
    reset_peak_memory,
    run_in_django_with,
    status_kib,
    table,
    times,
)
from bench.workbench_bench import dataset, kinds_for, specs

GOAL_MS = 5000
CITY = "500000"  # 重庆市: the generated programme's top region


def add_arguments(parser: argparse._ArgumentGroup) -> None:
    """Its dataset options are the workbench benchmark's (--size, --baseline-size, --seed, the cache's)."""


def run(options: argparse.Namespace) -> dict[str, Any]:
    settings = {"repeat": options.repeat, "warmup": options.warmup}
    results: dict[str, Any] = {}
    for kind in kinds_for(options):
        sizes: dict[str, Any] = {}
        for which, spec in specs(options).items():
            sizes[which] = measure_dataset(dataset(kind, spec, which, options), settings)
        results[kind] = sizes
    return {"goal_ms": GOAL_MS, "databases": results}


def measure_dataset(dataset: Dataset, settings: dict[str, Any]) -> dict[str, Any]:
    progress(
        f"{dataset.db.kind} {dataset.spec.label}", "the results report PDF of 重庆市, in a fresh process"
    )
    result = run_in_django_with(
        "bench.report_bench:measure_reports",
        db=dataset.db,
        options=settings | {"label": f"{dataset.db.kind} {dataset.spec.label}"},
        env=dataset.env,
    )
    return {"dataset": dataset.as_dict(), **result}


# The report (in the parent process) ------------------------------------------------------------


def report(result: dict[str, Any]) -> str:
    machine = result["machine"]
    options = result["options"]
    lines = [
        "",
        f"Results report benchmark — {machine['cpus']} CPUs ({machine['cpu']}), Python {machine['python']}, "
        f"load average {' '.join(map(str, machine['load_average']))} at the start",
        f"generate_report (the worker's task), 重庆市 on {DEMO_TODAY}, PDF in Chinese; "
        f"median and p95 of {options['repeat']} runs after {options['warmup']} warm-up, in one fresh process",
    ]
    verdicts = []
    for kind, sizes in result["databases"].items():
        rows = []
        for which in ("baseline", "large"):
            run = sizes[which]
            counts = run["dataset"]["counts"]
            rows.append(
                [
                    f"{which}: {run['dataset']['size']}",
                    f"{counts.get('cases.ServiceRecord', 0):,}",
                    milliseconds(run["first_ms"]),
                    milliseconds(run["timing"]["median_ms"]),
                    milliseconds(run["timing"]["p95_ms"]),
                    milliseconds(run["steps"]["document_ms"]),
                    milliseconds(run["steps"]["pdf_ms"]),
                    f"{run['pdf_bytes'] / 1024:,.0f}",
                    f"{run['memory']['peak_mib']:.0f}",
                    f"{run['memory']['above_start_mib']:.0f}",
                ]
            )
        small, large = sizes["baseline"], sizes["large"]
        lines += [
            "",
            f"{large['database']}:",
            table(
                [
                    "programme",
                    "services",
                    "first",
                    "median",
                    "p95",
                    "figures+doc",
                    "PDF",
                    "KiB",
                    "peak MiB",
                    "rise",
                ],
                rows,
            ),
            "",
            "where the large report's time goes (median of each step, ms): "
            + ", ".join(f"{step} {milliseconds(ms)}" for step, ms in large["steps"]["by_step"].items()),
            f"large ÷ baseline: {times(ratio(large['timing']['median_ms'], small['timing']['median_ms']))} "
            f"the time for {times(ratio(_services(large), _services(small)))} "
            "the service records",
        ]
        median = large["timing"]["median_ms"]
        verdict = (
            f"{kind}: results PDF of 重庆市 at {large['dataset']['counts'].get('cases.ServiceRecord', 0):,} "
            f"service records: median {milliseconds(median)} ms — goal ≤ {GOAL_MS:,} ms "
            f"{'MET' if median <= GOAL_MS else 'NOT MET'}"
        )
        verdicts.append(verdict)
        lines += ["", verdict]
    lines += ["", "Summary:", *(f"  {verdict}" for verdict in verdicts)]
    return "\n".join(lines)


def _services(run: dict[str, Any]) -> int:
    return int(run["dataset"]["counts"].get("cases.ServiceRecord", 0))


# In a Django process on the dataset ------------------------------------------------------------


def measure_reports(options: dict[str, Any]) -> dict[str, Any]:
    """Queue a report and run the task on it, `warmup` + `repeat` times; timings, steps, memory."""
    from sanqu.figures import report_services
    from sanqu.figures.models import ReportFile
    from sanqu.figures.report_tasks import generate_report
    from sanqu.lib import clock, heap
    from sanqu.regions.models import Region

    heap.settle()  # as the task worker does at start (sanqu.cli)

    city = Region.objects.get(code=CITY)
    as_of = clock.today()
    if as_of != dt.date.fromisoformat(DEMO_TODAY):
        raise RuntimeError(f"the working date is {as_of}, the benchmark's {DEMO_TODAY}")
    steps: list[tuple[float, int, str]] = []
    original = report_services._progress

    def timed_progress(pk: int, percent: int, step: str) -> None:
        steps.append((time.perf_counter(), percent, str(step)))
        original(pk, percent, step)

    report_services._progress = timed_progress
    samples, breakdowns, memory = [], [], []
    first_ms = 0.0
    size = 0
    for index in range(options["warmup"] + options["repeat"]):
        report = ReportFile.objects.create(scope=city, as_of=as_of, format="pdf", language="zh-hans")
        gc.collect()
        steps.clear()
        reset_peak_memory()
        start_kib = status_kib("self", "VmRSS") or 0
        started = time.perf_counter()
        status = generate_report.call(report.pk)
        elapsed = (time.perf_counter() - started) * 1000
        peak_kib = status_kib("self", "VmHWM") or 0
        report.refresh_from_db()
        if status != "done" or report.status != ReportFile.Status.DONE:
            raise RuntimeError(f"the report failed ({status}): {report.error}")
        size = report.size or 0
        if index == 0:
            first_ms = elapsed
        measured = index >= options["warmup"]
        progress(
            options["label"],
            f"{'run' if measured else 'warm-up'} {index + 1}: {elapsed:,.0f} ms, {size / 1024:,.0f} KiB, "
            f"peak {peak_kib / 1024:,.0f} MiB",
        )
        if not measured:
            continue
        samples.append(elapsed)
        memory.append((peak_kib, start_kib))
        breakdown: dict[str, float] = {}
        previous = started
        for moment, percent, step in steps:
            breakdown[f"{percent}% {step}"] = (moment - previous) * 1000
            previous = moment
        breakdown["saving the file"] = (started + elapsed / 1000 - previous) * 1000
        breakdowns.append(breakdown)
    report_services._progress = original
    by_step = {
        step: round(statistics.median(b.get(step, 0.0) for b in breakdowns), 1) for step in breakdowns[-1]
    }
    # Up to the step at 80 % (the document written): the figures and the HTML; after it WeasyPrint.
    keys = list(by_step)
    document = next((i for i, key in enumerate(keys) if key.startswith("80%")), len(keys) - 1)
    peak, start = max(memory)
    return {
        "database": database_version(),
        "timing": Timing(samples).as_dict(),
        "first_ms": round(first_ms, 1),
        "pdf_bytes": size,
        "steps": {
            "by_step": by_step,
            "document_ms": round(sum(by_step[key] for key in keys[: document + 1]), 1),
            "pdf_ms": round(sum(by_step[key] for key in keys[document + 1 :]), 1),
        },
        "memory": {"peak_mib": round(peak / 1024, 1), "above_start_mib": round((peak - start) / 1024, 1)},
    }

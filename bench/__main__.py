"""`python -m bench [NAME ...] [options]`: run the benchmarks named (all by default), print their
results and write each as JSON to var/bench/<name>-<timestamp>.json."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from types import ModuleType

from bench import BENCHMARKS
from bench.common import DATABASES, machine, stop_on_sigterm, write_result


def parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)}"
    )
    parser.add_argument(
        "--db", choices=[*DATABASES, "both"], default="both", help="database(s) to run on (default: both)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="measured repetitions of each measure (default: 5)"
    )
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs before them (default: 1)")
    for name, module in modules.items():
        module.add_arguments(parser.add_argument_group(name))
    return parser


def main() -> int:
    stop_on_sigterm()
    modules = {name: importlib.import_module(path) for name, path in BENCHMARKS.items()}
    options = parser(modules).parse_args()
    unknown = [name for name in options.names if name not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark: {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})", file=sys.stderr)
        return 2
    if options.repeat < 1 or options.warmup < 0:
        print("--repeat must be at least 1 and --warmup at least 0", file=sys.stderr)
        return 2
    options.databases = list(DATABASES) if options.db == "both" else [options.db]
    for name in options.names or list(BENCHMARKS):
        module = modules[name]
        started = time.monotonic()
        result = {
            "benchmark": name,
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": machine(),
            "options": {key: value for key, value in vars(options).items() if key != "names"},
            **module.run(options),
        }
        result["seconds"] = round(time.monotonic() - started, 1)
        print(module.report(result))
        print(f"Written to {write_result(name, result)} ({result['seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

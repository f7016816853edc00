"""Sanqu's benchmarks: measured and printed as ratios, never asserted by the test suite.

Run them with `make bench` (all) or `make bench BENCH=figures`, or `python -m bench figures
--db sqlite --repeat 3`. Each benchmark is a module here with `add_arguments(parser)`, `run(options)`
(returns a JSON-able result) and `report(result)` (the text printed); list it in BENCHMARKS.
`bench.common` holds what they share: timing, the databases they run on, the Django process each
measurement runs in, the machine's description and the JSON files under var/bench/.
"""

from __future__ import annotations

# name → module, in the order `make bench` runs them.
BENCHMARKS = {
    "figures": "bench.figures_bench",
    "ledgers": "bench.ledgers_bench",
    "workbench": "bench.workbench_bench",
    "report": "bench.report_bench",
}

#!/usr/bin/env bash
# make bench: set up as for the tests (PostgreSQL's server binaries included), then run the
# benchmarks under bench/ on throwaway databases (a SQLite file, a PostgreSQL cluster started and
# stopped by the run) and print their ratios; results also go to var/bench/<name>-<time>.json.
# Usage: scripts/bench.sh [NAME...] [--db sqlite|postgres|both] [--repeat N] [--scale N] [--profile]
# Run it on a quiet machine: the numbers mean little while the test suite runs beside them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" test
# The comparisons' own dependencies (django-import-export for the ledgers): the bench group only.
"$UV" sync --frozen --quiet -p "$PY" --group bench || die "uv could not install the bench group's dependencies"
say "Benchmarks: python -m bench $*"
exec python -m bench "$@"

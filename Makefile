# The two commands of the README, and the ones people expect beside them.
.PHONY: run test lint setup bench fuzz

run:  ## set up and serve the platform with the demo data on http://127.0.0.1:8000
	@bash scripts/run.sh

test:  ## set up and run the whole suite: lint, types, SQLite, PostgreSQL, browser
	@bash scripts/test.sh

lint:  ## ruff and mypy only
	@bash scripts/test.sh lint

setup:  ## install everything the tests need, run nothing
	@bash scripts/setup.sh test

bench:  ## set up and run the benchmarks (BENCH=figures for one; BENCH_OPTIONS="--db sqlite --repeat 3")
	@bash scripts/bench.sh $(BENCH) $(BENCH_OPTIONS)

fuzz:  ## fuzz the parsers and the publishing guard for longer than make test does
	@bash scripts/test.sh fuzz

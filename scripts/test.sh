#!/usr/bin/env bash
# make test: set up, then the whole suite: ruff, mypy, the tests on SQLite, the tests on
# PostgreSQL (a throwaway cluster on 127.0.0.1, stopped afterwards) and the browser tests in
# Chromium. Every step runs; the exit status is non-zero if any failed.
# Usage: scripts/test.sh [lint|sqlite|postgres|browser|fuzz]...   (default: all but fuzz)
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" test || exit 1
set +e

steps=("$@")
((${#steps[@]})) || steps=(lint sqlite postgres browser)
failed=()
step() { say "$1"; }

pg_dir=""
stop_postgres() {
  if [[ -n $pg_dir && -d $pg_dir ]]; then
    as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1
    rm -rf "$pg_dir"
  fi
}
trap stop_postgres EXIT INT TERM

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_postgres() {
  PG_BIN=$(pg_config --bindir 2>/dev/null)
  [[ -x $PG_BIN/initdb ]] || PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -x $PG_BIN/initdb ]] || { echo "PostgreSQL server binaries not found"; return 1; }
  pg_dir=$(mktemp -d /tmp/sanqu-pg.XXXXXX)
  [[ $(id -u) -eq 0 ]] && chown postgres "$pg_dir"
  PG_PORT=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_pg "$PG_BIN/initdb" -D "$pg_dir/data" -A trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w start \
    -o "-p $PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    >/dev/null || { cat "$pg_dir/log"; return 1; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/sanqu"
}

# Every msgid of the code must have its English: extract afresh, look for untranslated or fuzzy
# entries, and put the committed catalogue back as it was.
check_catalogue() {
  local po=sanqu/locale/en/LC_MESSAGES/django.po saved missing
  saved=$(mktemp)
  cp "$po" "$saved"
  SANQU_ENV=test sanqu makemessages -l en --ignore=.venv --ignore=node_modules --ignore=var -v0
  missing=$( (msgattrib --untranslated --no-obsolete --no-wrap "$po"; msgattrib --only-fuzzy --no-obsolete --no-wrap "$po") \
    | grep -A1 '^msgid "[^"]' | grep '^msgid')
  cp "$saved" "$po"
  rm -f "$saved"
  if [[ -n $missing ]]; then
    echo "Without English in $po (run makemessages and translate):"
    echo "$missing"
    return 1
  fi
}

for name in "${steps[@]}"; do
  case $name in
    lint)
      step "ruff"
      ruff check . && ruff format --check . || failed+=(ruff)
      step "mypy"
      mypy sanqu || failed+=(mypy)
      step "English catalogue complete"
      check_catalogue || failed+=(catalogue)
      ;;
    fuzz)
      step "Fuzzing (hypothesis, profile fuzz)"
      HYPOTHESIS_PROFILE=fuzz python -m pytest -q -p no:randomly sanqu/lib/tests/test_fuzz.py || failed+=(fuzz)
      step "Fuzzing (atheris, coverage-guided, ${FUZZ_SECONDS:-60} s a target)"
      if "$UV" sync --frozen --quiet -p "$PY" --group fuzz; then
        for target in idnumber creditcode guard ledger; do
          python scripts/fuzz_atheris.py "$target" || failed+=("fuzz-$target")
        done
      else
        failed+=(fuzz-setup)
      fi
      ;;
    sqlite)
      step "Tests on SQLite"
      python -m pytest -q -n auto --durations=15 || failed+=(sqlite)
      ;;
    postgres)
      step "Tests on PostgreSQL"
      if start_postgres; then
        python -m pytest -q -n auto --durations=15 || failed+=(postgres)
        stop_postgres
        unset DATABASE_URL
      else
        failed+=(postgres-start)
      fi
      ;;
    browser)
      step "Browser tests in Chromium"
      python -m pytest -q -m browser || failed+=(browser)
      ;;
    *) echo "unknown step: $name"; failed+=("$name") ;;
  esac
done

if ((${#failed[@]})); then
  printf '\033[1;31mFAILED:\033[0m %s\n' "${failed[*]}"
  exit 1
fi
say "All green."

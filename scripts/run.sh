#!/usr/bin/env bash
# make run: set up, migrate the SQLite database under var/, load the demo when it is empty, and
# serve Sanqu with a production web server and the task worker on http://127.0.0.1:${PORT:-8000}.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" run

export SANQU_ENV=${SANQU_ENV:-development}
export SANQU_DEMO=${SANQU_DEMO:-true}
# The demo is Chongqing's programme as it stood on 2018-07-10: the workbench works on that day.
if [[ $SANQU_DEMO == true ]]; then export SANQU_TODAY=${SANQU_TODAY:-2018-07-10}; fi
# Collect (and compress) static files only when a source changed: it is the slowest start-up step.
manifest=var/static/staticfiles.json
if [[ ! -f $manifest || uv.lock -nt $manifest || package-lock.json -nt $manifest ]] \
  || [[ -n $(find sanqu -path '*/static/*' -newer "$manifest" -print -quit) ]]; then
  say "Static files"
  sanqu collectstatic --noinput --verbosity 0
fi
say "Database: ${DATABASE_URL:-var/sanqu.sqlite3}"
sanqu migrate --noinput --verbosity 0
sanqu demo --if-empty --verbosity 0
exec sanqu serve --port "${PORT:-8000}"

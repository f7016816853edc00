#!/usr/bin/env bash
# Set up everything Sanqu needs on a fresh machine: a Python >= 3.12, uv, the Python and npm
# dependencies from their lock files, the Debian packages, compiled translations and static files.
# Usage: scripts/setup.sh [run|test]   (test adds Chromium, CJK fonts and PostgreSQL)
# Sourced by run.sh and test.sh; sets PY, UV and puts .venv/bin on PATH.
set -euo pipefail

purpose=${1:-run}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export UV_PYTHON_DOWNLOADS=never
export UV_LINK_MODE=${UV_LINK_MODE:-copy}

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

python_ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }

find_python() {
  local candidate path root
  for candidate in "${SANQU_PYTHON:-}" python3.12 python3.13 python3; do
    [[ -n $candidate ]] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if python_ok "$path"; then echo "$path"; return 0; fi
  done
  root=$( (command -v pyenv >/dev/null && pyenv root) 2>/dev/null || echo "$HOME/.pyenv")
  for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
    if python_ok "$path"; then echo "$path"; return 0; fi
  done
  return 1
}

PY=$(find_python) || die "Sanqu needs Python 3.12 or newer and none was found.
   Install one, for example:  apt-get install -y python3.12 python3.12-venv
   or with pyenv:             pyenv install 3.12
   or point SANQU_PYTHON at an interpreter:  SANQU_PYTHON=/path/to/python3.12 make run"
say "Python: $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"

# Debian packages: gettext compiles the translations; WeasyPrint's PDFs need a CJK font (Chinese
# renders as empty boxes without one) and HarfBuzz's subsetter (an 8x faster PDF with Noto CJK);
# the tests add Chromium, PostgreSQL and poppler (pdftotext reads the PDFs back).
packages=(gettext fonts-noto-cjk libharfbuzz-subset0)
if [[ $purpose == test ]]; then
  packages+=(chromium postgresql poppler-utils)
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    say "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "Missing Debian packages. Run as root:  apt-get update && apt-get install -y ${missing[*]}"
  fi
fi

# uv: the one beside the interpreter, else one on the PATH that runs (a pyenv shim may exist for a
# Python version that is not selected, and fails), else installed beside the interpreter.
works() { [[ -n $1 && -x $1 ]] && "$1" --version >/dev/null 2>&1; }
UV=$(dirname "$PY")/uv
works "$UV" || UV=$(command -v uv 2>/dev/null || true)
if ! works "$UV"; then
  say "Installing uv"
  "$PY" -m pip install --quiet --disable-pip-version-check uv 2>/dev/null \
    || "$PY" -m pip install --quiet --disable-pip-version-check --user uv
  UV=$(dirname "$PY")/uv
  works "$UV" || UV=$("$PY" -c 'import sysconfig; print(sysconfig.get_path("scripts", "posix_user"))')/uv
fi
works "$UV" || die "uv could not be installed with $PY -m pip"

say "Python dependencies (uv.lock)"
"$UV" sync --frozen --quiet -p "$PY" || die "uv could not install the locked Python dependencies"
export PATH="$ROOT/.venv/bin:$PATH"

say "Front-end assets (package-lock.json)"
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  command -v npm >/dev/null || die "npm is needed for the front-end assets: apt-get install -y nodejs npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "Translations"
# Chinese is the source language, so a Chinese page looks each of our msgids up in vain through
# every installed catalogue and a dozen fallbacks (40 µs each, a hundred a page). An identity
# catalogue of our Chinese msgids (not our few English ones, whose Chinese Django and Wagtail
# provide) finds them at once. Made from the English one, kept out of git, remade when it changes.
zh=sanqu/locale/zh_Hans/LC_MESSAGES/django.po
en=sanqu/locale/en/LC_MESSAGES/django.po
if [[ ! -f $zh || $en -nt $zh ]]; then
  mkdir -p "$(dirname "$zh")"
  msggrep --msgid -E -e '[^ -~]' "$en" | msgfilter --keep-header sed -e d | msgen - -o "$zh.tmp" && mv "$zh.tmp" "$zh"
fi
(cd sanqu && django-admin compilemessages --verbosity 0)  # only our catalogues, not .venv's
mkdir -p var

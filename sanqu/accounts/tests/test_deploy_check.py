"""Production settings: `manage.py check --deploy` clean, as a real deployment configures them, and the
database connections they keep.

The settings are read once per process, so each check runs in a fresh interpreter with the
environment a deployment's `.env` gives (SANQU_ENV=production, a random secret key, HTTPS on with
HSTS, SMTP mail); nothing of the test settings leaks in.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = (
    "import django; from django.core.management import call_command; django.setup(); "
    "call_command('check', '--deploy', fail_level='WARNING')"
)


def production(tmp_path: Path, **overrides: str) -> dict[str, str]:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "sanqu.settings",
        "SANQU_ENV": "production",
        "SANQU_SECRET_KEY": secrets.token_urlsafe(50),
        "SANQU_ALLOWED_HOSTS": "sanqu.example.gov.cn",
        "SANQU_SSL_REDIRECT": "true",
        "SANQU_HSTS_SECONDS": "31536000",
        "SANQU_HSTS_INCLUDE_SUBDOMAINS": "true",
        "SANQU_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sanqu.sqlite3'}",
        "SANQU_FIELD_KEYS": "p1:" + secrets.token_urlsafe(32).replace("-", "A").replace("_", "B")[:43] + "=",
        "SANQU_LOOKUP_KEY": secrets.token_urlsafe(32).replace("-", "A").replace("_", "B")[:43] + "=",
    }
    environment.update(overrides)
    return environment


def check(environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = check(production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_warns_a_deployment_without_hsts_or_with_debug(tmp_path: Path) -> None:
    result = check(production(tmp_path, SANQU_HSTS_SECONDS="0", SANQU_DEBUG="true"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W018" in result.stderr


def database_settings(environment: dict[str, str]) -> tuple[int, bool]:
    """CONN_MAX_AGE and CONN_HEALTH_CHECKS as a production process reads them (no connection made)."""
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    age, checks = result.stdout.split()
    return int(age), checks == "True"


def test_postgresql_connections_are_kept_a_minute_and_sqlite_ones_opened_per_request(tmp_path: Path) -> None:
    postgres = "postgres://sanqu@127.0.0.1:5432/sanqu"
    assert database_settings(production(tmp_path, DATABASE_URL=postgres)) == (60, True)
    assert database_settings(production(tmp_path)) == (0, False)
    chosen = production(tmp_path, DATABASE_URL=postgres, SANQU_DB_CONN_MAX_AGE="0")
    assert database_settings(chosen) == (0, False)

"""Sanqu settings: everything that differs between machines comes from the environment.

`.env.example` lists every variable. Defaults are the safe ones: debug off, secure cookies when
not in development, and no start in production without a secret key and field keys.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SANQU_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# "production" (the default), "development" (make run, the demo) or "test".
SANQU_ENV = env_str("SANQU_ENV", "production")
DEVELOPMENT = SANQU_ENV in {"development", "test"}

DEBUG = env_bool("SANQU_DEBUG", False)
SECRET_KEY = env_str("SANQU_SECRET_KEY")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SANQU_SECRET_KEY must be set outside development.")
    SECRET_KEY = "development-only-not-secret-" + "x" * 32

ALLOWED_HOSTS = env_list("SANQU_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("SANQU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sanqu.accounts",
    "sanqu.regions",
    "sanqu.orgs",
    "sanqu.workforce",
    "sanqu.volunteers",
    "sanqu.training",
    "sanqu.incentives",
    "sanqu.projects",
    "sanqu.cases",
    "sanqu.figures",
    "sanqu.ledgers",
    "sanqu.publicity",
    "sanqu.bulletins",
    "sanqu.workbench",
    "sanqu.demo",
    "sanqu.api",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "sanqu.publicity.csp.PublicSiteCSPMiddleware",  # a stricter policy for the public site (/site/)
    "sanqu.accounts.admin_views_csp.AdminInlineScriptNonceMiddleware",
    "sanqu.accounts.middleware.IdleTimeoutMiddleware",
    "sanqu.accounts.two_factor.RequireTwoFactorMiddleware",  # staff roles give a TOTP code after the password
    "sanqu.accounts.password_views.PasswordExpiryMiddleware",  # an expired password is changed first
    "axes.middleware.AxesMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "sanqu.urls"
WSGI_APPLICATION = "sanqu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sanqu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanqu.workbench.context_processors.workbench",
            ],
        },
    },
]

_DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sanqu.sqlite3'}")
# PostgreSQL keeps a connection for a minute: opening one (TCP, authentication, backend start)
# took 13 ms on this machine kind against 50 ms for a whole caseload page. SQLite opens a file.
_CONN_MAX_AGE = env_int("SANQU_DB_CONN_MAX_AGE", 0 if _DATABASE_URL.startswith("sqlite") else 60)
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        conn_max_age=_CONN_MAX_AGE,
        # A persistent connection that died with the database server is dropped, not reused (with
        # SANQU_DB_CONN_MAX_AGE=0 every request opens its own connection, and there is nothing to check).
        conn_health_checks=_CONN_MAX_AGE > 0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000; "
            # 64 MiB of page cache (the default is 2 MiB): bulk writes into the indexed tables of a
            # ledger import took 40 % less time on a 100,000-row service ledger.
            "PRAGMA cache_size=-65536;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sanqu.accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "sanqu.accounts.passwords.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes) and idle-session timeout.
AXES_FAILURE_LIMIT = env_int("SANQU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
# Lock the account, not the address: a county office shares one NAT address, and locking it would
# lock out every colleague (hence axes.W006 is silenced on purpose).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # X-Frame-Options SAMEORIGIN, not DENY: Wagtail's admin shows page previews in a frame of its own
    # origin (CSP frame-ancestors 'self' says the same); no other origin may frame the site.
    "security.W019",
    # HSTS preload is for hosts on the public internet's browser lists; a bureau's intranet host is not.
    "security.W021",
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
SANQU_IDLE_TIMEOUT = env_int("SANQU_IDLE_TIMEOUT_SECONDS", 30 * 60)
# TOTP two-factor sign-in for the staff roles (sanqu.accounts.two_factor): on outside development.
SANQU_REQUIRE_2FA = env_bool("SANQU_REQUIRE_2FA", not DEVELOPMENT)
OTP_TOTP_ISSUER = "三区 Sanqu"
# Password expiry (sanqu.accounts.password_views): a password older than this, or set by someone else,
# is changed at the next sign-in. On outside development.
SANQU_PASSWORD_EXPIRY = env_bool("SANQU_PASSWORD_EXPIRY", not DEVELOPMENT)
SANQU_PASSWORD_MAX_AGE_DAYS = env_int("SANQU_PASSWORD_MAX_AGE_DAYS", 90)
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SANQU_SECURE_COOKIES", not DEVELOPMENT)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = env_bool("SANQU_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SANQU_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SANQU_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"

from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "sanqu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "sanqu" / "static",
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str(
            "SANQU_STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Progress of long work (a ledger import) read by the page while the work's own transaction is still
# open: kept outside the database, in files every process of the server sees.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress"),
        "TIMEOUT": 24 * 3600,
    },
    # The API's rate-limit counts, shared by every process of the server (in memory for the tests).
    "throttle": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle"}
    if SANQU_ENV == "test"
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "throttle"),
    },
}

# The API (sanqu.api): each view sets its authentication, throttles and parsers (sanqu.api.base.ApiDefaults);
# the framework's defaults here also serve Wagtail's admin API.
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "sanqu.api.errors.exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sanqu API",
    "DESCRIPTION": "三区计划平台的 REST API：与工作台相同的权限范围、脱敏与审计。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["sanqu.api.schema.only_api"],
    "ENUM_NAME_OVERRIDES": {
        "StationKindEnum": "sanqu.regions.models.Station.Kind",
        "OrganisationKindEnum": "sanqu.orgs.models.Organisation.Kind",
        "GoalAttainmentLevelEnum": "sanqu.cases.models.GoalAttainment.Level",
        "CaseStatusEnum": "sanqu.cases.models.Case.Status",
        "CasePlanStatusEnum": "sanqu.cases.models.CasePlan.Status",
        "ClosureStatusEnum": "sanqu.cases.models.Closure.Status",
        "ReferralStatusEnum": "sanqu.cases.models.Referral.Status",
        "PeriodicReportStatusEnum": "sanqu.projects.models.PeriodicReport.Status",
        "DispatchStatusEnum": "sanqu.workforce.models.Dispatch.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sanqu.api.schema.add_error_responses",
    ],
    # Swagger UI from the drf-spectacular-sidecar package's static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# How long a new API token lives; the request rate per token and for the anonymous token endpoint;
# the largest request body the API reads (bytes).
SANQU_API_TOKEN_DAYS = env_int("SANQU_API_TOKEN_DAYS", 90)
SANQU_API_RATE = env_str("SANQU_API_RATE", "120/min")
SANQU_API_TOKEN_RATE = env_str("SANQU_API_TOKEN_RATE", "10/min")
SANQU_API_MAX_BODY = env_int("SANQU_API_MAX_BODY", 1024 * 1024)

# Hosts that public news items may link to (a host matches an entry or ends in "." + entry): the
# publishing guard refuses links elsewhere (sanqu.publicity.guard).
SANQU_PUBLIC_LINK_HOSTS = env_list("SANQU_PUBLIC_LINK_HOSTS", "gov.cn")

# The largest ledger file (台账) accepted for import, in bytes.
SANQU_LEDGER_MAX_BYTES = env_int("SANQU_LEDGER_MAX_BYTES", 20 * 1024 * 1024)

# Mail goes to files under var/mail unless a real backend is configured (SMTP on the intranet).
_mail_backend = env_str("SANQU_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": {"file_path": str(VAR_DIR / "mail")}
        if _mail_backend.endswith(".filebased.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("SANQU_FROM_EMAIL", "sanqu@localhost")

WAGTAIL_SITE_NAME = "三区 Sanqu"
WAGTAILADMIN_BASE_URL = env_str("SANQU_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_USAGE_COUNT_ENABLED = False
WAGTAILEMBEDS_FINDERS: list[dict[str, str]] = []  # never call an outside host

# Sensitive fields: AES-GCM keys (first one encrypts) and the lookup key for keyed hashes.
# Either in the environment or in a key file (JSON) kept outside the repository.
SANQU_KEY_FILE = Path(env_str("SANQU_KEY_FILE", str(VAR_DIR / "keys.json")))
SANQU_FIELD_KEYS = env_str("SANQU_FIELD_KEYS")
SANQU_LOOKUP_KEY = env_str("SANQU_LOOKUP_KEY")

# The demo data set: a banner in the interface, and the one password of the demo users.
SANQU_DEMO = env_bool("SANQU_DEMO", False)
# Pin the working date (YYYY-MM-DD) for a demo that is a snapshot of one day; empty means today.
SANQU_TODAY = dt.date.fromisoformat(env_str("SANQU_TODAY")) if env_str("SANQU_TODAY") else None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "console_warnings": {"class": "logging.StreamHandler", "level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env_str("SANQU_LOG_LEVEL", "WARNING")},
    # The task worker logs every task it runs at INFO; keep its warnings and failures only.
    "loggers": {
        **{
            name: {"handlers": ["console_warnings"], "propagate": False}
            for name in ("django.tasks", "django_tasks_db")
        },
        # WeasyPrint warns about every screen-only CSS property it skips in a print stylesheet.
        "weasyprint": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# Audit retention (issue 11).
# Audit entries are kept at least this many days: a system check refuses fewer than 180 (Cybersecurity
# Law art. 21). `sanqu audit prune` deletes sealed entries older than this; nothing prunes by itself.
SANQU_AUDIT_RETENTION_DAYS = env_int("SANQU_AUDIT_RETENTION_DAYS", 365)

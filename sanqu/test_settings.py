"""Settings for the test suite: the real settings, with fixed test keys and fast hashing."""

import os

os.environ.setdefault("SANQU_ENV", "test")
# Test-only keys (32 zero-ish bytes, base64): never used outside the suite.
os.environ.setdefault("SANQU_FIELD_KEYS", "t1:dGVzdC1maWVsZC1rZXktMDAwMDAwMDAwMDAwMDAwMDA=")
os.environ.setdefault("SANQU_LOOKUP_KEY", "dGVzdC1sb29rdXAta2V5LTAwMDAwMDAwMDAwMDAwMDAwMA==")
os.environ.setdefault("SANQU_STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage")

from sanqu.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
AXES_ENABLED = True
# Static files straight from the finders (no collectstatic before the tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

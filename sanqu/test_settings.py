"""Settings for the test suite: the real settings, with fixed test keys and fast hashing."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

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
# Uploaded and private files (claim evidence, certificates) go to a directory of this test process,
# removed when it ends: tests never write into the checkout's var/, and parallel workers never
# share (and clear) one another's files.
_FILES_DIR = tempfile.mkdtemp(prefix="sanqu-test-files-")
atexit.register(shutil.rmtree, _FILES_DIR, ignore_errors=True)
MEDIA_ROOT = Path(_FILES_DIR) / "media"

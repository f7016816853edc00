"""Where the keyring comes from: the environment, or a key file outside the repository."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sanqu.lib.crypto import Keyring, new_key


def write_key_file(path: Path) -> None:
    """Create a key file with a fresh field key and lookup key, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"field_keys": f"k1:{new_key()}", "lookup_key": new_key()}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle)


@cache
def keyring() -> Keyring:
    field_keys, lookup_key = settings.SANQU_FIELD_KEYS, settings.SANQU_LOOKUP_KEY
    if not (field_keys and lookup_key):
        path = Path(settings.SANQU_KEY_FILE)
        if not path.exists():
            if not settings.DEVELOPMENT:
                raise ImproperlyConfigured(
                    "No field keys: set SANQU_FIELD_KEYS and SANQU_LOOKUP_KEY, or SANQU_KEY_FILE "
                    "(create one with `sanqu init-keys`)."
                )
            write_key_file(path)
        content = json.loads(path.read_text())
        field_keys, lookup_key = content["field_keys"], content["lookup_key"]
    return Keyring.parse(field_keys, lookup_key)

"""Where the keyring comes from: the environment, or a key file outside the repository.

A key file is re-read when it changes (checked at most once a second), so `sanqu rotate-key` can put
a new key in front of the old ones while the site keeps running: every process decrypts with either
key meanwhile. Keys from the environment change only when the processes restart.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from sanqu.lib.crypto import Keyring, new_key

# How often a process looks at the key file's modification time.
KEY_FILE_CHECK_SECONDS = 1.0

_cache: dict[str, Any] = {"marker": None, "keyring": None, "checked": 0.0}


def write_key_file(path: Path) -> None:
    """Create a key file with a fresh field key, lookup key and backup key, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    content = {"field_keys": f"k1:{new_key()}", "lookup_key": new_key(), "backup_key": new_key()}
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(content, handle)


def read_key_file(path: Path) -> dict[str, str]:
    content: dict[str, str] = json.loads(path.read_text())
    return content


def replace_key_file(path: Path, content: dict[str, str]) -> None:
    """Rewrite the key file atomically (a temporary file beside it, synced, renamed over it), mode 600."""
    descriptor, temporary = tempfile.mkstemp(prefix=".keys-", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as handle:
            json.dump(content, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def keys_from_environment() -> bool:
    """True when SANQU_FIELD_KEYS and SANQU_LOOKUP_KEY are set (the key file is then not read)."""
    return bool(settings.SANQU_FIELD_KEYS and settings.SANQU_LOOKUP_KEY)


def key_file_path() -> Path:
    return Path(settings.SANQU_KEY_FILE)


def keyring() -> Keyring:
    if keys_from_environment():
        marker: tuple[Any, ...] = ("environment", settings.SANQU_FIELD_KEYS, settings.SANQU_LOOKUP_KEY)
        if _cache["marker"] != marker:
            _cache.update(marker=marker, keyring=Keyring.parse(*marker[1:]), checked=0.0)
        return _cache["keyring"]
    path = key_file_path()
    now = time.monotonic()
    cached_marker = _cache["marker"]
    if (
        cached_marker is not None
        and cached_marker[:2] == ("file", str(path))
        and now - _cache["checked"] < KEY_FILE_CHECK_SECONDS
    ):
        return _cache["keyring"]
    if not path.exists():
        if not settings.DEVELOPMENT:
            raise ImproperlyConfigured(
                "No field keys: set SANQU_FIELD_KEYS and SANQU_LOOKUP_KEY, or SANQU_KEY_FILE "
                "(create one with `sanqu init_keys`)."
            )
        write_key_file(path)
    stat = path.stat()
    marker = ("file", str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if cached_marker != marker:
        content = read_key_file(path)
        _cache.update(keyring=Keyring.parse(content["field_keys"], content["lookup_key"]))
    _cache.update(marker=marker, checked=now)
    return _cache["keyring"]


def forget_keyring() -> None:
    """Read the keys afresh on the next use (after this process rewrote the key file)."""
    _cache.update(marker=None, keyring=None, checked=0.0)


class MissingBackupKey(LookupError):
    pass


def backup_key() -> bytes:
    """The key that encrypts backups: SANQU_BACKUP_KEY, or ``backup_key`` in the key file.

    It is not a field key: a backup is useless without it, and the field keys are needed as well to
    read the sensitive fields of a restored database.
    """
    encoded = os.environ.get("SANQU_BACKUP_KEY", "")
    if not encoded:
        path = key_file_path()
        if path.exists():
            encoded = read_key_file(path).get("backup_key", "")
    if not encoded:
        raise MissingBackupKey
    key = base64.b64decode(encoded)
    if len(key) != 32:
        raise ImproperlyConfigured("The backup key must be 32 bytes (base64).")
    return key


def add_backup_key_to_file() -> Path:
    """Give the key file a backup key (key files made before backups existed have none)."""
    path = key_file_path()
    content = read_key_file(path)
    content.setdefault("backup_key", new_key())
    replace_key_file(path, content)
    return path

"""Field encryption (AES-256-GCM) and keyed hashes for lookup.

Why our own and not a package: the maintained Django field-encryption packages use Fernet
(AES-CBC + HMAC) or are unmaintained; DESIGN.md §5 asks for AES-GCM with key rotation, which is
a few lines on top of `cryptography`'s AESGCM. A token is
``g1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>``; the key id tells which key decrypts it, so
old tokens stay readable while `rotate-key` re-encrypts them under the current key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "g1"


class KeyError_(LookupError):
    pass


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id (the first is current) and the lookup-hash key."""

    keys: dict[str, bytes]
    current: str
    lookup_key: bytes

    @classmethod
    def parse(cls, field_keys: str, lookup_key: str) -> Keyring:
        """``field_keys`` is ``id:base64key,id:base64key``; the first entry is current."""
        keys: dict[str, bytes] = {}
        for item in field_keys.split(","):
            key_id, _, encoded = item.strip().partition(":")
            key = base64.b64decode(encoded)
            if len(key) != 32:
                raise ValueError(f"field key {key_id!r} must be 32 bytes")
            keys[key_id] = key
        lookup = base64.b64decode(lookup_key)
        if len(lookup) < 32:
            raise ValueError("the lookup key must be at least 32 bytes")
        return cls(keys=keys, current=next(iter(keys)), lookup_key=lookup)

    def encrypt(self, plaintext: str, *, associated: bytes = b"") -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode(), associated)
        return f"{PREFIX}:{self.current}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, associated: bytes = b"") -> str:
        prefix, key_id, payload = token.split(":", 2)
        if prefix != PREFIX or key_id not in self.keys:
            raise KeyError_(f"no key {key_id!r} for this value")
        raw = base64.b64decode(payload)
        return AESGCM(self.keys[key_id]).decrypt(raw[:12], raw[12:], associated).decode()

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]

    def lookup_hash(self, value: str, *, purpose: str) -> str:
        return keyed_hash(self.lookup_key, value, purpose=purpose)

    def field_keys_text(self) -> str:
        """The keys in the ``id:base64key,...`` form of ``SANQU_FIELD_KEYS``, current first."""
        return format_field_keys(self.keys)


def keyed_hash(key: bytes, value: str, *, purpose: str) -> str:
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def format_field_keys(keys: dict[str, bytes]) -> str:
    return ",".join(f"{key_id}:{base64.b64encode(key).decode()}" for key_id, key in keys.items())


def next_key_id(existing: Iterable[str]) -> str:
    """``k<n+1>`` where n is the highest number ending an existing id (k1, k2 … after t1, k1)."""
    numbers = [int(match.group()) for key_id in existing if (match := re.search(r"\d+$", key_id))]
    return f"k{max(numbers, default=0) + 1}"

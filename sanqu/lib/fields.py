"""Model fields for sensitive data: stored encrypted, read back as plain text in Python.

Nothing here decides who may *see* the value: that is the masking and audit of the selectors and
templates. The field only guarantees that the database and its backups never hold it in clear.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from sanqu.lib.keys import keyring


class EncryptedTextField(models.TextField):
    """Text encrypted with AES-GCM under the current field key; empty stays empty."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return keyring().decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if not value:
            return value
        return keyring().encrypt(value)

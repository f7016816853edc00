from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    classes = (r"[a-z]", r"[A-Z]", r"\d", r"[^a-zA-Z\d]")

    def validate(self, password: str, user: object = None) -> None:
        if sum(bool(re.search(pattern, password)) for pattern in self.classes) < 3:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、符号中的至少三类。")

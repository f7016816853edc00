"""Form fields for the organisation registry: the credit code, checked and normalised."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanqu.lib import creditcode

CREDIT_CODE_ERRORS = {
    "length": _("统一社会信用代码应为18位，当前为%(count)s位。"),
    "characters": _("统一社会信用代码只能包含数字和大写字母（不使用 I、O、Z、S、V）。"),
    "region": _("统一社会信用代码第3至8位应为行政区划代码。"),
    "check": _("统一社会信用代码校验位不正确（GB 32100），请核对。"),
}


def clean_credit_code(raw: str) -> str:
    """The normalised code (full-width and lower-case accepted), '' for none, or a ValidationError."""
    if not (raw or "").strip():
        return ""
    try:
        return creditcode.validate(raw)
    except creditcode.InvalidCreditCode as error:
        raise ValidationError(
            CREDIT_CODE_ERRORS[error.reason],
            code=f"credit_code_{error.reason}",
            params={"count": len(creditcode.normalise(raw))},
        ) from None


class CreditCodeField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)  # room for spaces and full-width input before normalising
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        return clean_credit_code(super().clean(value))

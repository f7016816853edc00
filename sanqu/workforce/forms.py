"""Form fields for people: the citizen ID number (GB 11643) and the phone number.

Neither field ever shows a stored value in clear: on edit the form shows the masked current value
and an empty input, and an empty input keeps what is stored.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanqu.lib import clock, idnumber

ID_NUMBER_ERRORS = {
    "length": _("身份证号应为18位，当前为%(count)s位。"),
    "characters": _("身份证号前17位须为数字，末位为数字或X。"),
    "region": _("身份证号前两位不是有效的省级行政区划代码。"),
    "birth_date": _("身份证号中的出生日期无效。"),
    "check": _("身份证号校验位不正确（GB 11643），请核对。"),
}
KEEP_CURRENT = _("当前：%(masked)s。留空则不修改。")
_PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")


def clean_id_number(raw: str) -> str:
    """The normalised number (full-width digits, spaces and lower-case x accepted) or a ValidationError."""
    try:
        return idnumber.validate(raw, today=clock.today())
    except idnumber.InvalidIdNumber as error:
        raise ValidationError(
            ID_NUMBER_ERRORS[error.reason],
            code=f"id_number_{error.reason}",
            params={"count": len(idnumber.normalise(raw))},
        ) from None


def clean_phone(raw: str) -> str:
    phone = re.sub(r"[\s\u3000]+", "", idnumber.normalise(raw))
    if phone and not _PHONE.match(phone):
        raise ValidationError(_("手机号格式不正确：应为11位手机号或带区号的固定电话。"), code="phone")
    return phone


class IdNumberField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("label", _("身份证号"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_id_number(value) if value else ""


class PhoneField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("手机号"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        return clean_phone(value) if value else ""


class SensitiveFieldsMixin(forms.Form):
    """`id_number_input` and `phone_input` on a Person form, never pre-filled with the stored values."""

    id_number_input = IdNumberField(required=False)
    phone_input = PhoneField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields["id_number_input"].help_text = KEEP_CURRENT % {"masked": instance.id_number_masked}
            self.fields["phone_input"].help_text = (
                KEEP_CURRENT % {"masked": instance.phone_masked} if instance.phone else _("留空则不修改。")
            )
        else:
            self.fields["id_number_input"].required = True
            self.fields["id_number_input"].help_text = _("18位，末位X可小写")

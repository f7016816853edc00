"""Quick service entry: a few taps on a phone (type, duration, method), the rest prefilled."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models import Case, ServiceRecord, ServiceType
from sanqu.cases.selectors.services import TypeChoice

DURATION_PRESETS = ("0.5", "1", "1.5", "2")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def new_token() -> str:
    return secrets.token_urlsafe(18)


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.get_stage_display()}"


class TypeChoiceField(forms.ModelChoiceField):
    """The service types offered, already read for the radio buttons: the one chosen is found among
    them rather than asked of the database again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offered: dict[str, ServiceType] = {}

    def to_python(self, value: Any) -> ServiceType | None:
        if value in self.empty_values:
            return None
        try:
            return self.offered[str(value)]
        except KeyError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None


class ServiceRecordForm(forms.Form):
    service_type = TypeChoiceField(
        label=_("服务类型"), queryset=ServiceType.objects.filter(active=True), widget=forms.RadioSelect
    )
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    duration = forms.ChoiceField(
        label=_("时长"),
        required=False,
        choices=[(value, value) for value in DURATION_PRESETS],
        widget=forms.RadioSelect,
    )
    duration_other = forms.DecimalField(
        label=_("其他时长（小时）"), required=False, min_value=Decimal("0.1"), max_digits=4, decimal_places=1
    )
    method = forms.ChoiceField(
        label=_("服务方式"), choices=ServiceRecord.Method.choices, widget=forms.RadioSelect
    )
    case = CaseChoiceField(
        label=_("所属个案"), queryset=Case.objects.none(), required=False, empty_label=_("不属于个案")
    )
    place = forms.CharField(label=_("服务地点"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("服务内容"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("客观记录所见所做，不写评判。"),
    )
    next_step = forms.CharField(label=_("下一步"), max_length=300, required=False)
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, type_choices: list[TypeChoice], cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type_choices = type_choices
        field = cast(TypeChoiceField, self.fields["service_type"])
        ordered = [choice.service_type for choice in type_choices]
        field.choices = [(t.pk, t.name) for t in ordered]
        field.offered = {str(t.pk): t for t in ordered}
        if cases is not None:
            cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = data.get("duration_other")
        preset = data.get("duration")
        if other is not None:
            data["duration_hours"] = other
        elif preset:
            data["duration_hours"] = Decimal(preset)
        else:
            raise ValidationError({"duration": _("请选择或填写服务时长。")})
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "served_on": data["served_on"],
            "service_type": data["service_type"],
            "method": data["method"],
            "duration_hours": data["duration_hours"],
            "case": data.get("case"),
            "place": data.get("place", ""),
            "notes": data.get("notes", ""),
            "next_step": data.get("next_step", ""),
            "client_token": data["client_token"],
        }

    def grouped_types(self) -> list[tuple[Any, list[Any]]]:
        """The radio options, split into the ones near the top and the rest (shown folded)."""
        options = list(self["service_type"])
        hints = {str(choice.service_type.pk): choice.hint for choice in self.type_choices}
        top = [(option, hints.get(str(option.data["value"]), "")) for option in options]
        return [
            ("top", [item for item in top if item[1]]),
            ("rest", [item for item in top if not item[1]]),
        ]

"""The community activity form: what, when, where, and how many of each target group came."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT, PlaceForm
from sanqu.cases.models import CommunityActivity, TargetGroup


class CommunityActivityForm(PlaceForm):
    name = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(
        label=_("类型"), choices=CommunityActivity.Kind.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    duration_hours = forms.DecimalField(
        label=_("时长(小时)"),
        min_value=Decimal("0.5"),
        max_value=Decimal(24),
        max_digits=4,
        decimal_places=1,
        initial=Decimal(2),
    )
    notes = forms.CharField(label=_("活动情况"), widget=TEXT, required=False)

    field_order = ["name", "kind", "held_on", "region", "station", "place"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target_groups = list(TargetGroup.objects.filter(active=True))
        for group in self.target_groups:
            self.fields[self.count_name(group)] = forms.IntegerField(
                label=group.name, min_value=0, max_value=100000, required=False
            )

    @staticmethod
    def count_name(group: TargetGroup) -> str:
        return f"count_{group.code}"

    def count_fields(self) -> list[forms.BoundField]:
        return [self[self.count_name(group)] for group in self.target_groups]

    def headcounts(self) -> dict[TargetGroup, int]:
        return {group: self.cleaned_data.get(self.count_name(group)) or 0 for group in self.target_groups}

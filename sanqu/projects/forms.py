"""Livelihood project forms: the project, and one outcome measure (亩, yuan, households…)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT, PlaceChoiceField
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.regions.models import Region


class LivelihoodProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    kind = forms.ChoiceField(
        label=_("类型"), choices=LivelihoodProject.Kind.choices, widget=forms.RadioSelect
    )
    region = PlaceChoiceField(label=_("村(乡镇)"), queryset=Region.objects.none())
    organisation = forms.ModelChoiceField(label=_("实施机构"), queryset=Organisation.objects.none())
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE, required=False)
    households_reached = forms.IntegerField(label=_("覆盖户数"), min_value=0, max_value=1000000, initial=0)
    description = forms.CharField(label=_("项目内容"), widget=TEXT, required=False)
    products = forms.CharField(
        label=_("产品"), max_length=200, required=False, help_text=_("如：手工布鞋、丝网花")
    )
    sales_channels = forms.CharField(
        label=_("销售渠道"), max_length=200, required=False, help_text=_("如：线上网店、线下展销")
    )

    def __init__(
        self, *args: Any, places: QuerySet[Region], organisations: QuerySet[Organisation], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = places  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]


class LivelihoodMeasureForm(forms.Form):
    indicator = forms.ChoiceField(label=_("指标"), choices=LivelihoodMeasure.Indicator.choices)
    label = forms.CharField(label=_("说明"), max_length=100, required=False, help_text=_("如：核桃、雪莲果"))
    value = forms.DecimalField(label=_("数值"), max_digits=14, decimal_places=2, min_value=Decimal("-1e12"))
    measured_on = forms.DateField(label=_("测量日期"), widget=DATE)

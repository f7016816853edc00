"""County project forms: the list's filters, the service agreement, a milestone and its completion.

Forms normalise input and hand domain values to the services, where the rules live; a refusal
there comes back onto the form (`add_service_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, Target
from sanqu.regions.models import Region

ACTIVE, ENDED, UPCOMING = "active", "ended", "upcoming"


@dataclass(frozen=True)
class ProjectFilters:
    year: int | None = None
    county: Region | None = None
    organisation: Organisation | None = None
    status: str = ""


class ProjectFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    county = forms.ModelChoiceField(
        label=_("受援区县"), required=False, queryset=Region.objects.none(), empty_label=_("全部区县")
    )
    organisation = forms.ModelChoiceField(
        label=_("承接机构"), required=False, queryset=Organisation.objects.none(), empty_label=_("全部机构")
    )
    status = forms.ChoiceField(
        label=_("服务期"),
        required=False,
        choices=[
            ("", _("全部")),
            (ACTIVE, _("今天在服务期内")),
            (ENDED, _("已结束")),
            (UPCOMING, _("尚未开始")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        years: list[int],
        counties: QuerySet[Region],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = [("", _("全部年度")), *((year, str(year)) for year in years)]
        cast(forms.ModelChoiceField, self.fields["county"]).queryset = counties
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations

    def filters(self) -> ProjectFilters:
        if not self.is_valid():
            return ProjectFilters()
        data = self.cleaned_data
        return ProjectFilters(
            year=data.get("year"),
            county=data.get("county"),
            organisation=data.get("organisation"),
            status=data.get("status") or "",
        )


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProjectForm(forms.Form):
    """The terms of a service agreement (服务协议) and its implementation plan (实施方案)."""

    programme_year = forms.ModelChoiceField(
        label=_("年度"), queryset=ProgrammeYear.objects.none(), empty_label=_("请选择")
    )
    county = CountyChoiceField(
        label=_("受援区县"),
        queryset=Region.objects.none(),
        empty_label=_("请选择"),
        help_text=_("须是该年度的受援区县"),
    )
    organisation = forms.ModelChoiceField(
        label=_("承接机构"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    name = forms.CharField(label=_("项目名称"), max_length=100)
    agreement_no = forms.CharField(label=_("服务协议编号"), max_length=50, required=False)
    signed_on = forms.DateField(label=_("协议签订日期"), widget=DATE)
    starts_on = forms.DateField(label=_("服务开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("服务结束日期"), widget=DATE)
    budget = forms.DecimalField(
        label=_("项目经费(元)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    plan_document = forms.FileField(
        label=_("实施方案"),
        required=False,
        help_text=_("PDF、Word 或图片，不超过 10 MB；重新上传将替换原文件"),
    )

    def __init__(
        self,
        *args: Any,
        years: QuerySet[ProgrammeYear],
        counties: QuerySet[Region],
        organisations: QuerySet[Organisation],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["programme_year"]).queryset = years
        cast(forms.ModelChoiceField, self.fields["county"]).queryset = counties
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        for value, label in Target.choices:
            self.fields[f"target_{value}"] = forms.IntegerField(
                label=label, min_value=0, max_value=10_000_000, initial=0
            )

    def target_fields(self) -> list[forms.BoundField]:
        return [self[f"target_{value}"] for value in Target.values]

    def terms(self) -> dict[str, Any]:
        """The cleaned terms, without the plan, as the project's field names."""
        return {name: value for name, value in self.cleaned_data.items() if name != "plan_document"}

    def agreement(self) -> dict[str, Any]:
        """The cleaned terms other than the targets and the plan."""
        return {name: value for name, value in self.terms().items() if not name.startswith("target_")}

    def targets(self) -> dict[str, int]:
        return {value: self.cleaned_data[f"target_{value}"] for value in Target.values}


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100, help_text=_("如：完成需求调研、中期自评"))
    due_on = forms.DateField(label=_("计划完成日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class MilestoneDoneForm(forms.Form):
    done_on = forms.DateField(label=_("实际完成日期"), widget=DATE)

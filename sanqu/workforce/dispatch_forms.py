"""Dispatch forms for the workbench: the list's filters, a new term, ending, assessing and renewing.

Forms normalise input and hand domain values to the services, where the rules live; a refusal
there comes back onto the form (`add_service_errors`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, StationChoiceField
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region, Station
from sanqu.workforce.dispatch_selectors import ENDED, DispatchFilters
from sanqu.workforce.forms import IdNumberField
from sanqu.workforce.models import Dispatch, Person
from sanqu.workforce.services import find_person_by_id_number

CHOOSE = [("", _("请选择"))]


class DispatchFilterForm(forms.Form):
    q = forms.CharField(
        label=_("社工"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("姓名，或 18 位身份证号")}),
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    county = forms.ModelChoiceField(
        label=_("受援区县"), required=False, queryset=Region.objects.none(), empty_label=_("全部区县")
    )
    organisation = forms.ModelChoiceField(
        label=_("派出单位"), required=False, queryset=Organisation.objects.none(), empty_label=_("全部单位")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *Dispatch.Status.choices, (ENDED, _("已结束（期满或提前离岗）"))],
    )
    reason = forms.ChoiceField(
        label=_("离岗原因"), required=False, choices=[("", _("全部原因")), *Dispatch.LeaveReason.choices]
    )
    as_of = forms.DateField(
        label=_("截至日期"), required=False, widget=DATE, help_text=_("按该日的状态筛选；留空则按当前状态")
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

    def filters(self) -> DispatchFilters:
        if not self.is_valid():
            return DispatchFilters()
        data = self.cleaned_data
        return DispatchFilters(
            year=data.get("year"),
            county=data.get("county"),
            organisation=data.get("organisation"),
            status=data.get("status") or "",
            reason=data.get("reason") or "",
            as_of=data.get("as_of"),
            query=(data.get("q") or "").strip(),
        )


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.county.name}，{obj.id_number_masked}）"


class DispatchCreateForm(forms.Form):
    """A new term; the worker is found by ID number, or chosen from the people in scope."""

    id_number = IdNumberField(required=False, help_text=_("已登记人员的 18 位身份证号；也可以在下方选择"))
    person = PersonChoiceField(
        label=_("或选择社工"), required=False, queryset=Person.objects.none(), empty_label=_("请选择")
    )
    programme_year = forms.ModelChoiceField(
        label=_("年度"), queryset=ProgrammeYear.objects.none(), empty_label=_("请选择")
    )
    sending_organisation = forms.ModelChoiceField(
        label=_("派出单位"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    county = forms.ModelChoiceField(
        label=_("受援区县"), queryset=Region.objects.none(), empty_label=_("请选择")
    )
    station = StationChoiceField(
        label=_("服务站点"), required=False, queryset=Station.objects.none(), empty_label=_("请选择")
    )
    started_on = forms.DateField(label=_("派驻开始日期"), widget=DATE)
    planned_end_on = forms.DateField(
        label=_("计划结束日期"), required=False, widget=DATE, help_text=_("留空则为开始日期起一年")
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        years: QuerySet[ProgrammeYear],
        organisations: QuerySet[Organisation],
        counties: QuerySet[Region],
        stations: QuerySet[Station],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        cast(forms.ModelChoiceField, self.fields["programme_year"]).queryset = years
        cast(forms.ModelChoiceField, self.fields["sending_organisation"]).queryset = organisations
        cast(forms.ModelChoiceField, self.fields["county"]).queryset = counties
        cast(forms.ModelChoiceField, self.fields["station"]).queryset = stations

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        number, chosen = data.get("id_number"), data.get("person")
        if "id_number" in self.errors:
            return data
        if number and chosen:
            self.add_error("id_number", _("请只用一种方式指定社工：输入身份证号，或从列表中选择。"))
        elif number:
            found = find_person_by_id_number(number)
            # Someone out of scope reads exactly like nobody: no leak of who is registered.
            if found is None or not self.people.filter(pk=found.pk).exists():
                self.add_error(
                    "id_number", _("在您的权限范围内没有找到该身份证号的人员。请先在人员登记中录入此人。")
                )
            else:
                data["person"] = found
        elif not chosen:
            self.add_error("person", _("请输入社工的身份证号，或从列表中选择社工。"))
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "person": data["person"],
            "programme_year": data["programme_year"],
            "sending_organisation": data["sending_organisation"],
            "county": data["county"],
            "station": data.get("station"),
            "started_on": data["started_on"],
            "planned_end_on": data.get("planned_end_on"),
        }


class DispatchEndForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结束方式"),
        choices=[(Dispatch.Status.COMPLETED, _("期满")), (Dispatch.Status.LEFT_EARLY, _("提前离岗"))],
        widget=forms.RadioSelect,
    )
    ended_on = forms.DateField(label=_("实际结束日期"), widget=DATE)
    leave_reason = forms.ChoiceField(
        label=_("离岗原因"),
        required=False,
        choices=[*CHOOSE, *Dispatch.LeaveReason.choices],
        help_text=_("提前离岗时必填"),
    )
    leave_note = forms.CharField(label=_("离岗说明"), required=False, max_length=200)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Dispatch.Status.LEFT_EARLY and not data.get("leave_reason"):
            self.add_error("leave_reason", _("提前离岗须填写离岗原因。"))
        return data


class DispatchAssessForm(forms.Form):
    assessment = forms.ChoiceField(
        label=_("考核结果"), choices=Dispatch.Assessment.choices, widget=forms.RadioSelect
    )
    assessed_on = forms.DateField(label=_("考核日期"), widget=DATE)


class DispatchRenewForm(forms.Form):
    started_on = forms.DateField(
        label=_("派驻开始日期"), required=False, widget=DATE, help_text=_("留空则为上一期结束的次日")
    )
    planned_end_on = forms.DateField(
        label=_("计划结束日期"), required=False, widget=DATE, help_text=_("留空则为开始日期起一年")
    )
    station = StationChoiceField(
        label=_("服务站点"), required=False, queryset=Station.objects.none(), empty_label=_("与上一期相同")
    )

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["station"]).queryset = stations


def default_end_day(dispatch: Dispatch, *, today: dt.date) -> dt.date:
    """The end date a form offers: the planned end, or today when that is still ahead."""
    return min(dispatch.planned_end_on, today)

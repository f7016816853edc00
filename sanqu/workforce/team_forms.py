"""Forms for teams and supervision sessions: they normalise input; the rules live in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT, StationChoiceField
from sanqu.cases.models import Case
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person, SupervisionSession, TeamMember
from sanqu.workforce.team_services import FollowUpInput


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        organisation = obj.organisation.name if obj.organisation_id else obj.county.name
        return f"{obj.name}（{organisation}）"


class TeamForm(forms.Form):
    name = forms.CharField(label=_("团队名称"), max_length=100, help_text=_("如：鸡鸣乡社会工作服务团队"))
    county = forms.ModelChoiceField(label=_("区县"), queryset=Region.objects.none(), empty_label=_("请选择"))
    station = StationChoiceField(
        label=_("服务站点"), queryset=Station.objects.none(), required=False, empty_label=_("请选择")
    )
    organisation = forms.ModelChoiceField(
        label=_("承接机构"), queryset=Organisation.objects.none(), required=False, empty_label=_("请选择")
    )
    formed_on = forms.DateField(label=_("组建日期"), widget=DATE)
    disbanded_on = forms.DateField(
        label=_("解散日期"), widget=DATE, required=False, help_text=_("填写后，仍在团队中的成员于当日离开。")
    )

    def __init__(
        self,
        *args: Any,
        counties: QuerySet[Region],
        stations: QuerySet[Station],
        organisations: QuerySet[Organisation],
        organisation_required: bool = False,
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].required = organisation_required
        if not editing:
            del self.fields["disbanded_on"]


class MemberForm(forms.Form):
    person = PersonChoiceField(label=_("成员"), queryset=Person.objects.none(), empty_label=_("请选择人员"))
    role = forms.ChoiceField(label=_("团队角色"), choices=TeamMember.Role.choices, widget=forms.RadioSelect)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)

    def __init__(self, *args: Any, candidates: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = candidates  # type: ignore[attr-defined]


class MemberEndForm(forms.Form):
    left_on = forms.DateField(label=_("离开日期"), widget=DATE)


class WorkerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class CaseChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} · {obj.beneficiary.name}（{obj.worker.name}，{obj.get_status_display()}）"


class SessionForm(forms.Form):
    supervisees = WorkerChoiceField(
        label=_("被督导社工"), queryset=Person.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    held_on = forms.DateField(label=_("督导日期"), widget=DATE)
    format = forms.ChoiceField(
        label=_("督导形式"), choices=SupervisionSession.Format.choices, widget=forms.RadioSelect
    )
    duration_hours = forms.DecimalField(
        label=_("时长(小时)"),
        min_value=Decimal("0.5"),
        max_value=Decimal(12),
        max_digits=4,
        decimal_places=1,
        initial=Decimal("1.5"),
    )
    topics = forms.CharField(
        label=_("督导主题"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如：个案预估的方法、情绪支持"),
    )
    notes = forms.CharField(
        label=_("督导过程记录"), widget=TEXT, required=False, help_text=_("讨论的要点、给社工的建议。")
    )
    cases = CaseChoiceField(
        label=_("讨论的个案"),
        queryset=Case.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("只能选择被督导社工负责的个案。"),
    )

    def __init__(self, *args: Any, workers: QuerySet[Person], cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisees"].queryset = workers  # type: ignore[attr-defined]
        self.fields["cases"].queryset = cases  # type: ignore[attr-defined]


class FollowUpForm(forms.Form):
    action = forms.CharField(label=_("跟进事项"), max_length=200)
    owner = PersonChoiceField(label=_("负责人"), queryset=Person.objects.none(), empty_label=_("请选择"))
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args: Any, owners: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]

    def to_input(self) -> FollowUpInput:
        data = self.cleaned_data
        return FollowUpInput(action=data["action"], owner=data["owner"], due_on=data["due_on"])


class BaseFollowUpFormSet(forms.BaseFormSet):
    """Follow-up rows on the session form; a row left empty is not a follow-up."""

    def inputs(self) -> list[FollowUpInput]:
        return [form.to_input() for form in self.forms if form.has_changed() and form.cleaned_data]


FollowUpFormSet = forms.formset_factory(FollowUpForm, formset=BaseFollowUpFormSet, extra=3, max_num=10)


class FollowUpDoneForm(forms.Form):
    done_on = forms.DateField(label=_("完成日期"), widget=DATE)
    outcome = forms.CharField(label=_("完成情况"), max_length=200)

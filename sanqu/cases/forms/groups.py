"""Forms for group work: the plan, a session with attendance checkboxes, a member, the close.

Forms normalise input and hand domain values to the services; the rules live in the services,
and a refusal there comes back onto the form (`add_service_errors`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models import Beneficiary, Group, GroupMember, TargetGroup
from sanqu.regions.models import Region, Station
from sanqu.workforce.models import Person

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's refusal on the field it names (or on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class StationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.region.name}）"


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.beneficiary.name


class BeneficiaryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        born = obj.birth_date.year if obj.birth_date else "—"
        return f"{obj.name}（{obj.region.name}，{born}）"


class PlaceForm(forms.Form):
    """Where the work happens and who leads it (an officer names the worker; a worker is herself)."""

    region = PlaceChoiceField(label=_("开展地点"), queryset=Region.objects.none())
    station = StationChoiceField(label=_("服务站点"), queryset=Station.objects.none(), required=False)
    worker = forms.ModelChoiceField(label=_("负责社工"), queryset=Person.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        places: QuerySet[Region],
        stations: QuerySet[Station],
        workers: QuerySet[Person] | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = places  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        if workers is None:
            del self.fields["worker"]
        else:
            self.fields["worker"].queryset = workers  # type: ignore[attr-defined]
            self.fields["worker"].required = True


class GroupForm(PlaceForm):
    name = forms.CharField(label=_("小组名称"), max_length=100)
    purpose = forms.CharField(
        label=_("小组目标与计划"), widget=TEXT, help_text=_("写明目标、每节安排和预期成效。")
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("服务对象类别"),
        queryset=TargetGroup.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    planned_sessions = forms.IntegerField(label=_("计划节数"), min_value=1, max_value=60, initial=6)
    started_on = forms.DateField(label=_("开始日期"), widget=DATE)

    field_order = ["name", "purpose", "target_groups", "planned_sessions", "started_on", "region", "station"]


class GroupPlanForm(forms.Form):
    """The plan of an open group, revised as the group goes."""

    name = GroupForm.base_fields["name"]
    purpose = GroupForm.base_fields["purpose"]
    target_groups = GroupForm.base_fields["target_groups"]
    planned_sessions = GroupForm.base_fields["planned_sessions"]
    station = StationChoiceField(label=_("服务站点"), queryset=Station.objects.none(), required=False)

    def __init__(self, *args: Any, stations: QuerySet[Station], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("活动日期"), widget=DATE)
    phase = forms.ChoiceField(label=_("阶段"), choices=(), widget=forms.RadioSelect)
    topic = forms.CharField(label=_("主题"), max_length=200)
    present = MemberChoiceField(
        label=_("出勤"),
        queryset=GroupMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    duration_hours = forms.DecimalField(
        label=_("时长(小时)"),
        min_value=Decimal("0.5"),
        max_value=Decimal(12),
        max_digits=4,
        decimal_places=1,
        initial=Decimal("1.5"),
    )
    process_notes = forms.CharField(
        label=_("过程记录"), widget=TEXT, required=False, help_text=_("客观记录组员的互动和变化。")
    )

    def __init__(self, *args: Any, group: Group, members: list[GroupMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reached = [value for value, _label in Group.Phase.choices].index(group.phase)
        self.fields["phase"].choices = Group.Phase.choices[reached:]  # type: ignore[attr-defined]
        self.fields["present"].queryset = GroupMember.objects.filter(  # type: ignore[attr-defined]
            pk__in=[member.pk for member in members]
        ).select_related("beneficiary")


class MemberAddForm(forms.Form):
    beneficiary = BeneficiaryChoiceField(
        label=_("服务对象"), queryset=Beneficiary.objects.none(), empty_label=_("请选择要加入的服务对象")
    )
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, candidates: QuerySet[Beneficiary], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = candidates  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    evaluation = forms.CharField(
        label=_("小组评估"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("目标达成情况、组员的变化和反馈、后续跟进。"),
    )
    ended_on = forms.DateField(label=_("结束日期"), widget=DATE)

"""Volunteer forms: registration, the profile, hours (quick on a phone), training, commendations,
a certificate, and the registry's filters. Rules live in the services; a refusal there comes
back onto the form (`add_service_errors`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT, StationChoiceField
from sanqu.cases.models import CommunityActivity, GroupSession
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Region, Station
from sanqu.workforce.forms import IdNumberField, PhoneField

HOURS = forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0.5", "max": "24"})


class CountyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProfileForm(forms.Form):
    county = CountyChoiceField(label=_("区县"), queryset=Region.objects.none())
    station = StationChoiceField(label=_("服务站点"), queryset=Station.objects.none(), required=False)
    organisation = forms.ModelChoiceField(
        label=_("所属机构"), queryset=Organisation.objects.none(), required=False
    )
    skills = forms.CharField(
        label=_("技能特长"),
        max_length=200,
        required=False,
        help_text=_("用顿号或逗号分隔，如：急救、手工、文艺表演"),
    )
    availability = forms.CharField(
        label=_("可服务时间"), max_length=100, required=False, help_text=_("如：周末、寒暑假、每周三下午")
    )
    notes = forms.CharField(label=_("备注"), widget=TEXT, required=False)

    def __init__(
        self,
        *args: Any,
        counties: QuerySet[Region],
        stations: QuerySet[Station],
        organisations: QuerySet[Organisation],
        organisation_required: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisation"].required = organisation_required
        if counties.count() == 1:
            self.fields["county"].initial = counties.first()


class RegisterForm(ProfileForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(help_text=_("18 位，末位可为 X；已登记的人员不会重复建档"))
    phone = PhoneField(label=_("手机号"), required=False)
    registered_on = forms.DateField(label=_("登记日期"), widget=DATE)

    field_order = ["name", "id_number", "phone", "county", "station", "organisation", "registered_on"]


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.held_on:%Y-%m-%d} {obj.name}（{obj.region.name}）"


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return gettext("%(day)s %(group)s · 第%(number)s节 %(topic)s") % {
            "day": f"{obj.held_on:%Y-%m-%d}",
            "group": obj.group.name,
            "number": obj.number,
            "topic": obj.topic,
        }


class ServiceForm(forms.Form):
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.DecimalField(
        label=_("服务时长(小时)"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=Decimal(24),
        widget=HOURS,
        help_text=_("只计服务时间，不含往返路途时间"),
    )
    content = forms.CharField(
        label=_("服务内容"), max_length=200, help_text=_("如：重阳节敬老活动协助、入户探访")
    )
    place = forms.CharField(label=_("服务地点"), max_length=100, required=False)
    activity = ActivityChoiceField(
        label=_("关联社区活动"),
        queryset=CommunityActivity.objects.none(),
        required=False,
        help_text=_("服务日期须与活动日期相同"),
    )
    group_session = SessionChoiceField(
        label=_("关联小组活动"), queryset=GroupSession.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        activities: QuerySet[CommunityActivity],
        sessions: QuerySet[GroupSession],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities  # type: ignore[attr-defined]
        self.fields["group_session"].queryset = sessions  # type: ignore[attr-defined]


class TrainingForm(forms.Form):
    trained_on = forms.DateField(label=_("培训日期"), widget=DATE)
    title = forms.CharField(label=_("培训内容"), max_length=100)
    hours = forms.DecimalField(
        label=_("培训学时"), max_digits=5, decimal_places=1, min_value=Decimal("0.5"), widget=HOURS
    )


class CommendationForm(forms.Form):
    awarded_on = forms.DateField(label=_("表彰日期"), widget=DATE)
    title = forms.CharField(label=_("表彰名称"), max_length=100, help_text=_("如：优秀志愿者"))
    awarded_by = forms.CharField(label=_("表彰单位"), max_length=100)


class CertificateForm(forms.Form):
    period_start = forms.DateField(label=_("服务期间起"), widget=DATE)
    period_end = forms.DateField(label=_("服务期间止"), widget=DATE)
    issuer = forms.CharField(label=_("出具单位"), max_length=100)
    issued_on = forms.DateField(label=_("出具日期"), widget=DATE)


class RegistryFilterForm(forms.Form):
    q = forms.CharField(label=_("姓名或完整身份证号"), max_length=100, required=False)
    county = CountyChoiceField(label=_("区县"), queryset=Region.objects.none(), required=False)
    station = StationChoiceField(label=_("服务站点"), queryset=Station.objects.none(), required=False)
    skill = forms.CharField(label=_("技能特长"), max_length=50, required=False)

    def __init__(self, *args: Any, counties: QuerySet[Region], stations: QuerySet[Station], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["station"].queryset = stations  # type: ignore[attr-defined]
        if counties.count() <= 1:
            del self.fields["county"]

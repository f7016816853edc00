"""The registration form: normalises what a worker types on a phone into the service's arguments."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.models import User
from sanqu.cases.models import Beneficiary, Household, TargetGroup
from sanqu.cases.services.beneficiaries import registrable_regions
from sanqu.regions.models import Region, Station
from sanqu.regions.selectors import stations_for
from sanqu.workforce.forms import IdNumberField, PhoneField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class BeneficiaryRegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(
        required=False, help_text=_("18位，末位X可小写。没有身份证号时请填写出生日期和性别。")
    )
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    sex = forms.ChoiceField(label=_("性别"), required=False, choices=[("", "—"), *Beneficiary.Sex.choices])
    region = RegionChoiceField(label=_("村(社区)"), queryset=Region.objects.none(), empty_label=_("请选择"))
    station = forms.ModelChoiceField(
        label=_("服务站点"), queryset=Station.objects.none(), required=False, empty_label=_("不指定")
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("服务对象类别"),
        queryset=TargetGroup.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。"),
    )
    phone = PhoneField(label=_("联系电话"))
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    create_household = forms.BooleanField(label=_("新建家庭档案（本人为户主）"), required=False)
    poverty_registered = forms.BooleanField(label=_("建档立卡贫困户"), required=False)
    household = forms.ModelChoiceField(
        label=_("加入家庭"), queryset=Household.objects.none(), required=False, widget=forms.HiddenInput
    )
    relation_to_head = forms.CharField(label=_("与户主关系"), max_length=20, required=False)
    consent_on = forms.DateField(label=_("知情同意日期"), widget=DATE)
    consent_by = forms.ChoiceField(
        label=_("同意人"), choices=Beneficiary.ConsentBy.choices, widget=forms.RadioSelect
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)
    guardian_relation = forms.CharField(
        label=_("监护人关系"), max_length=20, required=False, help_text=_("如：祖母、父亲")
    )
    health_notes = forms.CharField(
        label=_("健康与残障情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm_similar = forms.BooleanField(
        label=_("我已核对，确认不是同一人，仍要登记"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = registrable_regions(user).select_related("parent__parent")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions
        cast(forms.ModelChoiceField, self.fields["station"]).queryset = stations_for(user)
        cast(forms.ModelChoiceField, self.fields["household"]).queryset = Household.objects.filter(
            region__in=regions
        )

    def ask_to_confirm(self) -> None:
        """Show the confirmation box (a close match was found)."""
        self.fields["confirm_similar"].widget = forms.CheckboxInput()

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["sex"] = data.get("sex") or ""
        return data


class BeneficiaryEditForm(forms.Form):
    """Correcting a record. Sensitive fields are never pre-filled: an empty input keeps what is stored."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = IdNumberField(required=False)
    phone = PhoneField(label=_("联系电话"))
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    health_notes = forms.CharField(
        label=_("健康与残障情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    region = RegionChoiceField(label=_("村(社区)"), queryset=Region.objects.none(), empty_label=_("请选择"))
    station = forms.ModelChoiceField(
        label=_("服务站点"), queryset=Station.objects.none(), required=False, empty_label=_("不指定")
    )
    target_groups = forms.ModelMultipleChoiceField(
        label=_("服务对象类别"),
        queryset=TargetGroup.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
    )
    relation_to_head = forms.CharField(label=_("与户主关系"), max_length=20, required=False)
    consent_on = forms.DateField(label=_("知情同意日期"), widget=DATE)
    consent_by = forms.ChoiceField(
        label=_("同意人"), choices=Beneficiary.ConsentBy.choices, widget=forms.RadioSelect
    )
    guardian_name = forms.CharField(label=_("监护人姓名"), max_length=50, required=False)
    guardian_relation = forms.CharField(label=_("监护人关系"), max_length=20, required=False)

    KEEP = ("id_number", "phone", "address", "health_notes")

    def __init__(self, *args: Any, user: User, beneficiary: Beneficiary, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = registrable_regions(user).select_related("parent__parent")
        cast(forms.ModelChoiceField, self.fields["region"]).queryset = regions
        cast(forms.ModelChoiceField, self.fields["station"]).queryset = stations_for(user)
        keep = _("已登记，留空则不修改。")
        for name in self.KEEP:
            if getattr(beneficiary, name):
                self.fields[name].help_text = keep
        if beneficiary.id_number:
            self.fields["id_number"].help_text = _("当前：%(masked)s。留空则不修改。") % {
                "masked": beneficiary.id_number_masked
            }

    @staticmethod
    def initial_for(beneficiary: Beneficiary) -> dict[str, Any]:
        return {
            "name": beneficiary.name,
            "region": beneficiary.region_id,
            "station": beneficiary.station_id,
            "target_groups": list(beneficiary.target_groups.values_list("pk", flat=True)),
            "relation_to_head": beneficiary.relation_to_head,
            "consent_on": beneficiary.consent_on,
            "consent_by": beneficiary.consent_by,
            "guardian_name": beneficiary.guardian_name,
            "guardian_relation": beneficiary.guardian_relation,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        plain = ("name", "region", "station", "relation_to_head", "consent_on", "consent_by")
        changes = {name: data[name] for name in plain}
        changes["guardian_name"] = data["guardian_name"]
        changes["guardian_relation"] = data["guardian_relation"]
        for name in ("address", "health_notes"):
            if data[name].strip():
                changes[name] = data[name].strip()
        return {
            "data": changes,
            "target_groups": data["target_groups"],
            "id_number": data["id_number"],
            "phone": data["phone"] or None,
        }

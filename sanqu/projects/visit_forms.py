"""Monitoring visit forms: plan or record a visit, add an action, close or reopen it, filter the list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.models import User
from sanqu.cases.forms.groups import DATE, TEXT, StationChoiceField
from sanqu.projects.models import MonitoringVisit, Project
from sanqu.regions.models import Region, Station

SHORT_TEXT = forms.Textarea(attrs={"rows": 3})


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.organisation.name}）"


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name or obj.username


class VisitForm(forms.Form):
    """The visit's facts; the project or station only when it is created."""

    kind = forms.ChoiceField(
        label=_("类型"), choices=MonitoringVisit.Kind.choices, widget=forms.RadioSelect, initial="inspection"
    )
    project = ProjectChoiceField(label=_("项目"), queryset=Project.objects.none(), required=False)
    station = StationChoiceField(
        label=_("服务站点"),
        queryset=Station.objects.none(),
        required=False,
        help_text=_("走访项目时不选站点，走访站点时不选项目。"),
    )
    planned_on = forms.DateField(label=_("计划日期"), widget=DATE)
    visitors = forms.CharField(
        label=_("参加人员"), max_length=200, help_text=_("姓名与单位，如：张三(区民政局)")
    )
    purpose = forms.CharField(label=_("事由"), max_length=200, required=False)
    visited_on = forms.DateField(
        label=_("走访日期"),
        widget=DATE,
        required=False,
        help_text=_("已经走访过的，填写走访日期和发现的情况；只是计划的，留空。"),
    )
    findings = forms.CharField(label=_("发现的情况"), widget=TEXT, required=False)

    def __init__(
        self,
        *args: Any,
        projects: QuerySet[Project] | None = None,
        stations: QuerySet[Station] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if projects is None or stations is None:
            del self.fields["project"]
            del self.fields["station"]
        else:
            self.fields["project"].queryset = projects  # type: ignore[attr-defined]
            self.fields["station"].queryset = stations  # type: ignore[attr-defined]


class RecordForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DATE)
    visitors = forms.CharField(
        label=_("参加人员"), max_length=200, help_text=_("姓名与单位，如：张三(区民政局)")
    )
    findings = forms.CharField(label=_("发现的情况"), widget=TEXT)


class ActionForm(forms.Form):
    action = forms.CharField(label=_("整改事项"), max_length=300, widget=SHORT_TEXT)
    owner = OwnerChoiceField(
        label=_("责任人"),
        queryset=User.objects.none(),
        help_text=_("机构负责人、派驻的社工或区县专门科室。"),
    )
    due_on = forms.DateField(label=_("完成期限"), widget=DATE)

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners  # type: ignore[attr-defined]


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("整改情况"), widget=SHORT_TEXT)
    closed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    evidence = forms.FileField(
        label=_("佐证材料"),
        help_text=_("PDF、JPEG 或 PNG，不超过 10 MB；可直接用手机拍照。"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新打开的理由"), max_length=300, widget=SHORT_TEXT)


STATE_CHOICES = [("", _("全部")), ("planned", _("计划中")), ("done", _("已走访"))]


class VisitFilterForm(forms.Form):
    county = forms.ModelChoiceField(
        label=_("区县"), queryset=Region.objects.none(), required=False, empty_label=_("全部")
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部")), *MonitoringVisit.Kind.choices], required=False
    )
    state = forms.ChoiceField(label=_("状态"), choices=STATE_CHOICES, required=False)
    open_actions = forms.BooleanField(label=_("有未销号的整改事项"), required=False)

    def __init__(self, *args: Any, counties: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]

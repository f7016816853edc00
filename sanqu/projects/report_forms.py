"""Forms of the periodic report pages: filters, starting a period, the report itself, the review."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.projects.models import PeriodicReport, Project, ReportField, ReportTemplate

TEXTAREA = {"rows": 4}


class ReportFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *PeriodicReport.Status.choices]
    )
    project = forms.ModelChoiceField(
        label=_("项目"), required=False, queryset=Project.objects.none(), empty_label=_("全部")
    )
    period = forms.DateField(
        label=_("报告期（月份）"),
        required=False,
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("显示包含这个月份的报告期"),
    )
    mine = forms.BooleanField(label=_("待我审核"), required=False)

    def __init__(self, *args: Any, projects: QuerySet[Project], can_review: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects  # type: ignore[attr-defined]
        if not can_review:
            del self.fields["mine"]

    def filter(self, reports: QuerySet[PeriodicReport]) -> QuerySet[PeriodicReport]:
        data = self.cleaned_data
        if data.get("status"):
            reports = reports.filter(status=data["status"])
        if data.get("project"):
            reports = reports.filter(project=data["project"])
        month: dt.date | None = data.get("period")
        if month:
            first = month.replace(day=1)
            following = (
                first.replace(year=first.year + 1, month=1)
                if first.month == 12
                else first.replace(month=first.month + 1)
            )
            reports = reports.filter(period_start__lt=following, period_end__gte=first)
        return reports


class ReportStartForm(forms.Form):
    template = forms.ModelChoiceField(label=_("报告模板"), queryset=ReportTemplate.objects.none())
    period_start = forms.DateField(label=_("报告期起"))

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        templates = ReportTemplate.objects.filter(programme_year=project.programme_year_id)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    """The three texts every report has, then the template's number and text fields (`value_<key>`)."""

    narrative = forms.CharField(label=_("工作进展"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    problems = forms.CharField(label=_("存在问题"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    next_steps = forms.CharField(label=_("下一步计划"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, report: PeriodicReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys: dict[str, str] = {}  # form field name -> template field key
        self.required_at_submit: set[str] = {"narrative"}
        for field in report.template.report_fields.order_by("sort_order", "pk"):
            if field.kind == ReportField.Kind.FIGURE:
                continue
            name = f"value_{field.key}"
            self.keys[name] = field.key
            if field.kind == ReportField.Kind.NUMBER:
                form_field: forms.Field = forms.DecimalField(
                    label=field.label, required=False, min_value=0, decimal_places=2, max_digits=14
                )
            else:
                form_field = forms.CharField(
                    label=field.label, required=False, widget=forms.Textarea(attrs=TEXTAREA)
                )
            form_field.help_text = field.help_text
            self.fields[name] = form_field
            if field.required:  # required to submit, not to save a draft
                self.required_at_submit.add(name)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "narrative": data["narrative"],
            "problems": data["problems"],
            "next_steps": data["next_steps"],
            "values": {key: data.get(name) for name, key in self.keys.items()},
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

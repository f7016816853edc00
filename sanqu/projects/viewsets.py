"""Programme years and their receiving counties in the back office (kept by the city office)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from sanqu.accounts.admin_views import AuditedSnippetViewSet, ScopedForm, county_filter, panels
from sanqu.accounts.scoping import scope_of
from sanqu.orgs.viewsets import writable_counties
from sanqu.projects.models import ProgrammeYear, ReceivingCounty


class ProgrammeYearViewSet(AuditedSnippetViewSet):
    """Years are the programme's calendar: everyone in the back office sees them all."""

    model = ProgrammeYear
    icon = "date"
    list_display = ["__str__", "starts_on", "ends_on", "case_approval_required"]
    list_export = ["year", "starts_on", "ends_on", "case_approval_required"]
    export_headings = {
        "year": _("年度"),
        "starts_on": _("开始日期"),
        "ends_on": _("结束日期"),
        "case_approval_required": _("个案计划与结案需督导审批"),
    }
    edit_handler = panels("year", "starts_on", "ends_on", "case_approval_required")

    def scoped_queryset(self, user: Any) -> QuerySet[ProgrammeYear]:
        return ProgrammeYear.objects.all() if not scope_of(user).is_empty else ProgrammeYear.objects.none()

    def writable_queryset(self, user: Any) -> QuerySet[ProgrammeYear]:
        return self.scoped_queryset(user)


class ReceivingCountyForm(ScopedForm):
    scoped_choices = {"county": writable_counties}


class ReceivingCountyFilterSet(WagtailFilterSet):
    county = county_filter("county", label=_("受援区县"))
    programme_year = django_filters.ModelChoiceFilter(label=_("年度"), queryset=ProgrammeYear.objects.all())

    class Meta:
        model = ReceivingCounty
        fields: list[str] = []


class ReceivingCountyViewSet(AuditedSnippetViewSet):
    model = ReceivingCounty
    icon = "site"
    list_display = ["county", "programme_year", "dispatch_quota", "training_quota"]
    list_export = ["programme_year.year", "county.name", "dispatch_quota", "training_quota"]
    export_headings = {
        "programme_year.year": _("年度"),
        "county.name": _("受援区县"),
        "dispatch_quota": _("选派名额"),
        "training_quota": _("培养名额"),
    }
    filterset_class = ReceivingCountyFilterSet
    edit_handler = panels(
        "programme_year",
        "county",
        "dispatch_quota",
        "training_quota",
        base_form_class=ReceivingCountyForm,
        programme_year=forms.Select,
        county=forms.Select,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[ReceivingCounty]:
        return scope_of(user).filter(
            ReceivingCounty.objects.select_related("programme_year", "county"), region="county"
        )

    def writable_queryset(self, user: Any) -> QuerySet[ReceivingCounty]:
        return self.scoped_queryset(user)

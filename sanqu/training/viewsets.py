"""Trainees (培养对象) in the back office."""

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
from sanqu.projects.models import ProgrammeYear
from sanqu.training.models import Trainee
from sanqu.workforce.selectors import people_for
from sanqu.workforce.viewsets import programme_years, search_by_person


class TraineeForm(ScopedForm):
    scoped_choices = {"person": people_for, "programme_year": programme_years, "county": writable_counties}


class TraineeFilterSet(WagtailFilterSet):
    county = county_filter("county", label=_("推荐区县"))
    programme_year = django_filters.ModelChoiceFilter(label=_("年度"), queryset=ProgrammeYear.objects.all())
    course_level = django_filters.ChoiceFilter(label=_("培训类别"), choices=Trainee.CourseLevel.choices)
    completed = django_filters.BooleanFilter(
        label=_("已结业"), field_name="completed_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Trainee
        fields = ["course_level"]


class TraineeViewSet(AuditedSnippetViewSet):
    model = Trainee
    icon = "user"
    list_display = ["person", "programme_year", "county", "course_name", "hours", "completed_on"]
    list_export = [
        "programme_year.year",
        "person.name",
        "person.id_number",
        "county.name",
        "workplace",
        "course_name",
        "course_level",
        "hours",
        "completed_on",
    ]
    export_headings = {
        "programme_year.year": _("年度"),
        "person.name": _("姓名"),
        "person.id_number": _("身份证号"),
        "county.name": _("区县"),
        "workplace": _("工作单位"),
        "course_name": _("培训班名称"),
        "course_level": _("培训类别"),
        "hours": _("学时"),
        "completed_on": _("结业日期"),
    }
    sensitive_export = ("person.id_number",)
    filterset_class = TraineeFilterSet
    edit_handler = panels(
        "person",
        "programme_year",
        "county",
        "workplace",
        "course_name",
        "course_level",
        "hours",
        "completed_on",
        base_form_class=TraineeForm,
        programme_year=forms.Select,
        county=forms.Select,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[Trainee]:
        trainees = Trainee.objects.select_related("person", "programme_year", "county")
        return scope_of(user).filter(
            trainees, region="county", organisation="person__organisation", person="person"
        )

    def writable_queryset(self, user: Any) -> QuerySet[Trainee]:
        return scope_of(user).filter(Trainee.objects.all(), region="county")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return search_by_person(queryset, query)

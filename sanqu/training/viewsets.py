"""Trainees (培养对象) in the back office."""

from __future__ import annotations

from decimal import Decimal
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
from sanqu.training.models import Trainee, TrainingCourse
from sanqu.training.selectors import credited_hours
from sanqu.workforce.selectors import people_for
from sanqu.workforce.viewsets import programme_years, search_by_person


def _courses(user: Any) -> QuerySet[TrainingCourse]:
    return TrainingCourse.objects.select_related("programme_year").order_by(
        "-programme_year__year", "starts_on"
    )


class TraineeForm(ScopedForm):
    """The back office keeps the training rules: course of the same year, hours before completion.

    With attendance on record the ledger's hours are the credited hours; a linked course decides the
    flat course name and level.
    """

    scoped_choices = {
        "person": people_for,
        "programme_year": programme_years,
        "county": writable_counties,
        "course": _courses,
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        course: TrainingCourse | None = data.get("course")
        year = data.get("programme_year")
        stored = self.instance if self.instance.pk else None
        attended = stored is not None and stored.attendances.exists()
        if course is not None and year is not None and course.programme_year_id != year.pk:
            self.add_error("course", _("培训班须属于%(year)s年度。") % {"year": year.year})
            return data
        if attended and stored is not None and course != stored.course:
            self.add_error(
                "course", _("%(name)s已有出勤记录，不能更换培训班。") % {"name": stored.person.name}
            )
            return data
        if course is not None:
            data["course_name"] = course.name
            data["course_level"] = course.level
        if attended and stored is not None:
            data["hours"] = credited_hours(stored)
        completing = data.get("completed_on") and not (stored and stored.completed_on)
        hours = data.get("hours") or Decimal(0)
        if completing and course is not None and hours < course.required_hours:
            self.add_error(
                "completed_on",
                _("已计学时 %(credited)s，未达到培训班要求的 %(required)s 学时，不能结业。")
                % {
                    "credited": f"{hours.normalize():f}",
                    "required": f"{course.required_hours.normalize():f}",
                },
            )
        return data


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
        "course",
        "course_name",
        "course_level",
        "hours",
        "completed_on",
        base_form_class=TraineeForm,
        programme_year=forms.Select,
        county=forms.Select,
        course=forms.Select,
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

"""People, dispatches and certificates in the back office.

ID numbers and phones are never shown in clear here: the listing and the edit form show the
masked value, and an export is unmasked only for a user who may unmask (and is audited).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column

from sanqu.accounts.admin_views import ScopedForm, ScopedSnippetViewSet, county_filter, panels
from sanqu.accounts.models import User
from sanqu.accounts.scoping import scope_of
from sanqu.orgs.selectors import organisations_for
from sanqu.orgs.viewsets import writable_counties
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.selectors import stations_for
from sanqu.workforce import services
from sanqu.workforce.forms import SensitiveFieldsMixin
from sanqu.workforce.models import Certificate, Dispatch, Person
from sanqu.workforce.selectors import people_for, search_people


def programme_years(user: Any) -> QuerySet[ProgrammeYear]:
    return ProgrammeYear.objects.all()


def search_by_person(queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
    return queryset.filter(person__in=search_people(Person.objects.all(), query=query))


class PersonForm(SensitiveFieldsMixin, ScopedForm):
    scoped_choices = {"county": writable_counties, "organisation": organisations_for}


class PersonFilterSet(WagtailFilterSet):
    county = county_filter("county", label=_("所属区县"))
    sex = django_filters.ChoiceFilter(label=_("性别"), choices=Person.Sex.choices)

    class Meta:
        model = Person
        fields = ["sex"]


class PersonViewSet(ScopedSnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", Column("id_number_masked", label=_("身份证号")), "sex", "county", "organisation"]
    list_export = ["name", "id_number", "sex", "phone", "county.name", "organisation.name"]
    export_headings = {
        "name": _("姓名"),
        "id_number": _("身份证号"),
        "sex": _("性别"),
        "phone": _("手机号"),
        "county.name": _("所属区县"),
        "organisation.name": _("工作单位"),
    }
    sensitive_export = ("id_number", "phone")
    filterset_class = PersonFilterSet
    edit_handler = panels(
        "name",
        "id_number_input",
        "county",
        "organisation",
        "phone_input",
        base_form_class=PersonForm,
        county=forms.Select,
        organisation=forms.Select,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[Person]:
        return people_for(user)

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return search_people(queryset, query=query)

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Person:
        data = form.cleaned_data
        return services.person_create(
            actor=actor,
            name=data["name"],
            id_number=data["id_number_input"],
            county=data["county"],
            organisation=data.get("organisation"),
            phone=data.get("phone_input", ""),
            request=request,
        )

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Person:
        data = form.cleaned_data
        return services.person_update(
            actor=actor,
            person=Person.objects.get(pk=form.instance.pk),
            data={name: data[name] for name in services.PERSON_EDITABLE if name in data},
            id_number=data.get("id_number_input", ""),
            phone=data["phone_input"] or None,
            request=request,
        )

    def delete_record(self, *, instance: Person, actor: User, request: HttpRequest) -> None:
        services.person_delete(actor=actor, person=instance, request=request)


def _stations(user: Any) -> Any:
    return stations_for(user, write=True)


class DispatchForm(ScopedForm):
    scoped_choices = {
        "person": people_for,
        "programme_year": programme_years,
        "sending_organisation": organisations_for,
        "county": writable_counties,
        "station": _stations,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "planned_end_on" in self.fields:
            self.fields["planned_end_on"].required = False
            self.fields["planned_end_on"].help_text = _("留空则为开始日期起一年")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("status") == Dispatch.Status.LEFT_EARLY and not (data.get("leave_reason") or "").strip():
            self.add_error("leave_reason", _("提前离岗须填写离岗原因。"))
        return data


class DispatchFilterSet(WagtailFilterSet):
    county = county_filter("county", label=_("受援区县"))
    programme_year = django_filters.ModelChoiceFilter(label=_("年度"), queryset=ProgrammeYear.objects.all())
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Dispatch.Status.choices)

    class Meta:
        model = Dispatch
        fields = ["status"]


class DispatchViewSet(ScopedSnippetViewSet):
    model = Dispatch
    icon = "pick"
    list_display = ["person", "programme_year", "county", "sending_organisation", "started_on", "status"]
    list_export = [
        "programme_year.year",
        "person.name",
        "person.id_number",
        "sending_organisation.name",
        "county.name",
        "station.name",
        "started_on",
        "planned_end_on",
        "ended_on",
        "status",
        "leave_reason",
        "leave_note",
        "assessment",
        "assessed_on",
    ]
    export_headings = {
        "programme_year.year": _("年度"),
        "person.name": _("姓名"),
        "person.id_number": _("身份证号"),
        "sending_organisation.name": _("派出单位"),
        "county.name": _("受援区县"),
        "station.name": _("服务站点"),
        "started_on": _("派驻开始日期"),
        "planned_end_on": _("计划结束日期"),
        "ended_on": _("实际结束日期"),
        "status": _("状态"),
        "leave_reason": _("离岗原因"),
        "leave_note": _("离岗说明"),
        "assessment": _("考核结果"),
        "assessed_on": _("考核日期"),
    }
    sensitive_export = ("person.id_number",)
    filterset_class = DispatchFilterSet
    edit_handler = panels(
        *services.DISPATCH_EDITABLE,
        base_form_class=DispatchForm,
        programme_year=forms.Select,
        sending_organisation=forms.Select,
        county=forms.Select,
        station=forms.Select,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[Dispatch]:
        dispatches = Dispatch.objects.select_related(
            "person", "programme_year", "county", "station", "sending_organisation"
        )
        return scope_of(user).filter(
            dispatches, region="county", organisation="sending_organisation", person="person"
        )

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return search_by_person(queryset, query)

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Dispatch:
        return services.dispatch_create(actor=actor, request=request, **form.service_data())

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Dispatch:
        dispatch = Dispatch.objects.get(pk=form.instance.pk)
        data = form.service_data()
        if not data.get("planned_end_on"):
            data["planned_end_on"] = Dispatch.default_planned_end(data["started_on"])
        return services.dispatch_update(actor=actor, dispatch=dispatch, data=data, request=request)

    def delete_record(self, *, instance: Dispatch, actor: User, request: HttpRequest) -> None:
        services.dispatch_delete(actor=actor, dispatch=instance, request=request)


class CertificateForm(ScopedForm):
    scoped_choices = {"person": people_for, "county": writable_counties}


class CertificateFilterSet(WagtailFilterSet):
    county = county_filter("county")
    level = django_filters.ChoiceFilter(label=_("等级"), choices=Certificate.Level.choices)

    class Meta:
        model = Certificate
        fields = ["level"]


class CertificateViewSet(ScopedSnippetViewSet):
    model = Certificate
    icon = "doc-full"
    list_display = ["person", "level", "obtained_on", "number", "county"]
    list_export = ["person.name", "person.id_number", "level", "obtained_on", "county.name", "number"]
    export_headings = {
        "person.name": _("姓名"),
        "person.id_number": _("身份证号"),
        "level": _("等级"),
        "obtained_on": _("取得日期"),
        "county.name": _("区县"),
        "number": _("证书编号"),
    }
    sensitive_export = ("person.id_number",)
    filterset_class = CertificateFilterSet
    edit_handler = panels(
        *services.CERTIFICATE_EDITABLE, base_form_class=CertificateForm, county=forms.Select
    )

    def scoped_queryset(self, user: Any) -> QuerySet[Certificate]:
        certificates = Certificate.objects.select_related("person", "county")
        return scope_of(user).filter(
            certificates,
            region=("county", "person__county"),
            organisation="person__organisation",
            person="person",
        )

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return search_by_person(queryset, query)

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Certificate:
        return services.certificate_create(actor=actor, request=request, **form.service_data())

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Certificate:
        certificate = Certificate.objects.get(pk=form.instance.pk)
        return services.certificate_update(
            actor=actor, certificate=certificate, data=form.service_data(), request=request
        )

    def delete_record(self, *, instance: Certificate, actor: User, request: HttpRequest) -> None:
        services.certificate_delete(actor=actor, certificate=instance, request=request)

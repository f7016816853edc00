"""The organisation registry in the back office."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from sanqu.accounts.admin_views import ScopedForm, ScopedSnippetViewSet, county_filter, panels
from sanqu.accounts.models import User
from sanqu.orgs import services
from sanqu.orgs.forms import CreditCodeField
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import organisations_for
from sanqu.regions.models import Region


def writable_counties(user: Any) -> QuerySet[Region]:
    """Counties a region role of the user covers (where a record of theirs can be placed)."""
    from sanqu.accounts.scoping import scope_of

    scope = scope_of(user)
    counties = Region.objects.filter(level=Region.Level.COUNTY)
    if scope.superuser:
        return counties
    query = Q(pk__in=[])
    for path in scope.region_paths:
        query |= Q(path__startswith=path)
    return counties.filter(query)


class OrganisationForm(ScopedForm):
    credit_code = CreditCodeField(label=_("统一社会信用代码"), help_text=_("18位，无则留空"))
    scoped_choices = {"home_county": writable_counties}


class OrganisationFilterSet(WagtailFilterSet):
    county = county_filter("home_county", label=_("所在区县"))
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Organisation.Kind.choices)
    social_work = django_filters.BooleanFilter(label=_("社会工作组织"))
    deregistered = django_filters.BooleanFilter(
        label=_("已注销"), field_name="deregistered_on", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = Organisation
        fields = ["kind", "social_work"]


class OrganisationViewSet(ScopedSnippetViewSet):
    model = Organisation
    icon = "group"
    list_display = ["name", "kind", "credit_code", "home_county", "registered_on", "deregistered_on"]
    list_export = [
        "credit_code",
        "name",
        "kind",
        "home_county.name",
        "registered_on",
        "deregistered_on",
        "supervising_unit",
        "social_work",
    ]
    export_headings = {
        "credit_code": _("统一社会信用代码"),
        "name": _("名称"),
        "kind": _("类型"),
        "home_county.name": _("区县"),
        "registered_on": _("登记日期"),
        "deregistered_on": _("注销日期"),
        "supervising_unit": _("业务主管单位"),
        "social_work": _("社会工作组织"),
    }
    filterset_class = OrganisationFilterSet
    edit_handler = panels(*services.EDITABLE, base_form_class=OrganisationForm, home_county=forms.Select)

    def scoped_queryset(self, user: Any) -> QuerySet[Organisation]:
        return organisations_for(user)

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        query = query.strip()
        return queryset.filter(Q(name__icontains=query) | Q(credit_code=query.upper()))

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Organisation:
        return services.organisation_create(actor=actor, request=request, **form.service_data())

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Organisation:
        organisation = Organisation.objects.get(pk=form.instance.pk)
        return services.organisation_update(
            actor=actor, organisation=organisation, data=form.service_data(), request=request
        )

    def delete_record(self, *, instance: Organisation, actor: User, request: HttpRequest) -> None:
        services.organisation_delete(actor=actor, organisation=instance, request=request)

"""Counties' incentive policies (激励政策) in the back office."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from sanqu.accounts.admin_views import AuditedSnippetViewSet, ScopedForm, county_filter, panels
from sanqu.accounts.scoping import scope_of
from sanqu.incentives.models import IncentivePolicy
from sanqu.orgs.viewsets import writable_counties


class IncentivePolicyForm(ScopedForm):
    scoped_choices = {"county": writable_counties}


class IncentivePolicyFilterSet(WagtailFilterSet):
    county = county_filter("county")
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=IncentivePolicy.Kind.choices)

    class Meta:
        model = IncentivePolicy
        fields = ["kind"]


class IncentivePolicyViewSet(AuditedSnippetViewSet):
    model = IncentivePolicy
    icon = "tag"
    list_display = ["name", "county", "kind", "effective_from", "effective_until", "amount"]
    list_export = ["county.name", "name", "kind", "effective_from", "effective_until", "amount"]
    export_headings = {
        "county.name": _("区县"),
        "name": _("政策名称"),
        "kind": _("类别"),
        "effective_from": _("生效日期"),
        "effective_until": _("失效日期"),
        "amount": _("标准(元)"),
    }
    filterset_class = IncentivePolicyFilterSet
    edit_handler = panels(
        "county",
        "name",
        "kind",
        "effective_from",
        "effective_until",
        "amount",
        "certificate_in_force",
        base_form_class=IncentivePolicyForm,
        county=forms.Select,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[IncentivePolicy]:
        return scope_of(user).filter(IncentivePolicy.objects.select_related("county"), region="county")

    def writable_queryset(self, user: Any) -> QuerySet[IncentivePolicy]:
        return self.scoped_queryset(user)

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(name__icontains=query.strip())

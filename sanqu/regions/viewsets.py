"""The region tree, its code history and the station registry in the back office."""

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
from sanqu.accounts.services import audited_delete, audited_save, snapshot
from sanqu.orgs.selectors import organisations_for
from sanqu.regions import services
from sanqu.regions.models import Region, RegionCode, Station
from sanqu.regions.selectors import regions_for, stations_for


def search_regions(queryset: QuerySet[Any], query: str, lookup: str = "") -> QuerySet[Any]:
    prefix = f"{lookup}__" if lookup else ""
    query = query.strip()
    return queryset.filter(
        Q(**{f"{prefix}name__icontains": query})
        | Q(**{f"{prefix}short_name__icontains": query})
        | Q(**{f"{prefix}code__startswith": query})
    )


class RegionFilterSet(WagtailFilterSet):
    level = django_filters.ChoiceFilter(label=_("层级"), choices=Region.Level.choices)
    county = county_filter(label=_("所属区县"))

    class Meta:
        model = Region
        fields = ["level"]


class RegionViewSet(ScopedSnippetViewSet):
    """Read-only for everyone but superusers: the tree is loaded from the division dataset."""

    model = Region
    icon = "site"
    list_display = ["name", "code", "level", "parent"]
    list_export = ["code", "name", "short_name", "level", "parent.code", "parent.name"]
    export_headings = {
        "code": _("区划代码"),
        "name": _("名称"),
        "short_name": _("简称"),
        "level": _("层级"),
        "parent.code": _("上级代码"),
        "parent.name": _("上级名称"),
    }
    filterset_class = RegionFilterSet
    list_per_page = 50
    chooser_per_page = 20
    edit_handler = panels("code", "name", "short_name", "level", "parent")

    def scoped_queryset(self, user: Any) -> QuerySet[Region]:
        return regions_for(user).select_related("parent")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return search_regions(queryset, query)

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Region:
        return audited_save(
            actor=actor,
            instance=form.instance,
            perm="regions.add_region",
            writable=self.scoped_queryset(actor),
            request=request,
        )

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Region:
        before = snapshot(Region.objects.get(pk=form.instance.pk))
        return audited_save(
            actor=actor,
            instance=form.instance,
            perm="regions.change_region",
            before=before,
            writable=self.scoped_queryset(actor),
            request=request,
        )

    def delete_record(self, *, instance: Region, actor: User, request: HttpRequest) -> None:
        audited_delete(
            actor=actor,
            instance=instance,
            perm="regions.delete_region",
            writable=self.scoped_queryset(actor),
            request=request,
        )


class RegionCodeViewSet(ScopedSnippetViewSet):
    """Former codes and names (开县 500234 → 开州区 500154): history, read-only."""

    model = RegionCode
    icon = "history"
    list_display = ["code", "name", "region", "valid_until", "note"]
    list_export = ["code", "name", "region.code", "region.name", "valid_until", "note"]
    export_headings = {
        "code": _("原区划代码"),
        "name": _("原名称"),
        "region.code": _("现区划代码"),
        "region.name": _("现区划"),
        "valid_until": _("停用日期"),
        "note": _("说明"),
    }
    edit_handler = panels("region", "code", "name", "valid_until", "note")

    def scoped_queryset(self, user: Any) -> QuerySet[RegionCode]:
        return RegionCode.objects.filter(region__in=regions_for(user)).select_related("region")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=query) | Q(code__startswith=query.strip()))

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> RegionCode:
        return audited_save(
            actor=actor,
            instance=form.instance,
            perm="regions.add_regioncode",
            writable=self.scoped_queryset(actor),
            request=request,
        )

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> RegionCode:
        before = snapshot(RegionCode.objects.get(pk=form.instance.pk))
        return audited_save(
            actor=actor,
            instance=form.instance,
            perm="regions.change_regioncode",
            before=before,
            writable=self.scoped_queryset(actor),
            request=request,
        )

    def delete_record(self, *, instance: RegionCode, actor: User, request: HttpRequest) -> None:
        audited_delete(
            actor=actor,
            instance=instance,
            perm="regions.delete_regioncode",
            writable=self.scoped_queryset(actor),
            request=request,
        )


def station_regions(user: Any) -> QuerySet[Region]:
    """Townships and villages a region role of the user covers (where a station can be)."""
    return stations_regions_scope(user).filter(level__in=[Region.Level.TOWNSHIP, Region.Level.VILLAGE])


def stations_regions_scope(user: Any) -> QuerySet[Region]:
    from sanqu.accounts.scoping import scope_of

    scope = scope_of(user)
    regions = Region.objects.all()
    if scope.superuser:
        return regions
    query = Q(pk__in=[])
    for path in scope.region_paths:
        query |= Q(path__startswith=path)
    return regions.filter(query)


class StationForm(ScopedForm):
    scoped_choices = {"region": station_regions, "organisation": organisations_for}


class StationFilterSet(WagtailFilterSet):
    county = county_filter("region")
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=Station.Kind.choices)

    class Meta:
        model = Station
        fields = ["kind"]


STATION_FIELDS = ("name", "kind", "region", "organisation", "address", "opened_on", "closed_on")


class StationViewSet(ScopedSnippetViewSet):
    model = Station
    icon = "home"
    list_display = ["name", "kind", "region", "organisation", "opened_on", "closed_on"]
    list_export = [
        "name",
        "kind",
        "region.code",
        "region.name",
        "organisation.name",
        "address",
        "opened_on",
        "closed_on",
    ]
    export_headings = {
        "name": _("名称"),
        "kind": _("类型"),
        "region.code": _("区划代码"),
        "region.name": _("所在区划"),
        "organisation.name": _("运营机构"),
        "address": _("地址"),
        "opened_on": _("建立日期"),
        "closed_on": _("撤销日期"),
    }
    filterset_class = StationFilterSet
    edit_handler = panels(*STATION_FIELDS, base_form_class=StationForm, organisation=forms.Select)

    def scoped_queryset(self, user: Any) -> QuerySet[Station]:
        return stations_for(user)

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=query) | Q(region__name__icontains=query))

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Station:
        return services.station_create(actor=actor, **_station_fields(form))

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Station:
        station = Station.objects.get(pk=form.instance.pk)
        return services.station_update(actor=actor, station=station, **_station_fields(form))

    def delete_record(self, *, instance: Station, actor: User, request: HttpRequest) -> None:
        audited_delete(
            actor=actor,
            instance=instance,
            perm="regions.delete_station",
            writable=stations_for(actor, write=True),
            request=request,
        )


def _station_fields(form: Any) -> Any:
    return {name: form.cleaned_data[name] for name in STATION_FIELDS if name in form.cleaned_data}

"""Regions (read) and stations (read, and written through sanqu.regions.services)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sanqu.api.base import (
    CreateRecord,
    Day,
    ListFilters,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
)
from sanqu.orgs.selectors import organisations_for
from sanqu.regions.models import Region, Station
from sanqu.regions.selectors import regions_for, stations_for
from sanqu.regions.services import station_create, station_update


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Region
        fields = ["code", "name", "short_name", "level", "level_display", "parent"]


class RegionFilters(ListFilters):
    level = serializers.ChoiceField(choices=Region.Level.choices, required=False, help_text=_("层级"))

    date_from = None  # type: ignore[assignment]  # regions have no date
    date_to = None  # type: ignore[assignment]


class RegionViewSet(ScopedViewSet):
    """行政区划：您各项授权所在区划及其下级。"""

    selector = staticmethod(regions_for)
    serializer_class = RegionSerializer
    filter_class = RegionFilters
    lookup_field = "code"
    lookup_value_regex = r"[0-9]{2,12}"

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        if values.get("region") is not None:
            queryset = queryset.filter(path__startswith=values["region"].path)
        if values.get("level") is not None:
            queryset = queryset.filter(level=values["level"])
        return queryset


class StationSerializer(serializers.ModelSerializer):
    region = RegionCodeField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "organisation",
            "organisation_name",
            "address",
            "opened_on",
            "closed_on",
        ]


class StationWrite(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Station.Kind.choices, required=False)
    region = RegionCodeField(help_text=_("所在区划代码（乡镇或村社区）"))
    organisation = ScopedRelatedField(selector=organisations_for, required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    opened_on = Day(required=False, allow_null=True)
    closed_on = Day(required=False, allow_null=True)


class StationViewSet(CreateRecord, UpdateRecord, ScopedViewSet):
    """社会工作站(室)。"""

    selector = staticmethod(stations_for)
    serializer_class = StationSerializer
    write_perms = {"create": "regions.add_station", "partial_update": "regions.change_station"}
    write_serializer_class = StationWrite
    region_field = "region"
    date_field = "opened_on"

    def create_record(self, values: dict[str, Any]) -> Station:
        return station_create(actor=self.actor, request=self.request._request, **values)

    def update_record(self, record: Station, values: dict[str, Any]) -> Station:
        return station_update(actor=self.actor, station=record, request=self.request._request, **values)

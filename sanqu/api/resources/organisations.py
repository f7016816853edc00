"""Organisations (社会工作组织): read in scope, written through sanqu.orgs.services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sanqu.api.base import (
    CreateRecord,
    Day,
    DeleteRecord,
    ListFilters,
    RegionCodeField,
    ScopedViewSet,
    UpdateRecord,
)
from sanqu.orgs.models import Organisation
from sanqu.orgs.selectors import organisations_for
from sanqu.orgs.services import organisation_create, organisation_delete, organisation_update
from sanqu.regions.models import Region

REGISTERED, DEREGISTERED = "registered", "deregistered"


class OrganisationSerializer(serializers.ModelSerializer):
    home_county = RegionCodeField(read_only=True)
    home_county_name = serializers.CharField(source="home_county.name", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "social_work",
            "credit_code",
            "home_county",
            "home_county_name",
            "registered_on",
            "deregistered_on",
            "supervising_unit",
        ]


class OrganisationWrite(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    social_work = serializers.BooleanField(required=False)
    credit_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    home_county = RegionCodeField(level=Region.Level.COUNTY, help_text=_("所在区县代码"))
    registered_on = Day()
    deregistered_on = Day(required=False, allow_null=True)
    supervising_unit = serializers.CharField(max_length=100, required=False, allow_blank=True)


class OrganisationFilters(ListFilters):
    status = serializers.ChoiceField(
        choices=[(REGISTERED, _("存续")), (DEREGISTERED, _("已注销"))],
        required=False,
        help_text=_("登记状态"),
    )


class OrganisationViewSet(CreateRecord, UpdateRecord, DeleteRecord, ScopedViewSet):
    """社会工作组织：所在区县、向您区县派出社工的组织，或您所在的机构。日期筛选按登记日期。"""

    selector = staticmethod(organisations_for)
    serializer_class = OrganisationSerializer
    write_perms = {"create": "orgs.add_organisation", "partial_update": "orgs.change_organisation"}
    write_serializer_class = OrganisationWrite
    filter_class = OrganisationFilters
    region_field = "home_county"
    date_field = "registered_on"

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, values)
        if values.get("status") == REGISTERED:
            queryset = queryset.filter(deregistered_on__isnull=True)
        elif values.get("status") == DEREGISTERED:
            queryset = queryset.filter(deregistered_on__isnull=False)
        return queryset

    def create_record(self, values: dict[str, Any]) -> Organisation:
        return organisation_create(actor=self.actor, request=self.request._request, **values)

    def update_record(self, record: Organisation, values: dict[str, Any]) -> Organisation:
        return organisation_update(
            actor=self.actor, organisation=record, data=values, request=self.request._request
        )

    def delete_record(self, record: Organisation) -> None:
        organisation_delete(actor=self.actor, organisation=record, request=self.request._request)

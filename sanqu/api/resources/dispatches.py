"""Dispatches (选派): read in scope, written through sanqu.workforce.services (the rules of a term)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sanqu.api.base import (
    CreateRecord,
    Day,
    DeleteRecord,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
    status_filters,
)
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region
from sanqu.regions.selectors import stations_for
from sanqu.workforce.dispatch_selectors import dispatches_for
from sanqu.workforce.models import Dispatch
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import dispatch_create, dispatch_delete, dispatch_update


def _years(user: Any) -> Any:
    return ProgrammeYear.objects.all()


def _sending_organisations(user: Any) -> Any:
    # Sending organisations are usually outside the receiving county: the registry is public (as the form).
    return Organisation.objects.all()


class DispatchSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.name", read_only=True)
    programme_year = serializers.IntegerField(source="programme_year.year", read_only=True)
    sending_organisation_name = serializers.CharField(source="sending_organisation.name", read_only=True)
    county = RegionCodeField(read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "person",
            "person_name",
            "programme_year",
            "sending_organisation",
            "sending_organisation_name",
            "county",
            "county_name",
            "station",
            "station_name",
            "started_on",
            "planned_end_on",
            "ended_on",
            "status",
            "leave_reason",
            "leave_note",
            "assessment",
            "assessed_on",
            "renewal_of",
        ]


class DispatchWrite(serializers.Serializer):
    person = ScopedRelatedField(selector=people_for, help_text=_("社工（人员编号）"))
    programme_year = ScopedRelatedField(selector=_years, lookup="year", help_text=_("年度，例如 2018"))
    sending_organisation = ScopedRelatedField(selector=_sending_organisations, help_text=_("派出单位编号"))
    county = RegionCodeField(level=Region.Level.COUNTY, help_text=_("受援区县代码"))
    station = ScopedRelatedField(selector=stations_for, required=False, allow_null=True)
    started_on = Day()
    planned_end_on = Day(required=False, allow_null=True, help_text=_("默认为开始后一年"))
    ended_on = Day(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Dispatch.Status.choices, required=False)
    leave_reason = serializers.ChoiceField(
        choices=Dispatch.LeaveReason.choices, required=False, allow_blank=True
    )
    leave_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    assessment = serializers.ChoiceField(
        choices=Dispatch.Assessment.choices, required=False, allow_blank=True
    )
    assessed_on = Day(required=False, allow_null=True)


class DispatchViewSet(CreateRecord, UpdateRecord, DeleteRecord, ScopedViewSet):
    """选派：受援区县、派出单位或社工本人可见。日期筛选按派驻开始日期。"""

    selector = staticmethod(dispatches_for)
    serializer_class = DispatchSerializer
    write_perms = {"create": "workforce.add_dispatch", "partial_update": "workforce.change_dispatch"}
    write_serializer_class = DispatchWrite
    filter_class = status_filters(Dispatch.Status.choices)
    region_field = "county"
    date_field = "started_on"
    status_field = "status"

    def create_record(self, values: dict[str, Any]) -> Dispatch:
        return dispatch_create(actor=self.actor, request=self.request._request, **values)

    def update_record(self, record: Dispatch, values: dict[str, Any]) -> Dispatch:
        if values.get("planned_end_on", "") is None:
            values["planned_end_on"] = Dispatch.default_planned_end(
                values.get("started_on", record.started_on)
            )
        return dispatch_update(actor=self.actor, dispatch=record, data=values, request=self.request._request)

    def delete_record(self, record: Dispatch) -> None:
        dispatch_delete(actor=self.actor, dispatch=record, request=self.request._request)

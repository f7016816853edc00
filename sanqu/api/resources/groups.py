"""Groups (小组工作): read in scope, planned and revised through sanqu.cases.services.groups."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from sanqu.api.base import (
    CreateRecord,
    Day,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
    status_filters,
)
from sanqu.api.resources.beneficiaries import TargetGroupCodes
from sanqu.cases.models import Group
from sanqu.cases.selectors.groups import groups_for, places_for, stations_for
from sanqu.cases.services.groups import group_create, group_update
from sanqu.regions.models import Region
from sanqu.workforce.selectors import people_for


class GroupSerializer(serializers.ModelSerializer):
    county = RegionCodeField(read_only=True)
    region = RegionCodeField(read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default=None, allow_null=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    target_groups = serializers.SerializerMethodField(help_text=gettext_lazy("服务对象类别代码"))
    member_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("现有组员数"))
    session_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已开展节数"))

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "county",
            "region",
            "region_name",
            "station",
            "station_name",
            "organisation",
            "organisation_name",
            "worker",
            "worker_name",
            "target_groups",
            "purpose",
            "planned_sessions",
            "phase",
            "started_on",
            "ended_on",
            "evaluation",
            "member_count",
            "session_count",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_target_groups(self, group: Group) -> list[str]:
        return [target.code for target in group.target_groups.all()]


class GroupEdit(serializers.Serializer):
    """What a revision of an open group's plan may change (PATCH: the fields sent)."""

    name = serializers.CharField(max_length=100)
    purpose = serializers.CharField(max_length=4000, help_text=gettext_lazy("小组目标与计划"))
    planned_sessions = serializers.IntegerField(min_value=1, max_value=200)
    station = ScopedRelatedField(selector=stations_for, required=False, allow_null=True)
    target_groups = TargetGroupCodes(required=False)


class GroupWrite(GroupEdit):
    region = RegionCodeField(help_text=gettext_lazy("开展地点（乡镇或村社区）的区划代码"))
    started_on = Day()
    worker = ScopedRelatedField(
        selector=people_for,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("带领社工（人员编号）；社工本人建立时不填"),
    )

    def validate_region(self, region: Region) -> Region:
        """Only where the user records field work (the places the group form offers)."""
        if not places_for(self.context["request"].user).filter(pk=region.pk).exists():
            raise serializers.ValidationError(_("只能在您负责的乡镇或村（社区）开展小组。"))
        return region


class GroupViewSet(CreateRecord, UpdateRecord, ScopedViewSet):
    """小组工作：市级、区县可见辖区内的小组，机构可见本机构的，社工可见自己带领及所在站点的。
    社工和区县专门科室可建立和修改（结束的小组不能再改）。日期筛选按开始日期，状态即阶段。"""

    selector = staticmethod(groups_for)
    serializer_class = GroupSerializer
    write_perms = {"create": "cases.add_group", "partial_update": "cases.change_group"}
    write_serializer_class = GroupWrite
    filter_class = status_filters(Group.Phase.choices)
    view_perm = "cases.view_group"
    region_field = "region"
    date_field = "started_on"
    status_field = "phase"

    def get_queryset(self) -> QuerySet[Any]:
        return (
            super()
            .get_queryset()
            .prefetch_related("target_groups")
            .annotate(
                member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
                session_count=Count("sessions", distinct=True),
            )
            .order_by("-started_on", "id")
        )

    def get_write_serializer_class(self) -> type[serializers.Serializer]:
        return GroupEdit if self.action == "partial_update" else GroupWrite

    def create_record(self, values: dict[str, Any]) -> Group:
        group = group_create(actor=self.actor, request=self.request._request, **values)
        return self.get_queryset().get(pk=group.pk)

    def update_record(self, record: Group, values: dict[str, Any]) -> Group:
        target_groups = values.pop("target_groups", None)
        group = group_update(
            actor=self.actor,
            group=record,
            data=values,
            target_groups=target_groups,
            request=self.request._request,
        )
        return self.get_queryset().get(pk=group.pk)

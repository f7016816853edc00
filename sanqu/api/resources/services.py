"""Service records (服务记录): read in scope, recorded by a worker through the service-record service."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from sanqu.api.base import CreateRecord, Day, ListFilters, RegionCodeField, ScopedRelatedField, ScopedViewSet
from sanqu.cases.models import ServiceRecord, ServiceType
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.selectors.cases import cases_for
from sanqu.cases.selectors.services import service_records_for
from sanqu.cases.services.service_records import TENTH, service_record_create


class ServiceRecordSerializer(serializers.ModelSerializer):
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    service_type = serializers.CharField(source="service_type.code", read_only=True)
    service_type_name = serializers.CharField(source="service_type.name", read_only=True)
    beneficiary_name = serializers.CharField(
        source="beneficiary.name", read_only=True, default=None, allow_null=True
    )
    case_number = serializers.CharField(source="case.number", read_only=True, default=None, allow_null=True)
    county = RegionCodeField(read_only=True)

    class Meta:
        model = ServiceRecord
        fields = [
            "id",
            "served_on",
            "worker",
            "worker_name",
            "method",
            "service_type",
            "service_type_name",
            "duration_hours",
            "place",
            "notes",
            "next_step",
            "beneficiary",
            "beneficiary_name",
            "case",
            "case_number",
            "group_session",
            "community_activity",
            "county",
        ]


class ServiceRecordWrite(serializers.Serializer):
    served_on = Day()
    service_type = serializers.SlugField(max_length=40, help_text=gettext_lazy("服务类型代码"))
    method = serializers.ChoiceField(choices=ServiceRecord.Method.choices)
    duration_hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        help_text=gettext_lazy("时长（小时），大于 0、不超过 24，保留一位小数"),
    )
    beneficiary = ScopedRelatedField(selector=beneficiaries_for, required=False, allow_null=True)
    case = ScopedRelatedField(
        selector=cases_for, required=False, allow_null=True, help_text=gettext_lazy("个案编号（个案服务时）")
    )
    place = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    next_step = serializers.CharField(max_length=300, required=False, allow_blank=True)
    client_token = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("客户端生成的一次性标识：同一标识重复提交只记录一次"),
    )


class ServiceRecordFilters(ListFilters):
    method = serializers.ChoiceField(
        choices=ServiceRecord.Method.choices, required=False, help_text=gettext_lazy("服务方式")
    )


class ServiceRecordViewSet(CreateRecord, ScopedViewSet):
    """服务记录：您可见的服务对象的记录，以及您本人（督导含被督导社工）提供的服务。社工用 POST
    记录自己提供的服务。日期筛选按服务日期，区划筛选按服务对象所在区县。"""

    selector = staticmethod(service_records_for)
    serializer_class = ServiceRecordSerializer
    write_perms = {"create": "cases.add_servicerecord"}
    write_serializer_class = ServiceRecordWrite
    filter_class = ServiceRecordFilters
    view_perm = "cases.view_servicerecord"
    region_field = "county"
    date_field = "served_on"

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, values)
        if values.get("method"):
            queryset = queryset.filter(method=values["method"])
        return queryset

    def create_record(self, values: dict[str, Any]) -> ServiceRecord:
        code = values.pop("service_type")
        service_type = ServiceType.objects.filter(code=code).first()
        if service_type is None:
            raise ValidationError({"service_type": _("没有代码为“%(code)s”的服务类型。") % {"code": code}})
        hours: Decimal = values.pop("duration_hours")
        if hours == hours.quantize(TENTH):
            hours = hours.quantize(TENTH)  # "1.50" is 1.5 hours; "1.25" meets the service's rule
        record = service_record_create(
            actor=self.actor,
            request=self.request._request,
            service_type=service_type,
            duration_hours=hours,
            **values,
        )
        return self.get_queryset().get(pk=record.pk)

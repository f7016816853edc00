"""County projects (项目) and their periodic reports (月报/季报): read in scope; reports started, kept,
submitted and reviewed through sanqu.projects.report_services (who files, who reviews, when)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sanqu.accounts.models import User
from sanqu.accounts.roles import FILE_REPORT, REVIEW_REPORT, VIEW_PROJECT, VIEW_REPORT
from sanqu.api.base import (
    CreateRecord,
    Day,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    UpdateRecord,
    status_filters,
)
from sanqu.projects.models import PeriodicReport, Project, ReportTemplate
from sanqu.projects.project_selectors import filing_projects, projects_for
from sanqu.projects.report_selectors import reports_for
from sanqu.projects.report_services import (
    report_accept,
    report_return,
    report_save,
    report_start,
    report_submit,
)


class ProjectSerializer(serializers.ModelSerializer):
    programme_year = serializers.IntegerField(source="programme_year.year", read_only=True)
    county = RegionCodeField(read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "programme_year",
            "county",
            "county_name",
            "organisation",
            "organisation_name",
            "agreement_no",
            "signed_on",
            "starts_on",
            "ends_on",
            "budget",
            "target_beneficiaries",
            "target_cases",
            "target_group_sessions",
            "target_community_activities",
            "target_trainees",
            "target_volunteer_hours",
        ]


class ProjectViewSet(ScopedViewSet):
    """项目：市级与区县可见辖区内的项目，承接机构及其派驻社工可见本机构的项目。日期筛选按服务开始日期。"""

    selector = staticmethod(projects_for)
    serializer_class = ProjectSerializer
    view_perm = VIEW_PROJECT
    region_field = "county"
    date_field = "starts_on"


class ReportSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    county = RegionCodeField(source="project.county", read_only=True)
    organisation = serializers.IntegerField(source="project.organisation_id", read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)
    cadence = serializers.CharField(source="template.cadence", read_only=True)
    figures = serializers.DictField(read_only=True, help_text=gettext_lazy("报告期数据（报送时冻结）"))
    values = serializers.DictField(read_only=True, help_text=gettext_lazy("模板字段的填报内容"))
    on_time = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = PeriodicReport
        fields = [
            "id",
            "project",
            "project_name",
            "county",
            "organisation",
            "template",
            "template_name",
            "cadence",
            "period_start",
            "period_end",
            "due_on",
            "status",
            "figures",
            "values",
            "narrative",
            "problems",
            "next_steps",
            "first_submitted_on",
            "submitted_at",
            "submissions",
            "on_time",
            "reviewed_at",
            "review_comment",
        ]


def _templates(user: User) -> QuerySet[ReportTemplate]:
    # The report service checks the template fits the project's year and is active.
    return ReportTemplate.objects.filter(active=True)


class ReportStart(serializers.Serializer):
    project = ScopedRelatedField(selector=filing_projects, help_text=gettext_lazy("本机构的项目编号"))
    template = ScopedRelatedField(selector=_templates, help_text=gettext_lazy("报告模板编号"))
    period_start = Day(help_text=gettext_lazy("报告期起始日（须为本项目的一个报告期）"))


class ReportEdit(serializers.Serializer):
    """A draft (or a returned report) kept: the fields sent replace those stored."""

    narrative = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    problems = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    next_steps = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    values = serializers.DictField(
        child=serializers.CharField(max_length=4000, allow_blank=True),
        required=False,
        help_text=gettext_lazy("模板字段代码 → 填报内容（数字字段填数字）"),
    )

    def validate_values(self, values: dict[str, str]) -> dict[str, str]:
        if len(values) > 100:
            raise serializers.ValidationError(_("填报内容最多 100 项。"))
        return values


class ReviewComment(serializers.Serializer):
    comment = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text=gettext_lazy("审核意见（退回时必填）")
    )


class ReportViewSet(CreateRecord, UpdateRecord, ScopedViewSet):
    """定期报告：可见项目的报告。承接机构（负责人、派驻社工）填报和报送，项目所在区县专门科室与市级审核。
    日期筛选按报告期起始日，区划筛选按项目所在区县。"""

    selector = staticmethod(reports_for)
    serializer_class = ReportSerializer
    write_perms = {
        "create": FILE_REPORT,
        "partial_update": FILE_REPORT,
        "accept": REVIEW_REPORT,
        "send_back": REVIEW_REPORT,
    }
    write_serializer_class = ReportStart
    filter_class = status_filters(PeriodicReport.Status.choices)
    view_perm = VIEW_REPORT
    region_field = "project__county"
    date_field = "period_start"
    status_field = "status"

    def get_write_serializer_class(self) -> type[serializers.Serializer] | None:
        return {
            "partial_update": ReportEdit,
            "submit": None,
            "accept": ReviewComment,
            "send_back": ReviewComment,
        }.get(self.action or "", self.write_serializer_class)

    def _answer(self, report: PeriodicReport) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=report.pk)).data, status=status.HTTP_200_OK
        )

    def create_record(self, values: dict[str, Any]) -> PeriodicReport:
        report = report_start(actor=self.actor, request=self.request._request, **values)
        return self.get_queryset().get(pk=report.pk)

    def update_record(self, record: PeriodicReport, values: dict[str, Any]) -> PeriodicReport:
        report = report_save(
            actor=self.actor,
            report=record,
            narrative=values.get("narrative", record.narrative),
            problems=values.get("problems", record.problems),
            next_steps=values.get("next_steps", record.next_steps),
            values=values.get("values", record.values),
            request=self.request._request,
        )
        return self.get_queryset().get(pk=report.pk)

    @extend_schema(request=None, responses={200: ReportSerializer}, summary=gettext_lazy("报送（数据冻结）"))
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        report = report_submit(actor=self.actor, report=self.get_object(), request=request._request)
        return self._answer(report)

    @extend_schema(request=ReviewComment, responses={200: ReportSerializer}, summary=gettext_lazy("审核通过"))
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        comment = self.write_values(partial=False).get("comment", "")
        return self._answer(
            report_accept(actor=self.actor, report=report, comment=comment, request=request._request)
        )

    @extend_schema(
        request=ReviewComment,
        responses={200: ReportSerializer},
        summary=gettext_lazy("退回修改（须填写意见）"),
    )
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        report = self.get_object()
        comment = self.write_values(partial=False).get("comment", "")
        return self._answer(
            report_return(actor=self.actor, report=report, comment=comment, request=request._request)
        )

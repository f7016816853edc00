"""Cases (个案) with their stage records, written through the case-work services so the stage rules apply.

A case is read with its current stage and every record nested (接案 intake, 预估 assessments,
计划 plans with goals, 评估 evaluations with attainments, 结案 closures, follow-ups, referrals). Each
stage is a POST on the case (`/cases/{id}/assessments/`, `/plans/`, …) calling the same service as
the case page: only the case's worker records, the worker's supervisor or the county officer
reviews, and a stage out of order is a 400 with the service's message (先预估，后计划 …).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from sanqu.accounts.models import User
from sanqu.api.base import (
    CreateRecord,
    Day,
    RegionCodeField,
    ScopedRelatedField,
    ScopedViewSet,
    status_filters,
)
from sanqu.cases.models import (
    Assessment,
    Case,
    CasePlan,
    Closure,
    Evaluation,
    FollowUp,
    GoalAttainment,
    Intake,
    PlanGoal,
    Referral,
)
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.selectors.cases import cases_for
from sanqu.cases.services import case_closure, case_referrals, case_rules
from sanqu.cases.services import cases as services
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Station

TEXT = 4000  # the longest narrative a stage record takes through the API


# Reading: the case and its stage records.


class IntakeSerializer(serializers.ModelSerializer):
    risk_flags = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Intake
        fields = ["source", "presenting_problem", "risk_flags", "decision", "decision_reason", "recorded_on"]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "assessed_on",
            "problems_needs",
            "causes",
            "strengths_resources",
            "family_map_notes",
            "eco_map_notes",
        ]


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["id", "goal", "objective", "tasks", "responsible", "due_on"]


class PlanSerializer(serializers.ModelSerializer):
    goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = CasePlan
        fields = [
            "id",
            "version",
            "drafted_on",
            "schedule",
            "review_due_on",
            "status",
            "reviewed_at",
            "review_comment",
            "goals",
        ]


class AttainmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = GoalAttainment
        fields = ["goal", "level", "note"]


class EvaluationSerializer(serializers.ModelSerializer):
    attainments = AttainmentSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "evaluated_on",
            "before_measure",
            "after_measure",
            "feedback",
            "summary",
            "attainments",
        ]


class ClosureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Closure
        fields = [
            "id",
            "closed_on",
            "reason",
            "summary",
            "follow_up_plan",
            "status",
            "reviewed_at",
            "review_comment",
        ]


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "followed_on", "notes"]


class ReferralSerializer(serializers.ModelSerializer):
    class Meta:
        model = Referral
        fields = [
            "id",
            "referred_on",
            "to_organisation",
            "to_station",
            "to_agency",
            "reason",
            "answer_due_on",
            "status",
            "answered_on",
            "answer_note",
        ]


class CaseSerializer(serializers.ModelSerializer):
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    county = RegionCodeField(read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    programme_year = serializers.IntegerField(
        source="programme_year.year", read_only=True, default=None, allow_null=True
    )
    intake = IntakeSerializer(read_only=True, allow_null=True, default=None)
    assessments = AssessmentSerializer(many=True, read_only=True)
    plans = PlanSerializer(many=True, read_only=True)
    evaluations = EvaluationSerializer(many=True, read_only=True)
    closures = ClosureSerializer(many=True, read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)
    referrals = ReferralSerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "beneficiary",
            "beneficiary_name",
            "worker",
            "worker_name",
            "organisation",
            "organisation_name",
            "county",
            "county_name",
            "station",
            "programme_year",
            "approval_required",
            "opened_on",
            "stage",
            "status",
            "closed_on",
            "reopened_times",
            "last_service_on",
            "intake",
            "assessments",
            "plans",
            "evaluations",
            "closures",
            "follow_ups",
            "referrals",
        ]


# Writing: one request body per stage.


def _organisations(user: User) -> QuerySet[Organisation]:
    # A referral may go to any registered organisation (the referral form offers them all).
    return Organisation.objects.filter(deregistered_on__isnull=True)


def _stations(user: User) -> QuerySet[Station]:
    return Station.objects.filter(closed_on__isnull=True)


def _text(**kwargs: Any) -> serializers.CharField:
    kwargs.setdefault("max_length", TEXT)
    return serializers.CharField(**kwargs)


def _optional(**kwargs: Any) -> serializers.CharField:
    return _text(required=False, allow_blank=True, **kwargs)


class ReceiverWrite(serializers.Serializer):
    """Whom a person is referred to: an organisation, a station or another agency (one at least)."""

    to_organisation = ScopedRelatedField(selector=_organisations, required=False, allow_null=True)
    to_station = ScopedRelatedField(selector=_stations, required=False, allow_null=True)
    to_agency = _optional(max_length=100, help_text=gettext_lazy("例如：县残联、乡镇派出所、县人民医院"))
    answer_due_on = Day(required=False, allow_null=True, help_text=gettext_lazy("不填则为转介后 14 天"))

    @staticmethod
    def receiver(values: dict[str, Any]) -> case_referrals.ReceiverInput:
        return case_referrals.ReceiverInput(
            to_organisation=values.pop("to_organisation", None),
            to_station=values.pop("to_station", None),
            to_agency=values.pop("to_agency", ""),
            answer_due_on=values.pop("answer_due_on", None),
        )


class CaseOpen(ReceiverWrite):
    """接案: the intake record; with decision `refer`, the receiver of the referral too."""

    beneficiary = ScopedRelatedField(selector=beneficiaries_for, help_text=gettext_lazy("服务对象编号"))
    opened_on = Day()
    source = serializers.ChoiceField(choices=Intake.Source.choices)
    presenting_problem = _text()
    risk_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=services.RISK_FLAGS), required=False, max_length=10
    )
    decision = serializers.ChoiceField(choices=Intake.Decision.choices, required=False)
    decision_reason = _optional()


class AssessmentWrite(serializers.Serializer):
    assessed_on = Day()
    problems_needs = _text()
    causes = _optional()
    strengths_resources = _optional()
    family_map_notes = _optional()
    eco_map_notes = _optional()


class GoalWrite(serializers.Serializer):
    goal = serializers.CharField(max_length=200)
    objective = serializers.CharField(max_length=300, help_text=gettext_lazy("可测量的具体目标"))
    tasks = _optional()
    responsible = _optional(max_length=50)
    due_on = Day(required=False, allow_null=True)


class PlanWrite(serializers.Serializer):
    drafted_on = Day()
    goals = GoalWrite(many=True, max_length=20)
    schedule = _optional()
    review_due_on = Day(required=False, allow_null=True, help_text=gettext_lazy("不填则为制定后 90 天"))


class ReviewWrite(serializers.Serializer):
    approve = serializers.BooleanField(help_text=gettext_lazy("true 批准；false 退回（须填写意见）"))
    comment = _optional()


class AttainmentWrite(serializers.Serializer):
    goal = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text=gettext_lazy("目标编号"))
    level = serializers.ChoiceField(choices=GoalAttainment.Level.choices)
    note = _optional(max_length=300)


class EvaluationWrite(serializers.Serializer):
    evaluated_on = Day()
    attainments = AttainmentWrite(
        many=True, max_length=20, help_text=gettext_lazy("生效计划中每个目标的达成情况")
    )
    before_measure = _optional(max_length=200)
    after_measure = _optional(max_length=200)
    feedback = _optional()
    summary = _optional()


class ClosureWrite(serializers.Serializer):
    closed_on = Day()
    reason = serializers.ChoiceField(choices=Closure.Reason.choices)
    summary = _text()
    follow_up_plan = _optional()


class FollowUpWrite(serializers.Serializer):
    followed_on = Day()
    notes = _text()


class ReferralWrite(ReceiverWrite):
    referred_on = Day()
    reason = _text()


class ReopenWrite(serializers.Serializer):
    reason = _text(max_length=1000)


class CaseFilters(status_filters(Case.Status.choices)):  # type: ignore[misc]
    stage = serializers.ChoiceField(
        choices=Case.Stage.choices, required=False, help_text=gettext_lazy("当前阶段")
    )


def _stage(request: type[serializers.Serializer], summary: Any, code: int = 201) -> Any:
    return extend_schema(request=request, responses={code: CaseSerializer}, summary=summary)


class CaseViewSet(CreateRecord, ScopedViewSet):
    """个案：负责社工、其督导和本区县专门科室可见；市级与机构可见非限制对象的个案。社工只看到自己的个案。
    各阶段记录嵌套在个案中；每个阶段用个案下的 POST 记录，阶段顺序由服务检查。日期筛选按接案日期。"""

    selector = staticmethod(cases_for)
    serializer_class = CaseSerializer
    write_serializer_class = CaseOpen
    filter_class = CaseFilters
    region_field = "county"
    date_field = "opened_on"
    status_field = "status"

    def get_queryset(self) -> QuerySet[Any]:
        goals = Prefetch("plans", queryset=CasePlan.objects.prefetch_related("goals").order_by("version"))
        evaluations = Prefetch("evaluations", queryset=Evaluation.objects.prefetch_related("attainments"))
        return (
            super()
            .get_queryset()
            .select_related("intake", "programme_year")
            .prefetch_related(goals, evaluations, "assessments", "closures", "follow_ups", "referrals")
        )

    def apply_filters(self, queryset: QuerySet[Any], values: dict[str, Any]) -> QuerySet[Any]:
        queryset = super().apply_filters(queryset, values)
        if values.get("stage"):
            queryset = queryset.filter(stage=values["stage"])
        return queryset

    def get_write_serializer_class(self) -> type[serializers.Serializer] | None:
        return CASE_ACTIONS.get(self.action, self.write_serializer_class)

    def _kwargs(self) -> dict[str, Any]:
        return {"actor": self.actor, "request": self.request._request}

    # Who may write is asked before the body is read (403, not a 400 about fields the caller may not
    # send at all); the services ask again, with the case locked.

    def write_values(self, *, partial: bool) -> dict[str, Any]:
        if self.action == "create" and not case_rules.worker_person_ids(self.actor):
            raise PermissionDenied  # a case is opened by a social worker, on her own caseload
        return super().write_values(partial=partial)

    def _case_to_record(self) -> Case:
        case = self.get_object()
        case_rules.require_worker(self.actor, case)
        return case

    def _case_to_review(self) -> Case:
        case = self.get_object()
        case_rules.require_reviewer(self.actor, case)
        return case

    def _answer(self, case: Case, code: int = status.HTTP_201_CREATED) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data, status=code)

    def create_record(self, values: dict[str, Any]) -> Case:
        receiver = ReceiverWrite.receiver(values)
        referral = receiver if values.get("decision") == Intake.Decision.REFER else None
        case = services.case_open(**self._kwargs(), referral=referral, **values)
        return self.get_queryset().get(pk=case.pk)

    @_stage(AssessmentWrite, gettext_lazy("预估：记录一次预估"))
    @action(detail=True, methods=["post"])
    def assessments(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        services.assessment_record(**self._kwargs(), case=case, **self.write_values(partial=False))
        return self._answer(case)

    @_stage(PlanWrite, gettext_lazy("计划：提交服务计划（新版本）"))
    @action(detail=True, methods=["post"])
    def plans(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        values = self.write_values(partial=False)
        goals = [services.GoalInput(**goal) for goal in values.pop("goals")]
        services.plan_submit(**self._kwargs(), case=case, goals=goals, **values)
        return self._answer(case)

    @_stage(ReviewWrite, gettext_lazy("审批待审批的服务计划（督导或区县专门科室）"), 200)
    @action(detail=True, methods=["post"], url_path="plan-review")
    def plan_review(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_review()
        values = self.write_values(partial=False)
        plan = case.plans.filter(status=CasePlan.Status.SUBMITTED).order_by("-version").first()
        if plan is None:
            raise _nothing(_("该个案没有待审批的服务计划。"))
        services.plan_review(**self._kwargs(), plan=plan, **values)
        return self._answer(case, status.HTTP_200_OK)

    @_stage(EvaluationWrite, gettext_lazy("评估：记录生效计划各目标的达成情况"))
    @action(detail=True, methods=["post"])
    def evaluations(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        values = self.write_values(partial=False)
        attainments = {row["goal"]: (row["level"], row.get("note", "")) for row in values.pop("attainments")}
        services.evaluation_record(**self._kwargs(), case=case, attainments=attainments, **values)
        return self._answer(case)

    @_stage(ClosureWrite, gettext_lazy("结案：提交结案（需审批时待督导批准）"))
    @action(detail=True, methods=["post"])
    def closures(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        case_closure.closure_submit(**self._kwargs(), case=case, **self.write_values(partial=False))
        return self._answer(case)

    @_stage(ReviewWrite, gettext_lazy("审批待审批的结案申请（督导或区县专门科室）"), 200)
    @action(detail=True, methods=["post"], url_path="closure-review")
    def closure_review(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_review()
        values = self.write_values(partial=False)
        closure = case.closures.filter(status=Closure.Status.SUBMITTED).order_by("-pk").first()
        if closure is None:
            raise _nothing(_("该个案没有待审批的结案申请。"))
        case_closure.closure_review(**self._kwargs(), closure=closure, **values)
        return self._answer(case, status.HTTP_200_OK)

    @_stage(FollowUpWrite, gettext_lazy("结案后跟进"))
    @action(detail=True, methods=["post"], url_path="follow-ups")
    def follow_ups(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        case_closure.follow_up_record(**self._kwargs(), case=case, **self.write_values(partial=False))
        return self._answer(case)

    @_stage(ReferralWrite, gettext_lazy("转介至其他机构、站点或部门"))
    @action(detail=True, methods=["post"])
    def referrals(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        values = self.write_values(partial=False)
        receiver = ReceiverWrite.receiver(values)
        case_referrals.referral_create(**self._kwargs(), case=case, receiver=receiver, **values)
        return self._answer(case)

    @_stage(ReopenWrite, gettext_lazy("重新开案"), 200)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str | None = None) -> Response:
        case = self._case_to_record()
        case_closure.case_reopen(**self._kwargs(), case=case, **self.write_values(partial=False))
        return self._answer(case, status.HTTP_200_OK)


CASE_ACTIONS: dict[str, type[serializers.Serializer]] = {
    "assessments": AssessmentWrite,
    "plans": PlanWrite,
    "plan_review": ReviewWrite,
    "evaluations": EvaluationWrite,
    "closures": ClosureWrite,
    "closure_review": ReviewWrite,
    "follow_ups": FollowUpWrite,
    "referrals": ReferralWrite,
    "reopen": ReopenWrite,
}


def _nothing(message: str) -> serializers.ValidationError:
    return serializers.ValidationError({"non_field_errors": [message]})

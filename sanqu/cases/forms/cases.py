"""The forms of a case's stages: they normalise input and hand the services domain values.

Each stage form carries a one-time token (a hidden field, new on every render), so a form sent
twice records once (see `sanqu.cases.services.cases`).
"""

from __future__ import annotations

import secrets
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models import (
    Beneficiary,
    Case,
    Closure,
    GoalAttainment,
    Intake,
    PlanGoal,
)
from sanqu.cases.services.case_referrals import ReceiverInput
from sanqu.cases.services.cases import RISK_FLAGS, GoalInput
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.regions.models import Station

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class StageForm(forms.Form):
    """A stage form: a one-time token, and its cleaned data as the service's keyword arguments."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", secrets.token_urlsafe(18))
            for name, field in self.fields.items():
                if isinstance(field, forms.DateField) and name not in self.initial and field.required:
                    self.initial[name] = clock.today()

    def service_kwargs(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ReceiverFields(forms.Form):
    to_organisation = forms.ModelChoiceField(
        label=_("转介至机构"), queryset=Organisation.objects.none(), required=False, empty_label=_("请选择")
    )
    to_station = forms.ModelChoiceField(
        label=_("或转介至站点"), queryset=Station.objects.none(), required=False, empty_label=_("请选择")
    )
    to_agency = forms.CharField(
        label=_("或转介至部门"),
        max_length=100,
        required=False,
        help_text=_("例如：县残联、乡镇派出所、县人民医院"),
    )
    answer_due_on = forms.DateField(
        label=_("回复期限"), required=False, widget=DATE, help_text=_("不填则为转介后 14 天")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["to_organisation"])
        field.queryset = Organisation.objects.filter(deregistered_on__isnull=True).order_by("name")
        stations = Station.objects.filter(closed_on__isnull=True).select_related("region")
        cast(forms.ModelChoiceField, self.fields["to_station"]).queryset = stations.order_by(
            "region__code", "name"
        )

    def receiver(self) -> ReceiverInput:
        data = self.cleaned_data
        return ReceiverInput(
            to_organisation=data.get("to_organisation"),
            to_station=data.get("to_station"),
            to_agency=data.get("to_agency") or "",
            answer_due_on=data.get("answer_due_on"),
        )


class CaseOpenForm(StageForm, ReceiverFields):
    beneficiary = forms.ModelChoiceField(
        label=_("服务对象"), queryset=Beneficiary.objects.none(), empty_label=_("请选择")
    )
    opened_on = forms.DateField(label=_("接案日期"), widget=DATE)
    source = forms.ChoiceField(label=_("来源"), choices=Intake.Source.choices, widget=forms.RadioSelect)
    presenting_problem = forms.CharField(label=_("主要问题"), widget=TEXT)
    risk_flags = forms.MultipleChoiceField(
        label=_("风险提示"),
        required=False,
        choices=RISK_FLAGS,
        widget=forms.CheckboxSelectMultiple,
    )
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=Intake.Decision.choices,
        widget=forms.RadioSelect,
        initial=Intake.Decision.TAKE_ON,
    )
    decision_reason = forms.CharField(
        label=_("决定理由"),
        required=False,
        widget=TEXT,
        help_text=_("决定转介时必填，并选择接收机构或填写部门"),
    )

    field_order = [
        "beneficiary",
        "opened_on",
        "source",
        "presenting_problem",
        "risk_flags",
        "decision",
        "decision_reason",
        "to_organisation",
        "to_station",
        "to_agency",
        "answer_due_on",
    ]

    def __init__(self, *args: Any, beneficiaries: QuerySet[Beneficiary], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["beneficiary"]).queryset = beneficiaries

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        referring = data["decision"] == Intake.Decision.REFER
        return {
            "beneficiary": data["beneficiary"],
            "opened_on": data["opened_on"],
            "source": data["source"],
            "presenting_problem": data["presenting_problem"],
            "risk_flags": data.get("risk_flags") or [],
            "decision": data["decision"],
            "decision_reason": data.get("decision_reason") or "",
            "referral": self.receiver() if referring else None,
            "token": data["token"],
        }


class AssessmentForm(StageForm):
    assessed_on = forms.DateField(label=_("预估日期"), widget=DATE)
    problems_needs = forms.CharField(label=_("问题与需求"), widget=TEXT)
    causes = forms.CharField(label=_("成因分析"), required=False, widget=TEXT)
    strengths_resources = forms.CharField(label=_("优势与资源"), required=False, widget=TEXT)
    family_map_notes = forms.CharField(label=_("家庭结构图说明"), required=False, widget=TEXT)
    eco_map_notes = forms.CharField(label=_("生态图说明"), required=False, widget=TEXT)


class PlanForm(StageForm):
    drafted_on = forms.DateField(label=_("制定日期"), widget=DATE)
    schedule = forms.CharField(label=_("时间安排"), required=False, widget=TEXT)
    review_due_on = forms.DateField(
        label=_("计划检视日期"), required=False, widget=DATE, help_text=_("不填则为制定后 90 天")
    )


class GoalForm(forms.Form):
    goal = forms.CharField(label=_("目标"), max_length=200, required=False)
    objective = forms.CharField(
        label=_("可测量的具体目标"),
        max_length=300,
        required=False,
        help_text=_("例如：每周主动与同学交流 3 次以上"),
    )
    tasks = forms.CharField(label=_("任务"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("负责人"), max_length=50, required=False)
    due_on = forms.DateField(label=_("完成期限"), required=False, widget=DATE)

    def goal_input(self) -> GoalInput | None:
        data = self.cleaned_data
        if not data or not (data.get("goal") or data.get("objective")):
            return None
        return GoalInput(
            goal=data.get("goal") or "",
            objective=data.get("objective") or "",
            tasks=data.get("tasks") or "",
            responsible=data.get("responsible") or "",
            due_on=data.get("due_on"),
        )


GoalFormSet = forms.formset_factory(GoalForm, extra=3, max_num=12, absolute_max=12)


class EvaluationForm(StageForm):
    evaluated_on = forms.DateField(label=_("评估日期"), widget=DATE)
    before_measure = forms.CharField(label=_("介入前测量"), max_length=200, required=False)
    after_measure = forms.CharField(label=_("介入后测量"), max_length=200, required=False)
    feedback = forms.CharField(label=_("服务对象反馈"), required=False, widget=TEXT)
    summary = forms.CharField(label=_("评估结论"), required=False, widget=TEXT)

    def __init__(self, *args: Any, goals: list[PlanGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"level_{goal.pk}"] = forms.ChoiceField(
                label=goal.goal,
                help_text=goal.objective,
                choices=GoalAttainment.Level.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(label=_("说明"), max_length=300, required=False)

    def goal_fields(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"level_{goal.pk}"], self[f"note_{goal.pk}"]) for goal in self.goals]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "evaluated_on": data["evaluated_on"],
            "before_measure": data.get("before_measure") or "",
            "after_measure": data.get("after_measure") or "",
            "feedback": data.get("feedback") or "",
            "summary": data.get("summary") or "",
            "attainments": {
                goal.pk: (data[f"level_{goal.pk}"], data.get(f"note_{goal.pk}") or "") for goal in self.goals
            },
            "token": data["token"],
        }


class ClosureForm(StageForm):
    closed_on = forms.DateField(label=_("结案日期"), widget=DATE)
    reason = forms.ChoiceField(label=_("结案原因"), choices=Closure.Reason.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label=_("结案小结"), widget=TEXT)
    follow_up_plan = forms.CharField(label=_("跟进计划"), required=False, widget=TEXT)


class FollowUpForm(StageForm):
    followed_on = forms.DateField(label=_("跟进日期"), widget=DATE)
    notes = forms.CharField(label=_("跟进情况"), widget=TEXT)


class ReferralForm(StageForm, ReceiverFields):
    referred_on = forms.DateField(label=_("转介日期"), widget=DATE)
    reason = forms.CharField(label=_("转介原因"), widget=TEXT)

    field_order = ["referred_on", "reason", "to_organisation", "to_station", "to_agency", "answer_due_on"]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "referred_on": data["referred_on"],
            "reason": data["reason"],
            "receiver": self.receiver(),
            "token": data["token"],
        }


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("重新开案原因"), widget=TEXT)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准")), ("return", _("退回修改"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("意见"), required=False, widget=TEXT)


class ReferralAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("回复"),
        choices=[("accept", _("接收")), ("decline", _("拒绝"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("回复说明"), required=False, widget=TEXT)


class CountyFilterForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("所处阶段"), required=False, choices=[("", _("全部阶段")), *Case.Stage.choices]
    )
    worker = forms.TypedChoiceField(label=_("负责社工"), required=False, coerce=int, empty_value=None)
    overdue = forms.ChoiceField(
        label=_("逾期"),
        required=False,
        choices=[
            ("", _("全部")),
            ("any", _("任一逾期")),
            ("service", _("30 天未服务")),
            ("plan", _("计划检视到期")),
            ("referral", _("转介逾期未回复")),
        ],
    )

    def __init__(self, *args: Any, workers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["worker"]).choices = [("", _("全部社工")), *workers]

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "stage": data.get("stage") or "",
            "worker": data.get("worker"),
            "overdue": data.get("overdue") or "",
        }

"""A case (个案) through the stages of MZ/T 094-2017, each with its record.

The stage on `Case` is derived by the services from the records written; the records are the
history. Stage rules live in `sanqu/cases/services/`, never in `save()`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Stage(models.TextChoices):
        INTAKE = "intake", _("接案")
        ASSESSMENT = "assessment", _("预估")
        PLAN = "plan", _("计划")
        INTERVENTION = "intervention", _("介入")
        EVALUATION = "evaluation", _("评估")
        CLOSED = "closed", _("结案")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        REFERRED = "referred", _("已转介")
        CLOSED = "closed", _("已结案")

    number = models.CharField(_("个案编号"), max_length=30, unique=True)
    beneficiary = models.ForeignKey(
        "cases.Beneficiary", on_delete=models.PROTECT, related_name="cases", verbose_name=_("服务对象")
    )
    worker = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("负责社工")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("承接机构"),
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="cases", verbose_name=_("区县")
    )
    station = models.ForeignKey(
        "regions.Station", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases",
        verbose_name=_("服务站点"),
    )  # fmt: skip
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("年度"),
    )  # fmt: skip
    approval_required = models.BooleanField(_("计划与结案需督导审批"), default=True)
    opened_on = models.DateField(_("接案日期"))
    stage = models.CharField(_("阶段"), max_length=15, choices=Stage.choices, default=Stage.INTAKE)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    reopened_times = models.PositiveSmallIntegerField(_("重新开案次数"), default=0)
    last_service_on = models.DateField(_("最近服务日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-opened_on", "-id"]
        indexes = [
            # The county's case list filtered by stage (`selectors.cases` county list, the API's ?stage=).
            models.Index(fields=["county", "stage"], name="case_county_stage_idx"),
            # The worker's caseload: the worker's open or referred cases (`caseload_for`, the person's story).
            models.Index(fields=["worker", "status"], name="case_worker_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True) | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
                violation_error_message=_("结案日期不能早于接案日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.beneficiary}"


class Intake(models.Model):
    """接案: how the person came, what they bring, and the decision."""

    class Source(models.TextChoices):
        WALK_IN = "walk_in", _("主动求助")
        REFERRED = "referred", _("转介")
        OUTREACH = "outreach", _("外展发现")

    class Decision(models.TextChoices):
        TAKE_ON = "take_on", _("接案")
        REFER = "refer", _("转介")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="intake", verbose_name=_("个案"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    presenting_problem = models.TextField(_("主要问题"))
    risk_flags = models.JSONField(_("风险提示"), default=list, blank=True)
    decision = models.CharField(_("决定"), max_length=10, choices=Decision.choices, default=Decision.TAKE_ON)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    recorded_on = models.DateField(_("记录日期"))

    class Meta:
        verbose_name = _("接案记录")
        verbose_name_plural = _("接案记录")

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"


class Assessment(models.Model):
    """预估: problems and needs, causes, strengths and resources."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("个案")
    )
    assessed_on = models.DateField(_("预估日期"))
    problems_needs = models.TextField(_("问题与需求"))
    causes = models.TextField(_("成因分析"), blank=True)
    strengths_resources = models.TextField(_("优势与资源"), blank=True)
    family_map_notes = models.TextField(_("家庭结构图说明"), blank=True)
    eco_map_notes = models.TextField(_("生态图说明"), blank=True)

    class Meta:
        verbose_name = _("预估记录")
        verbose_name_plural = _("预估记录")
        ordering = ["assessed_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"


class CasePlan(models.Model):
    """计划 (a version of it: a revision is a new plan that replaces the previous one)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已修订")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans", verbose_name=_("个案"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    drafted_on = models.DateField(_("制定日期"))
    schedule = models.TextField(_("时间安排"), blank=True)
    review_due_on = models.DateField(_("计划检视日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    review_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("服务计划")
        verbose_name_plural = _("服务计划")
        ordering = ["case", "version"]
        constraints = [models.UniqueConstraint(fields=["case", "version"], name="case_plan_unique_version")]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name} v{self.version}"


class PlanGoal(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="goals", verbose_name=_("计划"))
    goal = models.CharField(_("目标"), max_length=200)
    objective = models.CharField(_("可测量的具体目标"), max_length=300)
    tasks = models.TextField(_("任务"), blank=True)
    responsible = models.CharField(_("负责人"), max_length=50, blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("计划目标")
        verbose_name_plural = _("计划目标")
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.goal


class Evaluation(models.Model):
    """评估: attainment of each goal, before/after measures, the person's feedback."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("个案")
    )
    evaluated_on = models.DateField(_("评估日期"))
    before_measure = models.CharField(_("介入前测量"), max_length=200, blank=True)
    after_measure = models.CharField(_("介入后测量"), max_length=200, blank=True)
    feedback = models.TextField(_("服务对象反馈"), blank=True)
    summary = models.TextField(_("评估结论"), blank=True)

    class Meta:
        verbose_name = _("评估记录")
        verbose_name_plural = _("评估记录")
        ordering = ["evaluated_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"


class GoalAttainment(models.Model):
    class Level(models.TextChoices):
        MET = "met", _("达成")
        PARTLY = "partly", _("部分达成")
        NOT_MET = "not_met", _("未达成")

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="attainments", verbose_name=_("评估")
    )
    goal = models.ForeignKey(
        PlanGoal, on_delete=models.CASCADE, related_name="attainments", verbose_name=_("目标")
    )
    level = models.CharField(_("达成情况"), max_length=10, choices=Level.choices)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("目标达成")
        verbose_name_plural = _("目标达成")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "goal"], name="goal_attainment_unique_per_evaluation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.goal} · {self.get_level_display()}"


class Closure(models.Model):
    """结案 (one per closing; a reopened case can close again)."""

    class Reason(models.TextChoices):
        GOAL_MET = "goal_met", _("目标达成")
        REFERRED = "referred", _("转介")
        WITHDREW = "withdrew", _("服务对象退出")
        MOVED_AWAY = "moved_away", _("迁离")
        DIED = "died", _("死亡")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closures", verbose_name=_("个案"))
    closed_on = models.DateField(_("结案日期"))
    reason = models.CharField(_("结案原因"), max_length=12, choices=Reason.choices)
    summary = models.TextField(_("结案小结"))
    follow_up_plan = models.TextField(_("跟进计划"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("审批人"),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    review_comment = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("结案记录")
        verbose_name_plural = _("结案记录")
        ordering = ["closed_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"


class FollowUp(models.Model):
    """A follow-up contact after closure."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("个案")
    )
    followed_on = models.DateField(_("跟进日期"))
    notes = models.TextField(_("跟进情况"))

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["followed_on", "id"]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"


class Referral(models.Model):
    """A referral out to another organisation, station or agency, open until the receiver answers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待回复")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已拒绝")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("个案"))
    referred_on = models.DateField(_("转介日期"))
    to_organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("转介至机构"),
    )  # fmt: skip
    to_station = models.ForeignKey(
        "regions.Station", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("转介至站点"),
    )  # fmt: skip
    to_agency = models.CharField(_("转介至部门"), max_length=100, blank=True)
    reason = models.TextField(_("转介原因"))
    answer_due_on = models.DateField(_("回复期限"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_on = models.DateField(_("回复日期"), null=True, blank=True)
    answer_note = models.TextField(_("回复说明"), blank=True)

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_organisation__isnull=False)
                | models.Q(to_station__isnull=False)
                | ~models.Q(to_agency=""),
                name="referral_has_receiver",
                violation_error_message=_("转介须填写接收机构、社工站或其他接收单位。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self._meta.verbose_name}"

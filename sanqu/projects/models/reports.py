"""Periodic reports (月报/季报) of a project, and the template each programme year configures.

A template fixes the cadence, the due day and the fields beyond the three every report has
(进展、问题、下一步). A report is pre-filled with the period's figures from the records, submitted
by the organisation or its worker, and accepted or returned with comments by the county section;
every step is kept in the report's history.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel


class PeriodFigure(models.TextChoices):
    """Figures of a period that a template may pre-fill, each computed from the records."""

    SERVICES = "services", _("个案服务(人次)")
    BENEFICIARIES_SERVED = "beneficiaries_served", _("服务对象(人)")
    NEW_BENEFICIARIES = "new_beneficiaries", _("新建档服务对象(人)")
    CASES_OPENED = "cases_opened", _("新接个案(个)")
    CASES_CLOSED = "cases_closed", _("结案(个)")
    GROUP_SESSIONS = "group_sessions", _("小组活动(节)")
    COMMUNITY_ACTIVITIES = "community_activities", _("社区活动(场)")
    COMMUNITY_PARTICIPANTS = "community_participants", _("社区活动参与(人次)")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿服务(小时)")
    SUPERVISION_SESSIONS = "supervision_sessions", _("督导(次)")


class ReportTemplate(ClusterableModel):
    class Cadence(models.TextChoices):
        MONTHLY = "monthly", _("月报")
        QUARTERLY = "quarterly", _("季报")

    programme_year = models.ForeignKey(
        "projects.ProgrammeYear",
        on_delete=models.CASCADE,
        related_name="report_templates",
        verbose_name=_("年度"),
    )
    name = models.CharField(_("模板名称"), max_length=60)
    cadence = models.CharField(_("报送周期"), max_length=10, choices=Cadence.choices)
    due_day = models.PositiveSmallIntegerField(
        _("报送截止日"),
        default=10,
        help_text=_("每期结束后的下一个月第几日前报送(1–28)"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("报告模板")
        verbose_name_plural = _("报告模板")
        ordering = ["programme_year__year", "cadence"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_year", "cadence"],
                name="report_template_one_per_cadence",
                violation_error_message=_("这一年度已有同一周期的报告模板。"),
            ),
            models.CheckConstraint(
                condition=models.Q(due_day__gte=1, due_day__lte=28),
                name="report_template_due_day_in_month",
                violation_error_message=_("报送截止日须在 1 到 28 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} · {self.name}"


class ReportField(models.Model):
    """One field of a template: a figure pre-filled from the records, a number or a text to write."""

    class Kind(models.TextChoices):
        FIGURE = "figure", _("数据(自动预填)")
        NUMBER = "number", _("数字(填报)")
        TEXT = "text", _("文字(填报)")

    template = ParentalKey(
        ReportTemplate, on_delete=models.CASCADE, related_name="report_fields", verbose_name=_("报告模板")
    )
    key = models.SlugField(_("字段代码"), max_length=40)
    label = models.CharField(_("字段名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    figure = models.CharField(
        _("预填数据"),
        max_length=30,
        choices=PeriodFigure.choices,
        blank=True,
        help_text=_("类型为“数据”时必选"),
    )
    required = models.BooleanField(_("必填"), default=False)
    help_text = models.CharField(_("填写说明"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("报告字段")
        verbose_name_plural = _("报告字段")
        ordering = ["template", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "key"],
                name="report_field_key_unique",
                violation_error_message=_("同一模板中字段代码不能重复。"),
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="figure") & ~models.Q(figure=""))
                | (~models.Q(kind="figure") & models.Q(figure="")),
                name="report_field_figure_iff_kind",
                violation_error_message=_("只有“数据”类型的字段选择预填数据，且必须选择。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class PeriodicReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("填报中")
        SUBMITTED = "submitted", _("待审核")
        RETURNED = "returned", _("已退回")
        ACCEPTED = "accepted", _("已通过")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reports", verbose_name=_("项目")
    )
    template = models.ForeignKey(
        ReportTemplate, on_delete=models.PROTECT, related_name="reports", verbose_name=_("报告模板")
    )
    period_start = models.DateField(_("报告期起"))
    period_end = models.DateField(_("报告期止"))
    due_on = models.DateField(_("报送截止日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The period's figures as computed from the records; recomputed while a draft, frozen on submit.
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    values = models.JSONField(_("填报内容"), default=dict, blank=True)
    narrative = models.TextField(_("工作进展"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    first_submitted_on = models.DateField(_("首次报送日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("报送人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    submissions = models.PositiveSmallIntegerField(_("报送次数"), default=0)

    class Meta:
        verbose_name = _("定期报告")
        verbose_name_plural = _("定期报告")
        ordering = ["project", "-period_start"]
        permissions = [("review_periodicreport", _("审核定期报告"))]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "template", "period_start"],
                name="periodic_report_one_per_period",
                violation_error_message=_("这一期的报告已经存在。"),
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="periodic_report_period_order",
                violation_error_message=_("报告期止不能早于报告期起。"),
            ),
        ]
        # The desk's reports to correct (draft or returned, soonest due first: `desk_selectors.to_correct`)
        # and the supervisor's submitted reports to review.
        indexes = [models.Index(fields=["status", "due_on"], name="periodic_report_status_due")]

    def __str__(self) -> str:
        return f"{self.project} · {self.period_start:%Y-%m}"

    @property
    def on_time(self) -> bool | None:
        """Submitted on or before the due date; None while it has not been submitted."""
        if self.first_submitted_on is None:
            return None
        return self.first_submitted_on <= self.due_on


class ReportEvent(models.Model):
    """One step in a report's life; a submission keeps a copy of what was submitted."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        SUBMITTED = "submitted", _("报送")
        RETURNED = "returned", _("退回")
        ACCEPTED = "accepted", _("通过")

    report = models.ForeignKey(
        PeriodicReport, on_delete=models.CASCADE, related_name="events", verbose_name=_("定期报告")
    )
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("操作人")
    )
    comment = models.TextField(_("意见"), blank=True)
    content = models.JSONField(_("报送内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("报告记录")
        verbose_name_plural = _("报告记录")
        ordering = ["report", "at", "id"]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_action_display()}"


class ReportReminder(models.Model):
    """A reminder sent about a report that is overdue: once per report and kind, whatever reruns."""

    class Kind(models.TextChoices):
        OVERDUE = "overdue", _("逾期未报")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("项目")
    )
    template = models.ForeignKey(
        ReportTemplate, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("报告模板")
    )
    period_start = models.DateField(_("报告期起"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.OVERDUE)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    recipients = models.TextField(_("收件人"), blank=True)

    class Meta:
        verbose_name = _("催报提醒")
        verbose_name_plural = _("催报提醒")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "template", "period_start", "kind"], name="report_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.period_start:%Y-%m}"

"""Performance evaluations (绩效评估) of a project, mid-term and final, on a configured indicator tree.

The tree is configuration kept by the city office (after MZ/T 059-2014): a scheme holds indicators,
each under a dimension (维度 → 指标), with a weight in points; the weights of a scheme add up to 100.
An evaluation scores every indicator (0 to its weight) with its evidence; the total falls into the
scheme's grade bands. A submitted evaluation is frozen: it keeps a copy of the tree it was scored on.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from sanqu.lib.files import private_storage, random_name


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class EvaluationScheme(ClusterableModel):
    name = models.CharField(_("方案名称"), max_length=100, unique=True)
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_schemes",
        verbose_name=_("适用年度"),
        help_text=_("不选则各年度通用"),
    )
    excellent_from = models.DecimalField(
        _("优秀(分及以上)"), max_digits=5, decimal_places=2, default=90, validators=PERCENT
    )
    good_from = models.DecimalField(
        _("良好(分及以上)"), max_digits=5, decimal_places=2, default=80, validators=PERCENT
    )
    fair_from = models.DecimalField(
        _("一般(分及以上)"), max_digits=5, decimal_places=2, default=60, validators=PERCENT
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("评估指标体系")
        verbose_name_plural = _("评估指标体系")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(excellent_from__gt=models.F("good_from"))
                & models.Q(good_from__gt=models.F("fair_from")),
                name="evaluation_scheme_bands_in_order",
                violation_error_message=_("等级分数线须依次递减：优秀 > 良好 > 一般。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def grade_for(self, total: Decimal) -> str:
        if total >= self.excellent_from:
            return Grade.EXCELLENT
        if total >= self.good_from:
            return Grade.GOOD
        if total >= self.fair_from:
            return Grade.FAIR
        return Grade.POOR


class EvaluationIndicator(models.Model):
    scheme = ParentalKey(
        EvaluationScheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("评估指标体系")
    )
    dimension = models.CharField(_("维度"), max_length=60, help_text=_("如：项目管理、服务成效、专业能力"))
    name = models.CharField(_("指标"), max_length=100)
    guide = models.TextField(_("评分标准"), blank=True)
    weight = models.DecimalField(
        _("分值"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "dimension", "name"],
                name="evaluation_indicator_unique",
                violation_error_message=_("同一维度下指标名称不能重复。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension} · {self.name}"


class ProjectEvaluation(models.Model):
    class Kind(models.TextChoices):
        MIDTERM = "midterm", _("中期评估")
        FINAL = "final", _("末期评估")

    class Status(models.TextChoices):
        DRAFT = "draft", _("评分中")
        SUBMITTED = "submitted", _("已提交")

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("项目")
    )
    scheme = models.ForeignKey(
        EvaluationScheme, on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("评估指标体系")
    )
    kind = models.CharField(_("评估类型"), max_length=10, choices=Kind.choices)
    evaluated_on = models.DateField(_("评估日期"))
    evaluators = models.CharField(_("评估人员"), max_length=200)
    summary = models.TextField(_("评估结论"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=10, choices=Grade.choices, blank=True)
    # On submission: the indicators, weights, scores and bands as they were, whatever changes later.
    frozen = models.JSONField(_("提交时的评分表"), default=dict, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("绩效评估")
        verbose_name_plural = _("绩效评估")
        ordering = ["project", "evaluated_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind"],
                name="project_evaluation_one_per_kind",
                violation_error_message=_("该项目已有这一类型的评估。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.SUBMITTED


def _score_evidence_path(instance: IndicatorScore, filename: str) -> str:
    return random_name(f"evaluations/{instance.evaluation_id}", filename)


class IndicatorScore(models.Model):
    evaluation = models.ForeignKey(
        ProjectEvaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("绩效评估")
    )
    indicator = models.ForeignKey(
        EvaluationIndicator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("评估指标")
    )
    score = models.DecimalField(
        _("得分"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    evidence_note = models.TextField(_("评分依据"), blank=True)
    evidence = models.FileField(
        _("佐证材料"), storage=private_storage, upload_to=_score_evidence_path, max_length=200, blank=True
    )
    evidence_name = models.CharField(_("佐证材料原文件名"), max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["evaluation", "indicator__sort_order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "indicator"],
                name="indicator_score_once",
                violation_error_message=_("同一指标只能评分一次。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.score}"

"""Livelihood projects (生计/扶贫项目) run with a village, and their outcome measures over time."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LivelihoodProject(models.Model):
    """A livelihood or poverty-alleviation project (生计/扶贫项目) run with a village."""

    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("手工作坊")
        COOPERATIVE = "cooperative", _("合作社")
        PLANTING = "planting", _("特色种植")
        BREEDING = "breeding", _("特色养殖")
        ECOMMERCE = "ecommerce", _("电商销售")
        OTHER = "other", _("其他")

    name = models.CharField(_("项目名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="livelihood_projects",
        verbose_name=_("村(乡镇)"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        related_name="livelihood_projects",
        verbose_name=_("实施机构"),
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    households_reached = models.PositiveIntegerField(_("覆盖户数"), default=0)
    description = models.TextField(_("项目内容"), blank=True)
    products = models.CharField(_("产品"), max_length=200, blank=True)
    sales_channels = models.CharField(_("销售渠道"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("生计项目")
        verbose_name_plural = _("生计项目")
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return self.name


class LivelihoodMeasure(models.Model):
    """An outcome measured on a date: area planted (亩), income change per household (元), …"""

    class Indicator(models.TextChoices):
        AREA_MU = "area_mu", _("种植面积(亩)")
        INCOME_PER_HOUSEHOLD = "income_per_household", _("户均增收(元)")
        SALES = "sales", _("销售额(元)")
        HOUSEHOLDS = "households", _("参与户数")
        VISITS = "visits", _("走访村民小组数")
        OTHER = "other", _("其他")

    project = models.ForeignKey(
        LivelihoodProject, on_delete=models.CASCADE, related_name="measures", verbose_name=_("生计项目")
    )
    measured_on = models.DateField(_("测量日期"))
    indicator = models.CharField(_("指标"), max_length=24, choices=Indicator.choices)
    label = models.CharField(_("说明"), max_length=100, blank=True, help_text=_("如：核桃、雪莲果"))
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("成效测量")
        verbose_name_plural = _("成效测量")
        ordering = ["project", "measured_on", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_indicator_display()} {self.value}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProgrammeYear(models.Model):  # type: ignore[django-manager-missing]  # clusterable children
    """One year (批次) of the programme, with the counties taking part and their quotas."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    case_approval_required = models.BooleanField(
        _("个案计划与结案需督导审批"),
        default=True,
        help_text=_("关闭后，社工提交的计划和结案无需督导批准即生效"),
    )

    class Meta:
        verbose_name = _("年度")
        verbose_name_plural = _("年度")
        ordering = ["year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="year_ends_after_start",
                violation_error_message=_("项目年度的结束日期须晚于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return _("%(year)s 年度") % {"year": self.year}


class ReceivingCounty(models.Model):
    """A county taking part in a programme year, with its quotas."""

    programme_year = models.ForeignKey(
        ProgrammeYear, on_delete=models.CASCADE, related_name="receiving_counties", verbose_name=_("年度")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="receiving_years", verbose_name=_("受援区县")
    )
    dispatch_quota = models.PositiveSmallIntegerField(_("选派名额"), default=0)
    training_quota = models.PositiveSmallIntegerField(_("培养名额"), default=0)

    class Meta:
        verbose_name = _("受援区县")
        verbose_name_plural = _("受援区县")
        ordering = ["programme_year__year", "county__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme_year", "county"], name="receiving_county_unique_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme_year} · {self.county}"

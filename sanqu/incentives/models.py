from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncentivePolicy(models.Model):
    """A county's talent-incentive policy (激励政策) for certified social workers."""

    class Kind(models.TextChoices):
        TITLE_SUBSIDY = "title_subsidy", _("职称补贴")
        ONE_OFF_AWARD = "one_off_award", _("一次性奖励")
        EXAM_FEE = "exam_fee", _("考试费用报销")

    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="incentive_policies", verbose_name=_("区县")
    )
    name = models.CharField(_("政策名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    amount = models.DecimalField(_("标准(元)"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("激励政策")
        verbose_name_plural = _("激励政策")
        ordering = ["county__code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name", "kind"], name="incentive_unique_policy"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="incentive_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        return self.name

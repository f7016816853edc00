from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CommunityActivity(models.Model):
    """A community activity (社区活动): publicity, mutual aid, an event; headcount by target group."""

    class Kind(models.TextChoices):
        POLICY_PUBLICITY = "policy_publicity", _("政策宣传")
        MUTUAL_AID = "mutual_aid", _("互助活动")
        CULTURAL = "cultural", _("文体活动")
        VOLUNTEER = "volunteer", _("志愿服务")
        OTHER = "other", _("其他")

    name = models.CharField(_("活动名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("活动日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="community_activities",
        verbose_name=_("村(社区)"),
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="community_activities",
        verbose_name=_("服务站点"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_activities",
        verbose_name=_("承接机构"),
    )
    worker = models.ForeignKey(
        "workforce.Person",
        on_delete=models.PROTECT,
        related_name="community_activities",
        verbose_name=_("负责社工"),
    )
    duration_hours = models.DecimalField(_("时长(小时)"), max_digits=4, decimal_places=1, default=2)
    notes = models.TextField(_("活动情况"), blank=True)

    class Meta:
        verbose_name = _("社区活动")
        verbose_name_plural = _("社区活动")
        ordering = ["-held_on", "id"]

    def __str__(self) -> str:
        return self.name


class CommunityAttendance(models.Model):
    activity = models.ForeignKey(
        CommunityActivity, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("社区活动")
    )
    target_group = models.ForeignKey(
        "cases.TargetGroup", on_delete=models.PROTECT, related_name="+", verbose_name=_("服务对象类别")
    )
    headcount = models.PositiveIntegerField(_("人数"))

    class Meta:
        verbose_name = _("参与人数")
        verbose_name_plural = _("参与人数")
        constraints = [
            models.UniqueConstraint(fields=["activity", "target_group"], name="community_attendance_unique")
        ]

    def __str__(self) -> str:
        return f"{self.target_group} {self.headcount}"

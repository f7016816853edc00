"""Group work (小组工作), phases after MZ/T 095-2017."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Group(models.Model):
    class Phase(models.TextChoices):
        PREPARING = "preparing", _("筹备")
        FORMING = "forming", _("形成")
        TRANSITION = "transition", _("转折")
        MATURE = "mature", _("成熟")
        ENDING = "ending", _("结束")

    name = models.CharField(_("小组名称"), max_length=100)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="groups", verbose_name=_("开展地点(村社区)")
    )
    station = models.ForeignKey(
        "regions.Station", on_delete=models.SET_NULL, null=True, blank=True, related_name="groups",
        verbose_name=_("服务站点"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="groups",
        verbose_name=_("承接机构"),
    )  # fmt: skip
    worker = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="groups", verbose_name=_("带领社工")
    )
    target_groups = models.ManyToManyField(
        "cases.TargetGroup", blank=True, related_name="groups", verbose_name=_("服务对象类别")
    )
    purpose = models.TextField(_("小组目标与计划"))
    planned_sessions = models.PositiveSmallIntegerField(_("计划节数"), default=6)
    phase = models.CharField(_("阶段"), max_length=12, choices=Phase.choices, default=Phase.PREPARING)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    evaluation = models.TextField(_("小组评估"), blank=True)

    class Meta:
        verbose_name = _("小组")
        verbose_name_plural = _("小组")
        ordering = ["-started_on", "id"]

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members", verbose_name=_("小组"))
    beneficiary = models.ForeignKey(
        "cases.Beneficiary",
        on_delete=models.PROTECT,
        related_name="group_memberships",
        verbose_name=_("组员"),
    )
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组员")
        verbose_name_plural = _("组员")
        constraints = [models.UniqueConstraint(fields=["group", "beneficiary"], name="group_member_unique")]

    def __str__(self) -> str:
        return f"{self.group} · {self.beneficiary}"


class GroupSession(models.Model):
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("小组")
    )
    number = models.PositiveSmallIntegerField(_("节次"))
    held_on = models.DateField(_("活动日期"))
    phase = models.CharField(_("阶段"), max_length=12, choices=Group.Phase.choices)
    topic = models.CharField(_("主题"), max_length=200)
    duration_hours = models.DecimalField(_("时长(小时)"), max_digits=4, decimal_places=1, default=1)
    process_notes = models.TextField(_("过程记录"), blank=True)

    class Meta:
        verbose_name = _("小组活动")
        verbose_name_plural = _("小组活动")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="group_session_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.group} #{self.number}"


class GroupAttendance(models.Model):
    session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("小组活动")
    )
    member = models.ForeignKey(
        GroupMember, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("组员")
    )
    present = models.BooleanField(_("出席"), default=True)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [models.UniqueConstraint(fields=["session", "member"], name="group_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.session} · {self.member}"

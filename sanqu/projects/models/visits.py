"""Monitoring visits (督查/走访) to a project or a station, their findings and follow-up actions.

A visit is planned (it then shows as due on the county desk) and recorded when it took place; each
finding that needs work becomes an action with an owner and a due date, closed with evidence.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib.files import private_storage, random_name


class MonitoringVisit(models.Model):
    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("督查")
        FIELD_VISIT = "field_visit", _("走访")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="monitoring_visits", verbose_name=_("区县")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("项目"),
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitoring_visits",
        verbose_name=_("服务站点"),
    )
    planned_on = models.DateField(_("计划日期"))
    visited_on = models.DateField(_("走访日期"), null=True, blank=True)
    visitors = models.CharField(_("参加人员"), max_length=200, help_text=_("姓名与单位，如：张三(区民政局)"))
    purpose = models.CharField(_("事由"), max_length=200, blank=True)
    findings = models.TextField(_("发现的情况"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("督查走访")
        verbose_name_plural = _("督查走访")
        ordering = ["-planned_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(project__isnull=False) | models.Q(station__isnull=False),
                name="visit_has_project_or_station",
                violation_error_message=_("请选择走访的项目或服务站点。"),
            )
        ]

    def __str__(self) -> str:
        target = self.project or self.station
        return f"{self.get_kind_display()} · {target} · {self.visited_on or self.planned_on}"

    @property
    def done(self) -> bool:
        return self.visited_on is not None


def _evidence_path(instance: VisitAction, filename: str) -> str:
    return random_name(f"visits/{instance.visit_id}", filename)


class VisitAction(models.Model):
    """A follow-up action (整改/跟进事项) with an owner and a due date, closed with evidence."""

    visit = models.ForeignKey(
        MonitoringVisit, on_delete=models.CASCADE, related_name="actions", verbose_name=_("督查走访")
    )
    action = models.CharField(_("整改事项"), max_length=300)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="visit_actions", verbose_name=_("责任人")
    )
    due_on = models.DateField(_("完成期限"))
    closed_on = models.DateField(_("完成日期"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("销号人"),
    )
    outcome = models.TextField(_("整改情况"), blank=True)
    evidence = models.FileField(
        _("佐证材料"), storage=private_storage, upload_to=_evidence_path, max_length=200, blank=True
    )
    evidence_name = models.CharField(_("佐证材料原文件名"), max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["visit", "due_on", "id"]
        permissions = [("close_visitaction", _("整改事项销号"))]

    def __str__(self) -> str:
        return self.action

    @property
    def is_open(self) -> bool:
        return self.closed_on is None

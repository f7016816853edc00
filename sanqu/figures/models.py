"""Frozen figures: a snapshot of a scope's figures on a date, with a fingerprint of their records.

A snapshot is written once (`sanqu.figures.snapshots.take_snapshot`) and never changed: saving an
existing snapshot again, or deleting one, raises `SnapshotImmutable`. The fingerprint lists, for
every table the figures read, the rows in the scope that counted on the date, each with a short
hash of the values the figures use; it is stored gzip-compressed (the demo's ~40,000 rows take a
few hundred kilobytes), beside a small per-table summary (`digests`) that can be read without it.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanqu.lib.files import private_storage
from sanqu.regions.models import Region


class SnapshotImmutable(Exception):
    """A snapshot is written once; this is raised on any attempt to change or delete it."""


class FigureSnapshot(models.Model):
    class Reason(models.TextChoices):
        YEAR_END = "year_end", _("年终")
        REPORT = "report", _("发布报告")
        MANUAL = "manual", _("手动")

    scope = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="figure_snapshots", verbose_name=_("统计范围")
    )
    as_of = models.DateField(_("统计日期"))
    taken_at = models.DateTimeField(_("冻结时间"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("冻结人"),
    )
    taken_by_name = models.CharField(_("冻结人姓名"), max_length=150, blank=True)
    reason = models.CharField(_("冻结原因"), max_length=20, choices=Reason.choices, default=Reason.MANUAL)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    figures = models.JSONField(_("冻结的数字"))
    # {table: {"count": rows, "digest": 16 hex digits over the sorted rows, "max_id": highest id}}
    digests = models.JSONField(_("指纹摘要"))
    # gzip of JSON {table: [[id, "8 hex digits"], ...]} sorted by id.
    fingerprint = models.BinaryField(_("指纹"))

    class Meta:
        verbose_name = _("数据快照")
        verbose_name_plural = _("数据快照")
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scope.name} {self.as_of.isoformat()} #{self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise SnapshotImmutable(f"snapshot {self.pk} is frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SnapshotImmutable(f"snapshot {self.pk} is frozen")

    @property
    def rows(self) -> dict[str, list[list[Any]]]:
        """The fingerprint: {table: [[id, hash], ...]}."""
        return json.loads(gzip.decompress(bytes(self.fingerprint)))

    @staticmethod
    def pack(rows: dict[str, list[list[Any]]]) -> bytes:
        text = json.dumps(rows, separators=(",", ":"), sort_keys=True)
        return gzip.compress(text.encode(), compresslevel=9, mtime=0)

    @property
    def fingerprint_size(self) -> int:
        return len(bytes(self.fingerprint))


class ReportFile(models.Model):
    """A results report (成效报告) generated for a scope and date, as an HTML or PDF file.

    Generation runs as a task (`sanqu.figures.report_tasks`) that moves `percent` and `step` as it
    goes, so the page can show its progress. Publishing freezes the figures it was written from (a
    snapshot, reason 发布报告); a published report is kept as it is.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已生成")
        FAILED = "failed", _("生成失败")

    class Format(models.TextChoices):
        PDF = "pdf", _("PDF（打印）")
        HTML = "html", _("网页（HTML）")

    class Language(models.TextChoices):
        CHINESE = "zh-hans", _("中文")
        ENGLISH = "en", _("英文")

    scope = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="report_files", verbose_name=_("统计范围")
    )
    as_of = models.DateField(_("统计日期"))
    language = models.CharField(_("语言"), max_length=8, choices=Language.choices, default=Language.CHINESE)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices, default=Format.PDF)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    step = models.CharField(_("当前步骤"), max_length=200, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    file = models.FileField(_("文件"), storage=private_storage, max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The task's last sign of life (each step it reports): a report RUNNING long after it was worked
    # on lost its worker (sanqu.figures.report_services.mark_interrupted).
    heartbeat_at = models.DateTimeField(_("最近进度时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    snapshot = models.OneToOneField(
        FigureSnapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="report_file",
        verbose_name=_("发布时冻结的数据"),
    )

    class Meta:
        verbose_name = _("成效报告")
        verbose_name_plural = _("成效报告")
        ordering = ["-requested_at", "-id"]
        permissions = [("publish_reportfile", _("可以发布成效报告"))]

    def __str__(self) -> str:
        return f"{self.scope.name} {self.as_of.isoformat()} {self.format} #{self.pk}"

    @property
    def working(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def download_name(self) -> str:
        suffix = "" if self.language == self.Language.CHINESE else "-en"
        return f"成效报告-{self.scope.name}-{self.as_of.isoformat()}{suffix}.{self.format}"

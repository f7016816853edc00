"""The import log: every ledger file read for import, with who, when, what it held and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib.files import private_storage


class LedgerImport(models.Model):
    class Outcome(models.TextChoices):
        PREVIEWED = "previewed", _("仅预览")
        COMMITTED = "committed", _("已导入")
        REFUSED = "refused", _("有错误，未导入")
        UNREADABLE = "unreadable", _("文件无法读取")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("检查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("未能完成")

    class Mode(models.TextChoices):
        PREVIEW = "preview", _("预览")
        COMMIT = "commit", _("导入")

    kind = models.CharField(_("台账类型"), max_length=20)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    valid_only = models.BooleanField(_("仅导入无误的行"), default=False)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, blank=True, default="")
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("有错误"), default=0)
    # [{"row": 12, "column": "身份证号", "message": "…"}, …]; for an unreadable file, one entry with row 0.
    errors = models.JSONField(_("错误清单"), default=list)
    # An import from the pages runs as a task on the uploaded file, kept privately (a command-line
    # import has no file and is done when its entry is written).
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DONE)
    mode = models.CharField(_("方式"), max_length=10, choices=Mode.choices, blank=True)
    file = models.FileField(_("文件"), storage=private_storage, max_length=200, blank=True)
    preview_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commits",
        verbose_name=_("所依据的预览"),
    )
    warnings = models.JSONField(_("提示"), default=list)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("未能完成的原因"), blank=True)

    class Meta:
        verbose_name = _("台账导入记录")
        verbose_name_plural = _("台账导入记录")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_outcome_display() or self.get_status_display()})"

    @property
    def working(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}

    @property
    def rejected_rows(self) -> list[int]:
        """The numbers of the rows with an error, in order (an unreadable file has none)."""
        return sorted({entry["row"] for entry in self.errors if entry["row"]})

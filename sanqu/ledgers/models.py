"""The import log: every ledger file read for import, with who, when, what it held and what came of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerImport(models.Model):
    class Outcome(models.TextChoices):
        PREVIEWED = "previewed", _("仅预览")
        COMMITTED = "committed", _("已导入")
        REFUSED = "refused", _("有错误，未导入")
        UNREADABLE = "unreadable", _("文件无法读取")

    kind = models.CharField(_("台账类型"), max_length=20)
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    valid_only = models.BooleanField(_("仅导入无误的行"), default=False)
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    rows = models.PositiveIntegerField(_("数据行"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    rejected = models.PositiveIntegerField(_("有错误"), default=0)
    # [{"row": 12, "column": "身份证号", "message": "…"}, …]; for an unreadable file, one entry with row 0.
    errors = models.JSONField(_("错误清单"), default=list)

    class Meta:
        verbose_name = _("台账导入记录")
        verbose_name_plural = _("台账导入记录")
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.get_outcome_display()})"

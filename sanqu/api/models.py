from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A key for `Authorization: Token …`. Only its SHA-256 is stored: the key is shown once."""

    class Origin(models.TextChoices):
        PASSWORD = "password", _("密码")
        SESSION = "session", _("登录会话")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sanqu_api_tokens",
        verbose_name=_("用户"),
    )
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=12, editable=False)
    origin = models.CharField(_("创建方式"), max_length=10, choices=Origin.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def active(self) -> bool:
        return not self.revoked and not self.expired

    def get_state_display(self) -> str:
        if self.revoked:
            return str(_("已撤销"))
        if self.expired:
            return str(_("已过期"))
        return str(_("有效"))

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.roles import Role


class User(AbstractUser):
    """A person's account. What they may see and do comes from their memberships."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    """One role of a user, in a region and, for organisation roles, an organisation."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("行政区划")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("机构"),
    )
    person = models.ForeignKey(
        "workforce.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("人员"),
        help_text=_("社工与督导本人的人员记录"),
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="membership_unique_role_region"),
            models.CheckConstraint(
                condition=~models.Q(role="org_manager") | models.Q(organisation__isnull=False),
                name="membership_org_manager_has_organisation",
                violation_error_message=_("机构管理员须指定所属机构。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region}"


class AuditEntry(models.Model):
    """Who did what to which record, and when. Written by services; never edited."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        UNMASK = "unmask", _("查看敏感信息")
        EXPORT = "export", _("导出")
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        ALERT = "alert", _("告警")  # e.g. a public page no longer as approved (check-published)

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    # Out of Wagtail's reference index: nothing refers to an entry, and the index would otherwise
    # queue a task on every save (every audited action, each service recorded among them) to note
    # that the entry refers to its user.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        # The history of one record (`accounts.versions`, the project page's change log).
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"


class AuditSeal(models.Model):
    """A SHA-256 over a run of audit entries, chained to the seal before it: any entry changed, removed
    or inserted in a sealed run is found by `sanqu audit verify` (sanqu/accounts/audit_integrity.py).
    Append-only like the entries (database triggers); kept after its entries are pruned."""

    made_at = models.DateTimeField(_("封存时间"), auto_now_add=True)
    first_entry_id = models.BigIntegerField(_("起始记录编号"), unique=True)
    last_entry_id = models.BigIntegerField(_("截止记录编号"), unique=True)
    entry_count = models.PositiveIntegerField(_("记录数"))
    newest_entry_at = models.DateTimeField(_("最晚记录时间"))
    entry_digests = models.JSONField(_("逐条摘要"), default=list)
    content_hash = models.CharField(_("内容哈希"), max_length=64)
    previous_hash = models.CharField(_("前一封存哈希"), max_length=64, blank=True)
    hash = models.CharField(_("封存哈希"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("审计封存")
        verbose_name_plural = _("审计封存")
        ordering = ["first_entry_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(first_entry_id__lte=models.F("last_entry_id")),
                name="auditseal_range_ordered",
                violation_error_message=_("起始记录编号不能大于截止记录编号。"),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.first_entry_id}–{self.last_entry_id} {self.hash[:12]}"


class AuditPrune(models.Model):
    """One run of `sanqu audit prune`: the sealed entries up to `through_entry_id` were deleted after the
    retention period. Append-only; verification skips the contents of the pruned seals, not their chain."""

    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    before = models.DateTimeField(_("清理截止时间"))
    through_seal = models.ForeignKey(
        AuditSeal, on_delete=models.PROTECT, related_name="+", verbose_name=_("清理至封存")
    )
    through_entry_id = models.BigIntegerField(_("清理至记录编号"))
    entry_count = models.PositiveIntegerField(_("清理记录数"))

    class Meta:
        verbose_name = _("审计记录清理")
        verbose_name_plural = _("审计记录清理")
        ordering = ["through_entry_id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} ≤ #{self.through_entry_id} ({self.entry_count})"

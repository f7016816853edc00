"""Bulletins (简报): numbered issues composed from news items and a figures panel, printed and sent.

A bulletin is drafted by a publicity editor: a foreword, news items chosen from the live news
column (in an order), and a figures panel (a region and an as-of date). A reviewer issues it: the
issue takes the next number of its year (〔2018〕第2期), freezes the items' text, the figures and
the distribution list as they are that day, and keeps the PDF; from then on nothing of it changes.
Sending mails the PDF to every active recipient (报送单位) and logs one delivery per recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib.files import private_storage

DEFAULT_MASTHEAD = "社会工作“三区”计划简报"
DEFAULT_ISSUER = "重庆市民政局"


class Bulletin(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    masthead = models.CharField(_("报头"), max_length=40, default=DEFAULT_MASTHEAD)
    title = models.CharField(_("本期标题"), max_length=100, help_text=_("例如：2018年上半年工作动态"))
    issuer = models.CharField(_("编发单位"), max_length=60, default=DEFAULT_ISSUER)
    foreword = models.TextField(_("编者按"), blank=True, max_length=2000)
    scope = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("数据范围")
    )
    as_of = models.DateField(_("数据截至"))
    articles = models.ManyToManyField(
        "publicity.ArticlePage", through="BulletinItem", related_name="+", verbose_name=_("本期稿件")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Assigned on issue: the year of the issue date and the next number in that year.
    year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    number = models.PositiveSmallIntegerField(_("期号"), null=True, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    # Frozen on issue: [{"key", "label", "value"}] from sanqu.figures.engine.compute_figures.
    figures = models.JSONField(_("数据"), default=list, blank=True)
    # Frozen on issue: [{"kind", "label", "departments": [...]}] for 报：… 送：… 发：….
    distribution = models.JSONField(_("发送范围"), default=list, blank=True)
    copies = models.PositiveSmallIntegerField(_("印数"), default=0)
    pdf = models.FileField(_("PDF"), storage=private_storage, max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("编辑")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("签发人"),
    )
    issued_at = models.DateTimeField(_("签发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("简报")
        verbose_name_plural = _("简报")
        ordering = ["-year", "-number", "-created_at", "-id"]
        permissions = [("issue_bulletin", _("签发简报")), ("send_bulletin", _("发送简报"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="bulletin_number_unique_in_year"),
            models.CheckConstraint(
                condition=(
                    models.Q(status="draft", number__isnull=True, year__isnull=True)
                    | models.Q(
                        status="issued", number__isnull=False, year__isnull=False, issued_on__isnull=False
                    )
                ),
                name="bulletin_numbered_when_issued",
                violation_error_message=_("草稿不编号；印发的简报须有年份、期号和印发日期。"),
            ),
        ]

    def __str__(self) -> str:
        if self.is_issued:
            return f"{self.masthead}〔{self.year}〕第{self.number}期"
        return f"{self.masthead}（{_('草稿')}）{self.title}"

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def issue_label(self) -> str:
        """〔2018〕第2期, or nothing for a draft (a draft has no number yet)."""
        return f"〔{self.year}〕第{self.number}期" if self.is_issued else ""

    @property
    def pdf_name(self) -> str:
        return f"{self.masthead}{self.year}年第{self.number}期.pdf"


class BulletinItem(models.Model):
    """A news item in a bulletin. On issue its title, source, date and text are copied from the
    article, so the issued bulletin reads the same whatever is later done to the article."""

    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="items")
    article = models.ForeignKey(
        "publicity.ArticlePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("稿件"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("标题"), max_length=255, blank=True)
    source = models.CharField(_("来源"), max_length=100, blank=True)
    date = models.DateField(_("日期"), null=True, blank=True)
    body = models.TextField(_("正文"), blank=True)  # sanitised HTML, frozen on issue

    class Meta:
        verbose_name = _("简报稿件")
        verbose_name_plural = _("简报稿件")
        ordering = ["bulletin", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "position"], name="bulletin_item_position_unique"),
        ]

    def __str__(self) -> str:
        return self.title or (self.article.title if self.article else "")


class Recipient(models.Model):
    """A department on the distribution list (报送单位)."""

    class Kind(models.TextChoices):
        # The lines at a bulletin's foot: to the leadership (报), to peers (送), to subordinates (发).
        REPORT = "report", _("报")
        COPY = "copy", _("送")
        ISSUE = "issue", _("发")

    department = models.CharField(_("单位"), max_length=100)
    email = models.EmailField(_("电子邮箱"))
    kind = models.CharField(_("行文方向"), max_length=10, choices=Kind.choices, default=Kind.COPY)
    position = models.PositiveSmallIntegerField(_("排序"), default=0, help_text=_("数字小的排在前面"))
    active = models.BooleanField(_("在用"), default=True)

    class Meta:
        verbose_name = _("报送单位")
        verbose_name_plural = _("报送单位")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["department"], name="recipient_department_unique")]

    def __str__(self) -> str:
        return self.department


class BulletinDelivery(models.Model):
    """One recipient of one send: whom, at which address, when, and whether the mail went out."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    bulletin = models.ForeignKey(Bulletin, on_delete=models.PROTECT, related_name="deliveries")
    recipient = models.ForeignKey(
        Recipient, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    department = models.CharField(_("单位"), max_length=100)
    email = models.EmailField(_("电子邮箱"))
    sent_at = models.DateTimeField(_("发送时间"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发送人")
    )
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("简报发送记录")
        verbose_name_plural = _("简报发送记录")
        ordering = ["-sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.bulletin} → {self.department}"

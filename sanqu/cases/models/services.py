from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.Model):
    """A type of service (服务类型): a managed list, seeded from the seed's services by group."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    target_groups = models.ManyToManyField(
        "cases.TargetGroup", blank=True, related_name="service_types", verbose_name=_("主要服务对象类别")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务类型")
        verbose_name_plural = _("服务类型")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceRecord(models.Model):
    """One service given (服务记录): to a person, in a case, a group session or a community activity."""

    class Method(models.TextChoices):
        CASE = "case", _("个案")
        GROUP = "group", _("小组")
        COMMUNITY = "community", _("社区")

    served_on = models.DateField(_("服务日期"), db_index=True)
    worker = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("社工")
    )
    method = models.CharField(_("服务方式"), max_length=10, choices=Method.choices)
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="records", verbose_name=_("服务类型")
    )
    duration_hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1)
    place = models.CharField(_("服务地点"), max_length=100, blank=True)
    notes = models.TextField(_("服务内容(客观记录)"), blank=True)
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    beneficiary = models.ForeignKey(
        "cases.Beneficiary", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("服务对象"),
    )  # fmt: skip
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("个案"),
    )  # fmt: skip
    group_session = models.ForeignKey(
        "cases.GroupSession", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("小组活动"),
    )  # fmt: skip
    community_activity = models.ForeignKey(
        "cases.CommunityActivity", on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_records", verbose_name=_("社区活动"),
    )  # fmt: skip
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("区县")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("录入人"),
    )  # fmt: skip
    # A token the entry form carries, so a double-submitted form records the service once.
    client_token = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        # Recording other workers' services from a ledger (服务记录台账), beyond one's own.
        permissions = [("import_servicerecord", _("导入服务记录台账"))]
        indexes = [
            models.Index(fields=["county", "served_on"], name="service_county_date_idx"),
            models.Index(fields=["worker", "served_on"], name="service_worker_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0), name="service_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.service_type}"

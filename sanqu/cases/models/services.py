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

    # Index (served_on): the year partition's own order — the newest records first for a scope that
    # names no county or worker (a city's or the API's service list), the project progress figures by
    # period (days in a span, all counties), and `sanqu figures --recompute` up to a date.
    served_on = models.DateField(_("服务日期"), db_index=True)
    # No index of its own: (worker, served_on) below serves every look-up by worker.
    worker = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("社工"),
        db_index=False,
    )  # fmt: skip
    method = models.CharField(_("服务方式"), max_length=10, choices=Method.choices)
    # Index (service_type): the PROTECT check when an administrator deletes a service type from the
    # managed list (without it, one deletion reads every record).
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="records", verbose_name=_("服务类型")
    )
    duration_hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1)
    place = models.CharField(_("服务地点"), max_length=100, blank=True)
    notes = models.TextField(_("服务内容(客观记录)"), blank=True)
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    # Index (beneficiary): the person's timeline, the scoped list (`service_records_for`: records of
    # the people one sees) and the ledger import's look-up of records already on file.
    beneficiary = models.ForeignKey(
        "cases.Beneficiary", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("服务对象"),
    )  # fmt: skip
    # Index (case): the case page's services and the case list's "last service" subquery.
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("个案"),
    )  # fmt: skip
    # Indexes (group_session, community_activity, created_by): the PROTECT checks when a session, an
    # activity or a user is deleted (`generate --reset`, `demo --reset`, the user admin).
    group_session = models.ForeignKey(
        "cases.GroupSession", on_delete=models.PROTECT, null=True, blank=True, related_name="service_records",
        verbose_name=_("小组活动"),
    )  # fmt: skip
    community_activity = models.ForeignKey(
        "cases.CommunityActivity", on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_records", verbose_name=_("社区活动"),
    )  # fmt: skip
    # No index of its own: (county, served_on) below serves every look-up by county.
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="service_records", verbose_name=_("区县"),
        db_index=False,
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("录入人"),
    )  # fmt: skip
    # A token the entry form carries, so a double-submitted form records the service once. On
    # PostgreSQL the table is partitioned by year (`sanqu.cases.partitions`) and the database holds
    # the token unique with `served_on` (a double submit repeats both); the service's look-up by token
    # alone reads each year's index. Changing this field needs a migration written for that.
    client_token = models.CharField(max_length=40, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-id"]
        # Recording other workers' services from a ledger (服务记录台账), beyond one's own.
        permissions = [("import_servicerecord", _("导入服务记录台账"))]
        # On PostgreSQL every index is per year partition; a query naming days reads only their years.
        indexes = [
            # The county's service list and figures: records of a county (or the counties under a
            # region) in a span of days — `figures.engine.service_records`, the drill-down, snapshots,
            # the API's list filtered by region and date; the PROTECT check when a region is deleted.
            models.Index(fields=["county", "served_on"], name="service_county_date_idx"),
            # The worker's caseload and own records, newest first (`records_by_worker`, the service types
            # used recently, the person's story, supervisees' records); the PROTECT check on a person.
            models.Index(fields=["worker", "served_on"], name="service_worker_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0),
                name="service_duration_positive",
                violation_error_message=_("服务时长须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.service_type}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRollup(models.Model):
    """Service records counted per county, service type and day (服务记录日汇总).

    The figures of services (by type, hours, per county) read these rows instead of the records,
    so a dashboard costs the same with ten times the records. `sanqu.cases.rollups` keeps them
    current on every save and delete of a record and can rebuild them from the records; the two
    must always agree (`sanqu figures --recompute` checks it). Hours are kept in tenths, so sums
    are exact on every database.
    """

    county = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    service_type = models.ForeignKey(
        "cases.ServiceType", on_delete=models.CASCADE, related_name="+", verbose_name=_("服务类型")
    )
    served_on = models.DateField(_("服务日期"))
    records = models.PositiveIntegerField(_("服务记录（次）"))
    hour_tenths = models.PositiveBigIntegerField(_("服务时长（0.1 小时）"))

    class Meta:
        verbose_name = _("服务记录日汇总")
        verbose_name_plural = _("服务记录日汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "service_type", "served_on"], name="service_rollup_key"
            ),
        ]
        indexes = [models.Index(fields=["served_on"], name="service_rollup_day_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.service_type_id}/{self.served_on}: {self.records}"

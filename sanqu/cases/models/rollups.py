from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceRollup(models.Model):
    """Service records counted per county and service type, by month and by day (服务记录汇总).

    Each record counts twice: in the row of its month (`served_on` is the 1st) and in the row of
    its day. The figures as of a date D add the months before D's month and the days of D's month
    up to D, so their cost follows counties, types and months, not records: a dashboard costs the
    same with ten times the records. `sanqu.cases.rollups` keeps the rows current on every save
    and delete of a record and can rebuild them; the two must always agree (`sanqu figures
    --recompute` checks it). Hours are kept in tenths, so sums are exact on every database.
    """

    class Span(models.TextChoices):
        MONTH = "month", _("月")
        DAY = "day", _("日")

    county = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    service_type = models.ForeignKey(
        "cases.ServiceType", on_delete=models.CASCADE, related_name="+", verbose_name=_("服务类型")
    )
    span = models.CharField(_("汇总周期"), max_length=5, choices=Span.choices)
    served_on = models.DateField(_("服务日期（月汇总为当月 1 日）"))
    # Plain integers, not positive ones: a tally that drifted (a bulk write outside the upkeep) must not
    # make a user's save or delete fail on a check; `sanqu figures --recompute` finds the drift.
    records = models.IntegerField(_("服务记录（次）"))
    hour_tenths = models.BigIntegerField(_("服务时长（0.1 小时）"))

    class Meta:
        verbose_name = _("服务记录汇总")
        verbose_name_plural = _("服务记录汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "service_type", "span", "served_on"], name="service_rollup_key"
            ),
        ]
        # The figures' filter: the months before a date's month, and the days of that month.
        # Every service figure as of a date (`figures.engine.service_rollups`): the months before the
        # date's month and the days of it — the dashboard, the results report, drill-downs.
        indexes = [models.Index(fields=["span", "served_on"], name="service_rollup_span_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.service_type_id}/{self.span}/{self.served_on}: {self.records}"

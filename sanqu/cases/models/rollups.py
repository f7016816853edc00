from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.cases.models.cases import Case


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

    # No foreign-key constraints in the database (`db_constraint=False`): a row is a tally of records
    # that carry those constraints themselves, and it is only ever written from their values. A
    # ledger import adds a row per county, type and day it names (88,694 for a 100,000-row ledger),
    # and PostgreSQL checked each row's two keys one by one at the commit: 0.5 s of a 5.9 s import,
    # measured. Deleting a county or a type still deletes its rows (Django's on_delete).
    # No index of its own: the key below starts with the county.
    county = models.ForeignKey(
        "regions.Region",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("区县"),
    )
    # Index (service_type): the cascade when an administrator deletes a service type.
    service_type = models.ForeignKey(
        "cases.ServiceType",
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        verbose_name=_("服务类型"),
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
            # One row per county, type, span and day: the upkeep's upsert, and every look-up by county.
            models.UniqueConstraint(
                fields=["county", "service_type", "span", "served_on"], name="service_rollup_key"
            ),
        ]
        # Every service figure as of a date (`figures.engine.service_rollups`): the months before the
        # date's month and the days of it — the dashboard, the results report, drill-downs.
        indexes = [models.Index(fields=["span", "served_on"], name="service_rollup_span_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.service_type_id}/{self.span}/{self.served_on}: {self.records}"


class BeneficiaryRollup(models.Model):
    """People served counted per county and target group, by month and by day of registration (服务对象汇总).

    A beneficiary counts in the county above its village (the region whose path is the first six
    digits of its own) on its `registered_on`: once in the row without a group (everyone) and once
    in the row of each target group it is in, each in a MONTH row (the 1st) and a DAY row. The
    figures as of D add the months before D's month and the days of D's month up to D, as for the
    services. `sanqu.cases.rollups` keeps the rows current and can rebuild them.
    """

    Span = ServiceRollup.Span

    county = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    target_group = models.ForeignKey(
        "cases.TargetGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("服务对象类别（空为全部）"),
    )
    span = models.CharField(_("汇总周期"), max_length=5, choices=ServiceRollup.Span.choices)
    registered_on = models.DateField(_("建档日期（月汇总为当月 1 日）"))
    people = models.IntegerField(_("服务对象（人）"))

    class Meta:
        verbose_name = _("服务对象汇总")
        verbose_name_plural = _("服务对象汇总")
        # Two keys, as NULL never equals NULL in a unique index: the everyone rows, the group rows.
        constraints = [
            models.UniqueConstraint(
                fields=["county", "span", "registered_on"],
                condition=models.Q(target_group__isnull=True),
                name="beneficiary_rollup_everyone_key",
            ),
            models.UniqueConstraint(
                fields=["county", "target_group", "span", "registered_on"],
                condition=models.Q(target_group__isnull=False),
                name="beneficiary_rollup_group_key",
            ),
        ]
        indexes = [models.Index(fields=["span", "registered_on"], name="beneficiary_rollup_span_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.target_group_id}/{self.span}/{self.registered_on}: {self.people}"


class CaseStageRollup(models.Model):
    """Changes in the number of cases at each stage, per county, by month and by day (个案阶段汇总).

    A case's stage as of a date follows from the dates of its stage records (`figures.engine`), so
    it changes only on those dates: each row holds the change on its day (or month) — +1 for the
    cases entering the stage, −1 for those leaving it, a case entering its first stage on
    `opened_on`. The cases at a stage as of D are the sum of the months before D's month and the
    days of D's month up to D. `sanqu.cases.rollups` keeps the rows current and can rebuild them.
    """

    Span = ServiceRollup.Span

    county = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("区县")
    )
    stage = models.CharField(_("阶段"), max_length=15, choices=Case.Stage.choices)
    span = models.CharField(_("汇总周期"), max_length=5, choices=ServiceRollup.Span.choices)
    changed_on = models.DateField(_("变化日期（月汇总为当月 1 日）"))
    cases = models.IntegerField(_("个案增减（个）"))

    class Meta:
        verbose_name = _("个案阶段汇总")
        verbose_name_plural = _("个案阶段汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["county", "stage", "span", "changed_on"], name="case_stage_rollup_key"
            ),
        ]
        indexes = [models.Index(fields=["span", "changed_on"], name="case_stage_rollup_span_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}/{self.stage}/{self.span}/{self.changed_on}: {self.cases:+d}"

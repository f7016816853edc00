"""Volunteers (志愿者): the registry, their service hours, training, commendations and certificates.

A volunteer is a `workforce.Person` (one record per ID number) with a profile in a county. Hours
are service only (travel excluded) and are recorded per day and activity; a volunteer service
certificate (志愿服务证明) freezes the hours and content of a period when it is issued, so a
reprint always says what the original said.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from sanqu.lib.fields import EncryptedTextField

SKILL_SEPARATORS = "、,，;；/ "


def split_skills(text: str) -> list[str]:
    """A short list typed as `急救、手工，文艺` (any of the usual separators) → ['急救', '手工', '文艺']."""
    skills: list[str] = []
    word = ""
    for char in (text or "").strip():
        if char in SKILL_SEPARATORS or char == "\u3000":
            if word and word not in skills:
                skills.append(word)
            word = ""
        else:
            word += char
    if word and word not in skills:
        skills.append(word)
    return skills


class Volunteer(models.Model):
    """A person's volunteer profile: where they serve, what they can do, when they are free."""

    person = models.OneToOneField(
        "workforce.Person", on_delete=models.PROTECT, related_name="volunteer", verbose_name=_("人员")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("区县")
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("服务站点"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("所属机构"),
    )
    registered_on = models.DateField(_("登记日期"))
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    registered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["person__name", "id"]

    def __str__(self) -> str:
        return self.person.name

    @property
    def skill_list(self) -> list[str]:
        return split_skills(self.skills)


class VolunteerService(models.Model):
    """Hours of voluntary service on a day (service only: travel is not counted)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="services", verbose_name=_("志愿者")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区县")
    )
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=4, decimal_places=1)
    content = models.CharField(_("服务内容"), max_length=200)
    place = models.CharField(_("服务地点"), max_length=100, blank=True)
    activity = models.ForeignKey(
        "cases.CommunityActivity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_services",
        verbose_name=_("社区活动"),
    )
    group_session = models.ForeignKey(
        "cases.GroupSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_services",
        verbose_name=_("小组活动"),
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-served_on", "-id"]
        # The volunteer-service figures of a county up to a date (`volunteers.figures`), the drill-down
        # and snapshots.
        indexes = [models.Index(fields=["county", "served_on"], name="volunteer_service_county_day")]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24),
                name="volunteer_service_hours_range",
                violation_error_message=_("服务时长须大于 0 且不超过 24 小时。"),
            ),
            models.CheckConstraint(
                condition=Q(activity__isnull=True) | Q(group_session__isnull=True),
                name="volunteer_service_one_link",
                violation_error_message=_("一条服务记录只能关联一项社区活动或一节小组活动。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.served_on:%Y-%m-%d} {self.hours}h"


class VolunteerTraining(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="trainings", verbose_name=_("志愿者")
    )
    trained_on = models.DateField(_("培训日期"))
    title = models.CharField(_("培训内容"), max_length=100)
    hours = models.DecimalField(_("培训学时"), max_digits=5, decimal_places=1)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿者培训")
        verbose_name_plural = _("志愿者培训")
        ordering = ["-trained_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0),
                name="volunteer_training_hours_positive",
                violation_error_message=_("培训学时须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Commendation(models.Model):
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="commendations", verbose_name=_("志愿者")
    )
    awarded_on = models.DateField(_("表彰日期"))
    title = models.CharField(_("表彰名称"), max_length=100)
    awarded_by = models.CharField(_("表彰单位"), max_length=100)
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿者表彰")
        verbose_name_plural = _("志愿者表彰")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title


class VolunteerCertificate(models.Model):
    """A volunteer service certificate (志愿服务证明): the period's hours and content, frozen at issue."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("志愿者")
    )
    number = models.CharField(_("证明编号"), max_length=30, unique=True)
    issued_on = models.DateField(_("出具日期"))
    issuer = models.CharField(_("出具单位"), max_length=100)
    period_start = models.DateField(_("服务期间起"))
    period_end = models.DateField(_("服务期间止"))
    # Frozen at issue: what the certificate says, whatever is edited later.
    holder_name = models.CharField(_("姓名"), max_length=50)
    holder_id_number = EncryptedTextField(_("身份证号"))
    total_hours = models.DecimalField(_("服务时长合计(小时)"), max_digits=7, decimal_places=1)
    service_count = models.PositiveIntegerField(_("服务次数"))
    content_summary = models.TextField(_("服务内容"))
    issued_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="volunteer_certificate_period_order",
                violation_error_message=_("服务期间的结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(issued_on__gte=F("period_end")),
                name="volunteer_certificate_issued_after_period",
                violation_error_message=_("出具日期不能早于服务期间的结束日期。"),
            ),
            models.CheckConstraint(
                condition=Q(total_hours__gt=0),
                name="volunteer_certificate_hours_positive",
                violation_error_message=_("证明的服务时长须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

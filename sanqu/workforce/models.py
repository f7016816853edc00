from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib import idnumber
from sanqu.lib.fields import EncryptedTextField
from sanqu.lib.keys import keyring

ID_HASH_PURPOSE = "person.id_number"


def id_number_hash(number: str) -> str:
    return keyring().lookup_hash(idnumber.normalise(number), purpose=ID_HASH_PURPOSE)


class Person(models.Model):
    """Anyone who works in the programme; one record per real person (found by ID number)."""

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    id_number = EncryptedTextField(_("身份证号"))
    id_hash = models.CharField(_("身份证号摘要"), max_length=64, unique=True, editable=False)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="people", verbose_name=_("所属区县")
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("工作单位"),
    )

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name", "id"]
        permissions = [("unmask_person", _("查看人员完整敏感信息"))]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, raw: str) -> None:
        """Validate, normalise and store the number with its lookup hash (and the sex it encodes)."""
        number = idnumber.validate(raw)
        self.id_number = number
        self.id_hash = id_number_hash(number)
        self.sex = idnumber.sex(number)

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        phone = self.phone or ""
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


class Dispatch(models.Model):
    """A dispatched social worker's term (选派) in a receiving county."""

    class Status(models.TextChoices):
        SERVING = "serving", _("在岗")
        COMPLETED = "completed", _("期满")
        LEFT_EARLY = "left_early", _("提前离岗")

    class Assessment(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("社工")
    )
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("年度")
    )
    sending_organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("派出单位")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("受援区县")
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dispatches",
        verbose_name=_("服务站点"),
    )
    started_on = models.DateField(_("派驻开始日期"))
    planned_end_on = models.DateField(_("计划结束日期"))
    ended_on = models.DateField(_("实际结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SERVING)
    leave_reason = models.CharField(_("离岗原因"), max_length=200, blank=True)
    assessment = models.CharField(_("考核结果"), max_length=12, choices=Assessment.choices, blank=True)

    class Meta:
        verbose_name = _("选派")
        verbose_name_plural = _("选派")
        ordering = ["-started_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "programme_year"], name="dispatch_unique_person_year"),
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gt=models.F("started_on")),
                name="dispatch_end_after_start",
                violation_error_message=_("计划结束日期须晚于派驻开始日期。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="left_early") | ~models.Q(leave_reason=""),
                name="dispatch_left_early_has_reason",
                violation_error_message=_("提前离岗须填写离岗原因。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.county} ({self.programme_year})"

    @staticmethod
    def default_planned_end(started_on: dt.date) -> dt.date:
        try:
            return started_on.replace(year=started_on.year + 1) - dt.timedelta(days=1)
        except ValueError:  # 29 February
            return started_on.replace(year=started_on.year + 1, day=28)


class Certificate(models.Model):
    """A national social-worker vocational certificate (社会工作者职业水平证书)."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", _("助理社会工作师")
        INTERMEDIATE = "intermediate", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("持证人")
    )
    level = models.CharField(_("等级"), max_length=12, choices=Level.choices)
    obtained_on = models.DateField(_("取得日期"))
    number = models.CharField(_("证书编号"), max_length=40, blank=True)
    county = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("取得时所在区县"),
    )

    class Meta:
        verbose_name = _("职业水平证书")
        verbose_name_plural = _("职业水平证书")
        ordering = ["-obtained_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "level"], name="certificate_unique_person_level"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.get_level_display()}"


class Supervision(models.Model):
    """A professional supervisor's assignment to a social worker."""

    supervisor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="supervisees_links", verbose_name=_("督导")
    )
    supervisee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="supervisors_links", verbose_name=_("被督导社工")
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("督导关系")
        verbose_name_plural = _("督导关系")
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "supervisee", "started_on"], name="supervision_unique_assignment"
            ),
            models.CheckConstraint(
                condition=~models.Q(supervisor=models.F("supervisee")), name="supervision_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.supervisee}"

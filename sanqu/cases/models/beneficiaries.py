from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib import clock, idnumber
from sanqu.lib.fields import EncryptedTextField
from sanqu.lib.keys import keyring

ID_HASH_PURPOSE = "beneficiary.id_number"
# Under this age a guardian consents, and the record is restricted (PIPL art. 28, 31).
CHILD_AGE = 14


def beneficiary_id_hash(number: str) -> str:
    return keyring().lookup_hash(idnumber.normalise(number), purpose=ID_HASH_PURPOSE)


class TargetGroup(models.Model):
    """A target group of the programme (服务对象类别): a managed list, seeded by a migration."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=40, unique=True)
    restricted = models.BooleanField(
        _("限制查看"),
        default=False,
        help_text=_("社区矫正对象、刑满释放人员等：完整信息仅限负责社工、督导和本区县专门科室"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("服务对象类别")
        verbose_name_plural = _("服务对象类别")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (户) linking beneficiaries who live together."""

    head_name = models.CharField(_("户主姓名"), max_length=50)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="households", verbose_name=_("村(社区)")
    )
    address = EncryptedTextField(_("住址"), blank=True)
    poverty_registered = models.BooleanField(_("建档立卡贫困户"), default=False)

    class Meta:
        verbose_name = _("家庭")
        verbose_name_plural = _("家庭")

    def __str__(self) -> str:
        return _("%(name)s户") % {"name": self.head_name}


class Beneficiary(models.Model):
    """A person served (服务对象). Sensitive fields are encrypted; see `is_restricted`."""

    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class ConsentBy(models.TextChoices):
        SELF = "self", _("本人")
        GUARDIAN = "guardian", _("监护人")

    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    id_number = EncryptedTextField(_("身份证号"), blank=True)
    id_hash = models.CharField(
        _("身份证号摘要"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    address = EncryptedTextField(_("住址"), blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name=_("村(社区)"),
        db_index=False,  # served by beneficiary_region_name_idx, which starts with it
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="beneficiaries",
        verbose_name=_("服务站点"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("家庭"),
    )
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    target_groups = models.ManyToManyField(
        TargetGroup, related_name="beneficiaries", verbose_name=_("服务对象类别")
    )
    responsible_worker = models.ForeignKey(
        "workforce.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="beneficiaries",
        verbose_name=_("负责社工"),
    )
    registered_on = models.DateField(_("建档日期"))
    consent_on = models.DateField(_("知情同意日期"), null=True, blank=True)
    consent_by = models.CharField(_("同意人"), max_length=10, choices=ConsentBy.choices, blank=True)
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("监护人关系"), max_length=20, blank=True)
    health_notes = EncryptedTextField(_("健康与残障情况"), blank=True)
    correction_notes = EncryptedTextField(_("社区矫正/服刑经历"), blank=True)

    class Meta:
        verbose_name = _("服务对象")
        verbose_name_plural = _("服务对象")
        ordering = ["name", "id"]
        permissions = [("unmask_beneficiary", _("查看服务对象完整敏感信息"))]
        # The possible-duplicate check at registration and in the ledger import: the same name and
        # birth date (`services.beneficiaries.close_matches`).
        indexes = [
            models.Index(fields=["name", "birth_date"], name="beneficiary_name_birth_idx"),
            # The list and search of a county officer or a posted worker: the people of their
            # villages (`region_id IN (...)`), read in name order a page at a time, with the name
            # searched for tested in the index before any row is read.
            models.Index(fields=["region", "name", "id"], name="beneficiary_region_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def set_id_number(self, raw: str) -> None:
        number = idnumber.validate(raw, today=clock.today())
        self.id_number = number
        self.id_hash = beneficiary_id_hash(number)
        self.sex = idnumber.sex(number)
        self.birth_date = idnumber.birth_date(number)

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_child_on(self, day: dt.date) -> bool:
        age = self.age_on(day)
        return age is not None and age < CHILD_AGE

    @property
    def id_number_masked(self) -> str:
        return idnumber.mask(self.id_number or "")

    @property
    def phone_masked(self) -> str:
        phone = self.phone or ""
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)

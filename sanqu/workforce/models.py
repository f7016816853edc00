from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.lib import clock, idnumber
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
        number = idnumber.validate(raw, today=clock.today())
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

    class LeaveReason(models.TextChoices):
        CIVIL_SERVICE = "civil_service", _("考取公务员或事业单位")
        OTHER_JOB = "other_job", _("另谋职业")
        STUDY = "study", _("继续深造")
        FAMILY = "family", _("家庭原因")
        HEALTH = "health", _("身体原因")
        PAY = "pay", _("薪酬待遇")
        SENDER = "sender", _("派出单位调整")
        OTHER = "other", _("其他")

    class Assessment(models.TextChoices):
        """The end-of-term grade (考核); every grade but 不合格 is a pass."""

        EXCELLENT = "excellent", _("优秀")
        GOOD = "good", _("良好")
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
    leave_reason = models.CharField(_("离岗原因"), max_length=20, choices=LeaveReason.choices, blank=True)
    leave_note = models.CharField(_("离岗说明"), max_length=200, blank=True)
    assessment = models.CharField(_("考核结果"), max_length=12, choices=Assessment.choices, blank=True)
    assessed_on = models.DateField(_("考核日期"), null=True, blank=True)
    renewal_of = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renewal",
        verbose_name=_("续派自"),
        help_text=_("续派时指向上一期选派"),
    )

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

    @property
    def assessment_passed(self) -> bool | None:
        """Whether the term was assessed as passed (None until assessed)."""
        if not self.assessment:
            return None
        return self.assessment != self.Assessment.FAIL

    @property
    def ended(self) -> bool:
        return self.status != self.Status.SERVING

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
                condition=~models.Q(supervisor=models.F("supervisee")),
                name="supervision_not_self",
                violation_error_message=_("督导和被督导社工不能是同一人。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} → {self.supervisee}"


class Team(models.Model):
    """A service team (服务团队): supervisor + dispatched + local workers + volunteers, at a station."""

    name = models.CharField(_("团队名称"), max_length=100)
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="teams", verbose_name=_("区县")
    )
    station = models.ForeignKey(
        "regions.Station",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("服务站点"),
    )
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("承接机构"),
    )
    formed_on = models.DateField(_("组建日期"))
    disbanded_on = models.DateField(_("解散日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务团队")
        verbose_name_plural = _("服务团队")
        ordering = ["county__code", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="team_unique_name_in_county",
                violation_error_message=_("本区县已有同名团队。"),
            ),
            models.CheckConstraint(
                condition=models.Q(disbanded_on__isnull=True)
                | models.Q(disbanded_on__gte=models.F("formed_on")),
                name="team_disbanded_after_formed",
                violation_error_message=_("解散日期不能早于组建日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A person's place in a team, with the dates they belonged to it."""

    class Role(models.TextChoices):
        SUPERVISOR = "supervisor", _("专业督导")
        DISPATCHED = "dispatched", _("选派社工")
        LOCAL = "local", _("本土社工")
        VOLUNTEER = "volunteer", _("志愿者")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("团队"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="team_memberships", verbose_name=_("成员")
    )
    role = models.CharField(_("团队角色"), max_length=12, choices=Role.choices)
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("离开日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        ordering = ["team", "role", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person", "joined_on"],
                name="team_member_unique_start",
                violation_error_message=_("此人在同一天已加入该团队。"),
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True) | models.Q(left_on__gte=models.F("joined_on")),
                name="team_member_left_after_joined",
                violation_error_message=_("离开日期不能早于加入日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"

    def active_on(self, day: dt.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


class SupervisionSession(models.Model):
    """One supervision session (督导记录): who supervised whom, when, how, and what came of it."""

    class Format(models.TextChoices):
        INDIVIDUAL = "individual", _("个别督导")
        GROUP = "group", _("团体督导")
        ON_SITE = "on_site", _("现场督导")
        REMOTE = "remote", _("远程督导（电话/视频）")

    supervisor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="supervision_sessions_given", verbose_name=_("督导")
    )
    supervisees = models.ManyToManyField(
        Person, related_name="supervision_sessions_received", verbose_name=_("被督导社工")
    )
    county = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="supervision_sessions",
        verbose_name=_("区县"),
    )
    held_on = models.DateField(_("督导日期"))
    format = models.CharField(_("督导形式"), max_length=12, choices=Format.choices)
    duration_hours = models.DecimalField(_("时长(小时)"), max_digits=4, decimal_places=1)
    topics = models.TextField(_("督导主题"))
    notes = models.TextField(_("督导记录"), blank=True)
    cases = models.ManyToManyField(
        "cases.Case", blank=True, related_name="supervision_sessions", verbose_name=_("讨论的个案")
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )

    class Meta:
        verbose_name = _("督导记录")
        verbose_name_plural = _("督导记录")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_hours__gt=0) & models.Q(duration_hours__lte=24),
                name="supervision_session_duration_range",
                violation_error_message=_("督导时长须在 0 到 24 小时之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} · {self.held_on:%Y-%m-%d}"


class SupervisionFollowUp(models.Model):
    """An action agreed in a supervision session, with its owner and due date."""

    session = models.ForeignKey(
        SupervisionSession, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("督导记录")
    )
    action = models.CharField(_("跟进事项"), max_length=200)
    owner = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="supervision_follow_ups", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    outcome = models.CharField(_("完成情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("督导跟进事项")
        verbose_name_plural = _("督导跟进事项")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.action

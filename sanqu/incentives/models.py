"""Incentive policies and claims (激励政策/申领), and the exam records behind certificates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from sanqu.incentives import exams
from sanqu.lib.files import PrivateStorage, private_storage, random_name
from sanqu.workforce.models import Certificate


class IncentivePolicy(models.Model):
    """A county's talent-incentive policy (激励政策) for certified social workers.

    Its eligibility rule: the certificate levels it covers (a `PolicyRate` each, with the amount
    for that level where it differs from the policy's standard), and whether the certificate must
    have been obtained while the policy was in force.
    """

    class Kind(models.TextChoices):
        TITLE_SUBSIDY = "title_subsidy", _("职称补贴")
        ONE_OFF_AWARD = "one_off_award", _("一次性奖励")
        EXAM_FEE = "exam_fee", _("考试费用报销")

    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="incentive_policies", verbose_name=_("区县")
    )
    name = models.CharField(_("政策名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("失效日期"), null=True, blank=True)
    amount = models.DecimalField(_("标准(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    certificate_in_force = models.BooleanField(
        _("证书须在政策有效期内取得"),
        default=False,
        help_text=_("勾选后，只有在政策生效期间取得的证书可以申领"),
    )

    class Meta:
        verbose_name = _("激励政策")
        verbose_name_plural = _("激励政策")
        ordering = ["county__code", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name", "kind"], name="incentive_unique_policy"),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="incentive_until_after_from",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    @property
    def amount_is_cap(self) -> bool:
        """An exam-fee policy reimburses the receipt up to its standard; the others pay the standard."""
        return self.kind == self.Kind.EXAM_FEE


class PolicyRate(models.Model):
    """A certificate level a policy covers, with its amount (empty: the policy's standard)."""

    policy = models.ForeignKey(
        IncentivePolicy, on_delete=models.CASCADE, related_name="rates", verbose_name=_("激励政策")
    )
    level = models.CharField(_("证书等级"), max_length=12, choices=Certificate.Level.choices)
    amount = models.DecimalField(_("该等级标准(元)"), max_digits=10, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("适用等级")
        verbose_name_plural = _("适用等级")
        ordering = ["policy", "level"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="policy_rate_unique_level"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="policy_rate_amount_positive",
                violation_error_message=_("标准金额须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_level_display()}"

    @property
    def effective_amount(self) -> Decimal | None:
        return self.amount if self.amount is not None else self.policy.amount


class ExamAttempt(models.Model):
    """One subject of the national vocational exam sat in one exam year, and its result."""

    class Subject(models.TextChoices):
        ASSISTANT_ABILITY = exams.Subject.ASSISTANT_ABILITY, _("社会工作综合能力（初级）")
        ASSISTANT_PRACTICE = exams.Subject.ASSISTANT_PRACTICE, _("社会工作实务（初级）")
        INTERMEDIATE_ABILITY = exams.Subject.INTERMEDIATE_ABILITY, _("社会工作综合能力（中级）")
        INTERMEDIATE_PRACTICE = exams.Subject.INTERMEDIATE_PRACTICE, _("社会工作实务（中级）")
        INTERMEDIATE_LAW = exams.Subject.INTERMEDIATE_LAW, _("社会工作法规与政策（中级）")
        SENIOR_PRACTICE = exams.Subject.SENIOR_PRACTICE, _("高级社会工作实务")
        SENIOR_REVIEW = exams.Subject.SENIOR_REVIEW, _("高级社会工作师评审")

    person = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="exam_attempts", verbose_name=_("考生")
    )
    county = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="exam_attempts",
        verbose_name=_("报考时所在区县"),
    )
    year = models.PositiveSmallIntegerField(_("考试年度"))
    level = models.CharField(_("级别"), max_length=12, choices=Certificate.Level.choices)
    subject = models.CharField(_("科目"), max_length=24, choices=Subject.choices)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("是否合格"))
    recorded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("考试成绩")
        verbose_name_plural = _("考试成绩")
        ordering = ["person", "year", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "subject"],
                name="exam_attempt_once_a_year",
                violation_error_message=_("同一考生同一年度的同一科目只能有一条成绩。"),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    *[
                        models.Q(level=level.value, subject__in=[s.value for s in subjects])
                        for level, subjects in exams.SUBJECTS.items()
                    ],
                    _connector=models.Q.OR,
                ),
                name="exam_attempt_subject_of_level",
                violation_error_message=_("科目与级别不符。"),
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
                name="exam_attempt_score_range",
                violation_error_message=_("成绩须在 0 到 100 分之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.year} {self.get_subject_display()}"

    def as_attempt(self) -> exams.Attempt:
        return exams.Attempt(year=self.year, subject=self.subject, passed=self.passed)


class IncentiveClaim(models.Model):
    """A person's claim under a policy, on a certificate, with its evidence, decision and payment."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")
        PAID = "paid", _("已发放")

    person = models.ForeignKey(
        "workforce.Person",
        on_delete=models.PROTECT,
        related_name="incentive_claims",
        verbose_name=_("申领人"),
    )
    policy = models.ForeignKey(
        IncentivePolicy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("激励政策")
    )
    # The policy's kind, kept on the claim so the database holds "one claim per certificate and kind".
    kind = models.CharField(_("类别"), max_length=20, choices=IncentivePolicy.Kind.choices, editable=False)
    certificate = models.ForeignKey(
        Certificate, on_delete=models.PROTECT, related_name="incentive_claims", verbose_name=_("证书")
    )
    exam_attempts = models.ManyToManyField(
        ExamAttempt, blank=True, related_name="incentive_claims", verbose_name=_("报销的考试科目")
    )
    amount = models.DecimalField(_("申领金额(元)"), max_digits=10, decimal_places=2)
    claimed_on = models.DateField(_("申领日期"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    filed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("填报人")
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_on = models.DateField(_("审核日期"), null=True, blank=True)
    reason = models.TextField(_("审核意见"), blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    payment_reference = models.CharField(_("支付凭证号"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("激励申领")
        verbose_name_plural = _("激励申领")
        ordering = ["-claimed_on", "-id"]
        permissions = [
            ("decide_incentiveclaim", _("审核激励申领")),
            ("pay_incentiveclaim", _("登记激励发放")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate", "kind"],
                condition=~models.Q(status="refused"),
                name="incentive_claim_once_per_certificate_and_kind",
                violation_error_message=_("同一证书在同类政策下只能申领一次。"),
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="incentive_claim_amount_positive",
                violation_error_message=_("申领金额须大于 0。"),
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted") | models.Q(decided_on__isnull=False),
                name="incentive_claim_decided_has_date",
                violation_error_message=_("已审核的申领须填写审核日期。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(reason=""),
                name="incentive_claim_refusal_has_reason",
                violation_error_message=_("未批准的申领须填写审核意见。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="incentive_claim_paid_has_date",
                violation_error_message=_("已发放的申领须填写发放日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.policy}"

    @property
    def waiting(self) -> bool:
        return self.status == self.Status.SUBMITTED


def _evidence_path(instance: ClaimEvidence, filename: str) -> str:
    """A path that names nothing about the person: claims/<claim>/<random><suffix>."""
    return random_name(f"claims/{instance.claim_id}", filename)


def evidence_storage() -> PrivateStorage:
    return private_storage()


class ClaimEvidence(models.Model):
    """A file that supports a claim: the receipt, the certificate scan."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("缴费收据/发票")
        CERTIFICATE_SCAN = "certificate_scan", _("证书扫描件")
        OTHER = "other", _("其他材料")

    claim = models.ForeignKey(
        IncentiveClaim, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("激励申领")
    )
    kind = models.CharField(_("材料类别"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), storage=evidence_storage, upload_to=_evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申领材料")
        verbose_name_plural = _("申领材料")
        ordering = ["claim", "kind", "id"]

    def __str__(self) -> str:
        return self.original_name

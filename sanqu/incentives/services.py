"""Writes with rules: exam results, a policy's eligibility rule, and claims from filing to payment.

Every function is keyword-only, takes the acting user, checks permission and scope, validates with
a Chinese message naming the field and the rule, writes in one transaction and leaves an audit
entry. A refusal leaves nothing behind: no claim row, no evidence file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.scoping import scope_of
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.incentives import exams
from sanqu.incentives.models import (
    ClaimEvidence,
    ExamAttempt,
    IncentiveClaim,
    IncentivePolicy,
    PolicyRate,
)
from sanqu.incentives.selectors import (
    claims_for,
    decidable_claims,
    exam_people_for,
    own_person_ids,
    policies_for,
    writable_exam_attempts,
    writable_policies,
)
from sanqu.lib import clock
from sanqu.lib.files import sniff_upload
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, Person

FILE_CLAIM = "incentives.add_incentiveclaim"
DECIDE_CLAIM = "incentives.decide_incentiveclaim"
PAY_CLAIM = "incentives.pay_incentiveclaim"


def _day(day: dt.date | None) -> str:
    return date_format(day, "Y-m-d") if day else _("长期有效")


# Exam results.


def exam_attempt_record(
    *,
    actor: User,
    person: Person,
    county: Region,
    year: int,
    subject: str,
    passed: bool,
    score: Decimal | None = None,
    request: HttpRequest | None = None,
) -> ExamAttempt:
    """One subject's result in one exam year (the county officer for its county; the city office)."""
    require_perm(actor, "incentives.add_examattempt")
    if not exam_people_for(actor).filter(pk=person.pk).exists():
        raise PermissionDenied
    if county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("须为区县级行政区划。")})
    level = exams.LEVEL_OF[exams.Subject(subject)]
    today = clock.today()
    if not exams.year_allowed(level, year, today=today):
        first = exams.first_exam_year(level)
        if level == exams.Level.SENIOR:
            rule = _("高级社会工作师考试与评审自 %(first)s 年起举行") % {"first": first}
        else:
            rule = _("全国社会工作者职业水平考试自 %(first)s 年起举行") % {"first": first}
        raise ValidationError(
            {
                "year": _(
                    "考试年度 %(year)s 不在考试举行的年度内：%(rule)s，且不能晚于当前工作年度 %(today)s 年。"
                )
                % {"year": year, "rule": rule, "today": today.year}
            }
        )
    if subject in exams.SCORED:
        if score is None:
            raise ValidationError({"score": _("考试科目须填写成绩。")})
        if passed != (score >= exams.PASS_MARK):
            raise ValidationError(
                {
                    "passed": _("成绩 %(score)s 分与“是否合格”不符：%(mark)s 分及以上为合格。")
                    % {"score": score, "mark": exams.PASS_MARK}
                }
            )
    elif score is not None:
        raise ValidationError({"score": _("评审没有分数，只记录是否通过。")})
    if ExamAttempt.objects.filter(person=person, year=year, subject=subject).exists():
        raise ValidationError(
            {
                "subject": _("%(person)s %(year)s 年度的该科目已有成绩：同一科目每年只考一次。")
                % {"person": person.name, "year": year}
            }
        )
    attempt = ExamAttempt(
        person=person,
        county=county,
        year=year,
        level=level.value,
        subject=subject,
        score=score,
        passed=passed,
        recorded_by=actor,
    )
    return audited_save(
        actor=actor,
        instance=attempt,
        perm="incentives.add_examattempt",
        writable=writable_exam_attempts(actor),
        request=request,
    )


# A policy's eligibility rule.


@transaction.atomic
def policy_set_eligibility(
    *,
    actor: User,
    policy: IncentivePolicy,
    certificate_in_force: bool,
    rates: Mapping[str, Decimal | None],
    request: HttpRequest | None = None,
) -> IncentivePolicy:
    """The levels the policy covers (level → its amount, or None for the policy's standard)."""
    require_perm(actor, "incentives.change_incentivepolicy")
    if not policies_for(actor).filter(pk=policy.pk).exists():
        raise Http404
    if not writable_policies(actor).filter(pk=policy.pk).exists():
        raise PermissionDenied
    levels = dict(Certificate.Level.choices)
    for level, amount in rates.items():
        if level not in levels:
            raise ValidationError(_("未知的证书等级：%(level)s。") % {"level": level})
        if amount is not None and amount <= 0:
            raise ValidationError({f"amount_{level}": _("金额须大于 0。")})
        if amount is None and policy.amount is None:
            raise ValidationError(
                {
                    f"amount_{level}": _("%(level)s：政策未设定统一标准，须填写该等级的金额。")
                    % {"level": levels[level]}
                }
            )
    before = {
        "certificate_in_force": policy.certificate_in_force,
        "rates": {rate.level: rate.amount for rate in policy.rates.all()},
    }
    policy.certificate_in_force = certificate_in_force
    audited_save(
        actor=actor,
        instance=policy,
        perm="incentives.change_incentivepolicy",
        writable=writable_policies(actor),
        before=snapshot(IncentivePolicy.objects.get(pk=policy.pk)),
        request=request,
    )
    policy.rates.exclude(level__in=list(rates)).delete()
    for level, amount in rates.items():
        PolicyRate.objects.update_or_create(policy=policy, level=level, defaults={"amount": amount})
    after = {"certificate_in_force": certificate_in_force, "rates": dict(rates)}
    if after != before:
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            obj=policy,
            detail={"changed": ["eligibility"]},
            request=request,
        )
    return policy


# Claims.


@dataclass(frozen=True)
class Evidence:
    kind: str
    file: UploadedFile


def _check_evidence(item: Evidence) -> str:
    """The file's content type, from its first bytes; a refusal names the file and the rule."""
    return sniff_upload(item.file, field="evidence")


def _check_filer(actor: User, person: Person, policy: IncentivePolicy) -> None:
    """The social worker files for herself; the county officer of the policy's county for anyone."""
    require_perm(actor, FILE_CLAIM)
    if not policies_for(actor).filter(pk=policy.pk).exists():
        raise Http404
    scope = scope_of(actor)
    officer_paths = scope.paths_by_role.get("county_officer", ())
    officer = scope.superuser or any(policy.county.path.startswith(path) for path in officer_paths)
    if not officer and person.pk not in own_person_ids(actor):
        raise PermissionDenied


def check_eligibility(
    *,
    person: Person,
    policy: IncentivePolicy,
    certificate: Certificate,
    claimed_on: dt.date,
    exam_attempts: Sequence[ExamAttempt] = (),
) -> PolicyRate:
    """The policy's rate for the certificate, or a ValidationError naming the rule that refuses it."""
    if certificate.person_id != person.pk:
        raise ValidationError({"certificate": _("该证书不是申领人本人的：只能凭本人的证书申领。")})
    if person.county_id != policy.county_id:
        raise ValidationError(
            {
                "person": _("%(person)s 不属于%(county)s：只有政策所在区县的人员可以申领。")
                % {"person": person.name, "county": policy.county.name}
            }
        )
    if claimed_on > clock.today():
        raise ValidationError({"claimed_on": _("申领日期不能晚于今天。")})
    window = {"from": _day(policy.effective_from), "until": _day(policy.effective_until)}
    if not policy.in_force_on(claimed_on):
        raise ValidationError(
            {
                "claimed_on": _(
                    "申领日期 %(day)s 不在政策有效期内（%(from)s 至 %(until)s）：只能在政策有效期内申领。"
                )
                % {"day": _day(claimed_on), **window}
            }
        )
    if certificate.obtained_on > claimed_on:
        raise ValidationError({"certificate": _("证书取得日期晚于申领日期。")})
    if policy.certificate_in_force and not policy.in_force_on(certificate.obtained_on):
        raise ValidationError(
            {
                "certificate": _(
                    "证书取得日期 %(day)s 不在政策有效期内（%(from)s 至 %(until)s）："
                    "本政策只适用于有效期内取得的证书。"
                )
                % {"day": _day(certificate.obtained_on), **window}
            }
        )
    rate = policy.rates.filter(level=certificate.level).first()
    if rate is None:
        covered = [
            str(label) for level, label in Certificate.Level.choices if policy.rates.filter(level=level)
        ]
        raise ValidationError(
            {
                "certificate": _("本政策不适用于%(level)s证书（适用等级：%(levels)s）。")
                % {"level": certificate.get_level_display(), "levels": "、".join(covered) or _("尚未设定")}
            }
        )
    earlier = (
        IncentiveClaim.objects.filter(certificate=certificate, kind=policy.kind)
        .exclude(status=IncentiveClaim.Status.REFUSED)
        .select_related("policy")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {
                "certificate": _(
                    "该证书已按“%(kind)s”申领过（%(policy)s，%(status)s）：同一证书在同类政策下只能申领一次。"
                )
                % {
                    "kind": policy.get_kind_display(),
                    "policy": earlier.policy.name,
                    "status": earlier.get_status_display(),
                }
            }
        )
    if policy.kind == IncentivePolicy.Kind.EXAM_FEE:
        if not exam_attempts:
            raise ValidationError({"exam_attempts": _("考试费用报销须选择所报销的考试科目。")})
        for attempt in exam_attempts:
            if attempt.person_id != person.pk or attempt.level != certificate.level:
                raise ValidationError(
                    {"exam_attempts": _("所选考试科目须是申领人本人、与证书同一级别的考试。")}
                )
    return rate


@transaction.atomic
def claim_file(
    *,
    actor: User,
    person: Person,
    policy: IncentivePolicy,
    certificate: Certificate,
    claimed_on: dt.date,
    amount: Decimal | None = None,
    exam_attempts: Sequence[ExamAttempt] = (),
    evidence: Iterable[Evidence] = (),
    request: HttpRequest | None = None,
) -> IncentiveClaim:
    """File a claim, checked against the policy's rule; a refusal saves nothing (not even a file).

    The amount of a title subsidy or one-off award is the policy's amount for the level; an exam-fee
    claim asks for the receipt's amount, reimbursed up to the policy's standard.
    """
    _check_filer(actor, person, policy)
    rate = check_eligibility(
        person=person,
        policy=policy,
        certificate=certificate,
        claimed_on=claimed_on,
        exam_attempts=exam_attempts,
    )
    standard = rate.effective_amount
    if standard is None:
        raise ValidationError(
            {"policy": _("该政策尚未设定%(level)s的标准金额。") % {"level": rate.get_level_display()}}
        )
    items = list(evidence)
    checked = [(item, _check_evidence(item)) for item in items]
    kinds = {item.kind for item in items}
    if policy.amount_is_cap:
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("考试费用报销须填写收据上的金额。")})
        if amount > standard:
            raise ValidationError(
                {
                    "amount": _("报销金额 %(amount)s 元超过政策标准 %(standard)s 元。")
                    % {"amount": f"{amount:.2f}", "standard": f"{standard:.2f}"}
                }
            )
        if ClaimEvidence.Kind.RECEIPT not in kinds:
            raise ValidationError({"evidence": _("考试费用报销须上传缴费收据或发票。")})
    else:
        amount = standard
    if ClaimEvidence.Kind.CERTIFICATE_SCAN not in kinds:
        raise ValidationError({"evidence": _("须上传证书扫描件。")})
    claim = IncentiveClaim(
        person=person,
        policy=policy,
        kind=policy.kind,
        certificate=certificate,
        amount=amount,
        claimed_on=claimed_on,
        filed_by=actor,
    )
    try:
        with transaction.atomic():
            audited_save(
                actor=actor,
                instance=claim,
                perm=FILE_CLAIM,
                writable=claims_for(actor),
                request=request,
                validate_unique=True,
            )
    except IntegrityError:  # a second claim filed at the same moment
        raise ValidationError({"certificate": _("同一证书在同类政策下只能申领一次。")}) from None
    if exam_attempts:
        claim.exam_attempts.set(exam_attempts)
    stored: list[ClaimEvidence] = []
    try:
        for item, content_type in checked:
            record = ClaimEvidence(
                claim=claim,
                kind=item.kind,
                original_name=(item.file.name or "")[-200:],
                content_type=content_type,
                size=item.file.size or 0,
                uploaded_by=actor,
            )
            record.file.save(item.file.name or "evidence", item.file, save=False)
            stored.append(record)
            record.save()
    except BaseException:
        for record in stored:  # the transaction rolls the rows back; the files go too
            record.file.delete(save=False)
        raise
    return claim


def _claim_for_change(actor: User, claim: IncentiveClaim, perm: str) -> None:
    if not claims_for(actor).filter(pk=claim.pk).exists():
        raise Http404
    require_perm(actor, perm)
    if not decidable_claims(actor).filter(pk=claim.pk).exists():
        raise PermissionDenied


@transaction.atomic
def claim_decide(
    *,
    actor: User,
    claim: IncentiveClaim,
    approve: bool,
    reason: str = "",
    request: HttpRequest | None = None,
) -> IncentiveClaim:
    """Approve or refuse a waiting claim (a refusal says why); by the officer of the policy's county."""
    _claim_for_change(actor, claim, DECIDE_CLAIM)
    claim = IncentiveClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != IncentiveClaim.Status.SUBMITTED:
        raise ValidationError(
            _("该申领已审核（%(status)s），不能再次审核。") % {"status": claim.get_status_display()}
        )
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("不批准时须填写理由。")})
    before = snapshot(claim)
    claim.status = IncentiveClaim.Status.APPROVED if approve else IncentiveClaim.Status.REFUSED
    claim.reason = reason
    claim.decided_by = actor
    claim.decided_on = clock.today()
    return audited_save(
        actor=actor,
        instance=claim,
        perm=DECIDE_CLAIM,
        writable=decidable_claims(actor),
        before=before,
        request=request,
    )


@transaction.atomic
def claim_record_payment(
    *,
    actor: User,
    claim: IncentiveClaim,
    paid_on: dt.date,
    reference: str,
    request: HttpRequest | None = None,
) -> IncentiveClaim:
    """Record that an approved claim was paid, with the payment's reference."""
    _claim_for_change(actor, claim, PAY_CLAIM)
    claim = IncentiveClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != IncentiveClaim.Status.APPROVED:
        raise ValidationError(_("只有已批准、尚未发放的申领可以登记发放。"))
    reference = reference.strip()
    if not reference:
        raise ValidationError({"payment_reference": _("须填写支付凭证号。")})
    if paid_on > clock.today():
        raise ValidationError({"paid_on": _("发放日期不能晚于今天。")})
    if claim.decided_on and paid_on < claim.decided_on:
        raise ValidationError(
            {"paid_on": _("发放日期不能早于批准日期 %(day)s。") % {"day": _day(claim.decided_on)}}
        )
    before = snapshot(claim)
    claim.status = IncentiveClaim.Status.PAID
    claim.paid_on = paid_on
    claim.payment_reference = reference
    return audited_save(
        actor=actor,
        instance=claim,
        perm=PAY_CLAIM,
        writable=decidable_claims(actor),
        before=before,
        request=request,
    )


def evidence_open(
    *, actor: User, claim: IncentiveClaim, evidence_id: int, request: HttpRequest | None = None
) -> ClaimEvidence:
    """An evidence file of a claim the actor sees (404 otherwise).

    The read is audited: a certificate scan shows the holder's ID number.
    """
    if not claims_for(actor).filter(pk=claim.pk).exists():
        raise Http404
    try:
        record = ClaimEvidence.objects.get(pk=evidence_id, claim=claim)
    except (ClaimEvidence.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UNMASK,
        obj=claim,
        detail={"evidence": record.pk, "kind": record.kind},
        request=request,
    )
    return record


# Ledger import (issue 7).

POLICY_EDITABLE = ("county", "name", "kind", "effective_from", "effective_until", "amount")


def _check_policy(policy: IncentivePolicy) -> None:
    """A county's policy, its window in order, a positive standard, one policy of a name and kind."""
    if policy.county_id is not None and policy.county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("区县须为区县级行政区划。")})
    if policy.effective_until is not None and policy.effective_until < policy.effective_from:
        raise ValidationError({"effective_until": _("失效日期不能早于生效日期。")})
    if policy.amount is not None and policy.amount <= 0:
        raise ValidationError({"amount": _("标准(元)须大于 0。")})
    same = IncentivePolicy.objects.filter(county_id=policy.county_id, name=policy.name, kind=policy.kind)
    if same.exclude(pk=policy.pk).exists():
        raise ValidationError(
            {"name": _("%(county)s已有同名、同类别的激励政策。") % {"county": policy.county.name}},
            code="duplicate",
        )
    if policy.pk is not None and policy.amount is None and policy.rates.filter(amount__isnull=True).exists():
        raise ValidationError(
            {"amount": _("该政策有适用等级按统一标准计发，不能清空标准(元)；请先为这些等级填写金额。")}
        )


def policy_create(
    *,
    actor: User,
    county: Region,
    name: str,
    kind: str,
    effective_from: dt.date,
    effective_until: dt.date | None = None,
    amount: Decimal | None = None,
    request: HttpRequest | None = None,
) -> IncentivePolicy:
    """A county's incentive policy (its eligibility rule is set apart: `policy_set_eligibility`)."""
    require_perm(actor, "incentives.add_incentivepolicy")
    policy = IncentivePolicy(
        county=county,
        name=name.strip(),
        kind=kind,
        effective_from=effective_from,
        effective_until=effective_until,
        amount=amount,
    )
    _check_policy(policy)
    return audited_save(
        actor=actor,
        instance=policy,
        perm="incentives.add_incentivepolicy",
        writable=writable_policies(actor),
        request=request,
    )


def policy_update(
    *,
    actor: User,
    policy: IncentivePolicy,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> IncentivePolicy:
    """Change a policy's county, name, kind, window or standard (404 out of sight, 403 read-only)."""
    if not policies_for(actor).filter(pk=policy.pk).exists():
        raise Http404
    require_perm(actor, "incentives.change_incentivepolicy")
    policy = IncentivePolicy.objects.select_related("county").get(pk=policy.pk)
    before = snapshot(policy)
    apply(policy, data, editable=POLICY_EDITABLE)
    policy.name = policy.name.strip()
    _check_policy(policy)
    return audited_save(
        actor=actor,
        instance=policy,
        perm="incentives.change_incentivepolicy",
        writable=writable_policies(actor),
        before=before,
        request=request,
    )

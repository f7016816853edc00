"""Claims: who files them, each refusal with its rule, nothing half-saved, decision and payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.incentives.models import ClaimEvidence, IncentiveClaim, IncentivePolicy
from sanqu.incentives.services import claim_decide, claim_file, claim_record_payment
from sanqu.incentives.tests.factories import PDF, make_attempt, make_certificate, make_policy, receipt, scan
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate

Kind = IncentivePolicy.Kind
Level = Certificate.Level
DAY = dt.date(2018, 6, 1)


def file(world: World, *, actor: str = "chengkou", **kwargs):
    defaults = {"person": world.worker_person, "claimed_on": DAY, "evidence": [scan()]}
    return claim_file(actor=world[actor], **{**defaults, **kwargs})


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(error.value.message_dict[field])


def private_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def award(world: World) -> IncentivePolicy:
    return make_policy(
        world.chengkou,
        rates={Level.ASSISTANT: Decimal(1000), Level.INTERMEDIATE: Decimal(2000)},
    )


def test_it_lets_the_worker_claim_for_herself_at_the_levels_amount(
    world: World, award, working_day_and_files
) -> None:
    certificate = make_certificate(world.worker_person, level=Level.INTERMEDIATE)
    claim = file(world, actor="worker", policy=award, certificate=certificate)
    assert claim.status == IncentiveClaim.Status.SUBMITTED
    assert claim.amount == Decimal(2000) and claim.kind == Kind.ONE_OFF_AWARD
    assert claim.filed_by == world["worker"]
    evidence = claim.evidence.get()
    assert evidence.kind == ClaimEvidence.Kind.CERTIFICATE_SCAN and evidence.content_type == "application/pdf"
    stored = private_files(working_day_and_files)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF
    assert "李晓梅" not in str(stored[0]) and "证书" not in str(stored[0])
    assert AuditEntry.objects.filter(
        object_type="incentives.incentiveclaim", object_id=str(claim.pk)
    ).exists()


def test_it_lets_the_county_officer_claim_on_someones_behalf(world: World, award) -> None:
    claim = file(world, policy=award, certificate=make_certificate(world.worker_person))
    assert claim.filed_by == world["chengkou"] and claim.amount == Decimal(1000)


def test_it_stops_a_worker_claiming_for_someone_else(world: World, award) -> None:
    colleague = make_person("张敏", world.chengkou)
    with pytest.raises(PermissionDenied):
        file(world, actor="worker", person=colleague, policy=award, certificate=make_certificate(colleague))


def test_it_hides_a_policy_of_another_county(world: World, award) -> None:
    with pytest.raises(Http404):
        file(world, actor="wanzhou", policy=award, certificate=make_certificate(world.worker_person))


def test_it_refuses_a_claim_outside_the_policys_dates(world: World) -> None:
    lapsed = make_policy(
        world.chengkou, effective_from=dt.date(2014, 1, 1), effective_until=dt.date(2016, 12, 31)
    )
    with pytest.raises(ValidationError) as error:
        file(world, policy=lapsed, certificate=make_certificate(world.worker_person))
    assert refusal(error, "claimed_on") == (
        "申领日期 2018-06-01 不在政策有效期内（2014-01-01 至 2016-12-31）：只能在政策有效期内申领。"
    )
    not_yet = make_policy(world.chengkou, name="新政策", effective_from=dt.date(2018, 7, 1))
    with pytest.raises(ValidationError) as error:
        file(world, policy=not_yet, certificate=Certificate.objects.get())
    assert "长期有效" in refusal(error, "claimed_on")


def test_it_refuses_a_certificate_obtained_before_the_policy_when_the_rule_says_so(world: World) -> None:
    policy = make_policy(world.chengkou, effective_from=dt.date(2018, 1, 1), certificate_in_force=True)
    certificate = make_certificate(world.worker_person, obtained_on=dt.date(2017, 11, 20))
    with pytest.raises(ValidationError) as error:
        file(world, policy=policy, certificate=certificate)
    assert refusal(error, "certificate") == (
        "证书取得日期 2017-11-20 不在政策有效期内（2018-01-01 至 长期有效）："
        "本政策只适用于有效期内取得的证书。"
    )
    policy.certificate_in_force = False
    policy.save()
    assert file(world, policy=policy, certificate=certificate).pk


def test_it_refuses_a_second_claim_for_the_same_certificate_and_kind(world: World, award) -> None:
    certificate = make_certificate(world.worker_person)
    first = file(world, policy=award, certificate=certificate)
    other = make_policy(world.chengkou, name="城口县另一项一次性奖励")
    with pytest.raises(ValidationError) as error:
        file(world, policy=other, certificate=certificate)
    assert refusal(error, "certificate") == (
        f"该证书已按“一次性奖励”申领过（{award.name}，待审核）：同一证书在同类政策下只能申领一次。"
    )
    # A refused claim does not count: the certificate can be claimed again.
    claim_decide(actor=world["chengkou"], claim=first, approve=False, reason="材料不清晰")
    assert file(world, policy=other, certificate=certificate).pk


def test_it_refuses_a_level_the_policy_does_not_cover(world: World) -> None:
    policy = make_policy(world.chengkou, rates={Level.INTERMEDIATE: None})
    with pytest.raises(ValidationError) as error:
        file(world, policy=policy, certificate=make_certificate(world.worker_person))
    assert refusal(error, "certificate") == "本政策不适用于助理社会工作师证书（适用等级：社会工作师）。"


def test_it_refuses_someone_elses_certificate(world: World, award) -> None:
    colleague = make_person("张敏", world.chengkou)
    with pytest.raises(ValidationError) as error:
        file(world, policy=award, certificate=make_certificate(colleague))
    assert refusal(error, "certificate") == "该证书不是申领人本人的：只能凭本人的证书申领。"


def test_it_leaves_filing_to_the_worker_and_the_county_officer(world: World, award) -> None:
    certificate = make_certificate(world.worker_person)
    for persona in ("city", "leader", "yangguang", "mentor"):
        with pytest.raises((PermissionDenied, Http404)):
            file(world, actor=persona, policy=award, certificate=certificate)
    assert not IncentiveClaim.objects.exists()


def test_it_refuses_a_person_of_another_county_even_for_the_officer(world: World, award) -> None:
    outsider = make_person("陈刚", world.wanzhou, address="500101")
    with pytest.raises(ValidationError) as error:
        file(world, person=outsider, policy=award, certificate=make_certificate(outsider))
    assert refusal(error, "person") == "陈刚 不属于城口县：只有政策所在区县的人员可以申领。"


# Exam-fee reimbursement: the attempts, the receipt, up to the standard.


@pytest.fixture
def exam_fee(world: World) -> IncentivePolicy:
    return make_policy(world.chengkou, kind=Kind.EXAM_FEE, amount=Decimal(300), rates={Level.ASSISTANT: None})


def test_it_reimburses_the_receipt_up_to_the_standard(world: World, exam_fee) -> None:
    certificate = make_certificate(world.worker_person)
    attempts = [
        make_attempt(world.worker_person, year=2017, subject="assistant_ability"),
        make_attempt(world.worker_person, year=2017, subject="assistant_practice"),
    ]
    with pytest.raises(ValidationError) as error:
        file(
            world,
            policy=exam_fee,
            certificate=certificate,
            exam_attempts=attempts,
            amount=Decimal("320"),
            evidence=[scan(), receipt()],
        )
    assert refusal(error, "amount") == "报销金额 320.00 元超过政策标准 300.00 元。"
    with pytest.raises(ValidationError) as error:
        file(world, policy=exam_fee, certificate=certificate, exam_attempts=attempts, amount=Decimal("176"))
    assert refusal(error, "evidence") == "考试费用报销须上传缴费收据或发票。"
    with pytest.raises(ValidationError) as error:
        file(
            world,
            policy=exam_fee,
            certificate=certificate,
            amount=Decimal("176"),
            evidence=[scan(), receipt()],
        )
    assert refusal(error, "exam_attempts") == "考试费用报销须选择所报销的考试科目。"
    claim = file(
        world,
        policy=exam_fee,
        certificate=certificate,
        exam_attempts=attempts,
        amount=Decimal("176"),
        evidence=[scan(), receipt()],
    )
    assert claim.amount == Decimal("176") and set(claim.exam_attempts.all()) == set(attempts)
    assert sorted(claim.evidence.values_list("kind", flat=True)) == ["certificate_scan", "receipt"]


def test_it_refuses_someone_elses_exam_attempts(world: World, exam_fee) -> None:
    colleague = make_person("张敏", world.chengkou)
    theirs = make_attempt(colleague, year=2017, subject="assistant_ability")
    with pytest.raises(ValidationError) as error:
        file(
            world,
            policy=exam_fee,
            certificate=make_certificate(world.worker_person),
            exam_attempts=[theirs],
            amount=Decimal(100),
            evidence=[scan(), receipt()],
        )
    assert refusal(error, "exam_attempts") == "所选考试科目须是申领人本人、与证书同一级别的考试。"


# Nothing half-saved.


def test_it_refuses_a_file_that_is_not_a_pdf_or_photo_and_keeps_nothing(
    world: World, award, working_day_and_files
) -> None:
    with pytest.raises(ValidationError) as error:
        file(
            world,
            policy=award,
            certificate=make_certificate(world.worker_person),
            evidence=[scan(), receipt("收据.png", b"<html><script>alert(1)</script>")],
        )
    assert refusal(error, "evidence") == "文件“收据.png”的格式不受支持：只接受 PDF、JPEG 或 PNG。"
    assert not IncentiveClaim.objects.exists() and not ClaimEvidence.objects.exists()
    assert private_files(working_day_and_files) == []


def test_it_removes_stored_files_when_saving_fails_midway(
    world: World, award, working_day_and_files, monkeypatch
) -> None:
    from sanqu.incentives import models

    calls = {"n": 0}
    original = models.ClaimEvidence.save

    def failing_save(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(models.ClaimEvidence, "save", failing_save)
    exam_fee = make_policy(world.chengkou, kind=Kind.EXAM_FEE, amount=Decimal(300))
    attempt = make_attempt(world.worker_person, year=2017, subject="assistant_ability")
    with pytest.raises(RuntimeError):
        file(
            world,
            policy=exam_fee,
            certificate=make_certificate(world.worker_person),
            exam_attempts=[attempt],
            amount=Decimal(100),
            evidence=[scan(), receipt()],
        )
    assert not IncentiveClaim.objects.exists() and not ClaimEvidence.objects.exists()
    assert private_files(working_day_and_files) == []


# Decision and payment.


def test_it_lets_the_officer_approve_then_record_the_payment(world: World, award) -> None:
    claim = file(world, actor="worker", policy=award, certificate=make_certificate(world.worker_person))
    with pytest.raises(ValidationError) as error:
        claim_record_payment(actor=world["chengkou"], claim=claim, paid_on=DAY, reference="ZF001")
    assert error.value.messages == ["只有已批准、尚未发放的申领可以登记发放。"]
    claim = claim_decide(actor=world["chengkou"], claim=claim, approve=True)
    assert (claim.status, claim.decided_by, claim.decided_on) == (
        "approved",
        world["chengkou"],
        dt.date(2018, 7, 10),
    )
    with pytest.raises(ValidationError) as error:
        claim_decide(actor=world["chengkou"], claim=claim, approve=False, reason="重复")
    assert error.value.messages == ["该申领已审核（已批准），不能再次审核。"]
    with pytest.raises(ValidationError) as error:
        claim_record_payment(
            actor=world["chengkou"], claim=claim, paid_on=dt.date(2018, 7, 1), reference="ZF001"
        )
    assert refusal(error, "paid_on") == "发放日期不能早于批准日期 2018-07-10。"
    with pytest.raises(ValidationError) as error:
        claim_record_payment(
            actor=world["chengkou"], claim=claim, paid_on=dt.date(2018, 7, 10), reference="  "
        )
    assert refusal(error, "payment_reference") == "须填写支付凭证号。"
    claim = claim_record_payment(
        actor=world["chengkou"], claim=claim, paid_on=dt.date(2018, 7, 10), reference="ZF001"
    )
    assert (claim.status, claim.paid_on, claim.payment_reference) == ("paid", dt.date(2018, 7, 10), "ZF001")


def test_it_requires_a_reason_to_refuse(world: World, award) -> None:
    claim = file(world, policy=award, certificate=make_certificate(world.worker_person))
    with pytest.raises(ValidationError) as error:
        claim_decide(actor=world["chengkou"], claim=claim, approve=False, reason="   ")
    assert refusal(error, "reason") == "不批准时须填写理由。"
    claim.refresh_from_db()
    assert claim.status == "submitted" and claim.decided_on is None


def test_it_leaves_the_decision_to_the_policys_county_officer(world: World, award) -> None:
    claim = file(world, policy=award, certificate=make_certificate(world.worker_person))
    with pytest.raises(Http404):
        claim_decide(actor=world["wanzhou"], claim=claim, approve=True)
    for persona in ("worker", "city", "leader"):
        with pytest.raises(PermissionDenied):
            claim_decide(actor=world[persona], claim=claim, approve=True)
    claim.refresh_from_db()
    assert claim.status == "submitted"

"""The demo's exam results, policy rules and incentive claims, consistent with its certificates.

Every certificate has the exam results behind it: the subjects of its level passed in the year it
was obtained (中级 sometimes split over that year and the one before), sometimes after a failed
attempt the year before. Some assistant social workers are one 中级 subject away after the 2018
exam, and a few 社会工作师 passed the first senior exam and wait for the review. The six counties'
policies get their eligibility rules, and their certified people claim under them: most claims
are paid, some wait for a decision or for payment, a few were refused.

Nothing here touches a certificate, a person or a policy's dates, so every figure of the seed
stays as it was. The randomness is this module's own (`SEED`).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db.models import F

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role
from sanqu.demo import plan
from sanqu.demo.people import random_date
from sanqu.incentives import exams
from sanqu.incentives.models import (
    ClaimEvidence,
    ExamAttempt,
    IncentiveClaim,
    IncentivePolicy,
    PolicyRate,
    evidence_storage,
)
from sanqu.workforce.models import Certificate, Person

SEED = 20180710
Level = Certificate.Level
Kind = IncentivePolicy.Kind
Status = IncentiveClaim.Status
TODAY = plan.AS_OF
# The exam fee per subject (yuan), as the counties' receipts show it.
FEE_PER_SUBJECT = Decimal(80)
# Share of eligible certificates that are claimed, and why some claims were refused.
CLAIM_SHARE = 0.6
# Claims filed from this day on mostly wait for a decision on the demo's day.
RECENT = dt.date(2018, 5, 1)
ORIGINAL_NAMES: dict[str, str] = {
    ClaimEvidence.Kind.CERTIFICATE_SCAN: "证书扫描件.pdf",
    ClaimEvidence.Kind.RECEIPT: "缴费收据.pdf",
}
REFUSALS = (
    "证书扫描件不清晰，请补交清晰的证书复印件后重新申领。",
    "申领人已调离本区县，不符合申领条件。",
    "缴费收据抬头与申领人姓名不一致。",
)


class IncentivesBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
        self.attempts: list[ExamAttempt] = []

    # Exam results -------------------------------------------------------------------------

    def score(self, passed: bool) -> Decimal:
        low, high = (60, 86) if passed else (38, 59)
        return Decimal(self.rng.randint(low * 2, high * 2)) / 2

    def attempt(
        self, person: Person, county_id: int, year: int, subject: exams.Subject, passed: bool
    ) -> None:
        level = exams.LEVEL_OF[subject]
        self.attempts.append(
            ExamAttempt(
                person=person,
                county_id=county_id,
                year=year,
                level=level.value,
                subject=subject.value,
                score=self.score(passed) if subject in exams.SCORED else None,
                passed=passed,
            )
        )

    def behind(self, certificate: Certificate) -> None:
        """The results that earned the certificate, in the year it was obtained."""
        rng, year = self.rng, certificate.obtained_on.year
        subjects = exams.SUBJECTS[exams.Level(certificate.level)]
        person, county = certificate.person, certificate.county_id
        earlier = year - 1 >= exams.first_exam_year(certificate.level)
        if certificate.level == Level.INTERMEDIATE and earlier and rng.random() < 0.4:
            # Passed over two years: some subjects the year before, the rest in the year.
            first = set(rng.sample(subjects, rng.randint(1, 2)))
            for subject in subjects:
                self.attempt(person, county, year - 1, subject, passed=subject in first)
                if subject not in first:
                    self.attempt(person, county, year, subject, passed=True)
            return
        if earlier and rng.random() < 0.3:  # a failed sitting the year before
            failed = rng.choice(subjects)
            for subject in subjects:
                self.attempt(person, county, year - 1, subject, passed=subject != failed)
        for subject in subjects:
            self.attempt(person, county, year, subject, passed=True)

    def one_away(self, certificates: list[Certificate], worker: Person | None) -> None:
        """Assistants one 中级 subject away after the 2018 exam; 社会工作师 waiting for the senior review."""
        rng, year = self.rng, TODAY.year
        held = {(c.person_id, c.level) for c in certificates}
        assistants = [
            c
            for c in certificates
            if c.level == Level.ASSISTANT
            and (c.person_id, Level.INTERMEDIATE) not in held
            and c.obtained_on.year < year
            and c.county.code in plan.RECEIVING
            and c.person_id != getattr(worker, "pk", None)
        ]
        chosen = rng.sample(assistants, min(24, len(assistants)))
        if worker is not None:
            chosen += [c for c in certificates if c.person_id == worker.pk and c.level == Level.ASSISTANT]
        subjects = exams.SUBJECTS[exams.Level.INTERMEDIATE]
        for certificate in chosen:
            missing = (
                subjects[-1] if certificate.person_id == getattr(worker, "pk", None) else rng.choice(subjects)
            )
            for subject in subjects:
                self.attempt(
                    certificate.person, certificate.person.county_id, year, subject, subject != missing
                )
        intermediates = [
            c for c in certificates if c.level == Level.INTERMEDIATE and c.county.code in plan.RECEIVING
        ]
        for certificate in rng.sample(intermediates, min(4, len(intermediates))):
            self.attempt(
                certificate.person, certificate.person.county_id, year, exams.Subject.SENIOR_PRACTICE, True
            )

    # Policies and claims ------------------------------------------------------------------

    @staticmethod
    def rules() -> None:
        """Subsidies and awards pay more for a higher level; awards and fees are for new certificates."""
        rates = []
        for policy in IncentivePolicy.objects.all():
            standard = policy.amount or Decimal(0)
            levels: dict[str, Decimal | None]
            if policy.kind == Kind.EXAM_FEE:
                levels = {Level.ASSISTANT: None, Level.INTERMEDIATE: None}
            else:
                levels = {
                    Level.ASSISTANT: None,
                    Level.INTERMEDIATE: standard * Decimal("1.5"),
                    Level.SENIOR: standard * 2,
                }
            policy.certificate_in_force = policy.kind != Kind.TITLE_SUBSIDY
            policy.save(update_fields=["certificate_in_force"])
            rates += [
                PolicyRate(policy=policy, level=level, amount=amount) for level, amount in levels.items()
            ]
        PolicyRate.objects.bulk_create(rates)

    def claims(self) -> None:
        rng = self.rng
        officers = {
            m.region.code: m.user
            for m in Membership.objects.filter(role=Role.COUNTY_OFFICER).select_related("region", "user")
        }
        attempts: dict[tuple[int, str], list[ExamAttempt]] = defaultdict(list)
        for attempt in ExamAttempt.objects.filter(passed=True):
            attempts[(attempt.person_id, attempt.level)].append(attempt)
        certificates = (
            Certificate.objects.filter(county__code__in=plan.INCENTIVE_COUNTIES, person__county=F("county"))
            .select_related("person", "county")
            .order_by("pk")
        )
        policies = defaultdict(list)
        for policy in IncentivePolicy.objects.filter(
            county__code__in=plan.INCENTIVE_COUNTIES
        ).prefetch_related("rates"):
            policies[policy.county_id].append(policy)
        claimed: set[tuple[int, str]] = set()
        for certificate in certificates:
            for policy in sorted(policies[certificate.county_id], key=lambda p: p.pk):
                rate = next((r for r in policy.rates.all() if r.level == certificate.level), None)
                if rate is None or (certificate.pk, policy.kind) in claimed or rng.random() > CLAIM_SHARE:
                    continue
                if policy.certificate_in_force and not policy.in_force_on(certificate.obtained_on):
                    continue
                start = max(certificate.obtained_on, policy.effective_from)
                claimed_on = start + dt.timedelta(days=rng.randint(15, 150))
                if certificate.obtained_on.year == TODAY.year - 1 and rng.random() < 0.4:
                    claimed_on = random_date(rng, RECENT, TODAY - dt.timedelta(days=3))  # filed this spring
                if claimed_on > TODAY:
                    continue
                sat = [
                    a
                    for a in attempts[(certificate.person_id, certificate.level)]
                    if a.year == certificate.obtained_on.year
                ]
                if policy.kind == Kind.EXAM_FEE and not sat:
                    continue
                amount = rate.effective_amount or Decimal(0)
                if policy.kind == Kind.EXAM_FEE:
                    amount = min(amount, FEE_PER_SUBJECT * len(sat))
                claimed.add((certificate.pk, policy.kind))
                self.claim(certificate, policy, claimed_on, amount, sat, officers.get(policy.county.code))

    def claim(
        self,
        certificate: Certificate,
        policy: IncentivePolicy,
        claimed_on: dt.date,
        amount: Decimal,
        sat: list[ExamAttempt],
        officer: User | None,
    ) -> None:
        rng = self.rng
        claim = IncentiveClaim(
            person=certificate.person,
            policy=policy,
            kind=policy.kind,
            certificate=certificate,
            amount=amount,
            claimed_on=claimed_on,
            filed_by=officer,
        )
        decided_on = claimed_on + dt.timedelta(days=rng.randint(7, 40))
        # The spring's claims are still in the county's queue, most of them.
        recent = claimed_on >= RECENT and rng.random() < 0.7
        if decided_on <= TODAY and not recent:
            claim.decided_on, claim.decided_by = decided_on, officer
            if rng.random() < 0.06:
                claim.status, claim.reason = Status.REFUSED, rng.choice(REFUSALS)
            else:
                claim.status = Status.APPROVED
                paid_on = decided_on + dt.timedelta(days=rng.randint(10, 60))
                if paid_on <= TODAY:
                    claim.status, claim.paid_on = Status.PAID, paid_on
                    claim.payment_reference = f"ZF{paid_on:%Y%m%d}{certificate.pk:05d}"
        claim.save()
        if sat:
            claim.exam_attempts.set(sat)
        self.evidence(claim, ClaimEvidence.Kind.CERTIFICATE_SCAN, officer)
        if policy.kind == Kind.EXAM_FEE:
            self.evidence(claim, ClaimEvidence.Kind.RECEIPT, officer)

    @staticmethod
    def evidence(claim: IncentiveClaim, kind: str, officer: User | None) -> None:
        content = demo_pdf(f"Sanqu demo {kind} - claim {claim.pk} - certificate {claim.certificate.number}")
        record = ClaimEvidence(
            claim=claim,
            kind=kind,
            original_name=ORIGINAL_NAMES[kind],
            content_type="application/pdf",
            size=len(content),
            uploaded_by=officer,
        )
        record.file.save(f"{kind}.pdf", ContentFile(content), save=False)
        record.save()


def demo_pdf(text: str) -> bytes:
    """A one-page PDF that says it is a demo (a stand-in for a scanned certificate or receipt)."""
    stream = f"BT /F1 14 Tf 60 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _clear_orphan_files() -> None:
    """After a reset no evidence row is left, so any evidence file on disk is an orphan of the last run."""
    if ClaimEvidence.objects.exists():
        return
    folder = Path(evidence_storage().path("claims"))
    if folder.is_dir():
        shutil.rmtree(folder)


def build_incentives(*, worker: Person | None = None) -> None:
    _clear_orphan_files()
    builder = IncentivesBuilder()
    certificates = list(Certificate.objects.select_related("person", "county").order_by("pk"))
    for certificate in certificates:
        builder.behind(certificate)
    builder.one_away(certificates, worker)
    ExamAttempt.objects.bulk_create(builder.attempts, batch_size=1000)
    builder.rules()
    builder.claims()

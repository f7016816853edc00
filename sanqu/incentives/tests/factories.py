"""Certificates, policies with their rules, exam results and evidence files for the incentive tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from sanqu.incentives.models import ExamAttempt, IncentivePolicy, PolicyRate
from sanqu.incentives.services import Evidence
from sanqu.regions.models import Region
from sanqu.workforce.models import Certificate, Person

TODAY = dt.date(2018, 7, 10)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_certificate(
    person: Person, *, level: str = Certificate.Level.ASSISTANT, obtained_on: dt.date = dt.date(2017, 11, 20)
) -> Certificate:
    return Certificate.objects.create(
        person=person, level=level, obtained_on=obtained_on, county=person.county, number=f"Z{person.pk:05d}"
    )


def make_policy(
    county: Region,
    *,
    kind: str = IncentivePolicy.Kind.ONE_OFF_AWARD,
    name: str = "",
    effective_from: dt.date = dt.date(2016, 1, 1),
    effective_until: dt.date | None = None,
    amount: Decimal | None = Decimal(1000),
    rates: dict[str, Decimal | None] | None = None,
    certificate_in_force: bool = False,
) -> IncentivePolicy:
    policy = IncentivePolicy.objects.create(
        county=county,
        name=name or f"{county.name}{IncentivePolicy.Kind(kind).label}",
        kind=kind,
        effective_from=effective_from,
        effective_until=effective_until,
        amount=amount,
        certificate_in_force=certificate_in_force,
    )
    for level, level_amount in (rates if rates is not None else {Certificate.Level.ASSISTANT: None}).items():
        PolicyRate.objects.create(policy=policy, level=level, amount=level_amount)
    return policy


def make_attempt(
    person: Person, *, year: int, subject: str, passed: bool = True, score: Decimal | None = None
) -> ExamAttempt:
    from sanqu.incentives.exams import LEVEL_OF, SCORED, Subject

    if score is None and subject in SCORED:
        score = Decimal(72) if passed else Decimal(48)
    return ExamAttempt.objects.create(
        person=person,
        county=person.county,
        year=year,
        level=LEVEL_OF[Subject(subject)].value,
        subject=subject,
        score=score,
        passed=passed,
    )


def scan(name: str = "证书.pdf", content: bytes = PDF) -> Evidence:
    return Evidence("certificate_scan", SimpleUploadedFile(name, content, content_type="application/pdf"))


def receipt(name: str = "收据.png", content: bytes = PNG) -> Evidence:
    return Evidence("receipt", SimpleUploadedFile(name, content, content_type="image/png"))

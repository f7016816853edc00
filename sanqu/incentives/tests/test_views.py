"""The pages: who sees which claim, evidence served only in scope and never cached, the forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanqu.incentives.models import IncentiveClaim, IncentivePolicy
from sanqu.incentives.services import claim_decide, claim_file, claim_record_payment
from sanqu.incentives.tests.factories import PDF, make_attempt, make_certificate, make_policy, scan
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate

Level = Certificate.Level


@pytest.fixture
def claim(world: World) -> IncentiveClaim:
    policy = make_policy(world.chengkou, rates={Level.ASSISTANT: Decimal(1000)})
    return claim_file(
        actor=world["worker"],
        person=world.worker_person,
        policy=policy,
        certificate=make_certificate(world.worker_person),
        claimed_on=dt.date(2018, 6, 1),
        evidence=[scan()],
    )


def test_it_shows_the_claim_to_its_county_the_city_and_the_claimant(as_user, claim) -> None:
    url = reverse("incentive_claim", args=[claim.pk])
    for persona in ("chengkou", "city", "leader", "worker"):
        response = as_user(persona).get(url)
        assert response.status_code == 200, persona
        assert "李晓梅" in response.content.decode()
    for persona in ("wanzhou", "yangguang", "mentor", "editor"):
        assert as_user(persona).get(url).status_code == 404, persona


def test_it_serves_evidence_only_in_scope_and_never_cached(as_user, claim) -> None:
    evidence = claim.evidence.get()
    url = reverse("incentive_claim_evidence", args=[claim.pk, evidence.pk])
    response = as_user("chengkou").get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    for persona in ("wanzhou", "yangguang", "mentor"):
        assert as_user(persona).get(url).status_code == 404, persona
    # An evidence id of another claim answers 404 too, even to someone who sees this claim.
    other = reverse("incentive_claim_evidence", args=[claim.pk, evidence.pk + 1000])
    assert as_user("chengkou").get(other).status_code == 404


def test_it_keeps_evidence_off_every_public_url(claim, client) -> None:
    evidence = claim.evidence.get()
    with pytest.raises(ValueError):
        evidence.file.url  # noqa: B018
    assert client.get(f"/media/{evidence.file.name}").status_code == 404
    assert client.get(reverse("incentive_claim_evidence", args=[claim.pk, evidence.pk])).status_code == 302


def test_it_lists_the_queue_by_state(as_user, world: World, claim) -> None:
    chengkou = as_user("chengkou")
    page = chengkou.get(reverse("incentive_claims")).content.decode()
    assert "李晓梅" in page
    assert "李晓梅" not in chengkou.get(reverse("incentive_claims") + "?queue=unpaid").content.decode()
    assert "李晓梅" not in as_user("wanzhou").get(reverse("incentive_claims")).content.decode()
    assert as_user("yangguang").get(reverse("incentive_claims")).status_code == 403
    claim_decide(actor=world["chengkou"], claim=claim, approve=True)
    assert "李晓梅" in chengkou.get(reverse("incentive_claims") + "?queue=unpaid").content.decode()


def test_it_approves_and_pays_through_the_pages(as_user, claim) -> None:
    chengkou = as_user("chengkou")
    decide = reverse("incentive_claim_decide", args=[claim.pk])
    assert chengkou.get(decide).status_code == 405
    assert as_user("wanzhou").post(decide, {"decision": "approve"}).status_code == 404
    assert as_user("worker").post(decide, {"decision": "approve"}).status_code == 403
    response = chengkou.post(decide, {"decision": "refuse", "reason": ""})
    assert "不批准时须填写理由。" in response.content.decode()
    response = chengkou.post(decide, {"decision": "approve"})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == "approved"
    pay = reverse("incentive_claim_payment", args=[claim.pk])
    chengkou.post(pay, {"paid_on": "2018-07-10", "payment_reference": "ZF-2018-001"})
    claim.refresh_from_db()
    assert (claim.status, claim.payment_reference) == ("paid", "ZF-2018-001")


def test_it_files_a_claim_through_the_form_and_shows_refusals_on_it(as_user, world: World) -> None:
    policy = make_policy(world.chengkou, rates={Level.INTERMEDIATE: None})
    certificate = make_certificate(world.worker_person)
    worker = as_user("worker")
    url = reverse("incentive_claim_create")
    assert "城口县一次性奖励" in worker.get(url).content.decode()
    data = {
        "person": world.worker_person.pk,
        "policy": policy.pk,
        "certificate": certificate.pk,
        "claimed_on": "2018-06-01",
        "certificate_scan": SimpleUploadedFile("scan.pdf", PDF),
    }
    response = worker.post(url, data)
    assert "本政策不适用于助理社会工作师证书（适用等级：社会工作师）。" in response.content.decode()
    assert not IncentiveClaim.objects.exists()
    policy.rates.update(level=Level.ASSISTANT)
    data["certificate_scan"] = SimpleUploadedFile("scan.pdf", PDF)
    response = worker.post(url, data)
    claim = IncentiveClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("incentive_claim", args=[claim.pk])
    # A worker cannot file for someone else, even by editing the form.
    colleague = make_person("张敏", world.chengkou)
    make_certificate(colleague)
    assert worker.get(url + f"?person={colleague.pk}").status_code == 404


def test_it_lets_the_officer_pick_whom_to_claim_for(as_user, world: World) -> None:
    make_certificate(world.worker_person)
    outsider = make_person("陈刚", world.wanzhou, address="500101")
    make_certificate(outsider)
    page = as_user("chengkou").get(reverse("incentive_claim_create")).content.decode()
    assert "李晓梅" in page and "陈刚" not in page
    assert (
        as_user("chengkou").get(reverse("incentive_claim_create") + f"?person={outsider.pk}").status_code
        == 404
    )


def test_it_lists_policies_in_force_in_scope(as_user, world: World) -> None:
    make_policy(world.chengkou, name="城口县现行奖励")
    make_policy(
        world.chengkou,
        name="城口县旧办法",
        effective_from=dt.date(2014, 1, 1),
        effective_until=dt.date(2015, 1, 1),
    )
    make_policy(world.wanzhou, name="万州区证书津贴")
    page = as_user("chengkou").get(reverse("incentive_policies")).content.decode()
    assert "城口县现行奖励" in page and "城口县旧办法" not in page and "万州区证书津贴" not in page
    city = as_user("city").get(reverse("incentive_policies")).content.decode()
    assert "城口县现行奖励" in city and "万州区证书津贴" in city
    worker = as_user("worker").get(reverse("incentive_policies")).content.decode()
    assert "城口县现行奖励" in worker and "万州区证书津贴" not in worker and "设定申领条件" not in worker


def test_it_sets_a_policys_eligibility(as_user, world: World) -> None:
    policy = make_policy(world.chengkou, kind=IncentivePolicy.Kind.TITLE_SUBSIDY, amount=None, rates={})
    url = reverse("incentive_policy_eligibility", args=[policy.pk])
    assert as_user("wanzhou").get(url).status_code == 404
    assert as_user("worker").get(url).status_code == 403
    response = as_user("chengkou").post(
        url, {"covers_assistant": "on", "covers_intermediate": "on", "amount_intermediate": "300"}
    )
    assert "助理社会工作师：政策未设定统一标准，须填写该等级的金额。" in response.content.decode()
    response = as_user("chengkou").post(
        url,
        {
            "covers_assistant": "on",
            "amount_assistant": "200",
            "covers_intermediate": "on",
            "amount_intermediate": "300",
            "certificate_in_force": "on",
        },
    )
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.certificate_in_force
    assert {r.level: r.amount for r in policy.rates.all()} == {
        "assistant": Decimal(200),
        "intermediate": Decimal(300),
    }


def test_it_sums_paid_claims_per_county_and_year(as_user, world: World, claim) -> None:
    claim_decide(actor=world["chengkou"], claim=claim, approve=True)
    claim_record_payment(actor=world["chengkou"], claim=claim, paid_on=dt.date(2018, 7, 10), reference="ZF1")
    page = as_user("city").get(reverse("incentive_spend")).content.decode()
    assert "城口县" in page and "2018" in page and "1000.00" in page
    assert "城口县" not in as_user("wanzhou").get(reverse("incentive_spend")).content.decode()


def test_it_records_exam_results_and_lists_who_is_one_subject_away(as_user, world: World) -> None:
    make_attempt(world.worker_person, year=2018, subject="intermediate_ability")
    make_attempt(world.worker_person, year=2018, subject="intermediate_practice")
    url = reverse("incentive_exam_record")
    assert as_user("worker").get(url).status_code == 403
    assert as_user("wanzhou").post(url, {"person": world.worker_person.pk}).status_code == 200  # not offered
    response = as_user("chengkou").post(
        url,
        {
            "person": world.worker_person.pk,
            "county": world.chengkou.pk,
            "year": "2018",
            "subject": "intermediate_law",
            "score": "55",
            "passed": "0",
        },
    )
    assert response.status_code == 302
    page = as_user("chengkou").get(reverse("incentive_exams")).content.decode()
    assert "李晓梅" in page and "社会工作法规与政策（中级）" in page and "2019" in page
    assert "李晓梅" not in as_user("wanzhou").get(reverse("incentive_exams")).content.decode()
    mine = (
        as_user("worker")
        .get(reverse("incentive_person_exams", args=[world.worker_person.pk]))
        .content.decode()
    )
    assert "差“社会工作法规与政策（中级）”，须在 2019 年度通过" in mine
    assert (
        as_user("wanzhou").get(reverse("incentive_person_exams", args=[world.worker_person.pk])).status_code
        == 404
    )

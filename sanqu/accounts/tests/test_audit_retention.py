"""Retention: never below 180 days (a system check), and `sanqu audit prune` deletes only whole sealed
runs past it, through the purge permit, records who and how many, and leaves the rest verifiable."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.test import override_settings
from django.utils import timezone

from sanqu.accounts import audit, audit_integrity
from sanqu.accounts.audit_integrity import AuditIntegrityError, purge_permit
from sanqu.accounts.models import AuditEntry, AuditPrune, AuditSeal

pytestmark = pytest.mark.django_db

A_YEAR_ON = dt.timedelta(days=366)


def entries(count: int) -> list[AuditEntry]:
    return [audit.record(actor=None, action=AuditEntry.Action.UNMASK, detail={"n": n}) for n in range(count)]


@override_settings(SANQU_AUDIT_RETENTION_DAYS=90)
def test_the_check_refuses_a_retention_below_180_days() -> None:
    (error,) = audit_integrity.check_retention()
    assert error.id == "accounts.E001"
    assert "为 90 天，不得少于 180 天" in error.msg
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check")
    with pytest.raises(CommandError, match="不得少于 180 天"):
        call_command("audit", "prune", "--yes")


@override_settings(SANQU_AUDIT_RETENTION_DAYS=180)
def test_the_check_accepts_180_days() -> None:
    assert audit_integrity.check_retention() == []


def test_it_prunes_whole_sealed_runs_past_the_retention_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_integrity, "SEAL_SIZE", 2)
    old = entries(5)
    audit_integrity.seal()
    unsealed = entries(2)
    seals = list(AuditSeal.objects.order_by("first_entry_id"))
    assert len(seals) == 3
    now = timezone.now()

    assert audit_integrity.prune(actor=None, now=now + dt.timedelta(days=300)) is None  # within 365 days
    assert AuditEntry.objects.count() == 7

    record = audit_integrity.prune(actor=None, now=now + A_YEAR_ON)
    assert record is not None
    assert record.entry_count == 5 and record.through_entry_id == old[-1].pk
    assert record.through_seal == seals[-1]
    assert not AuditEntry.objects.filter(pk__lte=old[-1].pk).exists()
    assert set(AuditEntry.objects.filter(pk__in=[e.pk for e in unsealed]).values_list("pk", flat=True)) == {
        e.pk for e in unsealed
    }
    assert AuditSeal.objects.count() == 3  # the seals stay: the chain still holds
    logged = AuditEntry.objects.get(object_type="accounts.auditprune")
    assert logged.action == AuditEntry.Action.DELETE
    assert logged.detail["entries"] == 5 and logged.detail["through_entry"] == old[-1].pk
    assert logged.detail["before"] == (now + A_YEAR_ON - dt.timedelta(days=365)).isoformat()

    audit_integrity.seal()
    result = audit_integrity.verify()
    assert result.intact, result.findings
    assert result.pruned_through == old[-1].pk and result.entries == 3  # two unsealed then, and the prune's

    # What is left is due a year after it was written, not before.
    assert audit_integrity.prune(actor=None, now=now + dt.timedelta(days=364)) is None
    assert audit_integrity.prune(actor=None, now=now + A_YEAR_ON).entry_count == 3


def test_the_chain_still_catches_tampering_after_a_prune() -> None:
    entries(3)
    audit_integrity.seal()
    audit_integrity.prune(actor=None, now=timezone.now() + A_YEAR_ON)
    kept = entries(2)
    audit_integrity.seal()
    with purge_permit(through=kept[0].pk):
        AuditEntry.objects.filter(pk=kept[0].pk).delete()
    findings = audit_integrity.verify().findings
    assert findings == [f"审计记录 #{kept[0].pk} 已被删除（封存 #{AuditSeal.objects.last().pk}）。"]


def test_it_prunes_nothing_when_verification_fails() -> None:
    made = entries(3)
    audit_integrity.seal()
    with purge_permit(through=made[1].pk):
        AuditEntry.objects.filter(pk=made[1].pk).delete()
    with pytest.raises(AuditIntegrityError, match=f"审计记录 #{made[1].pk} 已被删除"):
        audit_integrity.prune(actor=None, now=timezone.now() + A_YEAR_ON)
    assert AuditEntry.objects.count() == 2
    assert not AuditPrune.objects.exists()


def test_the_prune_command_says_what_it_will_delete_and_asks() -> None:
    made = entries(4)
    (seal,) = audit_integrity.seal()
    later = timezone.now() + A_YEAR_ON
    with mock.patch("sanqu.accounts.audit_integrity.timezone.now", return_value=later):
        out = io.StringIO()
        call_command("audit", "prune", "--dry-run", stdout=out)
        assert f"将删除 4 条审计记录（封存 #{seal.pk}–#{seal.pk}，至记录 #{made[-1].pk}）" in out.getvalue()
        assert AuditEntry.objects.count() == 4
        with mock.patch("builtins.input", return_value="n"), pytest.raises(CommandError, match="已取消"):
            call_command("audit", "prune", stdout=io.StringIO())
        assert AuditEntry.objects.count() == 4
        out = io.StringIO()
        call_command("audit", "prune", "--yes", stdout=out)
    assert f"已删除 4 条审计记录，至记录 #{made[-1].pk}。" in out.getvalue()
    assert AuditPrune.objects.get().actor_name
    out = io.StringIO()
    call_command("audit", "prune", "--yes", stdout=out)
    assert "没有可清理的审计记录：保存期限 365 天" in out.getvalue()

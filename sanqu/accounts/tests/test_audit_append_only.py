"""The audit tables are append-only in the database: no UPDATE, no DELETE, except through the purge permit
(the prune and the flush); the flush of the test suite and the deletion rules around entries still work."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from sanqu.accounts import audit, audit_integrity
from sanqu.accounts.audit_integrity import EVERYTHING, purge_permit
from sanqu.accounts.models import AuditEntry, AuditPrune, AuditSeal, User
from sanqu.accounts.tests.audit_tampering import raw

pytestmark = pytest.mark.django_db


def entry(number: int = 0) -> AuditEntry:
    return audit.record(actor=None, action=AuditEntry.Action.ALERT, detail={"n": number})


def refused(action) -> str:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        action()
    return str(error.value)


def test_it_refuses_to_change_or_delete_an_entry_through_the_orm() -> None:
    first = entry(1)
    first.object_repr = "改过"
    assert "append-only" in refused(first.save)
    assert "UPDATE refused" in refused(
        lambda: AuditEntry.objects.filter(pk=first.pk).update(actor_name="dba")
    )
    assert "DELETE refused" in refused(first.delete)
    assert "DELETE refused" in refused(AuditEntry.objects.all().delete)
    assert "DELETE refused" in refused(lambda: AuditEntry.objects.all()._raw_delete(connection.alias))
    assert AuditEntry.objects.get(pk=first.pk).object_repr == ""
    assert AuditEntry.objects.get(pk=first.pk).detail == {"n": 1}


def test_it_refuses_to_change_or_delete_an_entry_through_raw_sql() -> None:
    first = entry(1)
    assert "UPDATE refused" in refused(
        lambda: raw("UPDATE accounts_auditentry SET actor_name = 'dba' WHERE id = %s", [first.pk])
    )
    assert "DELETE refused" in refused(lambda: raw("DELETE FROM accounts_auditentry"))
    assert AuditEntry.objects.filter(pk=first.pk, actor_name="").exists()


def test_seals_and_prune_records_are_append_only_too() -> None:
    entry(1)
    (seal,) = audit_integrity.seal()
    assert "UPDATE refused" in refused(lambda: AuditSeal.objects.filter(pk=seal.pk).update(hash="0" * 64))
    assert "DELETE refused" in refused(seal.delete)
    prune = AuditPrune.objects.create(
        before=seal.made_at, through_seal=seal, through_entry_id=seal.last_entry_id, entry_count=0
    )
    assert "UPDATE refused" in refused(lambda: AuditPrune.objects.filter(pk=prune.pk).update(entry_count=9))
    assert "DELETE refused" in refused(lambda: raw("DELETE FROM accounts_auditprune"))
    # Even a permit for entries does not reach the seals: only the flush's permit for everything does.
    with purge_permit(through=seal.last_entry_id):
        assert "DELETE refused" in refused(lambda: raw("DELETE FROM accounts_auditseal"))
    assert AuditSeal.objects.get(pk=seal.pk).hash == seal.hash


def test_the_permit_lets_entries_up_to_its_id_go_within_its_block_only() -> None:
    first, second = entry(1), entry(2)
    with purge_permit(through=first.pk):
        AuditEntry.objects.filter(pk=first.pk).delete()
        assert "DELETE refused" in refused(lambda: AuditEntry.objects.filter(pk=second.pk).delete())
        assert "UPDATE refused" in refused(
            lambda: AuditEntry.objects.filter(pk=second.pk).update(actor_name="x")
        )
    assert not AuditEntry.objects.filter(pk=first.pk).exists()
    assert "DELETE refused" in refused(second.delete)
    # A block that fails takes its deletions and its permit with it.
    with pytest.raises(RuntimeError), purge_permit(through=EVERYTHING):
        AuditEntry.objects.filter(pk=second.pk).delete()
        raise RuntimeError("interrupted")
    assert AuditEntry.objects.filter(pk=second.pk).exists()
    assert "DELETE refused" in refused(second.delete)
    assert audit_integrity.guard_findings() == []


def test_every_guard_is_in_place_after_the_migrations() -> None:
    """A later migration that rebuilds an audit table on SQLite drops its triggers: this fails until the
    migration creates them again."""
    assert audit_integrity.guard_findings() == []


def test_a_truncate_is_refused_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    entry(1)
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks: those would refuse it anyway
    assert "TRUNCATE refused" in refused(lambda: raw("TRUNCATE accounts_auditentry CASCADE"))
    assert AuditEntry.objects.exists()


def test_a_user_with_audit_entries_cannot_be_deleted(world) -> None:
    user = User.objects.create_user("leaving", password="Leaving-2026-pass")
    audit.record(actor=user, action=AuditEntry.Action.LOGIN)
    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()
    assert AuditEntry.objects.filter(actor=user).exists()


@pytest.mark.django_db(transaction=True)
def test_the_flush_empties_the_audit_tables_and_leaves_the_guards() -> None:
    entry(1)
    audit_integrity.seal()
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not AuditSeal.objects.exists()
    assert audit_integrity.guard_findings() == []
    first = entry(2)
    assert "DELETE refused" in refused(first.delete)


def test_an_operators_flush_asks_first_and_keeps_everything_when_told_no() -> None:
    first = entry(1)
    out = io.StringIO()
    with mock.patch("builtins.input", return_value="no"):
        call_command("flush", stdout=out)
    assert "包括审计记录" in out.getvalue() and "已取消" in out.getvalue()
    assert AuditEntry.objects.filter(pk=first.pk).exists()

"""Seals: chained hashes over runs of audit entries; `sanqu audit verify` names every entry changed,
removed or inserted in a sealed run, a seal changed or removed, and a guard missing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sanqu.accounts import audit, audit_integrity
from sanqu.accounts.audit_integrity import purge_permit
from sanqu.accounts.models import AuditEntry, AuditSeal
from sanqu.accounts.tests.audit_tampering import insert_ghost, raw, triggers_dropped

pytestmark = pytest.mark.django_db


def entries(count: int) -> list[AuditEntry]:
    return [
        audit.record(actor=None, action=AuditEntry.Action.EXPORT, detail={"n": number, "文件": "台账.xlsx"})
        for number in range(count)
    ]


def verify() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_it_seals_new_entries_in_chained_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_integrity, "SEAL_SIZE", 3)
    made = entries(7)
    out = io.StringIO()
    call_command("audit", "seal", stdout=out)
    seals = list(AuditSeal.objects.order_by("first_entry_id"))
    assert [(seal.first_entry_id, seal.entry_count) for seal in seals] == [
        (1, 3),
        (made[2].pk + 1, 3),
        (made[5].pk + 1, 1),
    ]
    assert seals[0].previous_hash == "" and seals[1].previous_hash == seals[0].hash
    assert seals[2].previous_hash == seals[1].hash and seals[2].last_entry_id == made[-1].pk
    assert "已封存 7 条审计记录（3 个封存" in out.getvalue()
    assert seals[2].hash in out.getvalue()
    assert audit_integrity.seal() == []
    code, out_text, err = verify()
    assert code == 0, err
    assert "审计记录完好：3 个封存，核验 7 条记录；尚未封存 0 条。" in out_text
    entries(1)
    assert "尚未封存 1 条" in verify()[1]


def test_verify_names_a_changed_a_removed_and_an_inserted_entry() -> None:
    made = entries(5)
    audit_integrity.seal()
    with triggers_dropped():
        raw("UPDATE accounts_auditentry SET object_repr = '改过' WHERE id = %s", [made[1].pk])
    with purge_permit(through=made[2].pk):
        AuditEntry.objects.filter(pk=made[2].pk).delete()
    insert_ghost(made[2].pk, made[2].at)
    code, _out, err = verify()
    assert code == 1
    assert f"审计记录 #{made[1].pk} 在封存后被修改" in err
    assert f"审计记录 #{made[2].pk} 在封存后被修改" in err  # put back under the same id, but not the same
    assert "发现 2 处问题" in err
    with purge_permit(through=made[2].pk):
        AuditEntry.objects.filter(pk=made[2].pk).delete()
    code, _out, err = verify()
    assert f"审计记录 #{made[2].pk} 已被删除" in err
    insert_ghost(made[-1].pk + 1000, made[0].at)
    audit_integrity.seal()  # the next seal covers the ids up to the ghost's: it goes in unnoticed...
    assert f"#{made[-1].pk + 1000}" not in verify()[2]
    insert_ghost(made[-1].pk + 500, made[0].at)
    code, _out, err = verify()  # ...but one put into a sealed run afterwards does not
    assert code == 1
    assert f"审计记录 #{made[-1].pk + 500} 是封存后插入的" in err


def test_verify_finds_a_seal_changed_or_removed() -> None:
    entries(2)
    (first,) = audit_integrity.seal()
    entries(2)
    (second,) = audit_integrity.seal()
    entries(2)
    (third,) = audit_integrity.seal()
    with triggers_dropped():
        raw("UPDATE accounts_auditseal SET entry_count = 1 WHERE id = %s", [first.pk])
    err = verify()[2]
    assert f"封存 #{first.pk} 本身被修改" in err
    with triggers_dropped():
        raw("UPDATE accounts_auditseal SET entry_count = 2 WHERE id = %s", [first.pk])
        raw("DELETE FROM accounts_auditseal WHERE id = %s", [second.pk])
    code, _out, err = verify()
    assert code == 1
    assert f"封存链在封存 #{third.pk} 处断开（前一封存 #{first.pk}）" in err


def test_verify_reports_a_missing_guard_and_a_standing_permit() -> None:
    entries(1)
    with triggers_dropped():
        code, _out, err = verify()
    assert code == 1
    assert "审计表的防篡改触发器 accounts_auditentry_" in err
    assert verify()[0] == 0
    with purge_permit(through=5):
        assert "审计记录清理许可（5）" in verify()[2]


def test_the_scheduler_seals_new_entries() -> None:
    made = entries(3)
    call_command("scheduler", "--once", stdout=io.StringIO(), stderr=io.StringIO())
    assert AuditSeal.objects.order_by("-last_entry_id").first().last_entry_id >= made[-1].pk

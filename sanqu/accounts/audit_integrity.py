"""Keeping the audit log as it was written (Cybersecurity Law art. 21; DESIGN §5).

- **Append-only.** Database triggers (migration 0004) refuse every UPDATE of an audit entry, a seal or
  a prune record, and every DELETE (on PostgreSQL also TRUNCATE) unless the transaction holds the
  purge permit (`purge_permit`): on PostgreSQL the transaction-local setting `sanqu.audit_purge`, on
  SQLite a row of `sanqu_audit_purge_permit`, both naming the highest entry id the transaction may
  delete. Only `prune` and the `flush` command ask for one.
- **Seals.** `seal` hashes the entries not yet sealed, in runs of at most `SEAL_SIZE`, each seal's hash
  chained to the previous one's. `verify` recomputes every seal and names each entry changed, removed
  or inserted in a sealed run, a broken chain, and missing or disabled triggers.
- **Retention.** `SANQU_AUDIT_RETENTION_DAYS` (never below 180: a system check refuses it); `prune`
  deletes whole sealed runs whose newest entry is older than that, keeps their seals (so the chain
  still verifies), records an `AuditPrune` row and an audit entry. Nothing prunes by itself.

Retention is measured on the real clock (`timezone.now()`), not the working date
(`sanqu.lib.clock.today()`, which a demo pins to a day in the past): entries carry real times.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, AuditPrune, AuditSeal, User

MINIMUM_RETENTION_DAYS = 180  # Cybersecurity Law art. 21
SEAL_SIZE = 5000  # entries per seal at most: a prune removes whole seals
EVERYTHING = 9223372036854775807  # a permit for every row of the three tables (the flush)
TABLES = ("accounts_auditentry", "accounts_auditseal", "accounts_auditprune")
GUARD_TRIGGERS = {
    "postgresql": [f"{table}_{kind}" for table in TABLES for kind in ("append_only", "no_truncate")],
    "sqlite": [f"{table}_{kind}" for table in TABLES for kind in ("no_update", "no_delete")],
}
# What an entry is, in the order it is hashed.
ENTRY_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "detail",
    "ip_address",
)
DIGEST_LENGTH = 16  # hex digits kept per entry to name the one that changed; the seal hashes them in full
LOCK_TIMEOUT = "10s"


class AuditIntegrityError(Exception):
    """The audit log cannot be sealed or pruned now; the message says why, in the user's language."""


# --- the purge permit ---------------------------------------------------------------------------


@contextmanager
def purge_permit(*, through: int, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let the block delete audit entries with an id up to `through` (`EVERYTHING`: also seals and prune
    records), inside one transaction: the permit ends with the block, and with it if the block fails."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('sanqu.audit_purge', %s, true)", [str(through)])
        else:
            cursor.execute("INSERT INTO sanqu_audit_purge_permit (through_id) VALUES (%s)", [through])
        yield
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('sanqu.audit_purge', '', true)")
        else:
            cursor.execute("DELETE FROM sanqu_audit_purge_permit")


# --- hashing ------------------------------------------------------------------------------------


def entry_line(row: Sequence[Any]) -> str:
    """An entry's canonical text: its fields as JSON, the time in UTC, the detail with sorted keys."""
    values = dict(zip(ENTRY_FIELDS, row, strict=True))
    values["at"] = values["at"].astimezone(dt.UTC).isoformat()
    return json.dumps(
        [values[name] for name in ENTRY_FIELDS],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def entry_hash(row: Sequence[Any]) -> str:
    return hashlib.sha256(entry_line(row).encode()).hexdigest()


def content_hash(entry_hashes: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(entry_hashes).encode()).hexdigest()


def seal_hash(
    *, previous_hash: str, first: int, last: int, count: int, newest: dt.datetime, content: str
) -> str:
    text = "|".join(
        [previous_hash, str(first), str(last), str(count), newest.astimezone(dt.UTC).isoformat(), content]
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _stored_hash(seal: AuditSeal) -> str:
    return seal_hash(
        previous_hash=seal.previous_hash,
        first=seal.first_entry_id,
        last=seal.last_entry_id,
        count=seal.entry_count,
        newest=seal.newest_entry_at,
        content=seal.content_hash,
    )


def _entries(first: int, last: int, *, limit: int | None = None) -> list[tuple[Any, ...]]:
    rows = AuditEntry.objects.filter(id__gte=first, id__lte=last).order_by("id").values_list(*ENTRY_FIELDS)
    return list(rows[:limit] if limit is not None else rows)


# --- sealing ------------------------------------------------------------------------------------


def _settled_last_id(using: str = DEFAULT_DB_ALIAS) -> int:
    """The highest entry id below which no entry can still appear.

    On PostgreSQL an id is taken when a transaction inserts, but the row is seen only at its commit: a
    SHARE lock waits until every transaction that inserted an entry has ended (briefly holding back new
    entries). On SQLite one writer at a time means every committed id is below any uncommitted one.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(using=using), connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
                    cursor.execute("LOCK TABLE accounts_auditentry IN SHARE MODE")
            except DatabaseError as error:
                raise AuditIntegrityError(
                    _("有尚未结束的事务正在写入审计记录，本次封存推迟到下一次。")
                ) from error
        return AuditEntry.objects.using(using).aggregate(last=Max("id"))["last"] or 0


def latest_seal() -> AuditSeal | None:
    return AuditSeal.objects.order_by("-last_entry_id").first()


def seal() -> list[AuditSeal]:
    """Seal every entry written since the last seal, in seals of at most `SEAL_SIZE` entries."""
    through = _settled_last_id()
    made: list[AuditSeal] = []
    while True:
        with transaction.atomic():
            previous = latest_seal()
            first = previous.last_entry_id + 1 if previous else 1
            rows = _entries(first, through, limit=SEAL_SIZE)
            if not rows:
                return made
            hashes = [entry_hash(row) for row in rows]
            last = rows[-1][0] if len(rows) == SEAL_SIZE else through
            newest = max(row[1] for row in rows)
            content = content_hash(hashes)
            previous_hash = previous.hash if previous else ""
            made.append(
                AuditSeal.objects.create(
                    first_entry_id=first,
                    last_entry_id=last,
                    entry_count=len(rows),
                    newest_entry_at=newest,
                    entry_digests=[
                        [row[0], digest[:DIGEST_LENGTH]] for row, digest in zip(rows, hashes, strict=True)
                    ],
                    content_hash=content,
                    previous_hash=previous_hash,
                    hash=seal_hash(
                        previous_hash=previous_hash,
                        first=first,
                        last=last,
                        count=len(rows),
                        newest=newest,
                        content=content,
                    ),
                )
            )


# --- verifying ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Verification:
    findings: list[str]
    seals: int = 0
    entries: int = 0  # entries recomputed against their seals
    pending: int = 0  # entries not sealed yet
    pruned_through: int = 0
    latest: AuditSeal | None = None

    @property
    def intact(self) -> bool:
        return not self.findings


def pruned_through() -> int:
    """The highest entry id pruned so far (0: none)."""
    return AuditPrune.objects.aggregate(last=Max("through_entry_id"))["last"] or 0


def guard_findings(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Missing or disabled triggers, and a purge permit left standing outside a purge."""
    connection = connections[using]
    expected = GUARD_TRIGGERS[connection.vendor]
    findings: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) AND tgenabled IN ('O', 'A')", [expected]
            )
            present = {name for (name,) in cursor.fetchall()}
            cursor.execute("SELECT current_setting('sanqu.audit_purge', true)")
            permit = cursor.fetchone()[0]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {name for (name,) in cursor.fetchall()}
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sanqu_audit_purge_permit'"
            )
            permit = None
            if cursor.fetchone() is None:
                findings.append(_("审计记录清理许可表 sanqu_audit_purge_permit 不存在。"))
            else:
                cursor.execute("SELECT max(through_id) FROM sanqu_audit_purge_permit")
                permit = cursor.fetchone()[0]
    findings[:0] = [
        _("审计表的防篡改触发器 %(trigger)s 不存在或已停用。") % {"trigger": name}
        for name in expected
        if name not in present
    ]
    if permit not in (None, ""):
        findings.append(
            _("数据库中留有一个审计记录清理许可（%(permit)s），清理之外不应存在。") % {"permit": permit}
        )
    return findings


def _seal_findings(seal: AuditSeal) -> tuple[list[str], int]:
    """What differs between a seal and the entries now in its range; and how many entries it holds."""
    names = {"seal": seal.pk, "first": seal.first_entry_id, "last": seal.last_entry_id}
    rows = {row[0]: row for row in _entries(seal.first_entry_id, seal.last_entry_id)}
    sealed = {int(entry_id): digest for entry_id, digest in seal.entry_digests}
    findings: list[str] = []
    hashes: list[str] = []
    for entry_id in sorted(sealed.keys() | rows.keys()):
        row = rows.get(entry_id)
        if row is None:
            findings.append(_("审计记录 #%(id)s 已被删除（封存 #%(seal)s）。") % {**names, "id": entry_id})
            continue
        full = entry_hash(row)
        hashes.append(full)
        if entry_id not in sealed:
            findings.append(
                _("审计记录 #%(id)s 是封存后插入的（封存 #%(seal)s 的范围 #%(first)s–#%(last)s）。")
                % {**names, "id": entry_id}
            )
        elif full[:DIGEST_LENGTH] != sealed[entry_id]:
            findings.append(
                _("审计记录 #%(id)s 在封存后被修改（封存 #%(seal)s）。") % {**names, "id": entry_id}
            )
    if not findings and (content_hash(hashes) != seal.content_hash or len(rows) != seal.entry_count):
        findings.append(_("封存 #%(seal)s（#%(first)s–#%(last)s）的逐条摘要与其内容哈希不符。") % names)
    return findings, len(rows)


def verify() -> Verification:
    """Recompute every seal: the chain, and each unpruned seal against the entries in its range."""
    result = Verification(findings=guard_findings(), pruned_through=pruned_through())
    for prune in AuditPrune.objects.select_related("through_seal"):
        if prune.through_entry_id != prune.through_seal.last_entry_id:
            result.findings.append(
                _("清理记录 #%(prune)s 与封存 #%(seal)s 的范围不符。")
                % {"prune": prune.pk, "seal": prune.through_seal_id}
            )
    previous: AuditSeal | None = None
    for seal_ in AuditSeal.objects.order_by("first_entry_id").iterator(chunk_size=200):
        names = {"seal": seal_.pk, "previous": previous.pk if previous else "-"}
        expected_first = previous.last_entry_id + 1 if previous else 1
        if seal_.first_entry_id != expected_first or seal_.previous_hash != (
            previous.hash if previous else ""
        ):
            result.findings.append(_("封存链在封存 #%(seal)s 处断开（前一封存 #%(previous)s）。") % names)
        if seal_.hash != _stored_hash(seal_):
            result.findings.append(_("封存 #%(seal)s 本身被修改：其哈希与所记内容不符。") % names)
        if seal_.last_entry_id > result.pruned_through:
            findings, count = _seal_findings(seal_)
            result.findings.extend(findings)
            result.entries += count
        result.seals += 1
        previous = seal_
    result.latest = previous
    sealed_through = previous.last_entry_id if previous else 0
    before_seals = Q(id__lte=result.pruned_through) | Q(id__lt=1)
    for entry_id in AuditEntry.objects.filter(before_seals).values_list("id", flat=True):
        result.findings.append(
            _("审计记录 #%(id)s 是事后插入的：其编号落在已清理的范围（至 #%(through)s）或第一个封存之前。")
            % {"id": entry_id, "through": result.pruned_through}
        )
    result.pending = AuditEntry.objects.filter(id__gt=sealed_through).count()
    return result


# --- retention ----------------------------------------------------------------------------------


def retention_days() -> int:
    return int(settings.SANQU_AUDIT_RETENTION_DAYS)


def check_retention(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check: audit entries are kept at least 180 days (Cybersecurity Law art. 21)."""
    days = retention_days()
    if days >= MINIMUM_RETENTION_DAYS:
        return []
    return [
        checks.Error(
            _(
                "审计记录保存期限 SANQU_AUDIT_RETENTION_DAYS 为 %(days)s 天，"
                "不得少于 %(minimum)s 天（网络安全法第二十一条）。"
            )
            % {"days": days, "minimum": MINIMUM_RETENTION_DAYS},
            hint=_("把 SANQU_AUDIT_RETENTION_DAYS 设为 %(minimum)s 或更多（默认 365）。")
            % {"minimum": MINIMUM_RETENTION_DAYS},
            id="accounts.E001",
        )
    ]


@dataclasses.dataclass
class PrunePlan:
    before: dt.datetime  # entries sealed in runs whose newest entry is older than this go
    seals: list[AuditSeal]
    entries: int

    @property
    def through_entry_id(self) -> int:
        return self.seals[-1].last_entry_id if self.seals else 0


def prune_plan(*, now: dt.datetime | None = None) -> PrunePlan:
    """The whole seals, in order from the last prune, whose newest entry is past the retention period."""
    days = retention_days()
    if days < MINIMUM_RETENTION_DAYS:
        raise AuditIntegrityError(check_retention()[0].msg)
    before = (now or timezone.now()) - dt.timedelta(days=days)
    seals: list[AuditSeal] = []
    for seal_ in AuditSeal.objects.filter(last_entry_id__gt=pruned_through()).order_by("first_entry_id"):
        if seal_.newest_entry_at >= before:
            break
        seals.append(seal_)
    entries = AuditEntry.objects.filter(id__lte=seals[-1].last_entry_id).count() if seals else 0
    return PrunePlan(before=before, seals=seals, entries=entries)


def prune(
    *, actor: User | None, plan: PrunePlan | None = None, now: dt.datetime | None = None
) -> AuditPrune | None:
    """Delete the entries of the plan's seals (verified first), keeping the seals; None if nothing is due.

    The prune is recorded twice: an `AuditPrune` row (what verification reads) and an audit entry
    (who, how many, up to which date), which the next seal covers.
    """
    plan = plan or prune_plan(now=now)
    if not plan.seals:
        return None
    verification = verify()
    if not verification.intact:
        raise AuditIntegrityError(
            _("审计记录核验未通过，未清理任何记录：%(findings)s")
            % {"findings": "；".join(verification.findings[:5])}
        )
    last = plan.seals[-1]
    actor_name = actor.get_username() if actor is not None else getpass.getuser()
    with transaction.atomic():
        with purge_permit(through=last.last_entry_id):
            deleted, _counts = AuditEntry.objects.filter(id__lte=last.last_entry_id).delete()
        record = AuditPrune.objects.create(
            actor_name=actor_name,
            before=plan.before,
            through_seal=last,
            through_entry_id=last.last_entry_id,
            entry_count=deleted,
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            obj=record,
            detail={
                "operation": "audit_prune",
                "entries": deleted,
                "through_entry": last.last_entry_id,
                "through_seal": last.pk,
                "before": plan.before.isoformat(),
                "newest_pruned_at": max(seal_.newest_entry_at for seal_ in plan.seals).isoformat(),
                "retention_days": retention_days(),
                "os_user": getpass.getuser(),
            },
        )
    return record

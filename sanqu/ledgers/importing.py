"""Importing a ledger: every row checked by the same service functions the forms use, all or nothing.

`import_ledger` reads the file (`sanqu.ledgers.reading`), then, inside one transaction, hands each
row to its kind's adapter: find the record the row's natural key names, leave it when nothing
differs, else update it or create one through the kind's services (permission, scope, validation
and audit as on the pages). Each row runs in a savepoint, so a refused row leaves nothing behind
and the rows after it are still checked. At the end the transaction is kept only when the user
asked to commit and either no row was refused or she chose "valid rows only"; a preview (dry run)
always rolls back, so what it reports is exactly what a commit would do. Every run, committed or
not, leaves an entry in the import log (`LedgerImport`) with the file's hash and the errors.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.kinds import KINDS, LedgerKind
from sanqu.ledgers.models import LedgerImport
from sanqu.ledgers.reading import LedgerFileError, Row, read_ledger
from sanqu.lib import heap

WHOLE_ROW = gettext_lazy("（整行）")  # the column of an error about the row as a whole


class Adapter(Protocol):
    """How one kind's rows become records."""

    fields: dict[str, str]  # a model field named in a ValidationError → the column key it comes from

    def writable(self, actor: User) -> models.QuerySet[Any]: ...
    def find(self, values: dict[str, Any]) -> models.Model | None: ...
    def differs(self, record: Any, values: dict[str, Any]) -> bool: ...
    def create(self, actor: User, values: dict[str, Any]) -> None: ...
    def update(self, actor: User, record: Any, values: dict[str, Any]) -> None: ...
    def key(self, values: dict[str, Any]) -> tuple[Any, ...]: ...


@dataclass
class RowResult:
    number: int  # the sheet's row number
    action: str  # create | update | unchanged | reject
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column header, reason)


@dataclass
class ImportResult:
    kind: LedgerKind
    rows: list[RowResult]
    warnings: list[str]
    committed: bool
    log: LedgerImport

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def rejected(self) -> list[RowResult]:
        return [row for row in self.rows if row.action == "reject"]


def importable_kinds() -> list[LedgerKind]:
    """The kinds that can be imported today, in the order of DESIGN §6."""
    return [kind for code, kind in KINDS.items() if code in ADAPTERS]


def _messages(error: ValidationError, kind: LedgerKind, adapter: Adapter) -> list[tuple[str, str]]:
    headers = {column.key: column.name for column in kind.columns}
    if not hasattr(error, "error_dict"):
        return [(str(WHOLE_ROW), message) for message in error.messages]
    found: list[tuple[str, str]] = []
    for name, messages in error.message_dict.items():
        header = headers.get(adapter.fields.get(name, ""), str(WHOLE_ROW))
        found += [(header, message) for message in messages]
    return found


def _refused_first(
    row: Row, *, kind: LedgerKind, adapter: Any, seen: dict[tuple[Any, ...], int]
) -> RowResult | None:
    """A row refused before any record is looked at: a cell that could not be read, or the same record
    as an earlier row of the file (by the kind's natural key)."""
    if row.errors:
        headers = {column.key: column.name for column in kind.columns}
        return RowResult(row.number, "reject", [(headers[key], reason) for key, reason in row.errors.items()])
    key = adapter.key(row.values)
    if key in seen:
        return RowResult(
            row.number, "reject", [(str(WHOLE_ROW), _("与第 %(row)s 行是同一条记录。") % {"row": seen[key]})]
        )
    seen[key] = row.number
    return None


def _run_row(
    row: Row, *, actor: User, kind: LedgerKind, adapter: Adapter, seen: dict[tuple[Any, ...], int]
) -> RowResult:
    refused = _refused_first(row, kind=kind, adapter=adapter, seen=seen)
    if refused is not None:
        return refused
    try:
        with transaction.atomic():
            record = adapter.find(row.values)
            if record is not None and not adapter.writable(actor).filter(pk=record.pk).exists():
                raise PermissionDenied  # even when nothing would change: never tell what is out of sight
            if record is None:
                adapter.create(actor, row.values)
                return RowResult(row.number, "create")
            if not adapter.differs(record, row.values):
                return RowResult(row.number, "unchanged")
            adapter.update(actor, record, row.values)
            return RowResult(row.number, "update")
    except ValidationError as error:
        return RowResult(row.number, "reject", _messages(error, kind, adapter))
    except (PermissionDenied, Http404):
        return RowResult(row.number, "reject", [(str(WHOLE_ROW), _("这条记录不在您的权限范围内。"))])


def _run_bulk(
    rows: list[Row], *, actor: User, kind: LedgerKind, adapter: Any, progress: Progress | None
) -> list[RowResult]:
    """Rows of a kind checked in bulk (`bulk = True`, see `adapters/services.py`): reading errors and
    repeats within the file are refused here as on the row-by-row path; the adapter checks the rest
    together and keeps what it would write for `_write_bulk`."""
    headers = {column.key: column.name for column in kind.columns}
    results: list[RowResult | None] = []
    candidates: list[Row] = []
    seen: dict[tuple[Any, ...], int] = {}
    key_of = adapter.key
    for row in rows:
        if not row.errors and (row_key := key_of(row.values)) not in seen:  # the usual row, at once
            seen[row_key] = row.number
            results.append(None)
            candidates.append(row)
            continue
        refused = _refused_first(row, kind=kind, adapter=adapter, seen=seen)
        results.append(refused)
        if refused is None:
            candidates.append(row)
    total = len(rows)
    told = (lambda done: progress(done, total)) if progress is not None else None
    outcomes = iter(adapter.check(actor, candidates, progress=told))
    checked = iter(candidates)
    merged: list[RowResult] = []
    append = merged.append
    for result in results:
        if result is None:
            number = next(checked).number
            action, errors = next(outcomes)
            result = RowResult(
                number,
                action,
                [(headers.get(key, str(WHOLE_ROW)), str(reason)) for key, reason in errors] if errors else [],
            )
        append(result)
    return merged


def _write_bulk(adapter: Any, *, actor: User, kind: LedgerKind, log: LedgerImport) -> None:
    """Write what a bulk check found new; one audit entry names the file (its hash) and the count, and
    every record written names its importer (created_by)."""
    created = adapter.write(actor)
    if not created:
        return
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        detail={"ledger": kind.code, "file": log.file_name, "sha256": log.sha256, "created": created},
    )


Progress = Callable[[int, int], None]  # (rows checked, rows in the file)


# A ledger's rows live until the import ends: collections during it would walk them and free nothing.
@heap.collector_paused()
def import_ledger(
    *,
    actor: User,
    kind: str,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    valid_only: bool = False,
    log: LedgerImport | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and (unless a dry run, and only when allowed) commit a ledger; raises LedgerFileError
    for a file that cannot be read (logged too).

    `log` is an import-log entry made beforehand (the pages make one when the file is uploaded) to
    fill in instead of a new one; `progress`, when given, is told how far the check has got, now and
    then, while the import's transaction is open (so it should not tell the database: the pages use
    the `progress` cache).
    """
    spec = KINDS[kind]
    adapter = ADAPTERS[kind]()
    if log is None:
        log = LedgerImport(kind=kind, imported_by=actor)
    log.file_name = filename[:255]
    log.sha256 = hashlib.sha256(data).hexdigest()
    log.size = len(data)
    log.valid_only = valid_only
    try:
        table = read_ledger(data, filename=filename, kind=spec)
    except LedgerFileError as error:
        log.outcome = LedgerImport.Outcome.UNREADABLE
        log.errors = [{"row": 0, "column": "", "message": str(error)}]
        log.save()
        raise
    results: list[RowResult] = []
    with transaction.atomic():
        if getattr(adapter, "bulk", False):
            results = _run_bulk(table.rows, actor=actor, kind=spec, adapter=adapter, progress=progress)
        else:
            seen: dict[tuple[Any, ...], int] = {}
            total = len(table.rows)
            step = max(total // 50, 200)
            for done, row in enumerate(table.rows):
                if progress is not None and done % step == 0:
                    progress(done, total)
                results.append(_run_row(row, actor=actor, kind=spec, adapter=adapter, seen=seen))
        counts = Counter(row.action for row in results)
        rejected = counts["reject"]
        committed = not dry_run and (rejected == 0 or valid_only)
        if committed and getattr(adapter, "bulk", False):
            _write_bulk(adapter, actor=actor, kind=spec, log=log)
        if progress is not None:
            progress(len(table.rows), len(table.rows))
        if not committed:
            transaction.set_rollback(True)
    outcome = (
        LedgerImport.Outcome.COMMITTED
        if committed
        else LedgerImport.Outcome.PREVIEWED
        if dry_run
        else LedgerImport.Outcome.REFUSED
    )
    log.outcome = outcome
    log.rows = len(results)
    log.created, log.updated, log.unchanged = counts["create"], counts["update"], counts["unchanged"]
    log.rejected = rejected
    log.errors = [
        {"row": row.number, "column": column, "message": message}
        for row in results
        if row.errors
        for column, message in row.errors
    ]
    log.save()
    return ImportResult(kind=spec, rows=results, warnings=table.warnings, committed=committed, log=log)

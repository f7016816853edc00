"""Ledger imports from the pages: upload, a preview run as a task, then a commit of the same file.

Uploading (`upload_ledger`) keeps the file privately and writes a queued import-log entry (mode
preview); a task (`sanqu.ledgers.import_tasks`) then runs `import_ledger(dry_run=True)` on it, so
the page returns at once and can be left. Committing (`commit_import`) writes a second entry on the
same stored file (mode commit, `preview_of` the preview) and queues the real import, which first
checks that the file is still the one previewed. An import runs inside one transaction, so its
progress cannot be written to the database where the page would see it: it goes to the cache alias
`progress` (files every server process shares), keyed by the entry's id.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.cache import caches
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import VIEW_AUDIT
from sanqu.ledgers.adapters import ADAPTERS
from sanqu.ledgers.importing import import_ledger
from sanqu.ledgers.kinds import KINDS, LedgerKind
from sanqu.ledgers.models import LedgerImport
from sanqu.ledgers.reading import MB, LedgerFileError, max_upload_bytes
from sanqu.lib.files import random_name

log = logging.getLogger(__name__)

# A kind is imported by whoever may add its records (the adapters write through the same services,
# which check the scope row by row): any one of the permissions listed. Service records are also
# imported by the county section and the city office, who back-fill the services kept in Excel.
IMPORT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "dispatch": ("workforce.add_dispatch",),
    "trainee": ("training.add_trainee",),
    "organisation": ("orgs.add_organisation",),
    "certificate": ("workforce.add_certificate",),
    "beneficiary": ("cases.add_beneficiary",),
    "service": ("cases.add_servicerecord", "cases.import_servicerecord"),
    "incentive": ("incentives.add_incentivepolicy",),
}
# Whoever reads the audit log (the city office) reads every import; anyone else her own.
VIEW_ALL = VIEW_AUDIT
PROGRESS_CACHE = "progress"


def may_import(user: User, kind: str) -> bool:
    return kind in ADAPTERS and any(user.has_perm(perm) for perm in IMPORT_PERMISSIONS.get(kind, ()))


def importable_kinds_for(user: User) -> list[LedgerKind]:
    """The kinds the user may import, in the order of DESIGN §6."""
    return [kind for code, kind in KINDS.items() if may_import(user, code)]


def imports_for(user: User) -> models.QuerySet[LedgerImport]:
    """The import-log entries the user reads, newest first."""
    found = LedgerImport.objects.select_related("imported_by")
    return found if user.has_perm(VIEW_ALL) else found.filter(imported_by=user)


def get_import_for_user(user: User, pk: int) -> LedgerImport:
    """One entry the user reads; 404 otherwise (never saying whether it exists). An import whose
    worker died is marked as interrupted first (see `mark_if_interrupted`)."""
    found = imports_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return mark_if_interrupted(found)


# Progress, outside the import's transaction


def _progress_key(pk: int) -> str:
    return f"ledger-import:{pk}"


def report_progress(pk: int, done: int, total: int) -> None:
    caches[PROGRESS_CACHE].set(_progress_key(pk), (done, total, time.time()))


def read_progress(entry: LedgerImport) -> tuple[int, int] | None:
    """(rows checked, rows in the file) of a running import; None before the file has been read."""
    found = caches[PROGRESS_CACHE].get(_progress_key(entry.pk))
    return (found[0], found[1]) if found and found[1] else None


# Interrupted imports: the worker was killed (a restart, a crash, the machine going down) while an
# import ran. Its transaction never committed, so the database holds nothing of it; only its entry
# still says 检查中. An import that has shown no sign of life (a progress report, or its start) for
# this long is marked as interrupted, and the user runs it again.
INTERRUPTED_AFTER_SECONDS = 15 * 60


def mark_if_interrupted(entry: LedgerImport, *, now: float | None = None) -> LedgerImport:
    if entry.status != LedgerImport.Status.RUNNING:
        return entry
    found = caches[PROGRESS_CACHE].get(_progress_key(entry.pk))
    last = found[2] if found and len(found) > 2 else entry.imported_at.timestamp()
    if (now if now is not None else time.time()) - last < INTERRUPTED_AFTER_SECONDS:
        return entry
    return _failed(
        entry, _("导入进行中被中断（服务重启或进程退出），数据库未作任何改动。请重新上传文件导入。")
    )


# Writes


def _check_upload(upload: UploadedFile) -> None:
    size = upload.size or 0
    if size == 0:
        raise ValidationError({"file": _("文件是空的。")})
    limit = max_upload_bytes()
    if size > limit:
        raise ValidationError(
            {
                "file": _(
                    "文件大小为 %(size).1f MB，超过了 %(limit)s MB 的上限：请拆分成几个文件后分别导入。"
                )
                % {"size": size / MB, "limit": f"{limit / MB:g}"}
            }
        )


def upload_ledger(
    *, actor: User, kind: str, upload: UploadedFile, request: HttpRequest | None = None
) -> LedgerImport:
    """Keep an uploaded ledger and queue its preview; the task starts once this transaction commits."""
    if not may_import(actor, kind):
        raise PermissionDenied
    _check_upload(upload)
    data = b"".join(upload.chunks())
    name = (upload.name or "ledger").strip()[:255]
    with transaction.atomic():
        entry = LedgerImport(
            kind=kind,
            file_name=name,
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
            imported_by=actor,
            status=LedgerImport.Status.QUEUED,
            mode=LedgerImport.Mode.PREVIEW,
        )
        entry.file.save(random_name("ledgers", name), ContentFile(data), save=False)
        entry.save()
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=entry,
            detail={"kind": kind, "file_name": name, "sha256": entry.sha256, "mode": entry.mode},
            request=request,
        )
        transaction.on_commit(lambda: _enqueue(entry.pk))
    return entry


def commit_blocker(actor: User, preview: LedgerImport) -> str:
    """Why this preview cannot be committed by the actor now ("" when it can)."""
    if preview.mode != LedgerImport.Mode.PREVIEW or preview.outcome != LedgerImport.Outcome.PREVIEWED:
        return _("只有检查完毕的预览才能导入。")
    if preview.imported_by_id != actor.pk:
        return _("只有上传文件的人才能导入这个文件。")
    if not may_import(actor, preview.kind):
        return _("您的账号不能导入这种台账。")
    taken = preview.commits.filter(
        models.Q(status__in=[LedgerImport.Status.QUEUED, LedgerImport.Status.RUNNING])
        | models.Q(outcome=LedgerImport.Outcome.COMMITTED)
    ).first()
    if taken is not None:
        return _("这个文件已经导入（导入记录 #%(id)s）。") % {"id": taken.pk}
    return ""


def commit_import(
    *, actor: User, preview: LedgerImport, valid_only: bool, request: HttpRequest | None = None
) -> LedgerImport:
    """Queue the commit of a previewed file: all or nothing, or its valid rows only when chosen."""
    with transaction.atomic():
        preview = LedgerImport.objects.select_for_update().get(pk=preview.pk)
        if preview.imported_by_id != actor.pk or not may_import(actor, preview.kind):
            raise PermissionDenied
        blocker = commit_blocker(actor, preview)
        if blocker:
            raise ValidationError(blocker)
        entry = LedgerImport.objects.create(
            kind=preview.kind,
            file_name=preview.file_name,
            sha256=preview.sha256,
            size=preview.size,
            imported_by=actor,
            valid_only=valid_only,
            status=LedgerImport.Status.QUEUED,
            mode=LedgerImport.Mode.COMMIT,
            file=preview.file.name,
            preview_of=preview,
        )
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=entry,
            detail={"kind": entry.kind, "preview": preview.pk, "mode": entry.mode, "valid_only": valid_only},
            request=request,
        )
        transaction.on_commit(lambda: _enqueue(entry.pk))
    return entry


def _enqueue(pk: int) -> None:
    from sanqu.ledgers.import_tasks import run_ledger_import

    run_ledger_import.enqueue(pk)


def run_import(pk: int) -> LedgerImport | None:
    """Run a queued import (the task's body). A failure is written on the entry, not raised."""
    with transaction.atomic():
        entry = (
            LedgerImport.objects.select_for_update()
            .filter(pk=pk, status=LedgerImport.Status.QUEUED)
            .select_related("imported_by")
            .first()
        )
        if entry is None:  # gone, or another worker took it
            return None
        entry.status = LedgerImport.Status.RUNNING
        entry.save(update_fields=["status"])
    report_progress(pk, 0, 0)  # a first sign of life, before the file is read
    try:
        with entry.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        return _failed(entry, _("上传的文件已不在服务器上，请重新上传。"))
    if entry.preview_of_id is not None and hashlib.sha256(data).hexdigest() != entry.sha256:
        return _failed(entry, _("文件在预览之后被改动过，没有导入：请重新上传并预览。"))
    try:
        result = import_ledger(
            actor=entry.imported_by,
            kind=entry.kind,
            data=data,
            filename=entry.file_name,
            dry_run=entry.mode == LedgerImport.Mode.PREVIEW,
            valid_only=entry.valid_only,
            log=entry,
            progress=lambda done, total: report_progress(pk, done, total),
        )
    except LedgerFileError as error:
        return _failed(entry, str(error))
    except Exception:
        log.exception("ledger import %s failed", pk)
        return _failed(
            entry, _("导入时出错，已记入系统日志，数据库未作任何改动。请稍后重试，或联系系统管理员。")
        )
    entry.warnings = result.warnings
    entry.status = LedgerImport.Status.DONE
    entry.finished_at = timezone.now()
    entry.save(update_fields=["warnings", "status", "finished_at"])
    caches[PROGRESS_CACHE].delete(_progress_key(pk))
    return entry


def _failed(entry: LedgerImport, reason: str) -> LedgerImport:
    # An UPDATE of the status fields only: whatever the import filled in (an unreadable file's outcome)
    # stays as it wrote it.
    entry.status, entry.error, entry.finished_at = LedgerImport.Status.FAILED, reason, timezone.now()
    LedgerImport.objects.filter(pk=entry.pk).update(
        status=entry.status, error=entry.error, finished_at=entry.finished_at
    )
    caches[PROGRESS_CACHE].delete(_progress_key(entry.pk))
    return entry

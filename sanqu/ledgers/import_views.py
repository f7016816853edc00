"""Ledger import pages: upload, follow the check, read the preview, commit, and the import log.

The upload form sits on the ledgers page (`export_views.render_ledgers`); the check and the commit
run as tasks (`import_services`), the page polls a progress block until they are done. An entry of
the log is read by the one who imported it (the city office: every one); anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.ledgers.error_copy import error_copy, error_copy_name
from sanqu.ledgers.export_views import SECTION, TITLES, render_ledgers, xlsx_response
from sanqu.ledgers.import_forms import UploadForm
from sanqu.ledgers.import_services import (
    VIEW_ALL,
    commit_blocker,
    commit_import,
    get_import_for_user,
    importable_kinds_for,
    imports_for,
    read_progress,
    upload_ledger,
)
from sanqu.ledgers.kinds import KINDS
from sanqu.ledgers.models import LedgerImport
from sanqu.ledgers.reading import LedgerFileError

PAGE_SIZE = 20
POLL_SECONDS = 1
ERRORS_SHOWN = 500


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kinds = importable_kinds_for(user)
    if not kinds:
        raise PermissionDenied
    form = UploadForm(request.POST, request.FILES, kinds=kinds, titles=TITLES)
    if form.is_valid():
        try:
            entry = upload_ledger(
                actor=user, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], request=request
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("文件已上传，正在检查。可以离开本页，稍后在“导入记录”中查看。"))
            return redirect("ledger_import", pk=entry.pk)
    return render_ledgers(request, import_form=form)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return self.done * 100 // self.total if self.total else 0


def _progress(entry: LedgerImport) -> Progress | None:
    if entry.status != LedgerImport.Status.RUNNING:
        return None
    found = read_progress(entry)
    return Progress(*found) if found else None


def _context(request: HttpRequest, entry: LedgerImport) -> dict[str, Any]:
    user = _user(request)
    errors = entry.errors if entry.status == LedgerImport.Status.DONE else []
    blocker = commit_blocker(user, entry) if entry.mode == LedgerImport.Mode.PREVIEW else ""
    return {
        "entry": entry,
        "title": TITLES.get(entry.kind, entry.kind),
        "progress": _progress(entry),
        "poll": POLL_SECONDS,
        "errors": errors[:ERRORS_SHOWN],
        "more_errors": max(len(errors) - ERRORS_SHOWN, 0),
        "can_commit": entry.status == LedgerImport.Status.DONE and not blocker,
        "blocker": blocker,
        "commits": list(entry.commits.order_by("-id")) if entry.mode == LedgerImport.Mode.PREVIEW else [],
        "has_copy": bool(entry.file) and entry.status == LedgerImport.Status.DONE and bool(entry.rejected),
        "nav_section": SECTION,
    }


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_import_for_user(_user(request), pk)
    return render(request, "ledgers/imports/detail.html", _context(request, entry))


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block, polled by the page while the task works; reloads the page when done."""
    entry = get_import_for_user(_user(request), pk)
    response = render(request, "ledgers/imports/_progress.html", _context(request, entry))
    if request.headers.get("HX-Request") and not entry.working:
        response["HX-Refresh"] = "true"  # the finished page shows the counts and what can be done next
    return response


@login_required
@require_http_methods(["GET", "POST"])
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation of "valid rows only"; POST: queue the commit of the previewed file."""
    user = _user(request)
    preview = get_import_for_user(user, pk)
    if preview.imported_by_id != user.pk:
        raise PermissionDenied  # the city office reads others' imports but commits none of them
    blocker = commit_blocker(user, preview)
    if request.method == "GET":
        if blocker:
            messages.error(request, blocker)
            return redirect("ledger_import", pk=preview.pk)
        if not preview.rejected:  # nothing would be left out: the page's own button imports it all
            return redirect("ledger_import", pk=preview.pk)
        context = _context(request, preview)
        context["valid"] = preview.rows - preview.rejected
        return render(request, "ledgers/imports/confirm.html", context)
    valid_only = request.POST.get("valid_only") == "1"
    try:
        entry = commit_import(actor=user, preview=preview, valid_only=valid_only, request=request)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("ledger_import", pk=preview.pk)
    messages.success(request, _("已开始导入，可以离开本页，稍后在“导入记录”中查看结果。"))
    return redirect("ledger_import", pk=entry.pk)


@login_required
@require_GET
def errors_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The uploaded file with the column 错误说明 (an export of what the file holds: audited)."""
    user = _user(request)
    entry = get_import_for_user(user, pk)
    if not entry.file or entry.status != LedgerImport.Status.DONE or not entry.rejected:
        raise Http404
    try:
        with entry.file.open("rb") as handle:
            data = handle.read()
        content = error_copy(data, filename=entry.file_name, kind=KINDS[entry.kind], errors=entry.errors)
    except (FileNotFoundError, LedgerFileError):
        raise Http404 from None
    audit.record(
        actor=user,
        action=AuditEntry.Action.EXPORT,
        obj=entry,
        detail={"error_copy": entry.file_name, "rows": entry.rejected},
        request=request,
    )
    return xlsx_response(content, error_copy_name(entry.file_name))


@login_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not importable_kinds_for(user) and not user.has_perm(VIEW_ALL):
        raise PermissionDenied
    page = Paginator(imports_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ledgers/imports/list.html",
        {
            "page": page,
            "rows": [(entry, TITLES.get(entry.kind, entry.kind)) for entry in page.object_list],
            "everyone": user.has_perm(VIEW_ALL),
            "can_import": bool(importable_kinds_for(user)),
            "nav_section": SECTION,
        },
    )

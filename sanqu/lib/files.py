"""Private uploads: files kept beside (never under) MEDIA_ROOT, with no URL.

Claim evidence, implementation plans, visit and evaluation evidence are read only through a scoped
view that audits the read. An upload is recognised by its first bytes, not by its name.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

PDF_OR_IMAGE = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
# Office documents (.docx, .xlsx) are zip files; the legacy .doc/.xls are OLE compound files.
DOCUMENTS = {
    **PDF_OR_IMAGE,
    b"PK\x03\x04": "application/zip",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "application/x-ole-storage",
}


class PrivateStorage(FileSystemStorage):
    """Files under MEDIA_ROOT/../private; asking for a URL is a programming error."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(base_url=None, **kwargs)

    @cached_property
    def base_location(self) -> str:
        return str(Path(settings.MEDIA_ROOT).parent / "private")

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public URL.")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def random_name(folder: str, filename: str) -> str:
    """A stored name that says nothing about the person or the content: <folder>/<random><suffix>."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def sniff_upload(
    upload: UploadedFile,
    *,
    field: str,
    accepted: dict[bytes, str] = PDF_OR_IMAGE,
    kinds: str | None = None,
) -> str:
    """The content type of an upload from its first bytes; a refusal names the file and the rule.

    `kinds` is how the accepted types are named to the user (默认：PDF、JPEG 或 PNG).
    """
    name = upload.name or ""
    if upload.size is None or upload.size == 0:
        raise ValidationError({field: _("文件“%(name)s”是空的。") % {"name": name}})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({field: _("文件“%(name)s”超过 10 MB。") % {"name": name}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in accepted.items():
        if head.startswith(magic):
            return content_type
    raise ValidationError(
        {
            field: _("文件“%(name)s”的格式不受支持：只接受 %(kinds)s。")
            % {"name": name, "kinds": kinds or _("PDF、JPEG 或 PNG")}
        }
    )


# Types a browser may show in place; anything else is downloaded.
SHOWN_INLINE = {"application/pdf", "image/png", "image/jpeg"}


def private_file_response(
    file: FieldFile, *, name: str, content_type: str, attachment: bool | None = None
) -> FileResponse:
    """Serve a private file to the one user who asked: never cached, never sniffed as another type,
    shown in a sandbox when a browser can display it, else downloaded. 404 when the file is gone.

    The caller has already checked scope and audited the read.
    """
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = content_type or "application/octet-stream"
    response = FileResponse(
        handle,
        as_attachment=content_type not in SHOWN_INLINE if attachment is None else attachment,
        filename=name or "file",
        content_type=content_type,
    )
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


def save_whole(field_file: FieldFile, name: str, content: bytes, *, save: bool) -> None:
    """Store `content` under `name`, or nothing at all: a write that fails part-way (a full disk)
    raises OSError and leaves no truncated file behind (Django's storage does not remove it)."""
    from django.core.files.base import ContentFile

    try:
        field_file.save(name, ContentFile(content), save=save)
    except OSError:
        with contextlib.suppress(OSError):
            field_file.storage.delete(name)
        field_file.name = None
        raise

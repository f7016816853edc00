"""Optimistic locking: two people editing the same record never overwrite each other silently.

An edit page carries the record's version as it was when the page was opened (`version_of`: a digest
of the stored values of its concrete fields, so no column or migration is needed). The view wraps
the update service in `expect(record, submitted_version)`; `audited_save`, the one place a record is
updated, then locks the row and compares (`check`). When someone else saved the record in between,
it raises `Conflict` (a ValidationError, so every edit page already shows it above the form): nothing
is written, the user's input stays on the page, and the message says who changed the record and when.
The page then carries the new version, so a second submit, made knowingly, saves.

The version travels in a hidden input named `version` (`{% record_version form record %}`); the API
can send the same value in `If-Match`.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

FIELD = "version"

_expected: contextvars.ContextVar[dict[tuple[str, str], str] | None] = contextvars.ContextVar(
    "sanqu_expected_versions", default=None
)


class Conflict(ValidationError):
    """The record changed after the page was opened."""

    code = "conflict"

    def __init__(self, message: str, *, current: str) -> None:
        super().__init__(message, code=self.code)
        self.current = current


def version_of(instance: models.Model) -> str:
    """A short digest of the record's stored values."""
    values = {field.attname: field.value_from_object(instance) for field in instance._meta.concrete_fields}
    encoded = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()[:20]


def _key(instance: models.Model) -> tuple[str, str]:
    return instance._meta.label_lower, str(instance.pk)


def submitted(request: HttpRequest) -> str:
    """The version the page was opened with (empty when the form did not send one)."""
    return request.POST.get(FIELD, "")[:64]


@contextlib.contextmanager
def expect(instance: models.Model, version: str) -> Iterator[None]:
    """Within the block, an update of `instance` must find it at `version` (no check if empty)."""
    if not version:
        yield
        return
    expected = dict(_expected.get() or {})
    expected[_key(instance)] = version
    token = _expected.set(expected)
    try:
        yield
    finally:
        _expected.reset(token)


def check(instance: models.Model) -> None:
    """Called before an update is written: refuse it if the stored record is not the one expected."""
    expected = (_expected.get() or {}).get(_key(instance))
    if not expected:
        return
    stored = type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
    if stored is None:
        return
    current = version_of(stored)
    if current != expected:
        raise Conflict(_conflict_message(instance), current=current)


def _conflict_message(instance: models.Model) -> str:
    from sanqu.accounts.models import AuditEntry

    last = (
        AuditEntry.objects.filter(object_type=instance._meta.label_lower, object_id=str(instance.pk))
        .exclude(action__in=[AuditEntry.Action.UNMASK, AuditEntry.Action.EXPORT, AuditEntry.Action.ALERT])
        .order_by("-at", "-pk")
        .first()
    )
    if last is None:
        who = _("其他用户")
        when = ""
    else:
        who = last.actor.display_name if last.actor else (last.actor_name or _("系统"))
        when = timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M")
    values: dict[str, Any] = {"who": who, "when": when}
    if when:
        text = _("这条记录在您打开页面之后已被 %(who)s 于 %(when)s 修改，您的修改没有保存。")
    else:
        text = _("这条记录在您打开页面之后已被 %(who)s 修改，您的修改没有保存。")
    return (text % values) + _(
        "您填写的内容仍在下面：请先打开记录核对最新内容，确认后再次提交将以您的内容为准。"
    )


def version_for_page(request: HttpRequest, form: Any, instance: models.Model) -> str:
    """The version an edit page carries (see `{% record_version %}`).

    Opened fresh: the record's version. Re-shown after a conflict: the version stored now, so that a
    second submit, made knowingly, saves. Re-shown for another error: the version it was opened
    with, so a change made meanwhile is still caught.
    """
    if form is not None and form.is_bound:
        if any(error.code == Conflict.code for error in form.non_field_errors().as_data()):
            stored = type(instance)._default_manager.filter(pk=instance.pk).first()
            return version_of(stored) if stored is not None else ""
        return submitted(request)
    return version_of(instance)

"""Audit entries for signing in and out, from Django's auth signals.

The signals decouple authentication (Django, django-axes, Wagtail's admin login) from the
audit trail: every way of logging in writes the same entry.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry


def on_logged_in(*, sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditEntry.Action.LOGIN, request=request)


def on_logged_out(*, sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None or not user.is_authenticated:
        return
    audit.record(actor=user, action=AuditEntry.Action.LOGOUT, request=request)


def on_login_failed(
    *, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the username is kept: Django has already masked the password in `credentials`.
    username = str(credentials.get("username") or "")[:150]
    audit.record(
        actor=None, action=AuditEntry.Action.LOGIN_FAILED, detail={"username": username}, request=request
    )

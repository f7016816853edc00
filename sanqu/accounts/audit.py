"""Writing the audit trail: every write and every unmasked view of sensitive data."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from sanqu.accounts.models import AuditEntry, User


def record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=actor.get_username() if actor is not None else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        detail=detail or {},
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in after if before.get(name) != after.get(name))

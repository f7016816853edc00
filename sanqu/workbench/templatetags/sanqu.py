"""Small presentation filters of the workbench templates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sanqu.accounts import versions

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes (rounded up), for messages such as a lockout's cool-off."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def figure(value: object) -> str:
    """A figure as people read it: 1,077 for counts, 7.3 for multiples, a dash when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


@register.filter
def days_after(day: dt.date | None, today: dt.date | None) -> int | None:
    """Whole days from `today` to `day` (negative once the day has passed)."""
    if day is None or today is None:
        return None
    return (day - today).days


@register.filter
def abs_days(value: int | None) -> int:
    return abs(value or 0)


@register.simple_tag(takes_context=True)
def record_version(context: template.Context, record: models.Model | None, form: Any = None) -> SafeString:
    """The hidden input that carries the record's version on an edit page (sanqu.accounts.versions);
    nothing on a page that creates a record."""
    if record is None or record.pk is None:
        return SafeString("")
    version = versions.version_for_page(context["request"], form, record)
    return format_html('<input type="hidden" name="{}" value="{}">', versions.FIELD, version)

"""Small presentation filters of the workbench templates."""

from __future__ import annotations

import datetime as dt

from django import template

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

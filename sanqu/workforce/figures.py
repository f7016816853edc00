"""Dispatch figures: retention and early leavers, for a scope and an as-of date.

A dispatch counts where its receiving county lies: in the scope when `county.path` starts with
the scope's path (so a scope below county level holds none). A term has *ended* by the date when
its status is 期满 (completed) or 提前离岗 (left early) and its end is on or before the date; a
term that ends later was still serving on the date.

Retention is completed ÷ ended, as a percentage with one decimal (ROUND_HALF_UP) and given as a
float, or None when no term has ended in scope by the date (nothing to divide by, not 0 %).

Each figure is one aggregate query; `retention_breakdown` gives the same counts grouped by
programme year, county or sending organisation for the retention page.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from sanqu.regions.models import Region
from sanqu.workforce.models import Dispatch

Status = Dispatch.Status


def _ended_by(as_of: dt.date, status: str | None = None) -> Q:
    statuses = [status] if status else [Status.COMPLETED, Status.LEFT_EARLY]
    return Q(status__in=statuses, ended_on__isnull=False, ended_on__lte=as_of)


def retention_rate(*, completed: int, ended: int) -> float | None:
    """completed ÷ ended as a percentage with one decimal; None when nothing has ended."""
    if ended == 0:
        return None
    rate = (Decimal(completed) * 100 / Decimal(ended)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(rate)


def _counts(as_of: dt.date) -> dict[str, Count]:
    return {
        "dispatched": Count("pk", filter=Q(started_on__lte=as_of)),
        "completed": Count("pk", filter=_ended_by(as_of, Status.COMPLETED)),
        "left_early": Count("pk", filter=_ended_by(as_of, Status.LEFT_EARLY)),
        "local": Count("pk", filter=Q(started_on__lte=as_of, sending_organisation__home_county=F("county"))),
    }


def _with_rate(row: dict[str, Any]) -> dict[str, Any]:
    ended = row["completed"] + row["left_early"]
    return {
        **row,
        "ended": ended,
        "serving": row["dispatched"] - ended,
        "rate": retention_rate(completed=row["completed"], ended=ended),
    }


def _in_scope(scope: Region) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(county__path__startswith=scope.path)


def dispatch_retention(*, scope: Region, as_of: dt.date) -> dict[str, Any]:
    """{"ended", "completed", "left_early", "rate"}: terms ended by the date in scope, and retention.

    `rate` is completed ÷ ended in per cent, one decimal (e.g. 91.7), or None when none ended.
    """
    row = _in_scope(scope).aggregate(
        completed=Count("pk", filter=_ended_by(as_of, Status.COMPLETED)),
        left_early=Count("pk", filter=_ended_by(as_of, Status.LEFT_EARLY)),
    )
    ended = row["completed"] + row["left_early"]
    return {
        "ended": ended,
        "completed": row["completed"],
        "left_early": row["left_early"],
        "rate": retention_rate(completed=row["completed"], ended=ended),
    }


def early_leavers_by_reason(*, scope: Region, as_of: dt.date) -> dict[str, int]:
    """Terms left early by the date in scope, by reason: every `LeaveReason` code, in its order."""
    reasons = Dispatch.LeaveReason.values
    row = _in_scope(scope).aggregate(
        **{
            reason: Count("pk", filter=_ended_by(as_of, Status.LEFT_EARLY) & Q(leave_reason=reason))
            for reason in reasons
        }
    )
    return {reason: row[reason] for reason in reasons}


def retention_breakdown(dispatches: QuerySet[Dispatch], *, as_of: dt.date, by: str) -> list[dict[str, Any]]:
    """Dispatched, serving, completed, left early, ended, local hires and retention per group.

    `by` is "programme_year", "county" or "sending_organisation"; each row carries the group's
    id and name. `dispatches` is already scoped (the page passes the user's dispatches).
    """
    names = {
        "programme_year": ("programme_year__year", "programme_year__year"),
        "county": ("county__name", "county__code"),
        "sending_organisation": ("sending_organisation__name", "sending_organisation__name"),
    }
    name, order = names[by]
    rows = (
        dispatches.filter(started_on__lte=as_of)
        .order_by()
        .values(*dict.fromkeys((by, name, order)))
        .annotate(**_counts(as_of))
        .order_by(order)
    )
    return [_with_rate({"id": row[by], "name": row[name], **row}) for row in rows]


def retention_total(dispatches: QuerySet[Dispatch], *, as_of: dt.date) -> dict[str, Any]:
    return _with_rate(dispatches.order_by().aggregate(**_counts(as_of)))


def leavers_by_reason(dispatches: QuerySet[Dispatch], *, as_of: dt.date) -> list[tuple[str, str, int]]:
    """(code, label, count) for every reason, in the list's order, over scoped dispatches."""
    row = dispatches.order_by().aggregate(
        **{
            reason: Count("pk", filter=_ended_by(as_of, Status.LEFT_EARLY) & Q(leave_reason=reason))
            for reason in Dispatch.LeaveReason.values
        }
    )
    return [(code, str(label), row[code]) for code, label in Dispatch.LeaveReason.choices]

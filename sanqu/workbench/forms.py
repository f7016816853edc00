"""The audit log's filters: they normalise the query string and return the filtered entries."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.models import AuditEntry


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"), required=False, choices=[("", _("全部操作")), *AuditEntry.Action.choices]
    )
    user = forms.CharField(label=_("操作人账号"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        return cleaned

    def apply(self, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
        """The entries that match the valid filters (an invalid filter is ignored, and shown as an error)."""
        data = self.cleaned_data if self.is_valid() else {}
        if action := data.get("action"):
            entries = entries.filter(action=action)
        if username := (data.get("user") or "").strip():
            # A failed login has no actor: the username tried is in its detail.
            entries = entries.filter(Q(actor_name__iexact=username) | Q(detail__username=username))
        if start := data.get("date_from"):
            entries = entries.filter(at__gte=_day_start(start))
        if end := data.get("date_to"):
            entries = entries.filter(at__lt=_day_start(end + dt.timedelta(days=1)))
        return entries


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of the day in the local time zone (Asia/Shanghai), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

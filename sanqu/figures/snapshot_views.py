"""Snapshot pages: the list, freezing the current figures, one snapshot with its comparison to today."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.cases.forms.groups import DATE, add_service_errors
from sanqu.figures.engine import FIGURE_LABELS
from sanqu.figures.models import FigureSnapshot
from sanqu.figures.snapshots import (
    BUCKETS,
    SOURCES,
    SOURCES_BY_KEY,
    VIEW,
    FigureValue,
    bucket_titles,
    compare,
    flatten,
    get_snapshot_for_user,
    record_changes,
    snapshot_scopes,
    snapshots_for,
    take_snapshot,
)
from sanqu.lib import clock
from sanqu.regions.models import Region

PAGE_SIZE = 25
SECTION = "figures"
SHOWN = 10  # records listed inline per bucket on the comparison; the rest behind the count's link


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


class ScopeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.code}）"


class SnapshotForm(forms.Form):
    scope = ScopeChoiceField(label=gettext_lazy("统计范围"), queryset=Region.objects.none())
    as_of = forms.DateField(label=gettext_lazy("统计日期"), widget=DATE)
    reason = forms.ChoiceField(
        label=gettext_lazy("冻结原因"), choices=FigureSnapshot.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("说明"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如：2018 年度成效报告发布前"),
    )

    def __init__(self, *args: Any, scopes: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].queryset = scopes  # type: ignore[attr-defined]


@login_required
@require_GET
def snapshot_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not user.has_perm(VIEW):
        raise PermissionDenied
    page = Paginator(snapshots_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "figures/snapshots/list.html",
        {"page": page, "can_take": snapshot_scopes(user).exists(), "nav_section": SECTION},
    )


@login_required
@require_http_methods(["GET", "POST"])
def snapshot_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    scopes = snapshot_scopes(user)
    if not scopes.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = SnapshotForm(request.POST, scopes=scopes)
        if form.is_valid():
            try:
                made = take_snapshot(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已冻结%(scope)s截至 %(as_of)s 的数据。")
                    % {"scope": made.scope.name, "as_of": made.as_of.isoformat()},
                )
                return redirect("snapshot_detail", pk=made.pk)
    else:
        form = SnapshotForm(
            initial={"scope": scopes.first(), "as_of": clock.today(), "reason": FigureSnapshot.Reason.MANUAL},
            scopes=scopes,
        )
    return render(request, "figures/snapshots/form.html", {"form": form, "nav_section": SECTION})


def _grouped(values: list[FigureValue]) -> list[dict[str, Any]]:
    """The frozen figures by figure: a plain number, or its parts (dict figures expanded)."""
    groups: dict[str, dict[str, Any]] = {}
    for item in values:
        group = groups.setdefault(
            item.key, {"key": item.key, "label": str(FIGURE_LABELS.get(item.key, item.key)), "parts": []}
        )
        if item.path:
            group["parts"].append({"label": item.label.split(" · ", 1)[1], "value": item.value})
        else:
            group["value"] = item.value
    return list(groups.values())


@login_required
@require_GET
def snapshot_detail(request: HttpRequest, pk: int) -> HttpResponse:
    snapshot = get_snapshot_for_user(_user(request), pk)
    tables = [
        {"label": source.label, "count": snapshot.digests.get(source.key, {}).get("count", 0)}
        for source in SOURCES
    ]
    return render(
        request,
        "figures/snapshots/detail.html",
        {
            "snapshot": snapshot,
            "figures": _grouped(flatten(snapshot.figures)),
            "tables": tables,
            "rows": sum(table["count"] for table in tables),
            "nav_section": SECTION,
        },
    )


@login_required
@require_GET
def snapshot_comparison(request: HttpRequest, pk: int) -> HttpResponse:
    """The comparison with today's figures: a fragment for htmx, a page otherwise."""
    snapshot = get_snapshot_for_user(_user(request), pk)
    comparison = compare(snapshot)
    template = (
        "figures/snapshots/_comparison.html"
        if request.headers.get("HX-Request")
        else "figures/snapshots/comparison.html"
    )
    return render(
        request,
        template,
        {
            "snapshot": snapshot,
            "comparison": comparison,
            "changes": [
                {"change": change, "causes": comparison.causes(change)} for change in comparison.changed
            ],
            "tables": [
                {
                    "table": table,
                    "buckets": [
                        {
                            "name": name,
                            "title": title,
                            "items": table.bucket(name)[:SHOWN],
                            "count": len(table.bucket(name)),
                        }
                        for name, title in bucket_titles().items()
                        if table.bucket(name)
                    ],
                }
                for table in comparison.tables
            ],
            "nav_section": SECTION,
        },
    )


@login_required
@require_GET
def snapshot_changes(request: HttpRequest, pk: int, table: str, bucket: str) -> HttpResponse:
    """Every record of one table in one bucket (added / deleted / corrected) since the snapshot."""
    snapshot = get_snapshot_for_user(_user(request), pk)
    source = SOURCES_BY_KEY.get(table)
    if source is None or bucket not in BUCKETS:
        raise Http404
    changes = record_changes(snapshot, only=table)
    items = changes[0].bucket(bucket) if changes else []
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "figures/snapshots/changes.html",
        {
            "snapshot": snapshot,
            "source": source,
            "bucket": bucket,
            "title": bucket_titles()[bucket],
            "page": page,
            "nav_section": SECTION,
        },
    )

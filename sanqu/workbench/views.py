"""The workbench's own pages: the home page of each role and the audit log."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sanqu.accounts.roles import VIEW_AUDIT
from sanqu.lib import clock
from sanqu.workbench.forms import AuditFilterForm
from sanqu.workbench.selectors import audit_entries_for, home_panels_for

AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    today = clock.today()
    panels = home_panels_for(user=request.user, today=today)  # type: ignore[arg-type]
    return render(request, "workbench/home.html", {"panels": panels, "today": today, "nav_section": "home"})


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_AUDIT):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    entries = form.apply(audit_entries_for(user=request.user))  # type: ignore[arg-type]
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "workbench/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode(), "nav_section": "audit"},
    )

"""Ledger pages: the kinds a user may export, their blank templates, and the export of a scope; the
upload form of the imports (handled in `import_views`) for whoever may import a kind.

`/ledgers/` lists the kinds the user's role reads (the ledger follows the page's view permission,
`sanqu.accounts.roles.LEDGER_VIEW`), each with its blank template and an export for a scope the user
picks among her own regions and the receiving counties under them. `/ledgers/export/?kind=&scope=`
answers the .xlsx (`&unmask=1` for full ID numbers and phones, only for roles that may unmask, and
audited); a scope outside the user's answers 404, a kind her role does not read 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.cache import add_never_cache_headers
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from sanqu.accounts.models import User
from sanqu.ledgers.exporting import (
    XLSX,
    LedgerError,
    blank_template,
    export_ledger_file,
    exportable_kinds,
    kind_of,
    ledger_scopes,
    may_export,
    may_unmask,
    scope_allowed,
    template_filename,
)
from sanqu.ledgers.import_forms import UploadForm
from sanqu.ledgers.import_services import importable_kinds_for
from sanqu.ledgers.kinds import LedgerKind
from sanqu.regions.models import Region

SECTION = "ledgers"

# The kinds as the page names them (the same words as the files' titles, translated for the page).
TITLES: dict[str, str | Promise] = {
    "dispatch": _("选派社工台账"),
    "trainee": _("培养对象台账"),
    "organisation": _("社会工作组织台账"),
    "certificate": _("持证社工台账"),
    "beneficiary": _("服务对象台账"),
    "service": _("服务记录台账"),
    "incentive": _("激励政策台账"),
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _kind_or_404(code: str) -> LedgerKind:
    try:
        return kind_of(code)
    except LedgerError:
        raise Http404 from None


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    add_never_cache_headers(response)
    return response


@dataclass(frozen=True)
class KindRow:
    kind: LedgerKind
    title: str | Promise
    required: str
    can_unmask: bool


def render_ledgers(request: HttpRequest, *, import_form: UploadForm | None = None) -> HttpResponse:
    """The ledgers page: the import form (a bound one after a refused upload), the exports, the templates."""
    user = _user(request)
    kinds = exportable_kinds(user)
    importable = importable_kinds_for(user)
    if not kinds and not importable:
        raise PermissionDenied
    if importable and import_form is None:
        import_form = UploadForm(kinds=importable, titles=TITLES)
    scopes = ledger_scopes(user)
    rows = [
        KindRow(
            kind=kind,
            title=TITLES[kind.code],
            required="、".join(column.name for column in kind.columns if column.required),
            can_unmask=may_unmask(user, kind.code),
        )
        for kind in kinds
    ]
    chosen = request.GET.get("scope", "")
    return render(
        request,
        "ledgers/ledgers.html",
        {
            "nav_section": SECTION,
            "rows": rows,
            "scopes": scopes,
            "chosen": chosen if any(region.code == chosen for region in scopes) else "",
            "any_unmask": any(row.can_unmask for row in rows),
            "import_form": import_form if importable else None,
        },
    )


@login_required
@require_GET
def ledgers(request: HttpRequest) -> HttpResponse:
    return render_ledgers(request)


@login_required
@require_GET
def ledger_template(request: HttpRequest, kind: str) -> HttpResponse:
    ledger = _kind_or_404(kind)
    if not may_export(_user(request), kind):
        raise PermissionDenied
    return xlsx_response(blank_template(kind), template_filename(ledger))


def _scope_or_404(user: User, code: str) -> Region:
    region = Region.objects.filter(code=code.strip()).first() if code.strip() else None
    if region is None or not scope_allowed(user, region):
        raise Http404
    return region


@login_required
@require_GET
def ledger_export(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    kind = request.GET.get("kind", "")
    _kind_or_404(kind)
    if not may_export(user, kind):
        raise PermissionDenied
    scope = _scope_or_404(user, request.GET.get("scope", ""))
    exported = export_ledger_file(
        actor=user, kind=kind, scope=scope, unmask=request.GET.get("unmask") == "1", request=request
    )
    return xlsx_response(exported.content, exported.filename)


urlpatterns: list[URLPattern] = [
    path("", ledgers, name="ledgers"),
    path("templates/<slug:kind>/", ledger_template, name="ledger_template"),
    path("export/", ledger_export, name="ledger_export"),
]

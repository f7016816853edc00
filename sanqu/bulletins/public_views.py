"""The public archive of bulletins (/site/bulletins/): issued bulletins only, by year, each with its
items and its PDF. A draft does not exist here (404), nor does its PDF."""

from __future__ import annotations

from itertools import groupby

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sanqu.bulletins.document import document_of
from sanqu.bulletins.selectors import get_issued_bulletin, issued_bulletins


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    bulletins = list(issued_bulletins().prefetch_related("items"))
    by_year = [(year, list(group)) for year, group in groupby(bulletins, key=lambda b: b.year)]
    return render(request, "bulletins/public/archive.html", {"by_year": by_year})


@require_GET
def bulletin(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_issued_bulletin(pk)
    return render(request, "bulletins/public/bulletin.html", {"bulletin": found, "doc": document_of(found)})


@require_GET
def bulletin_pdf(request: HttpRequest, pk: int) -> FileResponse:
    found = get_issued_bulletin(pk)
    if not found.pdf:
        raise Http404
    try:
        handle = found.pdf.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, filename=found.pdf_name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    return response

"""Render a Django template to PDF bytes with WeasyPrint, offline.

The bureau's network is an intranet and a document must never call an outside host: the
template's `{% static %}` URLs are resolved from the project's static files (through the
staticfiles finders, so no `collectstatic` is needed) and every other URL is refused, `data:`
URLs excepted. CJK text is set in the system's Noto Sans/Serif CJK (Debian `fonts-noto-cjk`),
found by fontconfig from the CSS `font-family`.
"""

from __future__ import annotations

import mimetypes
import ssl
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The document's base URL: a host that cannot exist (RFC 2606), so a relative URL never leaves.
BASE_URL = "https://sanqu.invalid/"


class RefusedURL(ValueError):
    pass


# The fetcher never opens a connection, but urllib's HTTPS handler wants a TLS context: left to
# itself it builds a default one per document, loading the system's certificates (about 55 ms).
_UNUSED_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class StaticOnlyFetcher(URLFetcher):
    """Serves the project's static files and `data:` URLs; refuses everything else."""

    def __init__(self, **options: Any) -> None:
        super().__init__(ssl_context=_UNUSED_TLS, **options)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        static = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/"))
        if (parts.scheme, parts.netloc) != (static.scheme, static.netloc) or not parts.path.startswith(
            static.path
        ):
            raise RefusedURL(f"outside URL refused: {url}")
        relative = unquote(parts.path[len(static.path) :])
        if ".." in relative.split("/"):
            raise RefusedURL(f"no such static file: {relative}")
        body = _static_file(relative)
        content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _static_file(relative: str) -> bytes:
    """A collected file (hashed names in production), else the source file the finders know."""
    try:
        if staticfiles_storage.exists(relative):
            with staticfiles_storage.open(relative) as handle:
                return handle.read()
    except (OSError, ValueError, NotImplementedError):
        pass
    found = finders.find(relative)
    if not found:
        raise RefusedURL(f"no such static file: {relative}")
    with open(found[0] if isinstance(found, list) else found, "rb") as handle:
        return handle.read()


def render_pdf(template: str, context: dict[str, Any], *, request: HttpRequest | None = None) -> bytes:
    """The template rendered to PDF bytes (A4 and the rest come from the template's CSS)."""
    html = render_to_string(template, context, request=request)
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher(fail_on_errors=False))
    return document.write_pdf(font_config=fonts)

"""A stricter Content-Security-Policy for the public site (DESIGN §5, issue 8).

The workbench's policy (settings.SECURE_CSP) allows inline styles and scripts from our own files.
The public pages show text that came from outside the office, so they get less: scripts only with
the request's nonce (no script file runs without it, no inline handler, no `javascript:` URL),
styles only from our own files (no inline `style`), images from us or `data:`, nothing framed and
the pages framed by nobody, forms posting only to us, no `<base>` and no plugins.

The middleware replaces the header on every response under the Wagtail site's prefix (`/site/`),
whoever set it. It goes in MIDDLEWARE just after `django.middleware.csp.ContentSecurityPolicyMiddleware`,
so the nonce it writes is the one the templates used (`{{ csp_nonce }}`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import NoReverseMatch, reverse
from django.utils.csp import CSP, build_policy
from django.utils.functional import SimpleLazyObject

PUBLIC_SITE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "media-src": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}


def public_site_policy(nonce: SimpleLazyObject | str | None) -> str:
    """The header's value; with no nonce used by the page, no script at all may run."""
    config = dict(PUBLIC_SITE_CSP)
    if not nonce:
        config["script-src"] = [CSP.NONE]
    return build_policy(config, nonce)


class PublicSiteCSPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    @property
    def prefix(self) -> str:
        if self._prefix is None:
            try:
                self._prefix = reverse("wagtail_serve", args=[""])
            except NoReverseMatch:
                self._prefix = "/site/"
        return self._prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(self.prefix):
            response.headers[CSP.HEADER_ENFORCE.value] = public_site_policy(get_nonce(request))
            response.headers["X-Frame-Options"] = "DENY"
        return response

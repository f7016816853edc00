"""The strict CSP, kept for the back office: a nonce on the inline scripts Wagtail's widgets emit.

Wagtail 8's admin loads its code from files (allowed by `script-src 'self'`), but a few form
widgets still render a one-line inline `<script>` to start themselves: the chooser
(`new SnippetChooser(...)`) and the date picker (`initDateChooser(...)`), in pages and inside the
chooser modal's JSON. Under our policy those are blocked, so choosers do not open.

Rather than relax `script-src` (adding 'unsafe-inline' would also have to drop the nonce, and would
allow inline event handlers and `javascript:` URLs), this middleware gives those `<script>`
elements the request's nonce, for responses under the admin prefix only, never for previews of
what authors wrote. The header is unchanged:
`script-src 'self' 'nonce-…'`. It sits just inside ContentSecurityPolicyMiddleware, so using the
nonce here puts it in that response's header.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.urls import reverse

_BARE_SCRIPT = re.compile(rb"<script(?=>)")  # a bare inline <script>, no attributes


class AdminInlineScriptNonceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefix: str | None = None

    @property
    def prefix(self) -> str:
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")
        return self._prefix

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Previews render content authors wrote; they never get the nonce.
        if not request.path.startswith(self.prefix) or "/preview/" in request.path or response.streaming:
            return response
        content_type = response.get("Content-Type", "")
        nonce = get_nonce(request)
        if nonce is None or not (
            content_type.startswith("text/html") or content_type.startswith("application/json")
        ):
            return response
        value = str(nonce).encode()
        if content_type.startswith("text/html"):
            content = _BARE_SCRIPT.sub(b'<script nonce="' + value + b'"', response.content)
        else:
            content = _BARE_SCRIPT.sub(b'<script nonce=\\"' + value + b'\\"', response.content)
        if content != response.content:
            response.content = content
        return response

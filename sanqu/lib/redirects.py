"""Where to go after a form: the `next` a page was given, when it stays on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """The `next` of the form, else of the query, when it names this site (and, on HTTPS, keeps to
    HTTPS); otherwise `default`. A link that would send a signed-in user elsewhere (the open redirect
    a phishing mail uses) is never followed."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default

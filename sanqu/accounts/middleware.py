from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "sanqu_last_seen"
# The last activity is written at most this often: a read then costs no session UPDATE, and the
# timeout is still kept to within a minute.
RECORD_EVERY = 60


def record_sign_in(*, request: HttpRequest | None, **kwargs: Any) -> None:
    """Signing in is activity: the session starts with it, so the first page needs no write."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = time.time()


class IdleTimeoutMiddleware:
    """Log a user out after a period without requests (等保: idle-session timeout).

    The session keeps the time of the last request, rewritten only when it is `RECORD_EVERY`
    seconds old, so most requests leave the session row alone.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_KEY)
            if last_seen is not None and now - last_seen > settings.SANQU_IDLE_TIMEOUT:
                logout(request)
            elif last_seen is None or now - last_seen >= RECORD_EVERY:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

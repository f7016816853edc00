from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

SESSION_KEY = "sanqu_last_seen"


class IdleTimeoutMiddleware:
    """Log a user out after a period without requests (等保: idle-session timeout)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(SESSION_KEY, now)
            if now - last_seen > settings.SANQU_IDLE_TIMEOUT:
                logout(request)
            else:
                request.session[SESSION_KEY] = now
        return self.get_response(request)

"""Rate limits: per token (or signed-in user) for the API, per address for the token endpoint.

The rates are read from the settings at each request (SANQU_API_RATE, SANQU_API_TOKEN_RATE), and the
counts kept in the "throttle" cache, which every process of the server shares.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from sanqu.api.models import ApiToken


class _Throttle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        self.cache = caches["throttle"]
        super().__init__()

    def get_rate(self) -> str:
        return getattr(settings, self.setting)


class TokenRateThrottle(_Throttle):
    """Each token has its own budget; a session (the docs page) counts per user."""

    scope = "api"
    setting = "SANQU_API_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class TokenEndpointThrottle(_Throttle):
    """Asking for a token by password: a small budget per address (guessing passwords stays slow)."""

    scope = "token"
    setting = "SANQU_API_TOKEN_RATE"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

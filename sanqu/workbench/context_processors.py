from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from sanqu.workbench.navigation import navigation_for


def workbench(request: HttpRequest) -> dict[str, Any]:
    """The demo flag and the top bar (computed only when a template uses it)."""
    user = getattr(request, "user", None)
    return {
        "SANQU_DEMO": settings.SANQU_DEMO,
        "SANQU_TODAY": settings.SANQU_TODAY,
        "sanqu_nav": SimpleLazyObject(lambda: navigation_for(user=user)),
    }

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def workbench(request: HttpRequest) -> dict[str, Any]:
    return {"SANQU_DEMO": settings.SANQU_DEMO}

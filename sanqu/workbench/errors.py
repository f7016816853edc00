"""The error page for a request that failed: 503 while the database is unreachable, 500 otherwise.

Django calls `handler500` from inside the `except` block of the failed request, so the exception is
still at hand. When it says the database cannot be reached (the server is down or restarting, the
network to it is cut, SQLite's file is locked past the busy timeout), the reader gets 503 with a
Retry-After and a page that says so in Chinese and English, rendered without touching the database
(no base template, no user, no session). The next request opens a new connection: the site recovers
by itself when the database is back (with persistent connections, Django's health check drops the
dead one first: settings `conn_health_checks`). Any other error keeps Django's 500 page.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error

RETRY_AFTER_SECONDS = 30

# SQLite reports a programming error (a missing migration) as OperationalError too: those are 500s.
_NOT_AN_OUTAGE = ("no such table", "no such column", "syntax error")


def database_unreachable(error: BaseException | None) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    message = str(error).lower()
    return not any(part in message for part in _NOT_AN_OUTAGE)


def request_failed(request: HttpRequest) -> HttpResponse:
    """`handler500`."""
    if not database_unreachable(sys.exc_info()[1]):
        return server_error(request)
    message = _(
        "数据库暂时无法连接，系统正在恢复。请稍后刷新页面；您刚才提交的内容如未保存成功，请重新提交。"
    )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "errors": {}}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response

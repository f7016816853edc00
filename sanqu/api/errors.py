"""Every 4xx of the API is JSON: `{"detail": "…", "errors": {"field": ["…"]}}`, in the user's language.

The exception handler turns the service functions' Django ValidationError into field errors (400)
(but a version conflict of optimistic locking into 412) and PermissionDenied into 403; Http404
stays 404 (out of scope and absent look the same). Request
bodies above SANQU_API_MAX_BODY bytes are refused with 413 before they are read, by the parsers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from sanqu.accounts import versions

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("请求内容过大。")
    default_code = "too_large"


def _messages() -> dict[type[exceptions.APIException], str]:
    """Our wording for the framework's own refusals (its defaults are terse)."""
    return {
        exceptions.NotAuthenticated: _("需要身份验证：请在请求头中提供“Authorization: Token <令牌>”。"),
        exceptions.NotFound: _("找不到该记录，或它不在您的权限范围内。"),
        exceptions.PermissionDenied: _("您没有执行此操作的权限。"),
    }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, versions.Conflict):
        # If-Match named a version the record no longer has: nothing was written (412, with the current ETag).
        set_rollback()
        response = Response(
            {"detail": " ".join(exc.messages), "errors": {}}, status=status.HTTP_412_PRECONDITION_FAILED
        )
        response["ETag"] = f'"{exc.current}"'
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied) and exc.args:
        exc = exceptions.PermissionDenied(str(exc.args[0]))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a programming error: the server's 500, logged
    response.data = error_body(exc, response.data, method=getattr(context.get("request"), "method", ""))
    return response


def error_body(exc: Exception, data: Any, *, method: str = "") -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        return {"detail": _("请求数据有误，请按字段说明修改。"), "errors": _field_errors(data)}
    detail = str(data.get("detail", "")) if isinstance(data, dict) else str(data)
    default = getattr(type(exc), "default_detail", None)
    if isinstance(exc, tuple(_messages())) and (default is None or detail == str(default)):
        detail = next(text for cls, text in _messages().items() if isinstance(exc, cls))
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        detail = _("请求过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": max(1, round(exc.wait))}
    if isinstance(exc, exceptions.MethodNotAllowed):
        detail = _("该地址不支持 %(method)s 请求。") % {"method": method}
    if isinstance(exc, RequestTooLarge):
        detail = _("请求内容过大：上限为 %(size)s 字节。") % {"size": settings.SANQU_API_MAX_BODY}
    return {"detail": detail, "errors": {}}


def _field_errors(data: Any) -> dict[str, list[str]]:
    """field → messages; nested errors are named `field.sub` or `field.0`; a list is non-field."""
    errors: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                name = NON_FIELD if key == NON_FIELD_ERRORS else str(key)
                walk(f"{prefix}.{name}" if prefix else name, item)
        elif isinstance(value, list) and value and all(isinstance(item, str) for item in value):
            errors.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in value)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else NON_FIELD, item)
        else:
            errors.setdefault(prefix or NON_FIELD, []).append(str(value))

    walk("", data)
    return errors


def _check_size(parser_context: dict[str, Any] | None) -> None:
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {})
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.SANQU_API_MAX_BODY:
        raise RequestTooLarge


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None
    ) -> Any:
        _check_size(parser_context)
        return super().parse(stream, media_type, parser_context)


class FormParser(parsers.FormParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None
    ) -> Any:
        _check_size(parser_context)
        return super().parse(stream, media_type, parser_context)


@csrf_exempt  # it changes nothing, and a PATCH to a wrong path must get this JSON, not the CSRF page
def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other path under /api/: a JSON 404, like the records."""
    return JsonResponse(
        {"detail": _("API 中没有这个地址：%(path)s") % {"path": request.path[:200]}, "errors": {}},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None
    ) -> Any:
        _check_size(parser_context)
        return super().parse(stream, media_type, parser_context)

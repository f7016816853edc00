"""The token endpoint, the workbench page of one's own tokens, and the schema and its docs page."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from sanqu.accounts.models import User
from sanqu.accounts.scoping import get_or_404
from sanqu.api.base import ApiDefaults
from sanqu.api.errors import FormParser, JSONParser, MultiPartParser
from sanqu.api.forms import TokenForm
from sanqu.api.models import ApiToken
from sanqu.api.serializers import TokenIssued, TokenRequest
from sanqu.api.throttling import TokenEndpointThrottle
from sanqu.api.tokens import IssuedToken, token_create, token_revoke, tokens_for


class AccountLocked(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "locked"


class ObtainTokenView(ApiDefaults, APIView):
    """用账号和密码换取 API 令牌（令牌只返回这一次）。需要两步验证的角色请在工作台的“API 令牌”页面创建。"""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenEndpointThrottle]
    parser_classes = [JSONParser, FormParser, MultiPartParser]  # a plain HTML form or curl -F works too

    @extend_schema(request=TokenRequest, responses={201: TokenIssued}, auth=[])
    def post(self, request: Request) -> Response:
        form = TokenRequest(data=request.data)
        form.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            django_request, username=form.validated_data["username"], password=form.validated_data["password"]
        )
        if user is None:
            if getattr(django_request, "axes_locked_out", False):
                # Answered here, as JSON: axes' middleware would otherwise send its HTML lockout page.
                django_request.axes_locked_out = False
                raise AccountLocked(_("登录失败次数过多，账号已被暂时锁定，请稍后再试或联系管理员。"))
            raise exceptions.ValidationError(
                {"non_field_errors": [_("账号或密码不正确。请注意密码区分大小写。")]}
            )
        assert isinstance(user, User)  # noqa: S101 - the project's user model
        try:
            issued = token_create(
                actor=user,
                name=form.validated_data.get("name") or _("以密码创建"),
                origin=ApiToken.Origin.PASSWORD,
                request=django_request,
            )
        except PermissionDenied as refusal:
            raise exceptions.PermissionDenied(str(refusal) or None) from None
        except ValidationError as error:
            raise exceptions.ValidationError(error.message_dict) from None
        body = TokenIssued(
            {
                "token": issued.key,
                "prefix": issued.token.prefix,
                "name": issued.token.name,
                "expires_at": issued.token.expires_at,
            }
        ).data
        response = Response(body, status=status.HTTP_201_CREATED)
        add_never_cache_headers(response)
        return response


# The workbench page "API 令牌": my tokens, make one (shown once), revoke one.


# The new key waits in the session for the one page view that shows it (Post/Redirect/Get: reloading
# the page never makes a second token).
NEW_TOKEN = "sanqu_api_new_token"  # noqa: S105 - a session key name, not a secret


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = token_create(
                actor=user, name=form.cleaned_data["name"], origin=ApiToken.Origin.SESSION, request=request
            )
        except ValidationError as error:
            form.add_error("name", error.message_dict.get("name", error.messages))
        else:
            request.session[NEW_TOKEN] = {"pk": issued.token.pk, "key": issued.key}
            return redirect("api:tokens")
    tokens = list(tokens_for(user).order_by("-created_at", "-id"))
    new = request.session.pop(NEW_TOKEN, None) if request.method == "GET" else None
    shown: IssuedToken | None = None
    if new is not None:
        token = next((token for token in tokens if token.pk == new["pk"]), None)
        shown = IssuedToken(token=token, key=new["key"]) if token is not None else None
    response = render(
        request,
        "api/tokens.html",
        {
            "tokens": tokens,
            "form": form if request.method == "POST" else TokenForm(),
            "issued": shown,
            "token_days": settings.SANQU_API_TOKEN_DAYS,
            "nav_section": "api_tokens",
        },
    )
    add_never_cache_headers(response)  # the new key is on this page once
    return response


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = get_or_404(tokens_for(user), pk=pk)
    try:
        token_revoke(actor=user, token=token, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("令牌“%(name)s”已撤销，使用它的请求将被拒绝。") % {"name": token.name})
    return redirect("api:tokens")


# The schema (signed-in users: it describes the bureau's intranet system) and Swagger UI.


class SchemaView(ApiDefaults, SpectacularAPIView):
    renderer_classes = SpectacularAPIView.renderer_classes


@method_decorator(login_required, name="dispatch")
class DocsView(ApiDefaults, SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its script comes from this view, not inline (CSP)."""

    renderer_classes = SpectacularSwaggerSplitView.renderer_classes
    url_name = "api:schema"

"""API tokens: made once (the key is shown once and only its SHA-256 kept), used, expired, revoked.

Roles that sign in with two factors (DESIGN §5: the staff roles) may not trade a password alone for a
token: they make one on the workbench page "API 令牌" while signed in. Every creation and revocation
is an audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.two_factor import needs_two_factor  # the staff roles that sign in with a TOTP code
from sanqu.api.models import ApiToken

KEY_PREFIX = "sq_"
PREFIX_LENGTH = 10  # "sq_" and 7 characters of the key: enough to tell tokens apart on the page
MAX_KEY_LENGTH = 100
# A token's last use is written at most this often (not one write per request).
TOUCH_EVERY = dt.timedelta(minutes=1)


class TokenRefused(Exception):
    """The key in a request does not open the API; the message says why, for people."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once, never stored


def two_factor_message() -> str:
    return _(
        "您的角色需要两步验证，不能仅凭密码获取 API 令牌。"
        "请登录工作台，在“API 令牌”页面（/api/v1/tokens/）创建令牌。"
    )


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_for(user: User) -> QuerySet[ApiToken]:
    """The user's own tokens (nobody lists anyone else's)."""
    return ApiToken.objects.filter(user_id=user.pk)


@transaction.atomic
def token_create(*, actor: User, name: str, origin: str, request: HttpRequest | None = None) -> IssuedToken:
    """A new token for the actor, valid for SANQU_API_TOKEN_DAYS days."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("用途：请填写令牌的用途，例如“区县业务系统对接”。")})
    if len(name) > 100:
        raise ValidationError({"name": _("用途：最多 100 个字符。")})
    if origin not in ApiToken.Origin.values:
        raise ValueError(f"unknown token origin: {origin!r}")
    if origin == ApiToken.Origin.PASSWORD and needs_two_factor(actor):
        raise PermissionDenied(two_factor_message())
    if not actor.is_active:
        raise PermissionDenied
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        key_hash=hash_key(key),
        prefix=key[:PREFIX_LENGTH],
        origin=origin,
        expires_at=timezone.now() + dt.timedelta(days=settings.SANQU_API_TOKEN_DAYS),
    )
    audit.record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=token,
        detail={"changed": ["expires_at", "name", "origin"], "origin": origin},
        request=request,
    )
    return IssuedToken(token=token, key=key)


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    token = ApiToken.objects.select_for_update().filter(pk=token.pk, user_id=actor.pk).first()  # type: ignore[assignment]
    if token is None:
        raise Http404
    if token.revoked:
        raise ValidationError(_("该令牌已于 %(at)s 撤销。") % {"at": timezone.localtime(token.revoked_at)})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=token,
        detail={"changed": ["revoked_at"]},
        request=request,
    )
    return token


def token_for_key(key: str) -> ApiToken:
    """The live token for a key, its last use noted; TokenRefused says why a key does not open the API."""
    if not key.startswith(KEY_PREFIX) or len(key) > MAX_KEY_LENGTH:
        raise TokenRefused(_("令牌无效。"))
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        raise TokenRefused(_("令牌无效。"))
    if token.revoked:
        raise TokenRefused(_("令牌已撤销，请创建新的令牌。"))
    if token.expired:
        raise TokenRefused(_("令牌已过期，请创建新的令牌。"))
    if not token.user.is_active:
        raise TokenRefused(_("此账号已停用，请联系管理员。"))
    if token.origin == ApiToken.Origin.PASSWORD and needs_two_factor(token.user):
        # The user gained a staff role after making this token by password.
        raise TokenRefused(two_factor_message())
    _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now

"""修改密码: every user changes her own password here, and must when it is too old (等保 2.0: password
expiry). The new password passes the same rules as every password (AUTH_PASSWORD_VALIDATORS: length,
three character classes, not common, not like the account's name) and must differ from the old one.

`PasswordExpiryMiddleware` sends a signed-in user whose password is older than
`SANQU_PASSWORD_MAX_AGE_DAYS` — or was set by someone else (a new account, a reset: no
`password_changed_at`) — to this page before anything else. On outside development, like two-factor
sign-in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.two_factor import send_first_to
from sanqu.lib.redirects import safe_next


class ChangeForm(PasswordChangeForm):
    old_password = forms.CharField(
        label=gettext_lazy("当前密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=gettext_lazy("新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("至少 10 位，包含小写字母、大写字母、数字、符号中的至少三类。"),
    )
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    error_messages = {
        "password_incorrect": gettext_lazy("当前密码不正确。"),
        "password_mismatch": gettext_lazy("两次输入的新密码不一致。"),
    }

    def clean_new_password1(self) -> str:
        new = self.cleaned_data["new_password1"]
        if self.user.check_password(new):
            raise forms.ValidationError(_("新密码不能与当前密码相同。"))
        return str(new)


def expired(user: User, *, now: dt.datetime | None = None) -> bool:
    if user.password_changed_at is None:
        return True
    age = (now or timezone.now()) - user.password_changed_at
    return age > dt.timedelta(days=settings.SANQU_PASSWORD_MAX_AGE_DAYS)


def _next(request: HttpRequest) -> str:
    return safe_next(request, reverse("home"))


@login_required
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
        update_session_auth_hash(request, user)  # stay signed in on this device
        audit.record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            obj=user,
            detail={"changed": ["password"]},
            request=request,
        )
        messages.success(request, _("密码已修改。"))
        return redirect(_next(request))
    must = settings.SANQU_PASSWORD_EXPIRY and expired(user)
    return render(
        request,
        "registration/password_change.html",
        {"form": form, "next": _next(request), "must": must, "max_age": settings.SANQU_PASSWORD_MAX_AGE_DAYS},
    )


@login_required
@require_http_methods(["GET"])
def me(request: HttpRequest) -> HttpResponse:
    """我的账号: who I am, my password, my two-factor sign-in and my API tokens."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from sanqu.accounts.models import Membership
    from sanqu.accounts.two_factor import needs_two_factor

    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "accounts/me.html",
        {
            "memberships": Membership.objects.filter(user=user).select_related("region", "organisation"),
            "expiry": settings.SANQU_PASSWORD_EXPIRY,
            "max_age": settings.SANQU_PASSWORD_MAX_AGE_DAYS,
            "two_factor_on": settings.SANQU_REQUIRE_2FA,
            "needs_two_factor": needs_two_factor(user),
            "enrolled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "nav_section": "account",
        },
    )


class PasswordExpiryMiddleware:
    """Send a signed-in user whose password has expired to 修改密码 before any other page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.SANQU_PASSWORD_EXPIRY
            and user.is_authenticated
            and expired(user)
            and not request.path.startswith(_open_paths())
        ):
            return send_first_to(request, "password_change")
        return self.get_response(request)


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("password_change"),
        reverse("logout"),
        reverse("login"),
        reverse("two_factor_verify"),
        reverse("two_factor_setup"),
        settings.STATIC_URL,
        "/site/",
        "/i18n/",
    )

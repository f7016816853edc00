"""The two pages of two-factor sign-in: set up an authenticator app, and give the code (see two_factor)."""

from __future__ import annotations

import base64
import datetime as dt
import re
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.two_factor import is_verified
from sanqu.lib.redirects import safe_next

DEVICE_NAME = "authenticator"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "size": 8}
        ),
        help_text=gettext_lazy("验证器应用中显示的 6 位数字"),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("验证码是 6 位数字。"))
        return code


def _next(request: HttpRequest) -> str:
    return safe_next(request, "/")


def _check(device: TOTPDevice, form: CodeForm) -> bool:
    """Check the code on the device; a refusal (wrong code or too many tries) goes on the form."""
    allowed, why = device.verify_is_allowed()
    if not allowed:
        until = (why or {}).get("locked_until")
        seconds = (
            max(1, int((until - timezone.now()).total_seconds())) if isinstance(until, dt.datetime) else 60
        )
        form.add_error("code", _("尝试次数过多，请 %(seconds)s 秒后再试。") % {"seconds": seconds})
        return False
    if device.verify_token(form.cleaned_data["code"]):
        return True
    form.add_error("code", _("验证码不正确或已过期。请输入验证器应用中当前显示的数字。"))
    return False


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """输入验证码: the second step of every sign-in of a staff account."""
    user: User = request.user  # type: ignore[assignment]
    if is_verified(request):
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return redirect(f"{reverse('two_factor_setup')}?{urlencode({'next': _next(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _check(device, form):
            otp_login(request, device)
            return redirect(_next(request))
        audit.record(
            actor=user,
            action=AuditEntry.Action.LOGIN_FAILED,
            obj=user,
            detail={"step": "totp"},
            request=request,
        )
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """设置两步验证: a QR code for the authenticator app, confirmed with its first code."""
    user: User = request.user  # type: ignore[assignment]
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': _next(request)})}")
    with transaction.atomic():
        # The same secret until it is confirmed, so a reload does not invalidate the scanned code.
        device, _created = TOTPDevice.objects.get_or_create(
            user=user, confirmed=False, defaults={"name": DEVICE_NAME}
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check(device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        audit.record(
            actor=user,
            action=AuditEntry.Action.UPDATE,
            obj=user,
            detail={"changed": ["two_factor"], "two_factor": "enrolled"},
            request=request,
        )
        return redirect(_next(request))
    secret = _base32(device)
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=_("两步验证二维码"))
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "qr_svg": mark_safe(qr),  # noqa: S308 (segno's own SVG of a URI it encoded)
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        },
    )


def _base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")

"""TOTP two-factor sign-in for the staff roles (DESIGN §5, 等保 2.0 level 3), on django-otp.

Who needs it: the city office, the city's leadership, the county sections, the news editors and
reviewers (`TWO_FACTOR_ROLES`) and the Django superuser — the accounts that see a whole county or
more, or publish. Social workers, supervisors and organisation managers sign in with the password
alone (a worker on a shared phone in a village); their reach is their own caseload or organisation.

How: after the password, `RequireTwoFactorMiddleware` sends such a user to 设置两步验证 the first
time (a QR code for an authenticator app, confirmed with a first code) and to 输入验证码 on every
later sign-in; until then every page but those, sign-out and the public site answers with that
redirect. django-otp keeps the device (a TOTP secret per user, encrypted by nothing but the database:
see docs/security.md), checks codes with a window of one step for clock drift, refuses a code used
twice and slows down repeated failures. Each enrolment, failure and reset is in the audit log.

`SANQU_REQUIRE_2FA` turns it on; it is on in production and off in development and the test suite
unless set (the tests of this module turn it on).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import user_has_device

from sanqu.accounts.models import Membership, User
from sanqu.accounts.roles import Role

TWO_FACTOR_ROLES = frozenset(
    {Role.CITY_ADMIN, Role.CITY_VIEWER, Role.COUNTY_OFFICER, Role.EDITOR, Role.REVIEWER}
)


def needs_two_factor(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_sanqu_needs_two_factor", None)
    if cached is None:
        cached = Membership.objects.filter(user=user, role__in=TWO_FACTOR_ROLES).exists()
        user._sanqu_needs_two_factor = cached  # type: ignore[attr-defined]
    return bool(cached)


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def _exempt(path: str) -> bool:
    open_paths = (
        reverse("two_factor_verify"),
        reverse("two_factor_setup"),
        reverse("logout"),
        reverse("login"),
        settings.STATIC_URL,
        "/site/",
        "/i18n/",
    )
    return path.startswith(open_paths)


class RequireTwoFactorMiddleware:
    """Send a signed-in staff user who has not given a code yet to the code (or set-up) page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.SANQU_REQUIRE_2FA
            and needs_two_factor(request.user)  # type: ignore[arg-type]
            and not is_verified(request)
            and not _exempt(request.path)
        ):
            return self._to_code_page(request)
        return self.get_response(request)

    def _to_code_page(self, request: HttpRequest) -> HttpResponse:
        page = "two_factor_verify" if user_has_device(request.user, confirmed=True) else "two_factor_setup"
        return send_first_to(request, page)


def send_first_to(request: HttpRequest, page: str) -> HttpResponse:
    """A redirect to the named page, which then returns to this one (the whole page, for htmx)."""
    next_path = request.get_full_path() if request.method == "GET" else reverse("home")
    target = f"{reverse(page)}?{urlencode({'next': next_path})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return HttpResponseRedirect(target)

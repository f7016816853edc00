"""两步验证 in the back office: the city office sees who has set up two-factor sign-in and resets it for
someone who lost or changed her phone (she then sets it up again at her next sign-in)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import Role
from sanqu.accounts.two_factor import TWO_FACTOR_ROLES


def is_city_admin(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or Membership.objects.filter(user=user, role=Role.CITY_ADMIN).exists())
    )


@transaction.atomic
def reset_two_factor(*, actor: User, user: User, request: HttpRequest | None = None) -> int:
    """Remove the user's authenticator devices (the city office only); returns how many went."""
    if not is_city_admin(actor):
        raise PermissionDenied
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=user,
        detail={"changed": ["two_factor"], "two_factor": "reset"},
        request=request,
    )
    return removed


class TwoFactorIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "accounts/admin/two_factor.html"
    page_title = gettext_lazy("两步验证")
    header_icon = "key"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_city_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        confirmed = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
        users = (
            User.objects.filter(is_active=True, memberships__role__in=TWO_FACTOR_ROLES)
            .distinct()
            .order_by("username")
            .prefetch_related("memberships")
        )
        context["rows"] = [
            {
                "user": user,
                "roles": sorted({str(m.get_role_display()) for m in user.memberships.all()}),
                "enrolled": user.pk in confirmed,
            }
            for user in users
        ]
        return context


class TwoFactorResetView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "accounts/admin/two_factor_reset.html"
    page_title = gettext_lazy("重置两步验证")
    header_icon = "key"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_city_admin(request.user):
            raise PermissionDenied
        self.target = get_object_or_404(User, pk=kwargs["pk"], is_active=True)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "target": self.target}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        reset_two_factor(actor=request.user, user=self.target, request=request)  # type: ignore[arg-type]
        name = self.target.display_name or self.target.username
        messages.success(request, _("已重置 %(name)s 的两步验证：下次登录时须重新设置。") % {"name": name})
        return redirect("two_factor_admin")

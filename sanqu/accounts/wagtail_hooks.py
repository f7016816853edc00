"""The back office menu: the registries, and the city office's accounts and audit log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from sanqu.accounts.admin_home import RegistriesPanel
from sanqu.accounts.two_factor_admin import TwoFactorIndexView, TwoFactorResetView, is_city_admin
from sanqu.accounts.viewsets import AuditEntryViewSet, MembershipViewSet
from sanqu.incentives.viewsets import IncentivePolicyViewSet
from sanqu.orgs.viewsets import OrganisationViewSet
from sanqu.projects.viewsets import ProgrammeYearViewSet, ReceivingCountyViewSet
from sanqu.regions.viewsets import RegionCodeViewSet, RegionViewSet, StationViewSet
from sanqu.training.viewsets import TraineeViewSet
from sanqu.workforce.viewsets import CertificateViewSet, DispatchViewSet, PersonViewSet


class RegistriesGroup(SnippetViewSetGroup):
    menu_label = _("登记管理")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        RegionViewSet,
        RegionCodeViewSet,
        StationViewSet,
        OrganisationViewSet,
        PersonViewSet,
        DispatchViewSet,
        CertificateViewSet,
        TraineeViewSet,
        IncentivePolicyViewSet,
        ProgrammeYearViewSet,
        ReceivingCountyViewSet,
    )


class SystemGroup(SnippetViewSetGroup):
    menu_label = _("系统管理")
    menu_icon = "cogs"
    menu_order = 210
    items = (MembershipViewSet, AuditEntryViewSet)


hooks.register("register_admin_viewset", RegistriesGroup)
hooks.register("register_admin_viewset", SystemGroup)


@hooks.register("construct_main_menu")
def hide_help_menu(request: HttpRequest, menu_items: list[MenuItem]) -> None:
    """Wagtail's help menu links to wagtail.org; the bureau's intranet has no way out."""
    menu_items[:] = [item for item in menu_items if item.name != "help"]


@hooks.register("register_admin_menu_item")
def workbench_menu_item() -> MenuItem:
    return MenuItem(_("返回工作台"), reverse("home"), icon_name="arrow-left", order=10)


@hooks.register("construct_homepage_panels")
def registries_panel(request: HttpRequest, panels: list[Any]) -> None:
    panels.insert(0, RegistriesPanel(request))


@hooks.register("register_admin_urls")
def two_factor_urls() -> list[Any]:
    return [
        path("two-factor/", TwoFactorIndexView.as_view(), name="two_factor_admin"),
        path("two-factor/<int:pk>/reset/", TwoFactorResetView.as_view(), name="two_factor_admin_reset"),
    ]


class CityAdminMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return is_city_admin(request.user)


@hooks.register("register_settings_menu_item")
def two_factor_menu_item() -> MenuItem:
    return CityAdminMenuItem(_("两步验证"), reverse("two_factor_admin"), icon_name="key", order=900)

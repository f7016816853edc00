"""The back office menu: the registries, and the city office's accounts and audit log."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.views.snippets import SnippetViewSetGroup

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

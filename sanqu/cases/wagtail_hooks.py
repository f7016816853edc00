"""The back office menu group of case work's managed lists (业务字典)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from sanqu.cases.viewsets import ServiceTypeViewSet, TargetGroupViewSet


class ManagedListsGroup(SnippetViewSetGroup):
    menu_label = _("业务字典")
    menu_icon = "list-ul"
    menu_order = 205
    items = (TargetGroupViewSet, ServiceTypeViewSet)


hooks.register("register_admin_viewset", ManagedListsGroup)

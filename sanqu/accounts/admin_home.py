"""The back office's home: the registries this user may open, with the records in their scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets import viewsets

from sanqu.accounts.admin_views import ScopedSnippetViewSet


class RegistriesPanel(Component):
    name = "sanqu_registries"
    order = 10
    template_name = "wagtailadmin/home/sanqu_registries.html"

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def get_context_data(self, parent_context: Any = None) -> dict[str, Any]:
        user = self.request.user
        rows = []
        for viewset in viewsets.viewsets:
            if not isinstance(viewset, ScopedSnippetViewSet):
                continue
            if not viewset.permission_policy.user_has_any_permission(user, ["view", "change", "add"]):
                continue
            rows.append(
                {
                    "label": viewset.model._meta.verbose_name_plural,
                    "count": viewset.scoped_queryset(user).count(),
                    "url": reverse(viewset.get_url_name("list")),
                }
            )
        return {"rows": rows}

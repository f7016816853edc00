"""The back office menu group of project supervision's configuration (项目配置)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from sanqu.projects import evaluation_viewsets, report_viewsets


class ProjectConfigurationGroup(SnippetViewSetGroup):
    menu_label = _("项目配置")
    menu_icon = "clipboard-list"
    menu_order = 207
    items = tuple(
        viewset
        for viewset in (
            getattr(report_viewsets, "ReportTemplateViewSet", None),
            getattr(evaluation_viewsets, "EvaluationSchemeViewSet", None),
        )
        if viewset is not None
    )


if ProjectConfigurationGroup.items:
    hooks.register("register_admin_viewset", ProjectConfigurationGroup)

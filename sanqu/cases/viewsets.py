"""The managed lists of case work in the back office: target groups and service types.

They are the programme's vocabulary, kept by the city office (renaming, adding, retiring an
entry); every other role neither sees nor edits them here. A type or group in use cannot be
deleted (records point at it): it is retired by unticking 启用, and disappears from the forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sanqu.accounts.admin_views import AuditedSnippetViewSet, panels
from sanqu.accounts.models import User
from sanqu.cases.models import ServiceType, TargetGroup


def _managed(user: Any, model: type[Any], action: str = "view") -> QuerySet[Any]:
    label = f"{model._meta.app_label}.{action}_{model._meta.model_name}"
    return model.objects.all() if user.has_perm(label) else model.objects.none()


class TargetGroupViewSet(AuditedSnippetViewSet):
    model = TargetGroup
    icon = "group"
    list_display = ["name", "code", "restricted", "sort_order", "active"]
    list_export = ["code", "name", "restricted", "sort_order", "active"]
    export_headings = {
        "code": _("代码"),
        "name": _("名称"),
        "restricted": _("限制查看"),
        "sort_order": _("排序"),
        "active": _("启用"),
    }
    edit_handler = panels("name", "code", "restricted", "sort_order", "active")

    def scoped_queryset(self, user: Any) -> QuerySet[TargetGroup]:
        return _managed(user, TargetGroup)

    def writable_queryset(self, user: Any) -> QuerySet[TargetGroup]:
        return _managed(user, TargetGroup, "change")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))


class ServiceTypeViewSet(AuditedSnippetViewSet):
    model = ServiceType
    icon = "list-ul"
    list_display = ["name", "code", "sort_order", "active"]
    list_export = ["code", "name", "sort_order", "active"]
    export_headings = {"code": _("代码"), "name": _("名称"), "sort_order": _("排序"), "active": _("启用")}
    edit_handler = panels(
        "name", "code", "target_groups", "sort_order", "active", target_groups=forms.CheckboxSelectMultiple
    )

    def scoped_queryset(self, user: Any) -> QuerySet[ServiceType]:
        return _managed(user, ServiceType)

    def writable_queryset(self, user: Any) -> QuerySet[ServiceType]:
        return _managed(user, ServiceType, "change")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(name__icontains=query) | Q(code__icontains=query))

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        service_type = super().create_record(form=form, actor=actor, request=request)
        form._save_m2m()  # the typical target groups
        return service_type

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Any:
        service_type = super().update_record(form=form, actor=actor, request=request)
        form._save_m2m()
        return service_type

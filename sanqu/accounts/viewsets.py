"""Users, their role memberships, and the audit log in the back office (city office only)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList

from sanqu.accounts import services
from sanqu.accounts.admin_views import ScopedForm, ScopedSnippetViewSet
from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import VIEW_AUDIT, Role
from sanqu.accounts.scoping import scope_of
from sanqu.orgs.selectors import organisations_for
from sanqu.regions.selectors import regions_for
from sanqu.workforce.selectors import people_for


def users_for(user: Any) -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("username")


class MembershipForm(ScopedForm):
    """A membership for an existing account, or a new account with its first membership."""

    new_username = forms.CharField(label=_("新账号"), max_length=150, required=False)
    new_display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    new_password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少10位，含小写字母、大写字母、数字、符号中的至少三类"),
    )
    scoped_choices = {
        "user": users_for,
        "region": regions_for,
        "organisation": organisations_for,
        "person": people_for,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].required = False
        if self.instance.pk:
            for name in ("new_username", "new_display_name", "new_password"):
                del self.fields[name]
            self.fields["user"].disabled = True
        else:
            self.fields["user"].help_text = _("选择已有账号，或在下方新建账号")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.instance.pk:
            if not data.get("user") and not data.get("new_username"):
                raise ValidationError(_("请选择已有账号，或填写新账号。"))
            if data.get("user") and data.get("new_username"):
                raise ValidationError(_("已有账号与新账号只能填写一项。"))
            if data.get("new_username") and not data.get("new_password"):
                self.add_error("new_password", _("新账号须设置初始密码。"))
            if data.get("new_username") and User.objects.filter(username=data["new_username"]).exists():
                self.add_error("new_username", _("该账号已存在。"))
        return data

    def _get_validation_exclusions(self) -> set[str]:
        # The user may be created on save (from the new-account fields).
        return super()._get_validation_exclusions() | {"user"}


class MembershipFilterSet(WagtailFilterSet):
    role = django_filters.ChoiceFilter(label=_("角色"), choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["role"]


class MembershipViewSet(ScopedSnippetViewSet):
    model = Membership
    icon = "key"
    menu_label = _("账号与角色")
    list_display = ["user", "role", "region", "organisation", "person"]
    list_export = ["user.username", "user.display_name", "role", "region.name", "organisation.name"]
    export_headings = {
        "user.username": _("账号"),
        "user.display_name": _("姓名"),
        "role": _("角色"),
        "region.name": _("行政区划"),
        "organisation.name": _("机构"),
    }
    filterset_class = MembershipFilterSet
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("user", widget=forms.Select),
                    FieldPanel("new_username"),
                    FieldPanel("new_display_name"),
                    FieldPanel("new_password"),
                ],
                heading=_("账号"),
            ),
            FieldPanel("role"),
            FieldPanel("region"),
            FieldPanel("organisation", widget=forms.Select),
            FieldPanel("person"),
        ],
        base_form_class=MembershipForm,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[Membership]:
        memberships = Membership.objects.select_related("user", "region", "organisation", "person")
        return scope_of(user).filter(memberships, region="region")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(user__username__icontains=query) | Q(user__display_name__icontains=query))

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> Membership:
        data = form.cleaned_data
        user = data.get("user")
        if user is None:
            user = services.user_create(
                actor=actor,
                username=data["new_username"],
                display_name=data.get("new_display_name", ""),
                password=data["new_password"],
                request=request,
            )
        return services.membership_create(
            actor=actor,
            user=user,
            role=data["role"],
            region=data["region"],
            organisation=data.get("organisation"),
            person=data.get("person"),
            request=request,
        )

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> Membership:
        data = form.cleaned_data
        return services.membership_update(
            actor=actor,
            membership=Membership.objects.get(pk=form.instance.pk),
            data={name: data.get(name) for name in ("role", "region", "organisation", "person")},
            request=request,
        )

    def delete_record(self, *, instance: Membership, actor: User, request: HttpRequest) -> None:
        services.membership_delete(actor=actor, membership=instance, request=request)


class AuditEntryFilterSet(WagtailFilterSet):
    action = django_filters.ChoiceFilter(label=_("操作"), choices=AuditEntry.Action.choices)
    object_type = django_filters.CharFilter(label=_("对象类型"), lookup_expr="exact")
    since = django_filters.DateFilter(label=_("起始日期"), field_name="at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("截止日期"), field_name="at", lookup_expr="date__lte")

    class Meta:
        model = AuditEntry
        fields = ["action", "object_type"]


class AuditEntryViewSet(ScopedSnippetViewSet):
    """The audit log: read-only for the city office; nothing here can change it."""

    model = AuditEntry
    icon = "list-ul"
    inspect_view_enabled = True
    list_display = ["__str__", "actor_name", "action", "object_type", "object_repr", "ip_address"]
    list_export = [
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "detail",
        "ip_address",
    ]
    export_headings = {
        "at": _("时间"),
        "actor_name": _("操作人账号"),
        "action": _("操作"),
        "object_type": _("对象类型"),
        "object_id": _("对象编号"),
        "object_repr": _("对象"),
        "detail": _("详情"),
        "ip_address": _("IP 地址"),
    }
    filterset_class = AuditEntryFilterSet
    list_per_page = 50
    edit_handler = ObjectList([FieldPanel("action", read_only=True)])

    def scoped_queryset(self, user: Any) -> QuerySet[AuditEntry]:
        if not user.has_perm(VIEW_AUDIT):
            return AuditEntry.objects.none()
        return AuditEntry.objects.select_related("actor")

    def search_records(self, queryset: QuerySet[Any], query: str) -> QuerySet[Any]:
        return queryset.filter(Q(actor_name__icontains=query) | Q(object_repr__icontains=query))

    def get_urlpatterns(self) -> list[Any]:
        # Listing, export and inspect only: no add, edit, delete or copy of audit entries.
        keep = {"list", "list_results", "inspect", "history", "history_results", "usage"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in keep]

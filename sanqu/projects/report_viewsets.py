"""Report templates (报告模板) in the back office, kept by the city office.

A template is edited with its fields on one page (字段代码、名称、类型、预填数据、必填、说明、排序).
The form refuses a "数据" field without a figure to pre-fill, and a figure on a field to type in,
with the field's own message; a template that reports use cannot be deleted (it is switched off).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column

from sanqu.accounts.admin_views import ScopedForm, ScopedSnippetViewSet
from sanqu.accounts.models import User
from sanqu.projects import report_services as services
from sanqu.projects.models import ReportField, ReportTemplate


class ReportFieldForm(WagtailAdminModelForm):
    """One field of the template: a "数据" field names its figure, and only it does."""

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind, figure = data.get("kind"), data.get("figure") or ""
        if kind:
            problem = services.field_kind_problem(kind, figure)
            if problem:
                self.add_error("figure", problem)
        return data


class ReportFieldsPanel(InlinePanel):
    """The template's fields, each validated by `ReportFieldForm`."""

    def get_form_options(self) -> dict[str, Any]:
        options: dict[str, Any] = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = ReportFieldForm
        return options


class ReportTemplateForm(ScopedForm):
    """The template and its fields; field codes must differ within the template."""

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        formset = self.formsets["report_fields"]
        deleted = formset.deleted_forms
        seen: set[str] = set()
        for form in formset.forms:
            if form in deleted or not form.cleaned_data:
                continue
            key = form.cleaned_data.get("key")
            if key in seen:
                form.add_error("key", gettext_lazy("同一模板中字段代码不能重复。"))
            seen.add(key)
        return not self.errors and all(not form.errors for form in formset.forms)


class ReportTemplateViewSet(ScopedSnippetViewSet):
    model = ReportTemplate
    icon = "doc-full"
    menu_label = gettext_lazy("报告模板")
    list_display = [
        "name",
        "programme_year",
        "cadence",
        "due_day",
        Column("field_total", label=gettext_lazy("字段数")),
        Column("report_total", label=gettext_lazy("报告数")),
        "active",
    ]
    list_filter = ["active", "cadence", "programme_year"]
    edit_handler = ObjectList(
        [
            FieldPanel("programme_year"),
            FieldPanel("name"),
            FieldPanel("cadence"),
            FieldPanel("due_day"),
            FieldPanel("active"),
            ReportFieldsPanel(
                "report_fields",
                label=gettext_lazy("报告字段"),
                heading=gettext_lazy("报告字段（工作进展、存在问题、下一步计划为每份报告固有，无需添加）"),
                panels=[
                    FieldPanel("key"),
                    FieldPanel("label"),
                    FieldPanel("kind"),
                    FieldPanel("figure"),
                    FieldPanel("required"),
                    FieldPanel("help_text"),
                    FieldPanel("sort_order"),
                ],
            ),
        ],
        base_form_class=ReportTemplateForm,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[ReportTemplate]:
        templates = ReportTemplate.objects.select_related("programme_year").annotate(
            field_total=Count("report_fields", distinct=True), report_total=Count("reports", distinct=True)
        )
        return templates if user.has_perm("projects.view_reporttemplate") else templates.none()

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> ReportTemplate:
        return services.template_save(actor=actor, template=form.save(commit=False), request=request)

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> ReportTemplate:
        return services.template_save(actor=actor, template=form.save(commit=False), request=request)

    def delete_record(self, *, instance: Any, actor: User, request: HttpRequest) -> None:
        services.template_delete(actor=actor, template=instance, request=request)


__all__ = ["ReportField", "ReportTemplateViewSet"]

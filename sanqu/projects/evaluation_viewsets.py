"""Evaluation schemes (评估指标体系) in the back office, kept by the city office.

A scheme is edited with its indicators on one page (维度 → 指标 → 分值 → 评分标准); the form refuses
weights that do not add up to 100 and the removal of an indicator already scored. A scheme used by
evaluations can still be edited (submitted evaluations keep the tree they were scored on) but not
deleted: it is switched off instead.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column

from sanqu.accounts.admin_views import ScopedForm, ScopedSnippetViewSet
from sanqu.accounts.models import User
from sanqu.projects import evaluation_services as services
from sanqu.projects.models import EvaluationScheme, IndicatorScore


class EvaluationSchemeForm(ScopedForm):
    """The scheme and its indicators; the weights of the indicators kept must add up to 100."""

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        formset = self.formsets["indicators"]
        deleted = formset.deleted_forms
        kept = [form for form in formset.forms if form not in deleted and form.cleaned_data]
        problem = services.weights_problem(Decimal(form.cleaned_data["weight"]) for form in kept)
        if problem:
            self.add_error(None, problem)
        scored = [
            form.instance.name
            for form in deleted
            if form.instance.pk and IndicatorScore.objects.filter(indicator=form.instance.pk).exists()
        ]
        if scored:
            names = "、".join(f"“{name}”" for name in scored)
            self.add_error(None, _("指标%(names)s已有评分，不能删除。") % {"names": names})
        return not self.errors


class EvaluationSchemeViewSet(ScopedSnippetViewSet):
    model = EvaluationScheme
    icon = "list-ol"
    menu_label = gettext_lazy("评估指标体系")
    list_display = [
        "name",
        "programme_year",
        Column("indicator_total", label=gettext_lazy("指标数")),
        "active",
    ]
    list_filter = ["active", "programme_year"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("programme_year"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [FieldPanel("excellent_from"), FieldPanel("good_from"), FieldPanel("fair_from")]
                    )
                ],
                heading=gettext_lazy("等级分数线"),
            ),
            FieldPanel("active"),
            InlinePanel(
                "indicators",
                label=gettext_lazy("评估指标"),
                heading=gettext_lazy("评估指标（各指标分值合计须为 100 分）"),
                min_num=1,
                panels=[
                    FieldPanel("dimension"),
                    FieldPanel("name"),
                    FieldPanel("weight"),
                    FieldPanel("guide"),
                    FieldPanel("sort_order"),
                ],
            ),
        ],
        base_form_class=EvaluationSchemeForm,
    )

    def scoped_queryset(self, user: Any) -> QuerySet[EvaluationScheme]:
        schemes = EvaluationScheme.objects.select_related("programme_year").annotate(
            indicator_total=Count("indicators")
        )
        return schemes if user.has_perm("projects.view_evaluationscheme") else schemes.none()

    def create_record(self, *, form: Any, actor: User, request: HttpRequest) -> EvaluationScheme:
        return services.scheme_save(actor=actor, scheme=form.save(commit=False), request=request)

    def update_record(self, *, form: Any, actor: User, request: HttpRequest) -> EvaluationScheme:
        return services.scheme_save(actor=actor, scheme=form.save(commit=False), request=request)

    def delete_record(self, *, instance: Any, actor: User, request: HttpRequest) -> None:
        services.scheme_delete(actor=actor, scheme=instance, request=request)

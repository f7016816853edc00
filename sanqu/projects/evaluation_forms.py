"""Evaluation forms: start one, its date and evaluators, the score sheet (one form for every
indicator, usable on a phone), and the list's filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE, TEXT
from sanqu.projects.evaluation_selectors import Sheet
from sanqu.projects.evaluation_services import Score, points
from sanqu.projects.models import EvaluationScheme, Grade, ProgrammeYear, ProjectEvaluation
from sanqu.regions.models import Region


class SchemeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class EvaluationStartForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("评估类型"), choices=ProjectEvaluation.Kind.choices, widget=forms.RadioSelect
    )
    scheme = SchemeChoiceField(
        label=_("评估指标体系"), queryset=EvaluationScheme.objects.none(), empty_label=None
    )
    evaluated_on = forms.DateField(label=_("评估日期"), widget=DATE)
    evaluators = forms.CharField(
        label=_("评估人员"), max_length=200, help_text=_("如：区县民政局社会工作科 张某、第三方评估机构 李某")
    )

    def __init__(self, *args: Any, schemes: QuerySet[EvaluationScheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["scheme"]).queryset = schemes


class EvaluationEditForm(forms.Form):
    evaluated_on = forms.DateField(label=_("评估日期"), widget=DATE)
    evaluators = forms.CharField(label=_("评估人员"), max_length=200)
    summary = forms.CharField(label=_("评估结论"), widget=TEXT, required=False)


class ScoreSheetForm(forms.Form):
    """For each indicator of the sheet: a score, the evidence note, an evidence file; and the
    conclusion. `scores()` hands the service what was entered."""

    summary = forms.CharField(
        label=_("评估结论"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("提交前须填写：总体评价、主要成效、存在问题与改进建议。"),
    )

    def __init__(self, *args: Any, sheet: Sheet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for row in sheet.rows:
            self.fields[f"score_{row.indicator_id}"] = forms.DecimalField(
                label=_("得分"),
                required=False,
                max_digits=5,
                decimal_places=2,
                initial=row.score,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": "0", "max": points(row.weight), "inputmode": "decimal"}
                ),
            )
            self.fields[f"note_{row.indicator_id}"] = forms.CharField(
                label=_("评分依据"),
                required=False,
                initial=row.note,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"file_{row.indicator_id}"] = forms.FileField(label=_("佐证材料"), required=False)

    def indicator_fields(self) -> list[dict[str, Any]]:
        """The sheet's dimensions, each with its rows and the row's three bound fields."""
        return [
            {
                "dimension": dimension,
                "rows": [
                    {
                        "row": row,
                        "score": self[f"score_{row.indicator_id}"],
                        "note": self[f"note_{row.indicator_id}"],
                        "file": self[f"file_{row.indicator_id}"],
                    }
                    for row in dimension.rows
                ],
            }
            for dimension in self.sheet.dimensions
        ]

    def scores(self) -> dict[int, Score]:
        """Every indicator whose entry changed or that was scored: blank score and note clear it."""
        data = self.cleaned_data
        entries: dict[int, Score] = {}
        for row in self.sheet.rows:
            score: Decimal | None = data.get(f"score_{row.indicator_id}")
            note: str = data.get(f"note_{row.indicator_id}") or ""
            upload = data.get(f"file_{row.indicator_id}") or None
            if score is None and not note.strip() and upload is None and row.score is None:
                continue  # never scored, still blank
            if score == row.score and note.strip() == row.note and upload is None:
                continue  # unchanged
            entries[row.indicator_id] = (score, note, upload)
        return entries


class EvaluationFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    county = forms.ModelChoiceField(
        label=_("区县"), required=False, queryset=Region.objects.none(), empty_label=_("全部区县")
    )
    kind = forms.ChoiceField(
        label=_("评估类型"), required=False, choices=[("", _("全部类型")), *ProjectEvaluation.Kind.choices]
    )
    grade = forms.ChoiceField(label=_("等级"), required=False, choices=[("", _("全部等级")), *Grade.choices])
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *ProjectEvaluation.Status.choices]
    )

    def __init__(self, *args: Any, counties: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = ProgrammeYear.objects.order_by("-year").values_list("year", flat=True)
        cast(forms.TypedChoiceField, self.fields["year"]).choices = [
            ("", _("全部年度")),
            *((year, str(year)) for year in years),
        ]
        cast(forms.ModelChoiceField, self.fields["county"]).queryset = counties

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "year": data.get("year"),
            "county": data.get("county"),
            "kind": data.get("kind") or "",
            "grade": data.get("grade") or "",
            "status": data.get("status") or "",
        }

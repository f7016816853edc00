"""Training forms: recommending a trainee, a course and its sessions, completion, the list filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sanqu.cases.forms.groups import DATE
from sanqu.projects.models import ProgrammeYear
from sanqu.regions.models import Region
from sanqu.training.models import CourseLevel, CourseSession, TrainingCourse
from sanqu.training.selectors import STATUS_ATTENDING, STATUS_COMPLETED, STATUS_RECOMMENDED

HOURS = forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"})


class YearChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class CourseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.get_level_display()}，{obj.starts_on:%Y-%m-%d}）"


class RecommendForm(forms.Form):
    programme_year = YearChoiceField(label=_("年度"), queryset=ProgrammeYear.objects.none())
    county = forms.ModelChoiceField(label=_("推荐区县"), queryset=Region.objects.none())
    id_number = forms.CharField(
        label=_("身份证号"), max_length=40, help_text=_("已登记的人员按身份证号找到；未登记的将新建人员记录")
    )
    name = forms.CharField(
        label=_("姓名"), max_length=50, required=False, help_text=_("新建人员时必填；已登记的人员用于核对")
    )
    workplace = forms.CharField(label=_("工作单位"), max_length=100, required=False)
    course = CourseChoiceField(label=_("参加培训班"), queryset=TrainingCourse.objects.none(), required=False)

    def __init__(
        self,
        *args: Any,
        years: QuerySet[ProgrammeYear],
        counties: QuerySet[Region],
        courses: QuerySet[TrainingCourse],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme_year"].queryset = years  # type: ignore[attr-defined]
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        if counties.count() == 1:
            self.fields["county"].initial = counties.first()


class AssignCourseForm(forms.Form):
    course = CourseChoiceField(label=_("参加培训班"), queryset=TrainingCourse.objects.none(), required=False)

    def __init__(self, *args: Any, courses: QuerySet[TrainingCourse], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label=_("结业日期"), widget=DATE)


class CourseForm(forms.Form):
    programme_year = YearChoiceField(label=_("年度"), queryset=ProgrammeYear.objects.order_by("-year"))
    name = forms.CharField(label=_("培训班名称"), max_length=100)
    level = forms.ChoiceField(label=_("培训类别"), choices=CourseLevel.choices, widget=forms.RadioSelect)
    organiser = forms.CharField(label=_("主办单位"), max_length=100)
    place = forms.CharField(label=_("培训地点"), max_length=100, required=False)
    starts_on = forms.DateField(label=_("开班日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结班日期"), widget=DATE)
    required_hours = forms.DecimalField(
        label=_("结业所需学时"),
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.5"),
        widget=HOURS,
        help_text=_("学员累计出勤学时达到此数方可结业"),
    )


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    kind = forms.ChoiceField(label=_("形式"), choices=CourseSession.Kind.choices, widget=forms.RadioSelect)
    topic = forms.CharField(label=_("主题"), max_length=200)
    hours = forms.DecimalField(
        label=_("学时"), max_digits=4, decimal_places=1, min_value=Decimal("0.5"), max_value=12, widget=HOURS
    )


STATUS_CHOICES = [
    ("", _("全部")),
    (STATUS_RECOMMENDED, _("已推荐、未出勤")),
    (STATUS_ATTENDING, _("已参训")),
    (STATUS_COMPLETED, _("已结业")),
]


class TraineeFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    county = forms.ModelChoiceField(
        label=_("推荐区县"), queryset=Region.objects.none(), required=False, empty_label=_("全部")
    )
    status = forms.ChoiceField(label=_("进度"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(label=_("姓名或完整身份证号"), max_length=100, required=False)

    def __init__(self, *args: Any, counties: QuerySet[Region], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = ProgrammeYear.objects.order_by("-year").values_list("year", flat=True)
        self.fields["year"].choices = [("", _("全部")), *((y, str(y)) for y in years)]  # type: ignore[attr-defined]
        self.fields["county"].queryset = counties  # type: ignore[attr-defined]

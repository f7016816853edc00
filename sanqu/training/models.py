"""Training of local practitioners: trainees (培养对象), courses (培训班), sessions and attendance.

A county recommends trainees for a programme year against its training quota (on
`projects.ReceivingCounty`); the city office organises courses with dated sessions; attendance
credits hours; a trainee completes (结业) once the credited hours reach the course's requirement.
The trainee's flat course fields (name, level, hours) are what the Excel ledger carries; when a
trainee is linked to a course and has attendance, the services keep them in step.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseLevel(models.TextChoices):
    MINISTRY = "ministry", _("部级")
    MUNICIPAL = "municipal", _("市级")


class TrainingCourse(models.Model):
    """A ministry-level or municipal course (培训班) of a programme year."""

    Level = CourseLevel

    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, related_name="courses", verbose_name=_("年度")
    )
    name = models.CharField(_("培训班名称"), max_length=100)
    level = models.CharField(_("培训类别"), max_length=10, choices=CourseLevel.choices)
    organiser = models.CharField(_("主办单位"), max_length=100)
    place = models.CharField(_("培训地点"), max_length=100, blank=True)
    starts_on = models.DateField(_("开班日期"))
    ends_on = models.DateField(_("结班日期"))
    required_hours = models.DecimalField(
        _("结业所需学时"), max_digits=5, decimal_places=1, help_text=_("学员累计出勤学时达到此数方可结业")
    )

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-programme_year__year", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme_year", "name"], name="course_unique_name_per_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="course_ends_after_start",
                violation_error_message=_("结班日期不能早于开班日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(required_hours__gt=0),
                name="course_required_hours_positive",
                violation_error_message=_("结业所需学时须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.programme_year.year}）"


class CourseSession(models.Model):
    """One dated session of a course: a lecture, case teaching, a seminar or a field visit."""

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("专题讲座")
        CASE_TEACHING = "case_teaching", _("案例教学")
        SEMINAR = "seminar", _("研讨交流")
        FIELD_VISIT = "field_visit", _("实地考察")

    course = models.ForeignKey(
        TrainingCourse, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("培训班")
    )
    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("形式"), max_length=16, choices=Kind.choices)
    topic = models.CharField(_("主题"), max_length=200)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0, hours__lte=12),
                name="session_hours_range",
                violation_error_message=_("每次课程的学时须在 0 到 12 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"


class Trainee(models.Model):
    """A local practitioner a county recommended for a programme year (培养对象)."""

    CourseLevel = CourseLevel

    person = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="traineeships", verbose_name=_("培养对象")
    )
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, related_name="trainees", verbose_name=_("年度")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="trainees", verbose_name=_("推荐区县")
    )
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="trainees",
        verbose_name=_("参加培训班"),
    )
    workplace = models.CharField(_("工作单位"), max_length=100, blank=True)
    course_name = models.CharField(_("培训班名称"), max_length=100, blank=True)
    course_level = models.CharField(_("培训类别"), max_length=10, choices=CourseLevel.choices, blank=True)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1, null=True, blank=True)
    completed_on = models.DateField(_("结业日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("培养对象")
        verbose_name_plural = _("培养对象")
        ordering = ["-programme_year__year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "programme_year"], name="trainee_unique_person_year"),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.programme_year})"

    @property
    def completed(self) -> bool:
        return self.completed_on is not None


class Attendance(models.Model):
    """A trainee present at a session, with the hours credited (usually the session's)."""

    session = models.ForeignKey(
        CourseSession, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("培训课程")
    )
    trainee = models.ForeignKey(
        Trainee, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("学员")
    )
    hours = models.DecimalField(_("计入学时"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        ordering = ["session__held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainee"], name="attendance_unique_per_session"),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0),
                name="attendance_hours_positive",
                violation_error_message=_("计入学时须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainee.person} · {self.session}"

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Trainee(models.Model):
    """A local practitioner a county recommended for a programme year (培养对象)."""

    class CourseLevel(models.TextChoices):
        MINISTRY = "ministry", _("部级")
        MUNICIPAL = "municipal", _("市级")

    person = models.ForeignKey(
        "workforce.Person", on_delete=models.PROTECT, related_name="traineeships", verbose_name=_("培养对象")
    )
    programme_year = models.ForeignKey(
        "projects.ProgrammeYear", on_delete=models.PROTECT, related_name="trainees", verbose_name=_("年度")
    )
    county = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="trainees", verbose_name=_("推荐区县")
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

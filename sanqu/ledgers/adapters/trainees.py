"""The trainees ledger (培养对象台账) into training: one row is a person's traineeship in a programme year."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.ledgers.kinds import choice_values
from sanqu.projects.models import ProgrammeYear
from sanqu.training.models import Trainee
from sanqu.training.selectors import trainees_for, writable_trainees
from sanqu.training.services import trainee_ledger_update, trainee_recommend
from sanqu.workforce.services import find_person_by_id_number


class TraineeRows:
    """培养对象台账: the ID number and the year name a trainee; a new one is recommended against the quota."""

    fields = {
        "programme_year": "year",
        "person": "id_number",
        "id_number": "id_number",
        "name": "name",
        "county": "county",
        "workplace": "workplace",
        "course": "course_name",
        "course_name": "course_name",
        "course_level": "course_level",
        "hours": "hours",
        "completed_on": "completed_on",
    }
    levels = choice_values(Trainee.CourseLevel)

    def _year(self, values: dict[str, Any]) -> ProgrammeYear:
        year = ProgrammeYear.objects.filter(year=values["year"]).first()
        if year is None:
            raise ValidationError(
                {"programme_year": _("没有%(year)s年度的计划。") % {"year": values["year"]}}
            )
        return year

    def _columns(self, values: dict[str, Any]) -> dict[str, Any]:
        """The ledger columns as `trainee_ledger_update` takes them (the name is checked, not stored)."""
        level = values.get("course_level")
        return {
            "name": values["name"],
            "workplace": values.get("workplace") or "",
            "course_name": values.get("course_name") or "",
            "course_level": self.levels[level] if level else "",
            "hours": values.get("hours"),
            "completed": values["completed"],
            "completed_on": values.get("completed_on"),
        }

    def writable(self, actor: User) -> QuerySet[Trainee]:
        return writable_trainees(actor)

    def key(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return (values["id_number"], values["year"])

    def find(self, values: dict[str, Any]) -> Trainee | None:
        person = find_person_by_id_number(values["id_number"])
        if person is None:
            return None
        return (
            Trainee.objects.filter(person=person, programme_year__year=values["year"])
            .select_related("person", "programme_year", "county", "course")
            .first()
        )

    def differs(self, record: Trainee, values: dict[str, Any]) -> bool:
        course = record.course
        level = record.course_level or (course.level if course else "")
        stored = {
            "name": record.person.name,
            "workplace": record.workplace,
            "course_name": record.course_name or (course.name if course else ""),
            "course_level": level,
            "hours": record.hours,
            "completed": record.completed,
            "completed_on": record.completed_on,
        }
        return record.county_id != values["county"].pk or stored != self._columns(values)

    def create(self, actor: User, values: dict[str, Any]) -> None:
        trainee = trainee_recommend(
            actor=actor,
            programme_year=self._year(values),
            county=values["county"],
            id_number=values["id_number"],
            name=values["name"],
            workplace=values.get("workplace") or "",
        )
        columns = self._columns(values)
        if (
            columns["course_name"]
            or columns["course_level"]
            or columns["hours"] is not None
            or columns["completed"]
        ):
            trainee_ledger_update(actor=actor, trainee=trainee, **columns)

    def update(self, actor: User, record: Trainee, values: dict[str, Any]) -> None:
        if not trainees_for(actor).filter(pk=record.pk).exists():
            raise Http404  # someone else's trainee: nothing about it is told
        if record.county_id != values["county"].pk:
            # A trainee counts against the quota of the county that recommended it: not moved by a ledger.
            raise ValidationError(
                {
                    "county": _("%(name)s是%(county)s推荐的%(year)s年度培养对象，不能改为其他区县。")
                    % {"name": record.person.name, "county": record.county.name, "year": values["year"]}
                }
            )
        trainee_ledger_update(actor=actor, trainee=record, **self._columns(values))

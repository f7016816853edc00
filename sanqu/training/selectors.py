"""Scoped reads of training: trainees, courses and their sessions, attendance, quotas and hours.

Trainees are seen by the region roles over the recommending county (city office, city viewer,
county officer); the permission `training.view_trainee` says who may open the pages at all.
Courses are the city office's and are read by everyone who may read training; the trainees shown
on a course or an attendance sheet are always the reader's own.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from sanqu.accounts.models import User
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.lib import clock
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region
from sanqu.training.models import Attendance, CourseSession, Trainee, TrainingCourse
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import search_people

ZERO = Decimal("0")


# Trainees.


def trainees_for(user: User) -> QuerySet[Trainee]:
    """The trainees the user may see: those recommended by a county in the user's region scope."""
    trainees = Trainee.objects.select_related("person", "programme_year", "county", "course")
    return scope_of(user).filter(trainees, region="county")


def writable_trainees(user: User) -> QuerySet[Trainee]:
    """Trainees the user may change (with the permission): county officer's county, city office's all."""
    return scope_of(user).filter(Trainee.objects.all(), region="county")


def get_trainee_for_user(user: User, pk: Any) -> Trainee:
    trainees = trainees_for(user).prefetch_related(
        Prefetch(
            "attendances", queryset=Attendance.objects.select_related("session").order_by("session__held_on")
        )
    )
    return get_or_404(trainees, pk=pk)


def with_credited_hours(trainees: QuerySet[Trainee]) -> QuerySet[Trainee]:
    """Annotate `credited` (attendance hours, 0 without any) and `attended` (has attendance)."""
    return trainees.annotate(
        credited=Coalesce(Sum("attendances__hours"), ZERO),
        attended=Exists(Attendance.objects.filter(trainee=OuterRef("pk"))),
    )


def credited_hours(trainee: Trainee) -> Decimal:
    """Hours credited to the trainee by attendance at sessions."""
    return trainee.attendances.aggregate(total=Coalesce(Sum("hours"), ZERO))["total"]


STATUS_RECOMMENDED = "recommended"
STATUS_ATTENDING = "attending"
STATUS_COMPLETED = "completed"


def filter_trainees(
    trainees: QuerySet[Trainee],
    *,
    year: int | None = None,
    county: Region | None = None,
    course: TrainingCourse | None = None,
    status: str = "",
    query: str = "",
) -> QuerySet[Trainee]:
    """The trainee list's filters; `status` is recommended (no attendance yet), attending or completed."""
    if year is not None:
        trainees = trainees.filter(programme_year__year=year)
    if county is not None:
        trainees = trainees.filter(county=county)
    if course is not None:
        trainees = trainees.filter(course=course)
    has_attendance = Exists(Attendance.objects.filter(trainee=OuterRef("pk")))
    if status == STATUS_RECOMMENDED:
        trainees = trainees.filter(~has_attendance, completed_on__isnull=True)
    elif status == STATUS_ATTENDING:
        trainees = trainees.filter(has_attendance)
    elif status == STATUS_COMPLETED:
        trainees = trainees.filter(completed_on__isnull=False)
    if query.strip():
        people = search_people(Person.objects.all(), query=query)
        trainees = trainees.filter(person__in=people.values("pk"))
    return trainees.order_by("-programme_year__year", "county__code", "person__name", "id")


# Programme years and quotas.


def programme_years() -> QuerySet[ProgrammeYear]:
    return ProgrammeYear.objects.order_by("-year")


def current_year(today: dt.date | None = None) -> ProgrammeYear | None:
    """The latest programme year that has started by today (or the first one, before any has)."""
    today = today or clock.today()
    years = programme_years()
    return years.filter(starts_on__lte=today).first() or years.last()


def receiving_counties_for(user: User, programme_year: ProgrammeYear) -> QuerySet[ReceivingCounty]:
    """The programme year's receiving counties in the user's region scope, with their quotas."""
    rows = ReceivingCounty.objects.filter(programme_year=programme_year).select_related("county")
    return scope_of(user).filter(rows, region="county").order_by("county__code")


@dataclass
class QuotaRow:
    county: Region
    quota: int
    recommended: int = 0
    attending: int = 0
    completed: int = 0

    @property
    def remaining(self) -> int:
        return max(self.quota - self.recommended, 0)

    @property
    def full(self) -> bool:
        return self.recommended >= self.quota


@dataclass
class QuotaTable:
    rows: list[QuotaRow] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.rows)

    @property
    def totals(self) -> dict[str, int]:
        return {name: self.total(name) for name in ("quota", "recommended", "attending", "completed")}


def quota_table(user: User, programme_year: ProgrammeYear) -> QuotaTable:
    """Per county in scope: quota, recommended, attending (any attendance) and completed (two queries)."""
    counties = list(receiving_counties_for(user, programme_year))
    counts: dict[int, Any] = {
        row["county"]: row
        for row in Trainee.objects.filter(
            programme_year=programme_year, county__in=[rc.county_id for rc in counties]
        )
        .values("county")
        .annotate(
            n_recommended=Count("pk"),
            n_attending=Count("pk", filter=Q(Exists(Attendance.objects.filter(trainee=OuterRef("pk"))))),
            n_completed=Count("pk", filter=Q(completed_on__isnull=False)),
        )
    }
    table = QuotaTable()
    for receiving in counties:
        row = counts.get(receiving.county_id, {})
        table.rows.append(
            QuotaRow(
                county=receiving.county,
                quota=receiving.training_quota,
                recommended=row.get("n_recommended", 0),
                attending=row.get("n_attending", 0),
                completed=row.get("n_completed", 0),
            )
        )
    return table


# Courses and sessions.


def courses_for(user: User) -> QuerySet[TrainingCourse]:
    """Every course (the city office's, not personal data) for those who may read training."""
    if not user.has_perm("training.view_trainingcourse"):
        return TrainingCourse.objects.none()
    return TrainingCourse.objects.select_related("programme_year").annotate(
        session_count=Count("sessions", distinct=True)
    )


def get_course_for_user(user: User, pk: Any) -> TrainingCourse:
    return get_or_404(courses_for(user), pk=pk)


def sessions_of(course: TrainingCourse) -> QuerySet[CourseSession]:
    return course.sessions.annotate(present=Count("attendances")).order_by("held_on", "id")


def get_session_for_user(user: User, pk: Any) -> CourseSession:
    sessions = CourseSession.objects.select_related("course", "course__programme_year").filter(
        course__in=courses_for(user)
    )
    return get_or_404(sessions, pk=pk)


def course_trainees(user: User, course: TrainingCourse) -> QuerySet[Trainee]:
    """The course's trainees the user may see, with their credited hours."""
    trainees = trainees_for(user).filter(course=course)
    return with_credited_hours(trainees).order_by("county__code", "person__name", "id")


@dataclass
class SheetRow:
    trainee: Trainee
    attendance: Attendance | None
    writable: bool
    ticked: bool = False  # what the register shows: stored, or what was just posted
    typed: str = ""

    def __post_init__(self) -> None:
        self.ticked = self.attendance is not None
        self.typed = f"{self.attendance.hours.normalize():f}" if self.attendance is not None else ""


def attendance_sheet(user: User, session: CourseSession) -> list[SheetRow]:
    """The session's register: the course's trainees the user may see, each with their attendance.

    A row is writable for the user's own county's trainees (or all, for the city office) until the
    trainee has completed: a completed trainee's hours no longer change.
    """
    trainees = list(
        trainees_for(user).filter(course=session.course).order_by("county__code", "person__name", "id")
    )
    writable = set(
        writable_trainees(user).filter(pk__in=[t.pk for t in trainees]).values_list("pk", flat=True)
    )
    can_write = user.has_perm("training.add_attendance")
    marks = {a.trainee_id: a for a in session.attendances.filter(trainee__in=trainees)}
    return [
        SheetRow(t, marks.get(t.pk), can_write and t.pk in writable and t.completed_on is None)
        for t in trainees
    ]


# Continuing-education hours.


@dataclass(frozen=True)
class YearHours:
    year: int
    hours: Decimal
    from_attendance: bool  # False: the ledger's flat hours (no attendance records)
    course_name: str
    completed_on: dt.date | None


def training_hours_by_year(person: Person) -> list[YearHours]:
    """A person's training hours per programme year (one query).

    A traineeship with attendance records counts the hours credited at its sessions; one without
    any (an imported ledger row) counts its flat `hours` (0 when blank).
    """
    trainees = with_credited_hours(
        Trainee.objects.filter(person=person).select_related("programme_year", "course")
    ).order_by("programme_year__year")
    return [
        YearHours(
            year=t.programme_year.year,
            hours=t.credited if t.attended else (t.hours or ZERO),  # type: ignore[attr-defined]
            from_attendance=t.attended,  # type: ignore[attr-defined]
            course_name=t.course.name if t.course else t.course_name,
            completed_on=t.completed_on,
        )
        for t in trainees
    ]


@dataclass
class PersonHours:
    person: Person
    by_year: dict[int, Decimal]
    cells: list[Decimal | None] = field(default_factory=list)  # by_year in the page's column order

    @property
    def total(self) -> Decimal:
        return sum(self.by_year.values(), ZERO)


def hours_for_county(user: User, county: Region) -> tuple[list[int], list[PersonHours]]:
    """The county's trainees (in the user's scope), each person's hours per programme year (one query)."""
    trainees = with_credited_hours(trainees_for(user).filter(county=county)).order_by(
        "person__name", "person_id"
    )
    by_person: dict[int, PersonHours] = {}
    years: set[int] = set()
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for t in trainees:
        hours = t.credited if t.attended else (t.hours or ZERO)  # type: ignore[attr-defined]
        year = t.programme_year.year
        years.add(year)
        by_person.setdefault(t.person_id, PersonHours(t.person, totals[t.person_id]))
        totals[t.person_id][year] = totals[t.person_id].get(year, ZERO) + hours
    columns = sorted(years)
    for row in by_person.values():
        row.cells = [row.by_year.get(year) for year in columns]
    return columns, list(by_person.values())


def counties_for(user: User) -> QuerySet[Region]:
    """Receiving counties in the user's region scope (for the county choosers)."""
    scope = scope_of(user)
    counties = Region.objects.filter(level=Region.Level.COUNTY, receiving_years__isnull=False)
    if not scope.superuser:
        query = Q(pk__in=[])
        for path in scope.region_paths:
            query |= Q(path__startswith=path)
        counties = counties.filter(query)
    return counties.distinct().order_by("code")

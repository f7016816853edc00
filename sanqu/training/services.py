"""Writes to training: recommending trainees against the quota, courses and sessions, attendance, completion.

Every function is keyword-only, checks the actor's permission and scope, validates with a message
naming the rule, writes in one transaction and leaves audit entries (through `audited_save`).
A refusal anywhere leaves the database as it was: a person created for a recommendation that is
then refused is rolled back with it, and an attendance sheet is saved whole or not at all.

The trainee's flat fields (course name, level, hours: the Excel ledger's columns) follow the
course it is linked to and the hours credited by attendance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.services import apply, audited_delete, audited_save, require_perm, snapshot
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.projects.models import ProgrammeYear, ReceivingCounty
from sanqu.regions.models import Region
from sanqu.training.models import Attendance, CourseSession, Trainee, TrainingCourse
from sanqu.training.selectors import credited_hours, trainees_for, writable_trainees
from sanqu.workforce.forms import clean_id_number
from sanqu.workforce.models import Person
from sanqu.workforce.selectors import people_for
from sanqu.workforce.services import find_person_by_id_number, person_create

COURSE_EDITABLE = (
    "programme_year",
    "name",
    "level",
    "organiser",
    "place",
    "starts_on",
    "ends_on",
    "required_hours",
)


def _day(value: dt.date) -> str:
    return value.strftime("%Y-%m-%d")


def _hours(value: Decimal | None) -> str:
    return f"{(value or Decimal(0)).normalize():f}"


def _writable_trainee(actor: User, trainee: Trainee, perm: str = "training.change_trainee") -> None:
    """404 when the actor cannot see the trainee; 403 when they see it but may not change it."""
    if not trainees_for(actor).filter(pk=trainee.pk).exists():
        raise Http404
    require_perm(actor, perm)
    if not writable_trainees(actor).filter(pk=trainee.pk).exists():
        raise PermissionDenied


# Recommending trainees against the county's quota.


def _find_or_create_person(
    *, actor: User, id_number: str, name: str, county: Region, request: HttpRequest | None
) -> Person:
    """The person with this ID number (found by its keyed hash), or a new one in the county."""
    try:
        number = clean_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.error_list}) from None
    name = name.strip()
    person = find_person_by_id_number(number)
    if person is None:
        if not name:
            raise ValidationError({"name": _("该身份证号尚未登记，请填写姓名以新建人员。")})
        return person_create(actor=actor, name=name, id_number=number, county=county, request=request)
    if not people_for(actor).filter(pk=person.pk).exists():
        raise ValidationError({"id_number": _("该身份证号已登记，但不在您的权限范围内，请联系市级管理员。")})
    if name and name != person.name:
        raise ValidationError(
            {
                "name": _("该身份证号登记的姓名是“%(name)s”，与填写的“%(given)s”不一致。")
                % {"name": person.name, "given": name}
            }
        )
    return person


def _check_quota(programme_year: ProgrammeYear, county: Region) -> None:
    """Refuse a recommendation past the county's training quota for the year (the row is locked)."""
    receiving = (
        ReceivingCounty.objects.select_for_update()
        .filter(programme_year=programme_year, county=county)
        .first()
    )
    if receiving is None:
        raise ValidationError(
            {
                "county": _("%(county)s不是%(year)s年度的受援区县，不能推荐培养对象。")
                % {"county": county.name, "year": programme_year.year}
            }
        )
    recommended = Trainee.objects.filter(programme_year=programme_year, county=county).count()
    if recommended >= receiving.training_quota:
        raise ValidationError(
            _(
                "%(county)s%(year)s年度的培养名额为 %(quota)s 人，已推荐 %(count)s 人，不能再推荐。"
                "如需增加名额，请联系市级管理员。"
            )
            % {
                "county": county.name,
                "year": programme_year.year,
                "quota": receiving.training_quota,
                "count": recommended,
            },
            code="over_quota",
        )


def _check_course_year(course: TrainingCourse | None, programme_year: ProgrammeYear) -> None:
    if course is not None and course.programme_year_id != programme_year.pk:
        raise ValidationError({"course": _("培训班须属于%(year)s年度。") % {"year": programme_year.year}})


def _follow_course(trainee: Trainee) -> None:
    """The ledger's flat course columns follow the linked course."""
    if trainee.course is not None:
        trainee.course_name = trainee.course.name
        trainee.course_level = trainee.course.level


@transaction.atomic
def trainee_recommend(
    *,
    actor: User,
    programme_year: ProgrammeYear,
    county: Region,
    id_number: str,
    name: str = "",
    workplace: str = "",
    organisation: Organisation | None = None,
    course: TrainingCourse | None = None,
    request: HttpRequest | None = None,
) -> Trainee:
    """Recommend a person (found by ID number, or registered here) as a trainee of the county's year."""
    require_perm(actor, "training.add_trainee")
    if county.level != Region.Level.COUNTY:
        raise ValidationError({"county": _("须为区县级行政区划。")})
    if not _county_writable(actor, county):
        raise PermissionDenied
    _check_quota(programme_year, county)
    _check_course_year(course, programme_year)
    person = _find_or_create_person(
        actor=actor, id_number=id_number, name=name, county=county, request=request
    )
    existing = Trainee.objects.filter(person=person, programme_year=programme_year).select_related("county")
    if existing.exists():
        raise ValidationError(
            {
                "id_number": _("%(name)s已是%(year)s年度的培养对象（%(county)s）。")
                % {"name": person.name, "year": programme_year.year, "county": existing[0].county.name}
            }
        )
    trainee = Trainee(
        person=person,
        programme_year=programme_year,
        county=county,
        course=course,
        workplace=(workplace.strip() or (organisation.name if organisation else "")),
    )
    _follow_course(trainee)
    return audited_save(
        actor=actor,
        instance=trainee,
        perm="training.add_trainee",
        writable=writable_trainees(actor),
        request=request,
    )


def _county_writable(actor: User, county: Region) -> bool:
    from sanqu.accounts.scoping import scope_of

    scope = scope_of(actor)
    return scope.superuser or any(county.path.startswith(path) for path in scope.region_paths)


@transaction.atomic
def trainee_assign_course(
    *, actor: User, trainee: Trainee, course: TrainingCourse | None, request: HttpRequest | None = None
) -> Trainee:
    """Enrol the trainee in a course of its year (or take it out); not once it has attendance."""
    _writable_trainee(actor, trainee)
    if trainee.course_id != (course.pk if course else None) and trainee.attendances.exists():
        raise ValidationError(
            {"course": _("%(name)s已有出勤记录，不能更换培训班。") % {"name": trainee.person.name}}
        )
    _check_course_year(course, trainee.programme_year)
    before = snapshot(trainee)
    trainee.course = course
    _follow_course(trainee)
    return audited_save(
        actor=actor,
        instance=trainee,
        perm="training.change_trainee",
        writable=writable_trainees(actor),
        before=before,
        request=request,
    )


@transaction.atomic
def trainee_complete(
    *, actor: User, trainee: Trainee, completed_on: dt.date, request: HttpRequest | None = None
) -> Trainee:
    """Mark completion (结业): only once the hours credited reach the course's requirement."""
    _writable_trainee(actor, trainee)
    name = trainee.person.name
    if trainee.completed_on is not None:
        raise ValidationError(
            _("%(name)s已于 %(date)s 结业。") % {"name": name, "date": _day(trainee.completed_on)}
        )
    course = trainee.course
    if course is None:
        raise ValidationError(_("%(name)s还没有参加培训班，不能结业。") % {"name": name})
    credited = credited_hours(trainee)
    if credited < course.required_hours:
        raise ValidationError(
            _("%(name)s已计学时 %(credited)s，未达到培训班要求的 %(required)s 学时，不能结业。")
            % {"name": name, "credited": _hours(credited), "required": _hours(course.required_hours)},
            code="short_of_hours",
        )
    if completed_on > clock.today():
        raise ValidationError({"completed_on": _("结业日期不能晚于今天。")})
    last = (
        trainee.attendances.order_by("-session__held_on").values_list("session__held_on", flat=True).first()
    )
    if last is not None and completed_on < last:
        raise ValidationError(
            {"completed_on": _("结业日期不能早于最后一次出勤的日期（%(date)s）。") % {"date": _day(last)}}
        )
    before = snapshot(trainee)
    trainee.completed_on = completed_on
    trainee.hours = credited
    return audited_save(
        actor=actor,
        instance=trainee,
        perm="training.change_trainee",
        writable=writable_trainees(actor),
        before=before,
        request=request,
    )


# Courses and sessions (the city office's).


def _all_courses(actor: User) -> QuerySet[TrainingCourse]:
    """Courses are the city office's: the permission decides, every course is in its reach."""
    return TrainingCourse.objects.all()


def _check_course(course: TrainingCourse) -> None:
    if course.starts_on and course.ends_on and course.ends_on < course.starts_on:
        raise ValidationError({"ends_on": _("结班日期不能早于开班日期。")})
    if course.pk:
        outside = course.sessions.exclude(held_on__range=(course.starts_on, course.ends_on))
        first = outside.order_by("held_on").first()
        if first is not None:
            raise ValidationError(
                _("已有课程安排在 %(date)s，培训班日期须包含所有课程。") % {"date": _day(first.held_on)}
            )
        stored_year = TrainingCourse.objects.values_list("programme_year", flat=True).get(pk=course.pk)
        if course.programme_year_id != stored_year and course.trainees.exists():
            raise ValidationError({"programme_year": _("培训班已有学员，不能改到其他年度。")})
    clash = TrainingCourse.objects.filter(programme_year=course.programme_year, name=course.name).exclude(
        pk=course.pk
    )
    if clash.exists():
        raise ValidationError({"name": _("该年度已有同名的培训班。")})


def course_create(
    *,
    actor: User,
    programme_year: ProgrammeYear,
    name: str,
    level: str,
    organiser: str,
    starts_on: dt.date,
    ends_on: dt.date,
    required_hours: Decimal,
    place: str = "",
    request: HttpRequest | None = None,
) -> TrainingCourse:
    require_perm(actor, "training.add_trainingcourse")
    course = TrainingCourse(
        programme_year=programme_year,
        name=name.strip(),
        level=level,
        organiser=organiser.strip(),
        place=place.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        required_hours=required_hours,
    )
    _check_course(course)
    return audited_save(
        actor=actor,
        instance=course,
        perm="training.add_trainingcourse",
        writable=_all_courses(actor),
        request=request,
    )


@transaction.atomic
def course_update(
    *, actor: User, course: TrainingCourse, data: Mapping[str, Any], request: HttpRequest | None = None
) -> TrainingCourse:
    """Change a course; its trainees' flat course name and level follow."""
    require_perm(actor, "training.change_trainingcourse")
    before = snapshot(course)
    apply(course, data, editable=COURSE_EDITABLE)
    _check_course(course)
    course = audited_save(
        actor=actor,
        instance=course,
        perm="training.change_trainingcourse",
        writable=_all_courses(actor),
        before=before,
        request=request,
    )
    course.trainees.update(course_name=course.name, course_level=course.level)
    return course


def _check_session_date(held_on: dt.date, course: TrainingCourse) -> None:
    if not course.starts_on <= held_on <= course.ends_on:
        raise ValidationError(
            {
                "held_on": _("课程日期 %(date)s 不在培训班日期（%(start)s 至 %(end)s）内。")
                % {"date": _day(held_on), "start": _day(course.starts_on), "end": _day(course.ends_on)}
            },
            code="outside_course",
        )


def session_create(
    *,
    actor: User,
    course: TrainingCourse,
    held_on: dt.date,
    kind: str,
    topic: str,
    hours: Decimal,
    request: HttpRequest | None = None,
) -> CourseSession:
    """A dated session of the course (within the course's dates)."""
    require_perm(actor, "training.add_coursesession")
    _check_session_date(held_on, course)
    session = CourseSession(course=course, held_on=held_on, kind=kind, topic=topic.strip(), hours=hours)
    return audited_save(
        actor=actor,
        instance=session,
        perm="training.add_coursesession",
        writable=CourseSession.objects.all(),
        request=request,
    )


# Attendance.


def _check_attendance(session: CourseSession, trainee: Trainee, hours: Decimal) -> None:
    """Why this trainee cannot be credited these hours at this session (or nothing)."""
    name = trainee.person.name
    course = session.course
    if trainee.course_id != course.pk:
        raise ValidationError(_("%(name)s没有参加本培训班。") % {"name": name})
    if not course.starts_on <= session.held_on <= course.ends_on:
        raise ValidationError(
            _("课程日期 %(date)s 不在培训班日期（%(start)s 至 %(end)s）内，不能登记出勤。")
            % {"date": _day(session.held_on), "start": _day(course.starts_on), "end": _day(course.ends_on)},
            code="outside_course",
        )
    year = trainee.programme_year
    if not year.starts_on <= session.held_on <= year.ends_on:
        raise ValidationError(
            _("课程日期 %(date)s 不在%(name)s的培养年度（%(year)s年度：%(start)s 至 %(end)s）内。")
            % {
                "date": _day(session.held_on),
                "name": name,
                "year": year.year,
                "start": _day(year.starts_on),
                "end": _day(year.ends_on),
            },
            code="outside_year",
        )
    if session.held_on > clock.today():
        raise ValidationError(
            _("课程在 %(date)s 举行，尚未到日期，不能登记出勤。") % {"date": _day(session.held_on)}
        )
    if hours <= 0 or hours > session.hours:
        raise ValidationError(
            _("%(name)s的计入学时须大于 0 且不超过本次课程的 %(hours)s 学时。")
            % {"name": name, "hours": _hours(session.hours)}
        )


def _sync_hours(*, actor: User, trainee: Trainee, request: HttpRequest | None) -> None:
    """The flat hours column follows the hours credited by attendance."""
    credited = credited_hours(trainee)
    if trainee.hours != credited:
        before = snapshot(trainee)
        trainee.hours = credited
        audited_save(
            actor=actor,
            instance=trainee,
            perm="training.change_trainee",
            writable=writable_trainees(actor),
            before=before,
            request=request,
        )


@transaction.atomic
def attendance_save(
    *,
    actor: User,
    session: CourseSession,
    marks: Mapping[int, Decimal | None],
    request: HttpRequest | None = None,
) -> int:
    """Save a session's register: trainee id → hours credited (None: absent). Returns the changes.

    Every refusal is collected (one message per trainee); if there is any, nothing is saved.
    A completed trainee's attendance cannot change.
    """
    require_perm(actor, "training.add_attendance")
    trainees = {
        t.pk: t
        for t in writable_trainees(actor)
        .select_related("person", "programme_year")
        .filter(pk__in=list(marks))
    }
    if set(marks) - set(trainees):
        raise PermissionDenied
    existing = {a.trainee_id: a for a in session.attendances.filter(trainee__in=list(trainees))}
    writable = Attendance.objects.filter(trainee__in=writable_trainees(actor))
    errors: list[ValidationError] = []
    changed: list[Trainee] = []
    for pk, hours in marks.items():
        trainee = trainees[pk]
        current = existing.get(pk)
        if (current.hours if current else None) == hours:
            continue
        try:
            if trainee.completed_on is not None:
                raise ValidationError(_("%(name)s已结业，不能修改出勤。") % {"name": trainee.person.name})
            if hours is None:
                assert current is not None  # noqa: S101 (unchanged absences were skipped above)
                audited_delete(
                    actor=actor,
                    instance=current,
                    perm="training.delete_attendance",
                    writable=writable,
                    request=request,
                )
            else:
                _check_attendance(session, trainee, hours)
                attendance = current or Attendance(session=session, trainee=trainee)
                before = snapshot(attendance) if current else None
                attendance.hours = hours
                audited_save(
                    actor=actor,
                    instance=attendance,
                    perm="training.change_attendance" if current else "training.add_attendance",
                    writable=writable,
                    before=before,
                    request=request,
                )
        except ValidationError as error:
            errors.append(error)
            continue
        changed.append(trainee)
    if errors:
        raise ValidationError(errors)
    for trainee in changed:
        _sync_hours(actor=actor, trainee=trainee, request=request)
    return len(changed)


# Ledger import (issue 7).


def _check_ledger_completion(trainee: Trainee, *, completed: bool, completed_on: dt.date | None) -> None:
    if completed and completed_on is None:
        raise ValidationError({"completed_on": _("已结业的培养对象须填写结业日期。")})
    if not completed and completed_on is not None:
        raise ValidationError({"completed_on": _("未结业的培养对象不应填写结业日期。")})
    if completed_on is not None and completed_on > clock.today():
        raise ValidationError({"completed_on": _("结业日期不能晚于今天。")})


@transaction.atomic
def trainee_ledger_update(
    *,
    actor: User,
    trainee: Trainee,
    name: str,
    workplace: str,
    course_name: str,
    course_level: str,
    hours: Decimal | None,
    completed: bool,
    completed_on: dt.date | None,
    request: HttpRequest | None = None,
) -> Trainee:
    """Set a trainee's ledger columns (培养对象台账). A trainee linked to a course keeps the course's
    name and level and the hours its attendance credits, and completes only as `trainee_complete` allows;
    an unlinked one (a ledger of an earlier year) takes the columns as written."""
    _writable_trainee(actor, trainee)
    person = trainee.person
    if name.strip() and name.strip() != person.name:
        raise ValidationError(
            {
                "name": _("该身份证号登记的姓名是“%(name)s”，与填写的“%(given)s”不一致。")
                % {"name": person.name, "given": name.strip()}
            }
        )
    if hours is not None and hours < 0:
        raise ValidationError({"hours": _("学时不能为负数。")})
    _check_ledger_completion(trainee, completed=completed, completed_on=completed_on)
    course = trainee.course
    if course is not None:
        if course_name.strip() and course_name.strip() != course.name:
            raise ValidationError(
                {
                    "course_name": _("%(name)s参加的培训班是“%(course)s”，与填写的不一致。")
                    % {"name": person.name, "course": course.name}
                }
            )
        if course_level and course_level != course.level:
            raise ValidationError({"course_level": _("培训类别须与所参加的培训班一致。")})
        if trainee.attendances.exists() and hours is not None and hours != credited_hours(trainee):
            raise ValidationError(
                {"hours": _("学时按出勤计入，应为 %(hours)s。") % {"hours": _hours(credited_hours(trainee))}}
            )
        if trainee.completed_on != completed_on:
            if trainee.completed_on is not None:
                raise ValidationError(
                    {
                        "completed_on": _("%(name)s已于 %(date)s 结业，不能在台账中更改。")
                        % {"name": person.name, "date": _day(trainee.completed_on)}
                    }
                )
            assert completed_on is not None  # noqa: S101 (checked above: a change from none is a date)
            trainee = trainee_complete(
                actor=actor, trainee=trainee, completed_on=completed_on, request=request
            )
    before = snapshot(trainee)
    trainee.workplace = workplace.strip()
    if course is None:
        trainee.course_name = course_name.strip()
        trainee.course_level = course_level
        trainee.hours = hours
        trainee.completed_on = completed_on
    elif not trainee.attendances.exists():
        trainee.hours = hours
    return audited_save(
        actor=actor,
        instance=trainee,
        perm="training.change_trainee",
        writable=writable_trainees(actor),
        before=before,
        request=request,
    )

"""Course pages: the list, one course with its sessions and trainees, forms, and a session's register."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.training import selectors
from sanqu.training.forms import CourseForm, SessionForm
from sanqu.training.models import CourseSession, TrainingCourse
from sanqu.training.services import (
    COURSE_EDITABLE,
    attendance_save,
    course_create,
    course_update,
    session_create,
)
from sanqu.training.views import SECTION, _user


@login_required
@require_GET
def course_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.view_trainingcourse")
    courses = selectors.courses_for(user).order_by("-programme_year__year", "starts_on", "id")
    text = request.GET.get("year", "")
    year = int(text) if text.isdigit() else None
    if year is not None:
        courses = courses.filter(programme_year__year=year)
    return render(
        request,
        "training/course_list.html",
        {
            "courses": courses,
            "year": year,
            "years": selectors.programme_years(),
            "can_add": user.has_perm("training.add_trainingcourse"),
            "nav_section": SECTION,
            "tab": "courses",
        },
    )


@login_required
@require_GET
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = selectors.get_course_for_user(user, pk)
    return _render_course(request, course)


def _render_course(
    request: HttpRequest, course: TrainingCourse, session_form: SessionForm | None = None
) -> HttpResponse:
    user = _user(request)
    can_add_session = user.has_perm("training.add_coursesession")
    sessions = list(selectors.sessions_of(course))
    if session_form is None and can_add_session:
        session_form = SessionForm(initial={"held_on": course.starts_on})
    trainees = selectors.course_trainees(user, course) if user.has_perm("training.view_trainee") else None
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "sessions": sessions,
            "total_hours": sum((s.hours for s in sessions), Decimal(0)),
            "kinds": sorted({s.get_kind_display() for s in sessions}),
            "trainees": trainees,
            "can_edit": user.has_perm("training.change_trainingcourse"),
            "session_form": session_form,
            "nav_section": SECTION,
        },
    )


def _course_form_page(request: HttpRequest, form: CourseForm, course: TrainingCourse | None) -> HttpResponse:
    return render(
        request, "training/course_form.html", {"form": form, "course": course, "nav_section": SECTION}
    )


@login_required
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.add_trainingcourse")
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                course = course_create(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已建立培训班“%(name)s”。") % {"name": course.name})
                return redirect("training_course", pk=course.pk)
    else:
        initial: dict[str, Any] = {}
        year = selectors.current_year()
        if year is not None:
            initial["programme_year"] = year
        form = CourseForm(initial=initial)
    return _course_form_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = selectors.get_course_for_user(user, pk)
    require_perm(user, "training.change_trainingcourse")
    if request.method == "POST":
        form = CourseForm(request.POST)
        if form.is_valid():
            try:
                with versions.expect(course, versions.submitted(request)):
                    course_update(actor=user, course=course, data=form.cleaned_data, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存培训班“%(name)s”。") % {"name": course.name})
                return redirect("training_course", pk=course.pk)
    else:
        values = snapshot(course)
        form = CourseForm(initial={name: values[name] for name in COURSE_EDITABLE})
    return _course_form_page(request, form, course)


@login_required
@require_POST
def session_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    course = selectors.get_course_for_user(user, pk)
    require_perm(user, "training.add_coursesession")
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session_create(actor=user, course=course, request=request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加课程“%(topic)s”。") % {"topic": form.cleaned_data["topic"]})
            return redirect(reverse("training_course", args=[course.pk]) + "#sessions")
    return _render_course(request, course, session_form=form)


def _marks(
    request: HttpRequest, session: CourseSession, writable: list[int]
) -> tuple[dict[int, Decimal | None], list[str]]:
    """Read the register: ticked trainees with their hours (blank means the session's)."""
    present = set(request.POST.getlist("present"))
    marks: dict[int, Decimal | None] = {}
    errors: list[str] = []
    for pk in writable:
        if str(pk) not in present:
            marks[pk] = None
            continue
        text = request.POST.get(f"hours-{pk}", "").strip()
        try:
            marks[pk] = Decimal(text) if text else session.hours
        except InvalidOperation:
            errors.append(_("学时“%(value)s”不是数字。") % {"value": text})
    return marks, errors


@login_required
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """A session's register on a phone: tick who attended; hours default to the session's."""
    user = _user(request)
    require_perm(user, "training.view_attendance")
    session = selectors.get_session_for_user(user, pk)
    rows = selectors.attendance_sheet(user, session)
    errors: list[str] = []
    if request.method == "POST":
        writable = [row.trainee.pk for row in rows if row.writable]
        if not writable:
            require_perm(user, "training.add_attendance")
        marks, errors = _marks(request, session, writable)
        if not errors:
            try:
                changed = attendance_save(actor=user, session=session, marks=marks, request=request)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("出勤已保存（%(count)s 处变动）。") % {"count": changed})
                return redirect("training_attendance", pk=session.pk)
        # Show what was ticked, not what is stored, so nothing typed is lost.
        for row in rows:
            if row.writable:
                row.ticked = str(row.trainee.pk) in request.POST.getlist("present")
                row.typed = request.POST.get(f"hours-{row.trainee.pk}", "")
    return render(
        request,
        "training/attendance.html",
        {
            "session": session,
            "course": session.course,
            "rows": rows,
            "errors": errors,
            "can_write": any(row.writable for row in rows),
            "posted": request.method == "POST",
            "present_count": sum(1 for row in rows if row.attendance is not None),
            "nav_section": SECTION,
        },
    )

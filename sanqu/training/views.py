"""Training pages: the programme year's overview, trainees, recommending against the quota, hours."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts.models import User
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.projects.models import ProgrammeYear
from sanqu.training import selectors
from sanqu.training.forms import AssignCourseForm, CompleteForm, RecommendForm, TraineeFilterForm
from sanqu.training.models import Trainee, TrainingCourse
from sanqu.training.services import trainee_assign_course, trainee_complete, trainee_recommend

PAGE_SIZE = 25
SECTION = "training"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _year(request: HttpRequest) -> ProgrammeYear | None:
    """The programme year the page is about: ?year=, else the current one."""
    text = request.GET.get("year", "")
    if text.isdigit():
        chosen = ProgrammeYear.objects.filter(year=int(text)).first()
        if chosen is not None:
            return chosen
    return selectors.current_year()


def _can_write(user: User, trainee: Trainee) -> bool:
    return (
        user.has_perm("training.change_trainee")
        and selectors.writable_trainees(user).filter(pk=trainee.pk).exists()
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.view_trainee")
    year = _year(request)
    table = selectors.quota_table(user, year) if year else None
    return render(
        request,
        "training/overview.html",
        {
            "year": year,
            "years": selectors.programme_years(),
            "table": table,
            "can_recommend": user.has_perm("training.add_trainee"),
            "nav_section": SECTION,
            "tab": "overview",
        },
    )


@login_required
@require_GET
def trainee_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.view_trainee")
    form = TraineeFilterForm(request.GET or None, counties=selectors.counties_for(user))
    filters = form.cleaned_data if form.is_valid() else {}
    course = None
    if request.GET.get("course", "").isdigit():
        course = TrainingCourse.objects.filter(pk=int(request.GET["course"])).first()
    trainees = selectors.filter_trainees(
        selectors.with_credited_hours(selectors.trainees_for(user)),
        year=filters.get("year"),
        county=filters.get("county"),
        course=course,
        status=filters.get("status") or "",
        query=filters.get("q") or "",
    )
    page = Paginator(trainees, PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "training/trainee_list.html",
        {
            "form": form,
            "page": page,
            "course": course,
            "query": urlencode(kept),
            "filtered": bool(kept),
            "nav_section": SECTION,
            "tab": "trainees",
        },
    )


@login_required
@require_GET
def trainee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.view_trainee")
    trainee = selectors.get_trainee_for_user(user, pk)
    return _render_trainee(request, trainee)


def _render_trainee(
    request: HttpRequest,
    trainee: Trainee,
    *,
    course_form: AssignCourseForm | None = None,
    complete_form: CompleteForm | None = None,
) -> HttpResponse:
    user = _user(request)
    can_write = _can_write(user, trainee)
    credited = selectors.credited_hours(trainee)
    course = trainee.course
    attendances = list(trainee.attendances.all())
    reached = course is not None and credited >= course.required_hours
    courses = TrainingCourse.objects.filter(programme_year=trainee.programme_year).order_by("starts_on")
    return render(
        request,
        "training/trainee_detail.html",
        {
            "trainee": trainee,
            "credited": credited,
            "attendances": attendances,
            "reached": reached,
            "can_write": can_write,
            "course_form": course_form
            or (
                AssignCourseForm(initial={"course": course}, courses=courses)
                if can_write and not attendances and not trainee.completed
                else None
            ),
            "complete_form": complete_form
            or (
                CompleteForm(initial={"completed_on": clock.today()})
                if can_write and reached and not trainee.completed
                else None
            ),
            "nav_section": SECTION,
        },
    )


@login_required
@require_POST
def trainee_course(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    trainee = selectors.get_trainee_for_user(user, pk)
    courses = TrainingCourse.objects.filter(programme_year=trainee.programme_year)
    form = AssignCourseForm(request.POST, courses=courses)
    if form.is_valid():
        try:
            trainee_assign_course(
                actor=user, trainee=trainee, course=form.cleaned_data["course"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存%(name)s参加的培训班。") % {"name": trainee.person.name})
            return redirect("training_trainee", pk=trainee.pk)
    return _render_trainee(request, trainee, course_form=form)


@login_required
@require_POST
def trainee_completion(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    trainee = selectors.get_trainee_for_user(user, pk)
    require_perm(user, "training.change_trainee")  # a reader is refused before the form is read
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            trainee_complete(
                actor=user, trainee=trainee, completed_on=form.cleaned_data["completed_on"], request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s已结业。") % {"name": trainee.person.name})
            return redirect("training_trainee", pk=trainee.pk)
    return _render_trainee(request, trainee, complete_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def recommend(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "training.add_trainee")
    year = _year(request)
    counties = selectors.counties_for(user)
    if year is not None:
        counties = counties.filter(receiving_years__programme_year=year)
    choices: dict[str, Any] = {
        "years": selectors.programme_years(),
        "counties": counties,
        "courses": TrainingCourse.objects.filter(programme_year=year).order_by("starts_on")
        if year
        else TrainingCourse.objects.none(),
    }
    if request.method == "POST":
        form = RecommendForm(request.POST, **choices)
        if form.is_valid():
            try:
                trainee = trainee_recommend(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已推荐%(name)s为%(year)s年度培养对象（%(county)s）。")
                    % {
                        "name": trainee.person.name,
                        "year": trainee.programme_year.year,
                        "county": trainee.county.name,
                    },
                )
                return redirect(
                    reverse("training_recommend") + "?" + urlencode({"year": trainee.programme_year.year})
                )
    else:
        form = RecommendForm(initial={"programme_year": year}, **choices)
    return render(
        request,
        "training/recommend.html",
        {
            "form": form,
            "year": year,
            "table": selectors.quota_table(user, year) if year else None,
            "nav_section": SECTION,
            "tab": "overview",
        },
    )


@login_required
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    """People of a county with their training hours by programme year."""
    user = _user(request)
    require_perm(user, "training.view_trainee")
    counties = selectors.counties_for(user)
    code = request.GET.get("county", "")
    county = counties.filter(code=code).first() if code else counties.first()
    years, rows = selectors.hours_for_county(user, county) if county else ([], [])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/hours.html",
        {
            "counties": counties,
            "county": county,
            "years": years,
            "page": page,
            "query": urlencode({"county": county.code}) if county else "",
            "nav_section": SECTION,
            "tab": "hours",
        },
    )

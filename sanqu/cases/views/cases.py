"""Case pages: my caseload, the county's cases, the review queue, one case's timeline, stage forms.

Thin views: the selector at the top finds the case in the user's scope (404) and checks who may
write (403); the services enforce the stage rules, and their refusals are shown on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sanqu.accounts.models import User
from sanqu.cases.forms.cases import (
    AssessmentForm,
    CaseOpenForm,
    ClosureForm,
    CountyFilterForm,
    EvaluationForm,
    FollowUpForm,
    GoalFormSet,
    PlanForm,
    ReferralAnswerForm,
    ReferralForm,
    ReopenForm,
    ReviewForm,
    StageForm,
)
from sanqu.cases.models import Case
from sanqu.cases.selectors.beneficiaries import beneficiaries_for
from sanqu.cases.selectors.cases import (
    NO_SERVICE_DAYS,
    case_actions,
    case_timeline,
    case_workers_in,
    caseload_for,
    cases_for,
    county_cases_for,
    get_case_for_user,
    get_closure_for_review,
    get_plan_for_review,
    get_referral_for_answer,
    has_review_queue,
    review_queue_for,
    sees_county_cases,
)
from sanqu.cases.services import case_closure, case_referrals, case_rules
from sanqu.cases.services import cases as services
from sanqu.lib import clock

PAGE_SIZE = 30


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _show_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field when the form has it, else above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _case_url(case: Case) -> str:
    return reverse("case_detail", args=[case.pk])


# Lists.


@login_required
@require_GET
def caseload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not case_rules.worker_person_ids(user):
        raise PermissionDenied
    groups = caseload_for(user)
    return render(
        request,
        "cases/case/caseload.html",
        {
            "groups": groups,
            "total": sum(len(group.cases) for group in groups),
            "overdue": sum(group.overdue_count for group in groups),
            "no_service_days": NO_SERVICE_DAYS,
            "nav_section": "caseload",
        },
    )


@login_required
@require_GET
def county_cases(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not sees_county_cases(user):
        raise PermissionDenied
    base = county_cases_for(user)
    form = CountyFilterForm(request.GET or None, workers=case_workers_in(base))
    cases = county_cases_for(user, **form.filters())
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case/county_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "no_service_days": NO_SERVICE_DAYS,
            "nav_section": "county_cases",
        },
    )


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not has_review_queue(user):
        raise PermissionDenied
    return render(
        request,
        "cases/case/review_queue.html",
        {"queue": review_queue_for(user), "today": clock.today(), "nav_section": "reviews"},
    )


# One case.


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk)
    return render(
        request,
        "cases/case/detail.html",
        {
            "case": case,
            "timeline": case_timeline(case),
            "actions": case_actions(user, case),
            "today": clock.today(),
            "nav_section": "caseload" if case_rules.is_case_worker(user, case) else "county_cases",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not case_rules.worker_person_ids(user):
        raise PermissionDenied
    beneficiaries = beneficiaries_for(user).order_by("name", "pk")
    initial: dict[str, Any] = {}
    if chosen := request.GET.get("beneficiary"):
        initial["beneficiary"] = beneficiaries.filter(pk=chosen if chosen.isdigit() else 0).first()
    if request.method == "POST":
        form = CaseOpenForm(request.POST, beneficiaries=beneficiaries)
        if form.is_valid():
            try:
                case = services.case_open(actor=user, request=request, **form.service_kwargs())
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("已接案：%(number)s。") % {"number": case.number})
                return redirect(_case_url(case))
    else:
        form = CaseOpenForm(initial=initial, beneficiaries=beneficiaries)
    return render(
        request,
        "cases/case/form.html",
        {"form": form, "title": _("接案"), "nav_section": "caseload", "back": reverse("cases")},
    )


def _stage_view(
    request: HttpRequest,
    pk: int,
    *,
    form_class: type[StageForm],
    write: Callable[..., Any],
    title: str,
    done: str,
    form_kwargs: Callable[[Case], dict[str, Any]] | None = None,
) -> HttpResponse:
    """A stage form on a case: only its worker writes; a refusal is shown on the form."""
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    extra = form_kwargs(case) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **extra)
        if form.is_valid():
            try:
                write(actor=user, case=case, request=request, **form.service_kwargs())
            except ValidationError as error:
                _show_errors(form, error)
            else:
                messages.success(request, done)
                return redirect(_case_url(case))
    else:
        form = form_class(**extra)
    return render(
        request,
        "cases/case/form.html",
        {"form": form, "case": case, "title": title, "nav_section": "caseload", "back": _case_url(case)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_view(
        request,
        pk,
        form_class=AssessmentForm,
        write=services.assessment_record,
        title=_("预估"),
        done=_("已记录预估。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_new(request: HttpRequest, pk: int) -> HttpResponse:
    def goals(case: Case) -> dict[str, Any]:
        plan = services.current_plan(case)
        return {"goals": list(plan.goals.all()) if plan else []}

    return _stage_view(
        request,
        pk,
        form_class=EvaluationForm,
        write=services.evaluation_record,
        title=_("评估"),
        done=_("已记录评估。"),
        form_kwargs=goals,
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_view(
        request,
        pk,
        form_class=ClosureForm,
        write=case_closure.closure_submit,
        title=_("结案"),
        done=_("已提交结案。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_view(
        request,
        pk,
        form_class=FollowUpForm,
        write=case_closure.follow_up_record,
        title=_("结案后跟进"),
        done=_("已记录跟进。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, pk: int) -> HttpResponse:
    return _stage_view(
        request,
        pk,
        form_class=ReferralForm,
        write=case_referrals.referral_create,
        title=_("转介"),
        done=_("已转介，等待接收方回复。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    previous = services.current_plan(case) or case.plans.order_by("-version").first()
    if request.method == "POST":
        form = PlanForm(request.POST)
        goals = GoalFormSet(request.POST, prefix="goals")
        if form.is_valid() and goals.is_valid():
            inputs = [goal for goal in (f.goal_input() for f in goals.forms) if goal is not None]
            try:
                plan = services.plan_submit(
                    actor=user, case=case, request=request, goals=inputs, **form.service_kwargs()
                )
            except ValidationError as error:
                _show_errors(form, error)
            else:
                if plan.status == plan.Status.APPROVED:
                    messages.success(request, _("服务计划已生效。"))
                else:
                    messages.success(request, _("服务计划已提交，等待督导审批。"))
                return redirect(_case_url(case))
    else:
        form = PlanForm()
        initial = [
            {"goal": g.goal, "objective": g.objective, "tasks": g.tasks, "responsible": g.responsible,
             "due_on": g.due_on}
            for g in (previous.goals.all() if previous else [])
        ]  # fmt: skip
        goals = GoalFormSet(prefix="goals", initial=initial)
    return render(
        request,
        "cases/case/plan_form.html",
        {"form": form, "goals": goals, "case": case, "previous": previous, "nav_section": "caseload"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    case = get_case_for_user(user, pk, write=True)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_closure.case_reopen(
                actor=user, case=case, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("个案已重新开案。"))
            return redirect(_case_url(case))
    return render(
        request,
        "cases/case/form.html",
        {
            "form": form,
            "case": case,
            "title": _("重新开案"),
            "nav_section": "caseload",
            "back": _case_url(case),
        },
    )


# Reviews and answers.


def _review_view(request: HttpRequest, *, obj: Any, kind: str, review: Callable[..., Any]) -> HttpResponse:
    user = _user(request)
    case = obj.case
    if not case_rules.can_review(user, case):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            review(
                actor=user,
                approve=approve,
                comment=form.cleaned_data["comment"],
                request=request,
                **{kind: obj},
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("已批准。") if approve else _("已退回。"))
            return redirect("case_reviews")
    return render(
        request,
        "cases/case/review_form.html",
        {"form": form, "case": case, kind: obj, "kind": kind, "nav_section": "reviews"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_plan_for_review(_user(request), pk)
    return _review_view(request, obj=plan, kind="plan", review=services.plan_review)


@login_required
@require_http_methods(["GET", "POST"])
def closure_review(request: HttpRequest, pk: int) -> HttpResponse:
    closure = get_closure_for_review(_user(request), pk)
    return _review_view(request, obj=closure, kind="closure", review=case_closure.closure_review)


@login_required
@require_http_methods(["GET", "POST"])
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    referral = get_referral_for_answer(user, pk)
    form = ReferralAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            case_referrals.referral_answer(
                actor=user, referral=referral, accept=accept, note=form.cleaned_data["note"], request=request
            )
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("已接收转介。") if accept else _("已拒绝转介。"))
            return redirect("case_reviews")
    # A receiver outside the case's circles sees the referral, not who it is about.
    hide_name = not cases_for(user).filter(pk=referral.case_id).exists()
    return render(
        request,
        "cases/case/referral_answer.html",
        {"form": form, "referral": referral, "hide_name": hide_name, "nav_section": "reviews"},
    )

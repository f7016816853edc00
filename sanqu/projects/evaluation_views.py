"""Evaluation pages: the list with its filters, starting one, the score sheet (scored while a
draft, printed once submitted), the date and evaluators, submission, evidence files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.roles import EVALUATE, VIEW_EVALUATION
from sanqu.accounts.services import require_perm
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.lib.files import private_file_response
from sanqu.projects import evaluation_services as services
from sanqu.projects.evaluation_forms import (
    EvaluationEditForm,
    EvaluationFilterForm,
    EvaluationStartForm,
    ScoreSheetForm,
)
from sanqu.projects.evaluation_selectors import (
    can_evaluate,
    evaluations_for,
    filter_evaluations,
    get_evaluation_for_user,
    schemes_for,
    score_sheet,
)
from sanqu.projects.models import ProjectEvaluation
from sanqu.projects.project_selectors import get_project_for_user
from sanqu.regions.models import Region
from sanqu.regions.selectors import regions_for

PAGE_SIZE = 25
SECTION = "projects"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _for_scoring(user: User, pk: int) -> ProjectEvaluation:
    """An evaluation the user sees (404), may evaluate (403), in a county she supervises (404)."""
    evaluation = get_evaluation_for_user(user, pk)
    require_perm(user, EVALUATE)
    if not can_evaluate(user, evaluation.project):
        raise Http404
    return evaluation


@login_required
@require_GET
def evaluation_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_EVALUATION)
    form = EvaluationFilterForm(request.GET or None, counties=regions_for(user, level=Region.Level.COUNTY))
    filters = form.filters()
    evaluations = filter_evaluations(evaluations_for(user), **filters)
    page = Paginator(evaluations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: str(value) for key, value in request.GET.items() if key != "page" and value})
    return render(
        request,
        "projects/evaluations/list.html",
        {"page": page, "form": form, "query": query, "nav_section": SECTION},
    )


def _render_detail(
    request: HttpRequest,
    evaluation: ProjectEvaluation,
    *,
    score_form: ScoreSheetForm | None = None,
    submit_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    sheet = score_sheet(evaluation)
    can_score = not evaluation.is_frozen and can_evaluate(user, evaluation.project)
    if can_score and score_form is None:
        score_form = ScoreSheetForm(initial={"summary": evaluation.summary}, sheet=sheet)
    return render(
        request,
        "projects/evaluations/detail.html",
        {
            "evaluation": evaluation,
            "project": evaluation.project,
            "sheet": sheet,
            "score_form": score_form if can_score else None,
            "submit_errors": submit_errors or [],
            "can_score": can_score,
            "nav_section": SECTION,
        },
        status=status,
    )


@login_required
@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_evaluation_for_user(_user(request), pk)
    return _render_detail(request, evaluation)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, EVALUATE)
    project = get_project_for_user(user, request.GET.get("project") or request.POST.get("project"))
    if not can_evaluate(user, project):
        raise Http404
    schemes = schemes_for(project)
    if request.method == "POST":
        form = EvaluationStartForm(request.POST, schemes=schemes)
        if form.is_valid():
            try:
                evaluation = services.evaluation_start(
                    actor=user, project=project, request=request, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已开始%(kind)s，请逐项评分。") % {"kind": evaluation.get_kind_display()},
                )
                return redirect("evaluation_detail", pk=evaluation.pk)
    else:
        kind = request.GET.get("kind")
        initial: dict[str, Any] = {"evaluated_on": clock.today(), "scheme": schemes.first()}
        if kind in ProjectEvaluation.Kind.values:
            initial["kind"] = kind
        form = EvaluationStartForm(initial=initial, schemes=schemes)
    return render(
        request,
        "projects/evaluations/start.html",
        {"form": form, "project": project, "has_schemes": schemes.exists(), "nav_section": SECTION},
    )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    evaluation = _for_scoring(user, pk)
    if evaluation.is_frozen:
        messages.error(request, _("评估已提交，不能再修改。"))
        return redirect("evaluation_detail", pk=evaluation.pk)
    if request.method == "POST":
        form = EvaluationEditForm(request.POST)
        if form.is_valid():
            try:
                with versions.expect(evaluation, versions.submitted(request)):
                    services.evaluation_update(
                        actor=user, evaluation=evaluation, data=form.cleaned_data, request=request
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存评估信息。"))
                return redirect("evaluation_detail", pk=evaluation.pk)
    else:
        form = EvaluationEditForm(
            initial={
                "evaluated_on": evaluation.evaluated_on,
                "evaluators": evaluation.evaluators,
                "summary": evaluation.summary,
            }
        )
    return render(
        request,
        "projects/evaluations/edit.html",
        {"form": form, "evaluation": evaluation, "project": evaluation.project, "nav_section": SECTION},
    )


@login_required
@require_POST
def evaluation_score(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    evaluation = _for_scoring(user, pk)
    if evaluation.is_frozen:
        messages.error(request, _("评估已提交，不能再修改。"))
        return redirect("evaluation_detail", pk=evaluation.pk)
    form = ScoreSheetForm(request.POST, request.FILES, sheet=score_sheet(evaluation))
    if form.is_valid():
        try:
            services.evaluation_score(
                actor=user,
                evaluation=evaluation,
                scores=form.scores(),
                summary=form.cleaned_data["summary"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存评分。"))
            return redirect("evaluation_detail", pk=evaluation.pk)
    return _render_detail(request, evaluation, score_form=form, status=400)


@login_required
@require_POST
def evaluation_submit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    evaluation = _for_scoring(user, pk)
    try:
        evaluation = services.evaluation_submit(actor=user, evaluation=evaluation, request=request)
    except ValidationError as error:
        if evaluation.is_frozen:
            messages.error(request, " ".join(error.messages))
            return redirect("evaluation_detail", pk=evaluation.pk)
        return _render_detail(request, evaluation, submit_errors=error.messages, status=400)
    messages.success(
        request,
        _("已提交%(kind)s：总分 %(total)s 分，等级%(grade)s。")
        % {
            "kind": evaluation.get_kind_display(),
            "total": services.points(evaluation.total or Decimal(0)),
            "grade": evaluation.get_grade_display(),
        },
    )
    return redirect("evaluation_detail", pk=evaluation.pk)


@login_required
@require_GET
def evaluation_evidence(request: HttpRequest, pk: int, score_id: int) -> FileResponse:
    """The file, to this user only: never cached, never guessed as another type, never public."""
    user = _user(request)
    evaluation = get_evaluation_for_user(user, pk)
    record = services.evidence_open(actor=user, evaluation=evaluation, score_id=score_id, request=request)
    return private_file_response(
        record.evidence, name=record.evidence_name or "evidence", content_type=record.evidence_content_type
    )

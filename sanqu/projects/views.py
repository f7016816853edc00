"""Livelihood project pages: the list by county, one project with its measures over time, forms."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import User
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.cases.selectors.groups import places_for, writable_paths
from sanqu.cases.services.groups import own_person
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.projects.forms import LivelihoodMeasureForm, LivelihoodProjectForm
from sanqu.projects.models import LivelihoodProject
from sanqu.projects.selectors import (
    get_livelihood_project_for_user,
    latest_measures,
    livelihood_projects_for,
    measure_history,
    writable_livelihood_projects,
)
from sanqu.projects.services import (
    PROJECT_EDITABLE,
    livelihood_measure_record,
    livelihood_project_create,
    livelihood_project_update,
)

PAGE_SIZE = 25
SECTION = "community"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _organisations(user: User) -> QuerySet[Organisation]:
    """Organisations of the counties where the user works, and the user's own."""
    paths = writable_paths(user)
    organisations = Organisation.objects.order_by("name")
    if paths is None:
        return organisations
    query = Q(pk__in=[])
    for path in paths:
        query |= Q(home_county__path=path[:6])
    person = own_person(user)
    if person is not None and person.organisation_id:
        query |= Q(pk=person.organisation_id)
    return organisations.filter(query)


def _choices(user: User) -> dict[str, Any]:
    return {"places": places_for(user), "organisations": _organisations(user)}


def _writable(user: User, pk: int) -> LivelihoodProject:
    project = get_livelihood_project_for_user(user, pk)
    require_perm(user, "projects.change_livelihoodproject")
    if not writable_livelihood_projects(user).filter(pk=project.pk).exists():
        raise PermissionDenied
    return project


@login_required
@require_GET
def livelihood_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "projects.view_livelihoodproject")
    page = Paginator(livelihood_projects_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/livelihood/list.html",
        {
            "page": page,
            "can_add": user.has_perm("projects.add_livelihoodproject"),
            "nav_section": SECTION,
            "tab": "livelihood",
        },
    )


@login_required
@require_GET
def livelihood_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = get_livelihood_project_for_user(user, pk)
    can_write = (
        user.has_perm("projects.change_livelihoodproject")
        and writable_livelihood_projects(user).filter(pk=project.pk).exists()
    )
    return render(
        request,
        "projects/livelihood/detail.html",
        {
            "project": project,
            "latest": latest_measures(project),
            "history": measure_history(project),
            "can_write": can_write,
            "measure_form": LivelihoodMeasureForm(initial={"measured_on": clock.today()})
            if can_write
            else None,
            "nav_section": SECTION,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def livelihood_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, "projects.add_livelihoodproject")
    if request.method == "POST":
        form = LivelihoodProjectForm(request.POST, **_choices(user))
        if form.is_valid():
            try:
                project = livelihood_project_create(actor=user, request=request, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记生计项目“%(name)s”。") % {"name": project.name})
                return redirect("livelihood_detail", pk=project.pk)
    else:
        form = LivelihoodProjectForm(initial={"started_on": clock.today()}, **_choices(user))
    return render(
        request, "projects/livelihood/form.html", {"form": form, "project": None, "nav_section": SECTION}
    )


@login_required
@require_http_methods(["GET", "POST"])
def livelihood_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = _writable(user, pk)
    if request.method == "POST":
        form = LivelihoodProjectForm(request.POST, **_choices(user))
        if form.is_valid():
            try:
                with versions.expect(project, versions.submitted(request)):
                    livelihood_project_update(
                        actor=user, project=project, data=form.cleaned_data, request=request
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存生计项目“%(name)s”。") % {"name": project.name})
                return redirect("livelihood_detail", pk=project.pk)
    else:
        values = snapshot(project)
        initial = {name: values[name] for name in PROJECT_EDITABLE}
        form = LivelihoodProjectForm(initial=initial, **_choices(user))
    return render(
        request, "projects/livelihood/form.html", {"form": form, "project": project, "nav_section": SECTION}
    )


@login_required
@require_POST
def livelihood_measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = _writable(user, pk)
    form = LivelihoodMeasureForm(request.POST)
    if form.is_valid():
        try:
            livelihood_measure_record(actor=user, project=project, request=request, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已记录成效测量。"))
    else:
        messages.error(
            request,
            " ".join(
                f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors
            ),
        )
    return redirect(reverse("livelihood_detail", args=[project.pk]) + "#measures")

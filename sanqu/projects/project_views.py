"""County project pages: the scoped list with progress, the project page with its whole history, the
agreement's form, milestones and the plan's download."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sanqu.accounts import versions
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import VIEW_PROJECT, Role
from sanqu.accounts.scoping import get_or_404, scope_of
from sanqu.accounts.services import require_perm, snapshot
from sanqu.cases.forms.groups import add_service_errors
from sanqu.lib import clock
from sanqu.lib.files import private_file_response
from sanqu.orgs.models import Organisation
from sanqu.projects import project_services as services
from sanqu.projects.models import Milestone, ProgrammeYear, Project
from sanqu.projects.progress import Progress, progress_of
from sanqu.projects.project_forms import (
    ACTIVE,
    ENDED,
    UPCOMING,
    MilestoneDoneForm,
    MilestoneForm,
    ProjectFilterForm,
    ProjectFilters,
    ProjectForm,
)
from sanqu.projects.project_selectors import get_project_for_user, projects_for, signable_projects
from sanqu.regions.models import Region

PAGE_SIZE = 25
SECTION = "projects"
TIMELINE_LENGTH = 20


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def yuan(amount: Decimal) -> str:
    """Yuan with thousands separators and fen: 1,234,567.50."""
    return f"{amount:,.2f}"


# The list.


@dataclass(frozen=True)
class Summary:
    """A compact reading of a project's progress: the mean share done over the targets that are set."""

    percent: int | None
    targets: int

    @classmethod
    def of(cls, rows: list[Progress]) -> Summary:
        shares = [min(row.percent, 100) for row in rows if row.percent is not None]
        if not shares:
            return cls(None, 0)
        return cls(round(sum(shares) / len(shares)), len(shares))


def _filtered(projects: QuerySet[Project], filters: ProjectFilters, today: dt.date) -> QuerySet[Project]:
    if filters.year is not None:
        projects = projects.filter(programme_year__year=filters.year)
    if filters.county is not None:
        projects = projects.filter(county=filters.county)
    if filters.organisation is not None:
        projects = projects.filter(organisation=filters.organisation)
    if filters.status == ACTIVE:
        projects = projects.filter(starts_on__lte=today, ends_on__gte=today)
    elif filters.status == ENDED:
        projects = projects.filter(ends_on__lt=today)
    elif filters.status == UPCOMING:
        projects = projects.filter(starts_on__gt=today)
    return projects


def _filter_choices(user: User) -> dict[str, Any]:
    """The years, counties and organisations of the user's projects (nothing outside the scope)."""
    projects = projects_for(user).order_by()
    return {
        "years": sorted(set(projects.values_list("programme_year__year", flat=True)), reverse=True),
        "counties": Region.objects.filter(pk__in=projects.values("county")).order_by("code"),
        "organisations": Organisation.objects.filter(pk__in=projects.values("organisation")).order_by("name"),
    }


@login_required
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, VIEW_PROJECT)
    today = clock.today()
    form = ProjectFilterForm(request.GET or None, **_filter_choices(user))
    projects = _filtered(projects_for(user), form.filters(), today)
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    progress = progress_of(shown, today)
    rows = [
        {"project": project, "budget": yuan(project.budget), "summary": Summary.of(progress[project.pk])}
        for project in shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/projects/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
            "can_add": user.has_perm(services.ADD_PROJECT),
            "today": today,
            "nav_section": SECTION,
        },
    )


# The project page.


def _may(user: User, perm: str, projects: QuerySet[Project], project: Project) -> bool:
    return user.has_perm(perm) and projects.filter(pk=project.pk).exists()


def _changed(entry: AuditEntry) -> list[str]:
    model = Milestone if entry.object_type == "projects.milestone" else Project
    labels = []
    for name in entry.detail.get("changed", []):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            labels.append(name)
        else:
            labels.append(str(getattr(field, "verbose_name", name)))
    return labels


def _timeline(project: Project) -> list[dict[str, Any]]:
    """The latest writes to the project and its milestones (who, when, what changed; never values)."""
    milestone_ids = [str(pk) for pk in project.milestones.values_list("pk", flat=True)]
    entries = AuditEntry.objects.filter(
        Q(object_type="projects.project", object_id=str(project.pk))
        | Q(object_type="projects.milestone", object_id__in=milestone_ids),
        action__in=[AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.DELETE],
    ).order_by("-at", "-id")[:TIMELINE_LENGTH]
    return [
        {
            "entry": entry,
            "milestone": entry.object_type == "projects.milestone",
            "changed": "、".join(_changed(entry)),
        }
        for entry in entries
    ]


@login_required
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = get_project_for_user(user, pk)
    require_perm(user, VIEW_PROJECT)
    today = clock.today()
    signable = signable_projects(user)
    milestones = list(project.milestones.all())
    can_plan = _may(user, services.ADD_MILESTONE, signable, project)
    return render(
        request,
        "projects/projects/detail.html",
        {
            "project": project,
            "budget": yuan(project.budget),
            "progress": progress_of([project], today)[project.pk],
            "milestones": [
                {"milestone": m, "overdue": m.done_on is None and m.due_on < today} for m in milestones
            ],
            "overdue_count": sum(1 for m in milestones if m.done_on is None and m.due_on < today),
            "can_edit": _may(user, services.CHANGE_PROJECT, signable, project),
            "can_plan": can_plan,
            "can_delete_milestones": _may(user, services.DELETE_MILESTONE, signable, project),
            "can_mark_done": _may(
                user, services.CHANGE_MILESTONE, services.milestone_projects(user), project
            ),
            "milestone_form": MilestoneForm(prefix="milestone") if can_plan else None,
            "timeline": _timeline(project),
            "today": today,
            "user": user,
            "nav_section": SECTION,
        },
    )


# The agreement.


def _counties(user: User) -> QuerySet[Region]:
    """Counties that take part in some programme year, under the user's city office scope."""
    counties = Region.objects.filter(level=Region.Level.COUNTY, receiving_years__isnull=False).distinct()
    scope = scope_of(user)
    if not scope.superuser:
        query = Q(pk__in=[])
        for path in scope.paths_by_role.get(Role.CITY_ADMIN, ()):
            query |= Q(path__startswith=path)
        counties = counties.filter(query)
    return counties.order_by("code")


def _form_choices(user: User) -> dict[str, Any]:
    return {
        "years": ProgrammeYear.objects.order_by("-year"),
        "counties": _counties(user),
        "organisations": Organisation.objects.order_by("name"),
    }


def _render_form(request: HttpRequest, form: ProjectForm, project: Project | None) -> HttpResponse:
    return render(
        request, "projects/projects/form.html", {"form": form, "project": project, "nav_section": SECTION}
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require_perm(user, services.ADD_PROJECT)
    if request.method == "POST":
        form = ProjectForm(request.POST, request.FILES, **_form_choices(user))
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=user,
                    request=request,
                    plan_document=form.cleaned_data["plan_document"],
                    targets=form.targets(),
                    **form.agreement(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记项目“%(name)s”。") % {"name": project.name})
                return redirect("project_detail", pk=project.pk)
    else:
        today = clock.today()
        year = ProgrammeYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
        initial: dict[str, Any] = {"signed_on": today}
        if year is not None:
            initial.update(programme_year=year.pk, starts_on=year.starts_on, ends_on=year.ends_on)
        form = ProjectForm(initial=initial, **_form_choices(user))
    return _render_form(request, form, None)


def _signable(user: User, pk: int) -> Project:
    project = get_project_for_user(user, pk)
    require_perm(user, services.CHANGE_PROJECT)
    if not signable_projects(user).filter(pk=project.pk).exists():
        raise PermissionDenied
    return project


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = _signable(user, pk)
    if request.method == "POST":
        form = ProjectForm(request.POST, request.FILES, **_form_choices(user))
        if form.is_valid():
            try:
                with versions.expect(project, versions.submitted(request)):
                    services.project_update(
                        actor=user,
                        project=project,
                        data=form.terms(),
                        plan_document=form.cleaned_data["plan_document"],
                        request=request,
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存项目“%(name)s”。") % {"name": project.name})
                return redirect("project_detail", pk=project.pk)
        project.refresh_from_db()
    else:
        values = snapshot(project)
        form = ProjectForm(
            initial={name: values[name] for name in services.PROJECT_EDITABLE}, **_form_choices(user)
        )
    return _render_form(request, form, project)


@login_required
@require_GET
def project_plan(request: HttpRequest, pk: int) -> FileResponse:
    """The implementation plan, to this user only: audited, never cached, always a download."""
    user = _user(request)
    project = get_project_for_user(user, pk)
    require_perm(user, VIEW_PROJECT)
    services.plan_open(actor=user, project=project, request=request)
    return private_file_response(
        project.plan_document,
        name=project.plan_document_name or "plan",
        content_type=project.plan_content_type,
        attachment=True,
    )


# Milestones.


def _milestone(user: User, pk: int, milestone_id: int) -> Milestone:
    project = get_project_for_user(user, pk)
    milestone = get_or_404(Milestone.objects.filter(project=project), pk=milestone_id)
    milestone.project = project
    return milestone


def _milestones_anchor(project: Project) -> str:
    return reverse("project_detail", args=[project.pk]) + "#milestones"


def _form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(
        request,
        " ".join(f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors),
    )


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    project = get_project_for_user(user, pk)
    require_perm(user, services.ADD_MILESTONE)
    form = MilestoneForm(request.POST, prefix="milestone")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_milestones_anchor(project))
    try:
        milestone = services.milestone_add(actor=user, project=project, request=request, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已添加节点“%(title)s”。") % {"title": milestone.title})
    return redirect(_milestones_anchor(project))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user = _user(request)
    milestone = _milestone(user, pk, milestone_id)
    project = milestone.project
    require_perm(user, services.CHANGE_MILESTONE)
    if not signable_projects(user).filter(pk=project.pk).exists():
        raise PermissionDenied
    if request.method == "POST":
        form = MilestoneForm(request.POST)
        if form.is_valid():
            try:
                with versions.expect(milestone, versions.submitted(request)):
                    services.milestone_update(
                        actor=user, milestone=milestone, data=form.cleaned_data, request=request
                    )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已保存节点“%(title)s”。") % {"title": milestone.title})
                return redirect(_milestones_anchor(project))
    else:
        form = MilestoneForm(initial={name: getattr(milestone, name) for name in services.MILESTONE_EDITABLE})
    return render(
        request,
        "projects/projects/milestone_form.html",
        {"form": form, "project": project, "milestone": milestone, "nav_section": SECTION},
    )


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user = _user(request)
    milestone = _milestone(user, pk, milestone_id)
    require_perm(user, services.CHANGE_MILESTONE)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(_milestones_anchor(milestone.project))
    try:
        services.milestone_mark_done(
            actor=user, milestone=milestone, done_on=form.cleaned_data["done_on"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("节点“%(title)s”已标记完成。") % {"title": milestone.title})
    return redirect(_milestones_anchor(milestone.project))


@login_required
@require_http_methods(["GET", "POST"])
def milestone_delete(request: HttpRequest, pk: int, milestone_id: int) -> HttpResponse:
    user = _user(request)
    milestone = _milestone(user, pk, milestone_id)
    project = milestone.project
    require_perm(user, services.DELETE_MILESTONE)
    if not signable_projects(user).filter(pk=project.pk).exists():
        raise PermissionDenied
    if request.method == "POST":
        title = milestone.title
        try:
            services.milestone_delete(actor=user, milestone=milestone, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已删除节点“%(title)s”。") % {"title": title})
        return redirect(_milestones_anchor(project))
    return render(
        request,
        "projects/projects/milestone_delete.html",
        {"project": project, "milestone": milestone, "nav_section": SECTION},
    )

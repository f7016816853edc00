"""Writes to county projects (项目) and their milestones (实施节点).

The city office signs a project (one county × programme year × organisation, from the service
agreement) and keeps its terms and its implementation plan (实施方案); the organisation, the county
section and the city office mark the plan's milestones done. Each function is keyword-only, checks
the permission and the scope, validates with a message naming the field, writes in one transaction
and leaves an audit entry. A refusal leaves nothing behind: no row, no file.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.services import apply, audited_delete, audited_save, require_perm, snapshot
from sanqu.lib import clock
from sanqu.lib.files import DOCUMENTS, sniff_upload
from sanqu.orgs.models import Organisation
from sanqu.projects.models import Milestone, ProgrammeYear, Project, ReceivingCounty, Target
from sanqu.projects.project_selectors import (
    filing_projects,
    projects_for,
    signable_projects,
    supervised_projects,
)
from sanqu.regions.models import Region

ADD_PROJECT = "projects.add_project"
CHANGE_PROJECT = "projects.change_project"
ADD_MILESTONE = "projects.add_milestone"
CHANGE_MILESTONE = "projects.change_milestone"
DELETE_MILESTONE = "projects.delete_milestone"

TARGET_FIELDS = tuple(f"target_{value}" for value in Target.values)
PROJECT_EDITABLE = (
    "programme_year",
    "county",
    "organisation",
    "name",
    "agreement_no",
    "signed_on",
    "starts_on",
    "ends_on",
    "budget",
    *TARGET_FIELDS,
)
MILESTONE_EDITABLE = ("title", "due_on", "note")
# How long after its programme year a project's service period may run on.
GRACE_MONTHS = 6

WORD_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORD_DOC = "application/msword"


def _day(day: dt.date) -> str:
    return date_format(day, "Y-m-d")


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Projects.


def _check_project(project: Project) -> None:
    """Every rule of a project's terms, in the order a person reads the form."""
    year: ProgrammeYear = project.programme_year
    county: Region = project.county
    if not ReceivingCounty.objects.filter(programme_year=year, county=county).exists():
        raise ValidationError(
            {
                "county": _("%(county)s 不是 %(year)s 年度的受援区县，不能在该年度登记项目。")
                % {"county": county.name, "year": year.year}
            }
        )
    organisation: Organisation = project.organisation
    if organisation.registered_on > project.signed_on:
        raise ValidationError(
            {
                "organisation": _("%(name)s 于 %(day)s 才登记，晚于协议签订日期。")
                % {"name": organisation.name, "day": _day(organisation.registered_on)}
            }
        )
    if organisation.deregistered_on is not None and organisation.deregistered_on <= project.signed_on:
        raise ValidationError(
            {
                "organisation": _("%(name)s 已于 %(day)s 注销，不能签订服务协议。")
                % {"name": organisation.name, "day": _day(organisation.deregistered_on)}
            }
        )
    project.name = project.name.strip()
    project.agreement_no = project.agreement_no.strip()
    if not project.name:
        raise ValidationError({"name": _("须填写项目名称。")})
    if project.signed_on > clock.today():
        raise ValidationError({"signed_on": _("协议签订日期不能晚于今天。")})
    if project.starts_on < year.starts_on:
        raise ValidationError(
            {
                "starts_on": _("服务开始日期不能早于 %(year)s 年度的开始日期 %(day)s。")
                % {"year": year.year, "day": _day(year.starts_on)}
            }
        )
    if project.ends_on <= project.starts_on:
        raise ValidationError({"ends_on": _("服务结束日期须晚于开始日期。")})
    limit = months_after(year.ends_on, GRACE_MONTHS)
    if project.ends_on > limit:
        raise ValidationError(
            {
                "ends_on": _("服务结束日期不能晚于 %(year)s 年度结束日期 %(end)s 后六个月（即 %(limit)s）。")
                % {"year": year.year, "end": _day(year.ends_on), "limit": _day(limit)}
            }
        )
    budget = Decimal(project.budget)
    if budget < 0:
        raise ValidationError({"budget": _("项目经费不能为负数。")})
    if budget != budget.quantize(Decimal("0.01")):
        raise ValidationError({"budget": _("项目经费最多保留两位小数（到分）。")})
    for value, label in Target.choices:
        if project.target(value) < 0:
            raise ValidationError({f"target_{value}": _("目标“%(target)s”不能为负数。") % {"target": label}})
    twins = Project.objects.filter(programme_year=year, county=county, organisation=organisation).exclude(
        pk=project.pk
    )
    if twins.exists():
        raise ValidationError({"organisation": _("该机构在这一年度、这一区县已有项目。")})


def _plan_type(upload: UploadedFile) -> str:
    """The plan's content type; a zip must be a .docx and an OLE file a .doc (not a spreadsheet)."""
    content_type = sniff_upload(
        upload, field="plan_document", accepted=DOCUMENTS, kinds=_("PDF、Word 或图片")
    )
    suffix = Path(upload.name or "").suffix.lower()
    word = {"application/zip": (".docx", WORD_DOCX), "application/x-ole-storage": (".doc", WORD_DOC)}
    if content_type in word:
        expected, content_type = word[content_type]
        if suffix != expected:
            raise ValidationError(
                {
                    "plan_document": _("文件“%(name)s”的格式不受支持：只接受 %(kinds)s。")
                    % {"name": upload.name or "", "kinds": _("PDF、Word 或图片")}
                }
            )
    return content_type


def _save(
    *,
    actor: User,
    project: Project,
    perm: str,
    plan: UploadedFile | None,
    before: dict[str, Any] | None = None,
    request: HttpRequest | None,
) -> Project:
    """Store the plan (if any) and the row together: a refusal removes the new file, a commit the old."""
    content_type = _plan_type(plan) if plan is not None else ""
    _check_project(project)
    old_name = project.plan_document.name if plan is not None else ""
    stored = ""
    try:
        with transaction.atomic():
            if plan is not None:
                project.plan_document.save(plan.name or "plan", plan, save=False)
                stored = project.plan_document.name or ""
                project.plan_document_name = Path(plan.name or "plan").name[-200:]
                project.plan_content_type = content_type
            audited_save(
                actor=actor,
                instance=project,
                perm=perm,
                writable=signable_projects(actor),
                before=before,
                request=request,
            )
    except IntegrityError:  # the same project registered at the same moment
        _remove(project, stored)
        raise ValidationError({"organisation": _("该机构在这一年度、这一区县已有项目。")}) from None
    except BaseException:
        _remove(project, stored)
        raise
    if old_name and old_name != stored:
        storage = project.plan_document.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return project


def _remove(project: Project, name: str) -> None:
    if name:
        project.plan_document.storage.delete(name)


def project_create(
    *,
    actor: User,
    programme_year: ProgrammeYear,
    county: Region,
    organisation: Organisation,
    name: str,
    signed_on: dt.date,
    starts_on: dt.date,
    ends_on: dt.date,
    budget: Decimal,
    agreement_no: str = "",
    targets: Mapping[str, int] | None = None,
    plan_document: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Project:
    """Register a signed service agreement; `targets` maps a Target to its number (missing: 0)."""
    require_perm(actor, ADD_PROJECT)
    project = Project(
        programme_year=programme_year,
        county=county,
        organisation=organisation,
        name=name,
        agreement_no=agreement_no,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=budget,
        created_by=actor,
    )
    for key, value in (targets or {}).items():
        apply(project, {f"target_{Target(key).value}": value}, editable=TARGET_FIELDS)
    return _save(actor=actor, project=project, perm=ADD_PROJECT, plan=plan_document, request=request)


def _for_signing(actor: User, project: Project) -> None:
    if not projects_for(actor).filter(pk=project.pk).exists():
        raise Http404
    require_perm(actor, CHANGE_PROJECT)
    if not signable_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied


def project_update(
    *,
    actor: User,
    project: Project,
    data: Mapping[str, Any],
    plan_document: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Project:
    """Change the agreement's terms (and replace the plan when a new one is given)."""
    _for_signing(actor, project)
    before = snapshot(Project.objects.get(pk=project.pk))
    apply(project, data, editable=PROJECT_EDITABLE)
    return _save(
        actor=actor, project=project, perm=CHANGE_PROJECT, plan=plan_document, before=before, request=request
    )


def plan_open(*, actor: User, project: Project, request: HttpRequest | None = None) -> Project:
    """The project's plan for download, to someone who sees the project (404 otherwise); audited."""
    if not projects_for(actor).filter(pk=project.pk).exists() or not project.plan_document:
        raise Http404
    audit.record(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        obj=project,
        detail={"document": "plan_document", "name": project.plan_document_name},
        request=request,
    )
    return project


# Milestones.


def milestone_projects(actor: User) -> QuerySet[Project]:
    """Projects whose milestones the actor may mark done: the organisation's, the county's, the city's."""
    return Project.objects.filter(
        Q(pk__in=filing_projects(actor).values("pk"))
        | Q(pk__in=supervised_projects(actor).values("pk"))
        | Q(pk__in=signable_projects(actor).values("pk"))
    )


def _check_milestone(milestone: Milestone) -> None:
    milestone.title = milestone.title.strip()
    milestone.note = milestone.note.strip()
    project = milestone.project
    if not milestone.title:
        raise ValidationError({"title": _("须填写节点名称。")})
    start = min(project.signed_on, project.starts_on)
    if not start <= milestone.due_on <= project.ends_on:
        raise ValidationError(
            {
                "due_on": _("计划完成日期须在 %(start)s 至服务结束日期 %(end)s 之间。")
                % {"start": _day(start), "end": _day(project.ends_on)}
            }
        )


def _for_planning(actor: User, project: Project, perm: str) -> None:
    if not projects_for(actor).filter(pk=project.pk).exists():
        raise Http404
    require_perm(actor, perm)
    if not signable_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied


def _milestones(projects: QuerySet[Project]) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project__in=projects)


@transaction.atomic
def milestone_add(
    *,
    actor: User,
    project: Project,
    title: str,
    due_on: dt.date,
    note: str = "",
    request: HttpRequest | None = None,
) -> Milestone:
    """A key date of the implementation plan (the city office, which signed it)."""
    _for_planning(actor, project, ADD_MILESTONE)
    milestone = Milestone(project=project, title=title, due_on=due_on, note=note)
    _check_milestone(milestone)
    return audited_save(
        actor=actor,
        instance=milestone,
        perm=ADD_MILESTONE,
        writable=_milestones(signable_projects(actor)),
        request=request,
    )


@transaction.atomic
def milestone_update(
    *, actor: User, milestone: Milestone, data: Mapping[str, Any], request: HttpRequest | None = None
) -> Milestone:
    """Change a milestone's name, planned date or note (the city office)."""
    _for_planning(actor, milestone.project, CHANGE_MILESTONE)
    before = snapshot(Milestone.objects.get(pk=milestone.pk))
    apply(milestone, data, editable=MILESTONE_EDITABLE)
    _check_milestone(milestone)
    return audited_save(
        actor=actor,
        instance=milestone,
        perm=CHANGE_MILESTONE,
        writable=_milestones(signable_projects(actor)),
        before=before,
        request=request,
    )


@transaction.atomic
def milestone_mark_done(
    *, actor: User, milestone: Milestone, done_on: dt.date, request: HttpRequest | None = None
) -> Milestone:
    """Record that a milestone was reached: by the organisation, the county section or the city office."""
    project = milestone.project
    if not projects_for(actor).filter(pk=project.pk).exists():
        raise Http404
    require_perm(actor, CHANGE_MILESTONE)
    writable = milestone_projects(actor)
    if not writable.filter(pk=project.pk).exists():
        raise PermissionDenied
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError(
            {
                "done_on": _("节点“%(title)s”已于 %(day)s 完成。")
                % {"title": milestone.title, "day": _day(milestone.done_on)}
            }
        )
    if done_on > clock.today():
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    if done_on < project.starts_on:
        raise ValidationError(
            {"done_on": _("完成日期不能早于项目服务开始日期 %(day)s。") % {"day": _day(project.starts_on)}}
        )
    before = snapshot(milestone)
    milestone.done_on = done_on
    return audited_save(
        actor=actor,
        instance=milestone,
        perm=CHANGE_MILESTONE,
        writable=_milestones(writable),
        before=before,
        request=request,
    )


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone, request: HttpRequest | None = None) -> None:
    """Remove a milestone that was not reached (a reached one is history and stays)."""
    _for_planning(actor, milestone.project, DELETE_MILESTONE)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if milestone.done_on is not None:
        raise ValidationError(_("节点“%(title)s”已完成，不能删除。") % {"title": milestone.title})
    audited_delete(
        actor=actor,
        instance=milestone,
        perm=DELETE_MILESTONE,
        writable=_milestones(signable_projects(actor)),
        request=request,
    )

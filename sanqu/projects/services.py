"""Writes to livelihood projects (生计项目) and their outcome measures over time.

Keyword-only, permission and scope checked, validated, audited, one transaction each. Money is
Decimal yuan and area is 亩; the county is derived from the village or township.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from sanqu.accounts.models import User
from sanqu.accounts.services import apply, audited_save, require_perm, snapshot
from sanqu.cases.services.groups import county_of
from sanqu.lib import clock
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.projects.selectors import livelihood_projects_for, writable_livelihood_projects
from sanqu.regions.models import Region

PROJECT_EDITABLE = (
    "name",
    "kind",
    "region",
    "organisation",
    "started_on",
    "ended_on",
    "households_reached",
    "description",
    "products",
    "sales_channels",
)


def _check_project(project: LivelihoodProject) -> None:
    project.county = county_of(project.region)
    if project.started_on and project.started_on > clock.today():
        raise ValidationError({"started_on": _("开始日期不能晚于今天。")})
    if project.ended_on and project.started_on and project.ended_on < project.started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})


def livelihood_project_create(
    *,
    actor: User,
    name: str,
    kind: str,
    region: Region,
    organisation: Organisation,
    started_on: dt.date,
    households_reached: int = 0,
    description: str = "",
    products: str = "",
    sales_channels: str = "",
    ended_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> LivelihoodProject:
    project = LivelihoodProject(
        name=name.strip(),
        kind=kind,
        region=region,
        organisation=organisation,
        started_on=started_on,
        ended_on=ended_on,
        households_reached=households_reached,
        description=description.strip(),
        products=products.strip(),
        sales_channels=sales_channels.strip(),
    )
    require_perm(actor, "projects.add_livelihoodproject")
    _check_project(project)
    if LivelihoodProject.objects.filter(name=project.name, region=region).exists():
        raise ValidationError({"name": _("该村(乡镇)已有同名的生计项目。")})
    return audited_save(
        actor=actor,
        instance=project,
        perm="projects.add_livelihoodproject",
        writable=writable_livelihood_projects(actor),
        request=request,
    )


def _for_write(actor: User, project: LivelihoodProject) -> None:
    if not livelihood_projects_for(actor).filter(pk=project.pk).exists():
        raise Http404
    require_perm(actor, "projects.change_livelihoodproject")
    if not writable_livelihood_projects(actor).filter(pk=project.pk).exists():
        raise PermissionDenied


def livelihood_project_update(
    *,
    actor: User,
    project: LivelihoodProject,
    data: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> LivelihoodProject:
    _for_write(actor, project)
    before = snapshot(project)
    apply(project, data, editable=PROJECT_EDITABLE)
    _check_project(project)
    return audited_save(
        actor=actor,
        instance=project,
        perm="projects.change_livelihoodproject",
        writable=writable_livelihood_projects(actor),
        before=before,
        request=request,
    )


@transaction.atomic
def livelihood_measure_record(
    *,
    actor: User,
    project: LivelihoodProject,
    measured_on: dt.date,
    indicator: str,
    value: Decimal,
    label: str = "",
    request: HttpRequest | None = None,
) -> LivelihoodMeasure:
    """An outcome on a day: area in 亩, income change per household in yuan, sales, households…"""
    _for_write(actor, project)
    if measured_on > clock.today():
        raise ValidationError({"measured_on": _("日期不能晚于今天。")})
    if measured_on < project.started_on:
        raise ValidationError({"measured_on": _("测量日期不能早于项目开始日期。")})
    if indicator != LivelihoodMeasure.Indicator.INCOME_PER_HOUSEHOLD and value < 0:
        raise ValidationError({"value": _("该指标不能为负数。")})
    label = label.strip()
    if project.measures.filter(measured_on=measured_on, indicator=indicator, label=label).exists():
        raise ValidationError(_("这一天的该项指标（同一说明）已经记录过了。"))
    measure = LivelihoodMeasure(
        project=project, measured_on=measured_on, indicator=indicator, label=label, value=Decimal(value)
    )
    return audited_save(
        actor=actor,
        instance=measure,
        perm="projects.change_livelihoodproject",
        writable=LivelihoodMeasure.objects.filter(project__in=writable_livelihood_projects(actor)),
        request=request,
    )

"""Programme years, projects, report templates and evaluation schemes for tests (written directly:
what is under test is what builds on them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sanqu.orgs.models import Organisation
from sanqu.projects.models import (
    EvaluationIndicator,
    EvaluationScheme,
    ProgrammeYear,
    Project,
    ReceivingCounty,
    ReportField,
    ReportTemplate,
)
from sanqu.regions.models import Region
from sanqu.testing import World


def make_year(year: int = 2017, **fields: Any) -> ProgrammeYear:
    programme_year, _created = ProgrammeYear.objects.get_or_create(
        year=year,
        defaults={"starts_on": dt.date(year, 1, 1), "ends_on": dt.date(year, 12, 31), **fields},
    )
    return programme_year


def make_project(
    world: World,
    *,
    county: Region | None = None,
    organisation: Organisation | None = None,
    year: int = 2017,
    **fields: Any,
) -> Project:
    """A project of 阳光 in 城口 for the year (the county takes part in it), unless told otherwise."""
    programme_year = make_year(year)
    county = county or world.chengkou
    ReceivingCounty.objects.get_or_create(
        programme_year=programme_year, county=county, defaults={"dispatch_quota": 5, "training_quota": 5}
    )
    organisation = organisation or world.yangguang
    values: dict[str, Any] = {
        "name": f"{county.name}{year}年度三区计划社会工作服务项目",
        "agreement_no": f"SQ-{year}-{county.code}",
        "signed_on": programme_year.starts_on,
        "starts_on": programme_year.starts_on,
        "ends_on": programme_year.ends_on,
        "budget": Decimal("200000.00"),
        "target_beneficiaries": 100,
        "target_cases": 20,
        "target_group_sessions": 24,
        "target_community_activities": 6,
        "target_trainees": 5,
        "target_volunteer_hours": 300,
        **fields,
    }
    return Project.objects.create(
        programme_year=programme_year, county=county, organisation=organisation, **values
    )


def make_template(
    programme_year: ProgrammeYear,
    *,
    cadence: str = ReportTemplate.Cadence.MONTHLY,
    due_day: int = 10,
    fields: list[dict[str, Any]] | None = None,
) -> ReportTemplate:
    """A template with, by default, three pre-filled figures and one number to type."""
    template = ReportTemplate.objects.create(
        programme_year=programme_year,
        name=ReportTemplate.Cadence(cadence).label,
        cadence=cadence,
        due_day=due_day,
    )
    default = [
        {"key": "services", "label": "个案服务(人次)", "kind": "figure", "figure": "services"},
        {"key": "cases_opened", "label": "新接个案(个)", "kind": "figure", "figure": "cases_opened"},
        {"key": "group_sessions", "label": "小组活动(节)", "kind": "figure", "figure": "group_sessions"},
        {"key": "home_visits", "label": "入户走访(户)", "kind": "number", "required": True},
    ]
    for order, field in enumerate(fields if fields is not None else default):
        ReportField.objects.create(template=template, sort_order=order, **field)
    return template


def make_scheme(name: str = "三区计划项目绩效评估指标(2017)") -> EvaluationScheme:
    """Four dimensions, six indicators, weights adding up to 100."""
    scheme = EvaluationScheme.objects.create(name=name)
    rows = [
        ("项目管理", "实施方案与进度", "40"),
        ("项目管理", "财务管理", "10"),
        ("服务成效", "服务指标完成", "20"),
        ("服务成效", "服务对象满意度", "10"),
        ("专业能力", "个案与小组规范", "15"),
        ("社会影响", "宣传与推广", "5"),
    ]
    for order, (dimension, indicator, weight) in enumerate(rows):
        EvaluationIndicator.objects.create(
            scheme=scheme, dimension=dimension, name=indicator, weight=Decimal(weight), sort_order=order
        )
    return scheme

"""Shared set-up of the visit tests (no tests here): a fixed working day, private files under a
temporary directory, a project of 阳光 in 城口, and visits and actions written through the services."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanqu.projects import visit_services
from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.tests.factories import make_project
from sanqu.testing import World

TODAY = dt.date(2017, 9, 15)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def working_day_and_files(settings, tmp_path: Path) -> Path:
    settings.SANQU_TODAY = TODAY
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "private"


def private_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pdf(name: str = "整改报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def project(world: World) -> Project:
    return make_project(world)


def visit_to(world: World, project: Project | None = None, **fields: Any) -> MonitoringVisit:
    values: dict[str, Any] = {
        "kind": MonitoringVisit.Kind.INSPECTION,
        "planned_on": dt.date(2017, 9, 1),
        "visitors": "张三(城口县民政局)",
        "purpose": "季度督查",
        "visited_on": dt.date(2017, 9, 5),
        "findings": "个案记录不完整，小组活动少于计划。",
        **fields,
    }
    if "station" not in values:
        values["project"] = project
    return visit_services.visit_plan(actor=world["chengkou"], **values)


def action_of(
    world: World, visit: MonitoringVisit, owner: str = "yangguang", due_on: dt.date = dt.date(2017, 9, 30)
) -> VisitAction:
    return visit_services.action_add(
        actor=world["chengkou"], visit=visit, action="补齐个案记录", owner=world[owner], due_on=due_on
    )


def close(world: World, action: VisitAction, actor: str = "yangguang", **fields: Any) -> VisitAction:
    values: dict[str, Any] = {
        "outcome": "已补齐 12 份个案记录。",
        "evidence": pdf(),
        "closed_on": TODAY,
        **fields,
    }
    return visit_services.action_close(actor=world[actor], action=action, **values)

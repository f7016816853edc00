"""Report templates in the back office: fields checked, a template in use kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from sanqu.projects.models import ReportTemplate
from sanqu.projects.tests.factories import make_project, make_template, make_year
from sanqu.projects.tests.report_support import filed_report
from sanqu.testing import World

pytestmark = pytest.mark.django_db


def _form(year: int, *fields: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "programme_year": str(year),
        "name": "月报",
        "cadence": "monthly",
        "due_day": "10",
        "active": "on",
        "report_fields-TOTAL_FORMS": str(len(fields)),
        "report_fields-INITIAL_FORMS": "0",
        "report_fields-MIN_NUM_FORMS": "0",
        "report_fields-MAX_NUM_FORMS": "1000",
    }
    for index, field in enumerate(fields):
        for name, value in {"ORDER": str(index), "DELETE": "", "sort_order": str(index), **field}.items():
            data[f"report_fields-{index}-{name}"] = value
    return data


def test_the_city_office_creates_a_template_with_its_fields(world: World, as_user) -> None:
    year = make_year(2017)
    response = as_user("city").post(
        reverse("wagtailsnippets_projects_reporttemplate:add"),
        _form(
            year.pk,
            {"key": "services", "label": "个案服务(人次)", "kind": "figure", "figure": "services"},
            {"key": "home_visits", "label": "入户走访(户)", "kind": "number", "figure": "", "required": "on"},
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    template = ReportTemplate.objects.get()
    assert [(f.key, f.kind, f.required) for f in template.report_fields.order_by("sort_order")] == [
        ("services", "figure", False),
        ("home_visits", "number", True),
    ]


def test_a_figure_field_needs_a_figure_and_only_it_has_one(world: World, as_user) -> None:
    year = make_year(2017)
    response = as_user("city").post(
        reverse("wagtailsnippets_projects_reporttemplate:add"),
        _form(
            year.pk,
            {"key": "services", "label": "个案服务", "kind": "figure", "figure": ""},
            {"key": "visits", "label": "入户走访", "kind": "number", "figure": "services"},
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "类型为“数据(自动预填)”的字段须选择预填数据。" in page
    assert "只有类型为“数据(自动预填)”的字段才能选择预填数据" in page
    assert not ReportTemplate.objects.exists()


def test_a_template_in_use_cannot_be_deleted(world: World, as_user, settings) -> None:
    settings.SANQU_TODAY = dt.date(2017, 4, 12)
    project = make_project(world)
    template = make_template(project.programme_year)
    filed_report(world, project, template, dt.date(2017, 3, 1))

    response = as_user("city").post(
        reverse("wagtailsnippets_projects_reporttemplate:delete", args=[template.pk]), follow=True
    )

    assert "不能删除" in response.content.decode()
    assert ReportTemplate.objects.filter(pk=template.pk).exists()


def test_only_the_city_office_keeps_templates(world: World, as_user) -> None:
    make_year(2017)
    url = reverse("wagtailsnippets_projects_reporttemplate:list")
    assert as_user("city").get(url).status_code == 200
    assert as_user("chengkou").get(url).status_code in (302, 403)

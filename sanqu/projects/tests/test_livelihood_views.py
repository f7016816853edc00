"""Livelihood project pages: list by county, the measures over time, forms, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _project(world: World) -> LivelihoodProject:
    project = LivelihoodProject.objects.create(
        name="心悦手工坊",
        kind=LivelihoodProject.Kind.WORKSHOP,
        county=world.chengkou,
        region=world.jiming,
        organisation=world.yangguang,
        started_on=dt.date(2017, 4, 1),
        households_reached=36,
        products="手工布鞋、丝网花",
    )
    for day, indicator, label, value in [
        (dt.date(2017, 10, 1), "area_mu", "核桃", "300"),
        (dt.date(2018, 4, 1), "area_mu", "核桃", "500"),
        (dt.date(2018, 6, 30), "income_per_household", "", "6000"),
    ]:
        LivelihoodMeasure.objects.create(
            project=project, measured_on=day, indicator=indicator, label=label, value=Decimal(value)
        )
    return project


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    project = _project(world)
    for url in ("/projects/livelihood/", "/projects/livelihood/new/", f"/projects/livelihood/{project.pk}/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert Client().post(f"/projects/livelihood/{project.pk}/measures/").status_code == 302


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    project = _project(world)
    client = as_user("chengkou")
    assert client.post("/projects/livelihood/").status_code == 405
    assert client.post(f"/projects/livelihood/{project.pk}/").status_code == 405
    assert client.get(f"/projects/livelihood/{project.pk}/measures/").status_code == 405


def test_it_answers_404_to_another_county_and_403_to_the_leader_writing(world: World, as_user) -> None:
    project = _project(world)
    wanzhou = as_user("wanzhou")
    assert wanzhou.get(f"/projects/livelihood/{project.pk}/").status_code == 404
    assert wanzhou.get(f"/projects/livelihood/{project.pk}/edit/").status_code == 404
    assert wanzhou.post(f"/projects/livelihood/{project.pk}/measures/", {}).status_code == 404
    assert "心悦手工坊" not in wanzhou.get("/projects/livelihood/").content.decode()
    leader = as_user("leader")
    assert leader.get(f"/projects/livelihood/{project.pk}/").status_code == 200
    assert leader.get("/projects/livelihood/new/").status_code == 403
    assert leader.get(f"/projects/livelihood/{project.pk}/edit/").status_code == 403
    measure = {"indicator": "sales", "value": "100", "measured_on": "2018-07-01"}
    assert leader.post(f"/projects/livelihood/{project.pk}/measures/", measure).status_code == 403
    assert project.measures.count() == 3


def test_it_shows_the_latest_value_of_each_indicator_and_the_history(world: World, as_user) -> None:
    project = _project(world)

    content = as_user("city").get(f"/projects/livelihood/{project.pk}/").content.decode()

    latest = content[content.index("最新成效") : content.index("成效测量记录")]
    assert "500" in latest and "6000" in latest and "300" not in latest
    history = content[content.index("成效测量记录") :]
    assert history.index("2017-10-01") < history.index("2018-04-01") < history.index("2018-06-30")
    assert "记录一次测量" not in content  # the city reads only


def test_the_county_officer_creates_a_project_and_records_a_measure(world: World, as_user) -> None:
    client = as_user("chengkou")
    assert client.get("/projects/livelihood/new/").status_code == 200

    response = client.post(
        "/projects/livelihood/new/",
        {
            "name": "雪莲果种植",
            "kind": "planting",
            "region": world.jiming.pk,
            "organisation": world.yangguang.pk,
            "started_on": "2018-03-01",
            "households_reached": "40",
        },
    )
    project = LivelihoodProject.objects.get(name="雪莲果种植")
    assert response.status_code == 302 and project.county == world.chengkou

    response = client.post(
        f"/projects/livelihood/{project.pk}/measures/",
        {"indicator": "area_mu", "label": "雪莲果", "value": "300", "measured_on": "2018-07-01"},
    )
    assert response.status_code == 302
    assert project.measures.get().value == Decimal("300.00")
    assert AuditEntry.objects.filter(object_type="projects.livelihoodmeasure", action="create").exists()


def test_the_worker_edits_a_project_where_she_is_posted(world: World, as_user) -> None:
    project = _project(world)
    client = as_user("worker")
    form = client.get(f"/projects/livelihood/{project.pk}/edit/").content.decode()
    assert "心悦手工坊" in form

    response = client.post(
        f"/projects/livelihood/{project.pk}/edit/",
        {
            "name": "心悦手工坊",
            "kind": "workshop",
            "region": world.jiming.pk,
            "organisation": world.yangguang.pk,
            "started_on": "2017-04-01",
            "households_reached": "52",
            "products": "手工布鞋、丝网花",
        },
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.households_reached == 52


def test_it_keeps_livelihood_projects_out_of_a_supervisors_way(world: World, as_user) -> None:
    mentor, worker = as_user("mentor"), as_user("worker")

    assert mentor.get(reverse("livelihood_projects")).status_code == 403
    assert "生计项目" not in mentor.get(reverse("groups")).content.decode()
    assert "生计项目" in worker.get(reverse("groups")).content.decode()

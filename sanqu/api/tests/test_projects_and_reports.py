"""County projects and periodic reports through the API: scope across two counties, the report's life."""

from __future__ import annotations

import pytest

from sanqu.projects.models import PeriodicReport
from sanqu.projects.tests.factories import make_project, make_template


def _ids(response) -> set:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def projects(world, casework):
    ours = make_project(world, year=2018)
    theirs = make_project(world, county=world.wanzhou, organisation=world.wanzhou_org, year=2018)
    template = make_template(ours.programme_year)
    return ours, theirs, template


def test_projects_are_listed_in_scope_and_the_other_countys_is_not_found(world, projects, api):
    ours, theirs, _template = projects
    assert _ids(api("chengkou").get("/api/v1/projects/")) == {ours.pk}
    assert _ids(api("wanzhou").get("/api/v1/projects/")) == {theirs.pk}
    assert _ids(api("yangguang").get("/api/v1/projects/")) == {ours.pk}
    assert _ids(api("worker").get("/api/v1/projects/")) == {ours.pk}
    assert _ids(api("city").get("/api/v1/projects/", {"region": "500101"})) == {theirs.pk}
    assert api("chengkou").get(f"/api/v1/projects/{theirs.pk}/").status_code == 404
    assert api("editor").get("/api/v1/projects/").status_code == 403
    row = api("chengkou").get(f"/api/v1/projects/{ours.pk}/").json()
    assert row["programme_year"] == 2018 and row["county"] == "500229" and row["target_cases"] == 20


def test_a_report_is_started_kept_submitted_and_reviewed_through_the_services(world, projects, api):
    ours, _theirs, template = projects
    manager, officer = api("yangguang"), api("chengkou")
    started = manager.post(
        "/api/v1/reports/",
        {"project": ours.pk, "template": template.pk, "period_start": "2018-06-01"},
        format="json",
    )
    assert started.status_code == 201, started.content
    report = started.json()
    assert report["status"] == "draft" and report["period_end"] == "2018-06-30"
    assert set(report["figures"]) == {"services", "cases_opened", "group_sessions"}
    url = f"/api/v1/reports/{report['id']}/"
    early = manager.post(f"{url}submit/")
    assert early.status_code == 400 and "必填" in early.json()["errors"]["non_field_errors"][0]
    kept = manager.patch(url, {"narrative": "开展入户走访", "values": {"home_visits": "12"}}, format="json")
    assert kept.status_code == 200, kept.content
    assert kept.json()["values"] == {"home_visits": 12}
    problems = manager.patch(url, {"problems": "交通不便"}, format="json").json()
    assert problems["narrative"] == "开展入户走访" and problems["problems"] == "交通不便"
    submitted = manager.post(f"{url}submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert manager.patch(url, {"narrative": "改"}, format="json").status_code == 400  # submitted: frozen
    assert api("wanzhou").post(f"{url}accept/", {}, format="json").status_code == 404
    assert manager.post(f"{url}accept/", {}, format="json").status_code == 403
    unexplained = officer.post(f"{url}return/", {}, format="json")
    assert unexplained.status_code == 400 and list(unexplained.json()["errors"]) == ["comment"]
    accepted = officer.post(f"{url}accept/", {"comment": "很好"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"


def test_reports_are_listed_in_scope(world, projects, api):
    ours, theirs, template = projects
    mine = PeriodicReport.objects.create(
        project=ours,
        template=template,
        period_start="2018-05-01",
        period_end="2018-05-31",
        due_on="2018-06-10",
    )
    other = PeriodicReport.objects.create(
        project=theirs,
        template=template,
        period_start="2018-05-01",
        period_end="2018-05-31",
        due_on="2018-06-10",
    )
    assert _ids(api("chengkou").get("/api/v1/reports/")) == {mine.pk}
    assert _ids(api("wanzhou").get("/api/v1/reports/")) == {other.pk}
    assert _ids(api("worker").get("/api/v1/reports/", {"status": "draft"})) == {mine.pk}
    for method in ("get", "patch"):
        assert (
            getattr(api("chengkou"), method)(f"/api/v1/reports/{other.pk}/", {}, format="json").status_code
            == 404
        )
    assert api("chengkou").post(f"/api/v1/reports/{other.pk}/submit/").status_code == 404
    foreign = api("yangguang").post(
        "/api/v1/reports/",
        {"project": theirs.pk, "template": template.pk, "period_start": "2018-06-01"},
        format="json",
    )
    assert foreign.status_code == 400 and list(foreign.json()["errors"]) == ["project"]

"""County project pages: who sees which project, the list and its filters, the project page with its
progress counted from the records, the agreement's form, milestones and the plan's download."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sanqu.accounts.models import AuditEntry
from sanqu.cases.models import Case
from sanqu.cases.tests.factories import make_beneficiary
from sanqu.orgs.models import Organisation
from sanqu.projects.models import Milestone, Project, ReceivingCounty
from sanqu.projects.tests.factories import make_project, make_year
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
PDF = b"%PDF-1.4\n% plan\n"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _case(world: World, opened_on: dt.date, organisation: Organisation | None = None) -> Case:
    beneficiary = make_beneficiary(f"对象{next(_numbers)}", world.jiming, worker=world.worker_person)
    return Case.objects.create(
        number=f"V-{next(_numbers)}",
        beneficiary=beneficiary,
        worker=world.worker_person,
        organisation=organisation or world.yangguang,
        county=world.chengkou,
        opened_on=opened_on,
    )


def _organisation(world: World, number: int) -> Organisation:
    return Organisation.objects.create(
        name=f"城口县第{number}社会工作服务中心",
        kind=Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        home_county=world.chengkou,
        registered_on=dt.date(2012, 1, 1),
    )


def _form(world: World, **overrides: object) -> dict[str, object]:
    make_year(2018)
    ReceivingCounty.objects.get_or_create(programme_year=make_year(2018), county=world.chengkou)
    data: dict[str, object] = {
        "programme_year": make_year(2018).pk,
        "county": world.chengkou.pk,
        "organisation": world.yangguang.pk,
        "name": "城口县2018年度服务项目",
        "agreement_no": "CK-2018-01",
        "signed_on": "2018-01-05",
        "starts_on": "2018-01-15",
        "ends_on": "2018-12-31",
        "budget": "250000",
        "target_beneficiaries": "120",
        "target_cases": "20",
        "target_group_sessions": "0",
        "target_community_activities": "6",
        "target_trainees": "0",
        "target_volunteer_hours": "300",
    }
    data.update(overrides)
    return data


# Refusals.


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    project = make_project(world)
    for url in ("/projects/", "/projects/new/", f"/projects/{project.pk}/", f"/projects/{project.pk}/plan/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    project = make_project(world)
    milestone = Milestone.objects.create(project=project, title="调研", due_on=dt.date(2017, 3, 1))
    client = as_user("city")
    assert client.post("/projects/").status_code == 405
    assert client.post(f"/projects/{project.pk}/").status_code == 405
    assert client.post(f"/projects/{project.pk}/plan/").status_code == 405
    assert client.get(f"/projects/{project.pk}/milestones/").status_code == 405
    assert client.get(f"/projects/{project.pk}/milestones/{milestone.pk}/done/").status_code == 405


@pytest.mark.parametrize("username", ["city", "leader", "chengkou", "yangguang", "worker"])
def test_the_project_is_seen_by_everyone_in_its_circle(world: World, as_user, username: str) -> None:
    project = make_project(world)
    client = as_user(username)
    assert project.name in client.get("/projects/").content.decode()
    assert client.get(f"/projects/{project.pk}/").status_code == 200


def test_another_county_gets_404_everywhere(world: World, as_user) -> None:
    project = make_project(world)
    project.plan_document.save("plan.pdf", SimpleUploadedFile("plan.pdf", PDF))
    milestone = Milestone.objects.create(project=project, title="调研", due_on=dt.date(2017, 3, 1))
    client = as_user("wanzhou")
    assert project.name not in client.get("/projects/").content.decode()
    for url in (f"/projects/{project.pk}/", f"/projects/{project.pk}/edit/", f"/projects/{project.pk}/plan/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/projects/{project.pk}/milestones/{milestone.pk}/done/", {}).status_code == 404
    assert client.post(f"/projects/{project.pk}/milestones/", {}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT).exists()


def test_the_leader_reads_but_cannot_edit(world: World, as_user) -> None:
    project = make_project(world)
    milestone = Milestone.objects.create(project=project, title="调研", due_on=dt.date(2017, 3, 1))
    client = as_user("leader")
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "修改项目信息" not in page and "标记完成" not in page and "添加节点" not in page
    assert client.get("/projects/new/").status_code == 403
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 403
    assert client.post(f"/projects/{project.pk}/edit/", _form(world)).status_code == 403
    done = {"done_on": "2017-03-01"}
    assert client.post(f"/projects/{project.pk}/milestones/{milestone.pk}/done/", done).status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).done_on is None


def test_the_county_section_cannot_edit_the_agreement(world: World, as_user) -> None:
    project = make_project(world)
    client = as_user("chengkou")
    assert client.get(f"/projects/{project.pk}/edit/").status_code == 403
    assert "登记项目" not in client.get("/projects/").content.decode()


def test_someone_without_projects_is_refused_the_list(world: World, as_user) -> None:
    assert as_user("editor").get("/projects/").status_code == 403
    assert as_user("mentor").get("/projects/").status_code == 403


# The list.


def test_the_list_shows_the_facts_and_a_progress_summary(world: World, as_user) -> None:
    project = make_project(world, budget=Decimal("1234567.5"), target_cases=4, target_beneficiaries=0)
    Project.objects.filter(pk=project.pk).update(
        target_group_sessions=0, target_community_activities=0, target_trainees=0, target_volunteer_hours=0
    )
    _case(world, dt.date(2017, 5, 1))
    page = as_user("chengkou").get("/projects/").content.decode()
    assert "1,234,567.50" in page
    assert "2017年度" in page and "城口县" in page and "重庆扬光社会工作服务中心" in page
    assert "1 项目标平均完成" in page and "<strong>25%</strong>" in page
    assert "已结束" in page


def test_the_list_filters_by_year_county_organisation_and_service_period(world: World, as_user) -> None:
    ended = make_project(world, year=2017)
    running = make_project(world, year=2018)
    later = make_project(
        world, year=2018, organisation=_organisation(world, 1), starts_on=dt.date(2018, 9, 1)
    )
    client = as_user("city")

    def names(query: str) -> set[int]:
        response = client.get(f"/projects/?{query}")
        return {row["project"].pk for row in response.context["rows"]}

    assert names("") == {ended.pk, running.pk, later.pk}
    assert names("year=2017") == {ended.pk}
    assert names(f"organisation={world.yangguang.pk}") == {ended.pk, running.pk}
    assert names(f"county={world.chengkou.pk}") == {ended.pk, running.pk, later.pk}
    assert names("status=active") == {running.pk}
    assert names("status=ended") == {ended.pk}
    assert names("status=upcoming") == {later.pk}
    assert "没有符合筛选条件的项目。" in client.get("/projects/?year=2017&status=upcoming").content.decode()


def test_the_list_says_so_when_there_is_no_project(world: World, as_user) -> None:
    assert "您的权限范围内还没有项目。" in as_user("chengkou").get("/projects/").content.decode()


def test_the_list_costs_the_same_for_two_or_six_projects(world: World, as_user) -> None:
    client = as_user("chengkou")
    for number in range(2):
        make_project(world, organisation=_organisation(world, number))
    client.get("/projects/")  # warm the session and the content types
    with CaptureQueriesContext(connection) as two:
        assert len(client.get("/projects/").context["rows"]) == 2
    for number in range(2, 6):
        make_project(world, organisation=_organisation(world, number))
    with CaptureQueriesContext(connection) as six:
        assert len(client.get("/projects/").context["rows"]) == 6
    assert len(six) == len(two)


# The project page.


def test_the_page_counts_the_records_of_the_organisation_in_the_county_and_period(
    world: World, as_user
) -> None:
    project = make_project(world, target_cases=20, target_trainees=0)
    _case(world, dt.date(2017, 5, 1))  # counts
    _case(world, dt.date(2018, 2, 1))  # after the service period
    _case(world, dt.date(2017, 5, 1), organisation=world.wanzhou_org)  # another organisation
    response = as_user("chengkou").get(f"/projects/{project.pk}/")
    by_target = {row.target: row for row in response.context["progress"]}
    assert (by_target["cases"].goal, by_target["cases"].done, by_target["cases"].percent) == (20, 1, 5)
    page = response.content.decode()
    assert "<strong>1</strong> / 20" in page and "5%" in page
    assert "未设目标" in page  # trainees: no target


def test_the_page_shows_the_agreement_and_flags_overdue_milestones(world: World, as_user) -> None:
    project = make_project(world, year=2018, budget=Decimal("250000"), agreement_no="CK-2018-07")
    Milestone.objects.create(project=project, title="需求调研", due_on=dt.date(2018, 3, 31))
    Milestone.objects.create(
        project=project, title="中期自评", due_on=dt.date(2018, 6, 30), done_on=dt.date(2018, 6, 28)
    )
    Milestone.objects.create(project=project, title="年终总结", due_on=dt.date(2018, 12, 20))
    response = as_user("yangguang").get(f"/projects/{project.pk}/")
    page = response.content.decode()
    assert "CK-2018-07" in page and "250,000.00" in page and "2018-01-01 – 2018-12-31" in page
    assert "1 个节点已逾期" in page
    overdue = [item["milestone"].title for item in response.context["milestones"] if item["overdue"]]
    assert overdue == ["需求调研"]
    assert "2018-06-28 完成" in page
    assert page.count("标记完成") == 2  # the organisation marks its open milestones done
    assert "尚未上传" in page


def test_the_page_says_so_when_there_are_no_milestones(world: World, as_user) -> None:
    project = make_project(world)
    page = as_user("city").get(f"/projects/{project.pk}/").content.decode()
    assert "实施方案还没有登记节点。" in page and "添加节点" in page


# The agreement's form.


def test_the_city_office_registers_a_project_with_its_plan(world: World, as_user) -> None:
    client = as_user("city")
    assert client.get("/projects/new/").status_code == 200
    data = _form(world, plan_document=SimpleUploadedFile("实施方案.pdf", PDF, content_type="application/pdf"))
    response = client.post("/projects/new/", data)
    project = Project.objects.get(agreement_no="CK-2018-01")
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert (project.budget, project.target_cases, project.plan_document_name) == (
        Decimal("250000"),
        20,
        "实施方案.pdf",
    )
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "已登记项目" in page and "实施方案.pdf" in page


def test_a_refusal_of_the_service_comes_back_on_the_form(world: World, as_user) -> None:
    client = as_user("city")
    response = client.post("/projects/new/", _form(world, ends_on="2019-08-01"))
    assert response.status_code == 200
    assert (
        "服务结束日期不能晚于 2018 年度结束日期 2018-12-31 后六个月（即 2019-06-30）。"
        in response.content.decode()
    )
    make_project(world, year=2018)
    response = client.post("/projects/new/", _form(world))
    assert "该机构在这一年度、这一区县已有项目。" in response.content.decode()
    assert Project.objects.count() == 1


def test_the_city_office_edits_the_terms(world: World, as_user) -> None:
    project = make_project(world, year=2018)
    client = as_user("city")
    form = client.get(f"/projects/{project.pk}/edit/").content.decode()
    assert project.name in form and "200000.00" in form
    response = client.post(
        f"/projects/{project.pk}/edit/",
        _form(world, name=project.name, starts_on="2018-01-01", budget="180000.50", target_cases="30"),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.budget, project.target_cases) == (Decimal("180000.50"), 30)


def test_the_plan_downloads_as_an_attachment_with_its_name_and_is_audited(world: World, as_user) -> None:
    project = make_project(world)
    assert as_user("city").get(f"/projects/{project.pk}/plan/").status_code == 404  # none yet
    project.plan_document.save("x.pdf", SimpleUploadedFile("x.pdf", PDF), save=False)
    project.plan_document_name = "城口实施方案.pdf"
    project.plan_content_type = "application/pdf"
    project.save()
    response = as_user("worker").get(f"/projects/{project.pk}/plan/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%E5%9F%8E%E5%8F%A3" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.object_id) == (world["worker"], str(project.pk))


# Milestones.


def test_the_city_office_adds_edits_and_deletes_a_milestone(world: World, as_user) -> None:
    project = make_project(world, year=2018)
    client = as_user("city")
    response = client.post(
        f"/projects/{project.pk}/milestones/",
        {"milestone-title": "完成需求调研", "milestone-due_on": "2018-03-31", "milestone-note": ""},
    )
    assert response.status_code == 302 and response["Location"].endswith("#milestones")
    milestone = project.milestones.get()
    edit = f"/projects/{project.pk}/milestones/{milestone.pk}/edit/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"title": "完成需求调研", "due_on": "2019-03-31", "note": ""})
    assert "计划完成日期须在 2018-01-01 至服务结束日期 2018-12-31 之间。" in response.content.decode()
    assert client.post(edit, {"title": "需求调研报告", "due_on": "2018-04-15", "note": ""}).status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).title == "需求调研报告"
    delete = f"/projects/{project.pk}/milestones/{milestone.pk}/delete/"
    assert "确定删除节点“需求调研报告”" in client.get(delete).content.decode()
    assert client.post(delete).status_code == 302
    assert not project.milestones.exists()


def test_the_organisation_marks_a_milestone_done_but_does_not_plan(world: World, as_user) -> None:
    project = make_project(world, year=2018)
    milestone = Milestone.objects.create(project=project, title="需求调研", due_on=dt.date(2018, 3, 31))
    client = as_user("yangguang")
    url = f"/projects/{project.pk}/milestones/{milestone.pk}/done/"
    response = client.post(url, {"done_on": "2018-07-11"}, follow=True)
    assert "完成日期不能晚于今天。" in response.content.decode()
    assert client.post(url, {"done_on": "2018-04-02"}).status_code == 302
    assert Milestone.objects.get(pk=milestone.pk).done_on == dt.date(2018, 4, 2)
    assert client.get(f"/projects/{project.pk}/milestones/{milestone.pk}/edit/").status_code == 403
    assert client.get(f"/projects/{project.pk}/milestones/{milestone.pk}/delete/").status_code == 403
    added = client.post(
        f"/projects/{project.pk}/milestones/", {"milestone-title": "x", "milestone-due_on": "2018-05-01"}
    )
    assert added.status_code == 403
    assert project.milestones.count() == 1

"""Visit pages: the list and its filters, planning, the visit page with its action forms, closing
with an upload, reopening, the evidence file, my actions, the project-page panel; and refusals."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.tests import test_visit_support as support
from sanqu.projects.tests.test_visit_support import PDF, TODAY, action_of, close, pdf, visit_to
from sanqu.testing import World

working_day_and_files = support.working_day_and_files
project = support.project


def test_it_refuses_anonymous_users_and_wrong_methods(
    world: World, client, as_user, project: Project
) -> None:
    visit = visit_to(world, project)
    response = client.get(reverse("visit_detail", args=[visit.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]
    assert as_user("chengkou").post(reverse("visit_list")).status_code == 405
    assert as_user("chengkou").get(reverse("visit_action_create", args=[visit.pk])).status_code == 405


def test_it_lists_visits_with_action_counts_in_a_fixed_number_of_queries(
    world: World, as_user, project: Project
) -> None:
    browser = as_user("chengkou")

    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(reverse("visit_list")).status_code == 200
        return len(queries)

    action_of(world, visit_to(world, project), due_on=dt.date(2017, 9, 10))
    few = list_queries()
    for _ in range(6):
        visit = visit_to(world, project)
        action_of(world, visit)
        action_of(world, visit, owner="worker")
    visit_to(world, station=world.station, visited_on=None, findings="")
    assert list_queries() == few
    page = browser.get(reverse("visit_list")).content.decode()
    assert "未销号 1" in page and "逾期 1" in page and "鸡鸣乡社会工作站" in page


def test_it_filters_the_list(world: World, as_user, project: Project) -> None:
    visit_to(world, project, purpose="季度督查一")
    visit_to(world, project, kind="field_visit", purpose="入户走访二", visited_on=None, findings="")
    with_action = visit_to(world, project, purpose="专项督查三")
    action_of(world, with_action)
    browser = as_user("chengkou")
    page = browser.get(reverse("visit_list"), {"state": "planned"}).content.decode()
    assert "入户走访二" in page and "季度督查一" not in page
    page = browser.get(reverse("visit_list"), {"open_actions": "on"}).content.decode()
    assert "专项督查三" in page and "季度督查一" not in page
    page = browser.get(
        reverse("visit_list"), {"kind": "field_visit", "county": world.chengkou.pk}
    ).content.decode()
    assert "入户走访二" in page and "专项督查三" not in page
    page = browser.get(reverse("visit_list"), {"kind": "field_visit", "state": "done"}).content.decode()
    assert "没有符合筛选条件的督查走访。" in page


def test_it_shows_the_empty_list_and_the_plan_button_to_the_county_section(world: World, as_user) -> None:
    page = as_user("chengkou").get(reverse("visit_list")).content.decode()
    assert "您的权限范围内还没有督查走访记录。" in page and reverse("visit_create") in page
    page = as_user("leader").get(reverse("visit_list")).content.decode()
    assert reverse("visit_create") not in page
    assert as_user("editor").get(reverse("visit_list")).status_code == 403


def test_it_plans_a_visit_from_the_project_preselected(world: World, as_user, project: Project) -> None:
    browser = as_user("chengkou")
    page = browser.get(reverse("visit_create"), {"project": project.pk}).content.decode()
    assert f'<option value="{project.pk}" selected>' in page
    response = browser.post(
        reverse("visit_create"),
        {
            "kind": "inspection",
            "project": project.pk,
            "planned_on": "2017-09-25",
            "visitors": "张三(县民政局)",
        },
    )
    visit = MonitoringVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visit_detail", args=[visit.pk])
    assert visit.county == world.chengkou and not visit.done
    follow = browser.get(response["Location"]).content.decode()
    assert (
        "已安排督查走访，计划日期 2017-09-25。" in follow
        and reverse("visit_record", args=[visit.pk]) in follow
    )


def test_it_shows_the_refusal_on_the_form_and_saves_nothing(world: World, as_user, project: Project) -> None:
    response = as_user("chengkou").post(
        reverse("visit_create"),
        {
            "kind": "inspection",
            "project": project.pk,
            "station": world.station.pk,
            "planned_on": "2017-09-25",
            "visitors": "张三",
        },
    )
    assert response.status_code == 200
    assert "请选择走访的项目或服务站点（二选一）。" in response.content.decode()
    assert not MonitoringVisit.objects.exists()


def test_it_keeps_planning_from_those_who_only_read(world: World, as_user, project: Project) -> None:
    for username in ("leader", "yangguang", "worker"):
        assert as_user(username).get(reverse("visit_create")).status_code == 403
    # The outsider sees no 城口 project to choose, and cannot force one.
    browser = as_user("wanzhou")
    assert project.name not in browser.get(reverse("visit_create")).content.decode()
    browser.post(
        reverse("visit_create"),
        {"kind": "inspection", "project": project.pk, "planned_on": "2017-09-25", "visitors": "李四"},
    )
    assert not MonitoringVisit.objects.exists()


def test_it_records_a_planned_visit(world: World, as_user, project: Project) -> None:
    visit = visit_to(world, project, visited_on=None, findings="")
    browser = as_user("chengkou")
    assert browser.get(reverse("visit_record", args=[visit.pk])).status_code == 200
    response = browser.post(
        reverse("visit_record", args=[visit.pk]),
        {"visited_on": "2017-09-14", "visitors": "张三、李四", "findings": "服务台账齐全。"},
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2017, 9, 14) and visit.visitors == "张三、李四"
    response = browser.post(reverse("visit_record", args=[visit.pk]), {})
    assert response.status_code == 302  # already recorded: back to the visit
    assert as_user("leader").get(reverse("visit_record", args=[visit.pk])).status_code == 403


def test_it_shows_the_visit_with_actions_and_the_forms_each_user_may_use(
    world: World, as_user, project: Project
) -> None:
    visit = visit_to(world, project)
    overdue = action_of(world, visit, owner="yangguang", due_on=dt.date(2017, 9, 10))
    action_of(world, visit, owner="worker")
    county = as_user("chengkou").get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert "个案记录不完整" in county and "已逾期" in county and "添加整改事项" in county
    assert county.count(">销号</summary>") == 2
    manager = as_user("yangguang").get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert "添加整改事项" not in manager and manager.count(">销号</summary>") == 1
    assert reverse("visit_action_close", args=[overdue.pk]) in manager
    leader = as_user("leader").get(reverse("visit_detail", args=[visit.pk])).content.decode()
    assert ">销号</summary>" not in leader and "修改记录" not in leader


def test_it_adds_an_action_and_refuses_an_owner_outside(world: World, as_user, project: Project) -> None:
    visit = visit_to(world, project)
    browser = as_user("chengkou")
    url = reverse("visit_action_create", args=[visit.pk])
    response = browser.post(
        url, {"action": "补齐台账", "owner": world["yangguang"].pk, "due_on": "2017-09-30"}
    )
    assert response.status_code == 302
    assert VisitAction.objects.get().owner == world["yangguang"]
    response = browser.post(url, {"action": "补齐台账", "owner": world["wanzhou"].pk, "due_on": "2017-09-30"})
    assert response.status_code == 200 and VisitAction.objects.count() == 1
    assert as_user("yangguang").post(url, {"action": "x"}).status_code == 403


def test_it_lets_yangguang_close_the_action_it_owns_with_an_upload(
    world: World, as_user, project: Project
) -> None:
    action = action_of(world, visit_to(world, project))
    browser = as_user("yangguang")
    prefix = f"a{action.pk}"
    response = browser.post(
        reverse("visit_action_close", args=[action.pk]),
        {f"{prefix}-outcome": "已补齐", f"{prefix}-closed_on": "2017-09-14", f"{prefix}-evidence": pdf()},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.closed_on == dt.date(2017, 9, 14) and action.closed_by == world["yangguang"]
    page = browser.get(reverse("visit_detail", args=[action.visit_id])).content.decode()
    assert (
        "整改事项“补齐个案记录”已销号。" in page
        and reverse("visit_action_evidence", args=[action.pk]) in page
    )


def test_it_refuses_closing_without_a_file_and_shows_why(world: World, as_user, project: Project) -> None:
    action = action_of(world, visit_to(world, project))
    prefix = f"a{action.pk}"
    response = as_user("yangguang").post(
        reverse("visit_action_close", args=[action.pk]),
        {f"{prefix}-outcome": "已补齐", f"{prefix}-closed_on": "2017-09-14"},
    )
    assert response.status_code == 200 and "佐证材料" in response.content.decode()
    assert VisitAction.objects.get(pk=action.pk).is_open
    response = as_user("worker").post(
        reverse("visit_action_close", args=[action.pk]),
        {f"{prefix}-outcome": "已补齐", f"{prefix}-closed_on": "2017-09-14", f"{prefix}-evidence": pdf()},
    )
    assert response.status_code == 403  # she sees it, but neither owns nor supervises it


def test_it_reopens_a_closed_action_with_a_reason_shown_to_the_owner(
    world: World, as_user, project: Project
) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    prefix = f"a{action.pk}"
    url = reverse("visit_action_reopen", args=[action.pk])
    assert as_user("city").post(url, {f"{prefix}-reason": "不行"}).status_code == 403
    assert as_user("chengkou").post(url, {f"{prefix}-reason": "照片看不清"}).status_code == 302
    assert VisitAction.objects.get(pk=action.pk).is_open
    page = as_user("yangguang").get(reverse("visit_detail", args=[action.visit_id])).content.decode()
    assert "已重新打开：照片看不清" in page and "上次整改情况" in page


def test_it_hides_a_chengkou_visit_its_action_and_evidence_from_the_wanzhou_officer(
    world: World, as_user, project: Project
) -> None:
    visit = visit_to(world, project)
    action = action_of(world, visit)
    close(world, action)
    browser = as_user("wanzhou")
    prefix = f"a{action.pk}"
    for url in (
        reverse("visit_detail", args=[visit.pk]),
        reverse("visit_record", args=[visit.pk]),
        reverse("visit_edit", args=[visit.pk]),
        reverse("visit_action_evidence", args=[action.pk]),
    ):
        assert browser.get(url).status_code == 404, url
    assert browser.post(reverse("visit_action_create", args=[visit.pk]), {}).status_code == 404
    assert browser.post(reverse("visit_action_close", args=[action.pk]), {}).status_code == 404
    assert (
        browser.post(reverse("visit_action_reopen", args=[action.pk]), {f"{prefix}-reason": "x"}).status_code
        == 404
    )
    assert "补齐个案记录" not in browser.get(reverse("visit_list")).content.decode()


def test_it_serves_the_evidence_privately_and_audits_the_read(
    world: World, as_user, project: Project
) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    response = as_user("worker").get(reverse("visit_action_evidence", args=[action.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "no-store" in response["Cache-Control"]
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.UNMASK, actor=world["worker"], object_id=str(action.pk)
    ).exists()


def test_it_lets_the_worker_read_her_organisations_project_visits(
    world: World, as_user, project: Project
) -> None:
    visit = visit_to(world, project)
    browser = as_user("worker")
    assert browser.get(reverse("visit_detail", args=[visit.pk])).status_code == 200
    assert project.name in browser.get(reverse("visit_list")).content.decode()


def test_it_lists_my_open_then_closed_actions(world: World, as_user, project: Project) -> None:
    visit = visit_to(world, project)
    action_of(world, visit, due_on=dt.date(2017, 9, 10))
    done = action_of(world, visit)
    done.action = "整理档案"
    done.save()
    close(world, done)
    action_of(world, visit, owner="worker")
    page = as_user("yangguang").get(reverse("my_actions")).content.decode()
    assert "我的整改事项" in page and "已逾期" in page
    assert page.index("补齐个案记录") < page.index("整理档案")
    assert page.count("record visit-action") == 2
    empty = as_user("worker").get(reverse("my_actions")).content.decode()
    assert "还没有销号的整改事项。" in empty


def test_it_fills_the_project_page_panel(world: World, project: Project, rf) -> None:
    visit = visit_to(world, project)
    action_of(world, visit, due_on=dt.date(2017, 9, 10))
    visit_to(world, project, visited_on=None, findings="", planned_on=dt.date(2017, 10, 8))

    def panel(username: str) -> str:
        request = rf.get("/")
        request.user = world[username]
        return render_to_string(
            "projects/visits/_for_project.html",
            {"project": project, "user": world[username], "today": TODAY},
            request=request,
        )

    county = panel("chengkou")
    assert "未销号 1" in county and "逾期 1" in county and "计划 2017-10-08" in county
    assert county.index("计划 2017-10-08") < county.index("2017-09-05")  # newest first
    assert f"{reverse('visit_create')}?project={project.pk}" in county
    manager = panel("yangguang")
    assert "未销号 1" in manager and reverse("visit_create") not in manager
    assert panel("editor").strip() == "" or "督查走访" not in panel("editor")


def test_it_edits_a_visit_until_an_action_is_closed(world: World, as_user, project: Project) -> None:
    visit = visit_to(world, project)
    browser = as_user("chengkou")
    url = reverse("visit_edit", args=[visit.pk])
    page = browser.get(url).content.decode()
    assert "季度督查" in page and 'name="project"' not in page
    data = {
        "kind": "field_visit",
        "planned_on": "2017-09-01",
        "visited_on": "2017-09-05",
        "visitors": "张三",
        "purpose": "回访",
        "findings": "已整改。",
    }
    assert browser.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert visit.kind == "field_visit" and visit.purpose == "回访"
    response = browser.post(url, {**data, "visited_on": "2017-12-01"})
    assert response.status_code == 200 and "走访日期不能晚于今天。" in response.content.decode()
    close(world, action_of(world, visit))
    response = browser.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("visit_detail", args=[visit.pk])
    assert as_user("yangguang").get(url).status_code == 403

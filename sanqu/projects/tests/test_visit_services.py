"""Visit services: planning and recording, actions with owners who see the place, closing with
evidence (nothing half-saved, no stray file), reopening with an audited reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.accounts.roles import Role
from sanqu.projects import visit_services as services
from sanqu.projects.models import MonitoringVisit, Project, VisitAction
from sanqu.projects.tests import test_visit_support as support
from sanqu.projects.tests.factories import make_project
from sanqu.projects.tests.test_visit_support import PDF, TODAY, action_of, close, private_files, visit_to
from sanqu.regions.models import Station
from sanqu.testing import World, make_person, make_user

working_day_and_files = support.working_day_and_files
project = support.project


def refusal(error: pytest.ExceptionInfo[ValidationError], field: str | None = None) -> str:
    if field is None:
        return " ".join(error.value.messages)
    return " ".join(error.value.message_dict[field])


def audit_of(obj) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
    )


# Planning and recording.


def test_it_plans_a_visit_to_a_project_in_the_projects_county(world: World, project: Project) -> None:
    visit = visit_to(world, project, visited_on=None, findings="", planned_on=dt.date(2017, 10, 10))
    assert visit.county == world.chengkou and not visit.done
    assert visit.created_by == world["chengkou"]
    assert [entry.action for entry in audit_of(visit)] == [AuditEntry.Action.CREATE]


def test_it_plans_a_visit_to_a_station_with_the_stations_county(world: World) -> None:
    visit = visit_to(world, station=world.station, visited_on=None, findings="")
    assert visit.county == world.chengkou and visit.project is None


def test_it_lets_the_city_office_plan_a_visit_anywhere(world: World, project: Project) -> None:
    visit = services.visit_plan(
        actor=world["city"], kind="field_visit", project=project, planned_on=TODAY, visitors="市局社会工作处"
    )
    assert visit.county == world.chengkou


def test_it_refuses_a_project_outside_the_actors_counties(world: World, project: Project) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_plan(
            actor=world["wanzhou"], kind="inspection", project=project, planned_on=TODAY, visitors="李四"
        )
    assert refusal(error, "project") == "只能登记对您所督查项目的走访：该项目不在您负责的区县。"
    assert not MonitoringVisit.objects.exists()


def test_it_refuses_a_station_outside_the_actors_counties(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        services.visit_plan(
            actor=world["wanzhou"],
            kind="inspection",
            station=world.station,
            planned_on=TODAY,
            visitors="李四",
        )
    assert refusal(error, "station") == "只能登记对您所负责区县内服务站点的走访。"


def test_it_leaves_planning_to_the_supervising_side(world: World, project: Project) -> None:
    for username in ("yangguang", "worker", "leader"):
        with pytest.raises(PermissionDenied):
            services.visit_plan(
                actor=world[username], kind="inspection", project=project, planned_on=TODAY, visitors="某某"
            )


def test_it_asks_for_a_project_or_a_station_not_both(world: World, project: Project) -> None:
    for target in ({}, {"project": project, "station": world.station}):
        with pytest.raises(ValidationError) as error:
            services.visit_plan(
                actor=world["chengkou"], kind="inspection", planned_on=TODAY, visitors="张三", **target
            )
        assert refusal(error, "project") == "请选择走访的项目或服务站点（二选一）。"


def test_it_refuses_a_visit_date_after_today_and_a_record_without_findings(
    world: World, project: Project
) -> None:
    with pytest.raises(ValidationError) as error:
        visit_to(world, project, visited_on=TODAY + dt.timedelta(days=1))
    assert refusal(error, "visited_on") == "走访日期不能晚于今天。"
    with pytest.raises(ValidationError) as error:
        visit_to(world, project, findings="  ")
    assert refusal(error, "findings") == "登记走访情况须填写发现的情况。"
    with pytest.raises(ValidationError) as error:
        visit_to(world, project, visitors=" ")
    assert refusal(error, "visitors") == "请填写参加人员。"
    assert not MonitoringVisit.objects.exists()


def test_it_records_a_visit_that_took_place_before_its_planned_date(world: World, project: Project) -> None:
    visit = visit_to(world, project, visited_on=None, findings="", planned_on=dt.date(2017, 9, 20))
    services.visit_record(
        actor=world["chengkou"], visit=visit, visited_on=dt.date(2017, 9, 12), findings="台账规范。"
    )
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2017, 9, 12) and visit.findings == "台账规范。"
    assert audit_of(visit)[-1].detail == {"changed": ["findings", "visited_on"]}


def test_it_refuses_recording_without_findings_twice_or_in_the_future(world: World, project: Project) -> None:
    visit = visit_to(world, project, visited_on=None, findings="")
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world["chengkou"], visit=visit, visited_on=TODAY, findings="")
    assert refusal(error, "findings") == "登记走访情况须填写发现的情况。"
    with pytest.raises(ValidationError) as error:
        services.visit_record(
            actor=world["chengkou"], visit=visit, visited_on=TODAY + dt.timedelta(days=3), findings="好"
        )
    assert refusal(error, "visited_on") == "走访日期不能晚于今天。"
    services.visit_record(actor=world["chengkou"], visit=visit, visited_on=TODAY, findings="好")
    with pytest.raises(ValidationError) as error:
        services.visit_record(actor=world["chengkou"], visit=visit, visited_on=TODAY, findings="再来")
    assert refusal(error) == "这次督查走访已经登记过走访情况，如需更正请修改记录。"


def test_it_hides_a_visit_from_the_outsider_and_refuses_the_reader(world: World, project: Project) -> None:
    visit = visit_to(world, project, visited_on=None, findings="")
    with pytest.raises(Http404):
        services.visit_record(actor=world["wanzhou"], visit=visit, visited_on=TODAY, findings="x")
    with pytest.raises(PermissionDenied):
        services.visit_record(actor=world["leader"], visit=visit, visited_on=TODAY, findings="x")


def test_it_updates_a_visit_until_an_action_is_closed(world: World, project: Project) -> None:
    visit = visit_to(world, project)
    action = action_of(world, visit)
    services.visit_update(actor=world["chengkou"], visit=visit, data={"purpose": "专项督查"})
    assert MonitoringVisit.objects.get(pk=visit.pk).purpose == "专项督查"
    with pytest.raises(ValidationError) as error:
        services.visit_update(actor=world["chengkou"], visit=visit, data={"visited_on": None, "findings": ""})
    assert refusal(error, "visited_on") == "这次督查走访已有整改事项，须保留走访日期。"
    visit.refresh_from_db()
    close(world, action)
    with pytest.raises(ValidationError) as error:
        services.visit_update(actor=world["chengkou"], visit=visit, data={"purpose": "再改"})
    assert refusal(error) == "已有整改事项销号，这次督查走访的记录不能再修改。"
    assert MonitoringVisit.objects.get(pk=visit.pk).purpose == "专项督查"


# Actions.


def test_it_adds_actions_owned_by_whoever_sees_the_project(world: World, project: Project) -> None:
    visit = visit_to(world, project)
    for owner in ("yangguang", "worker", "chengkou"):
        action = action_of(world, visit, owner=owner)
        assert action.owner == world[owner] and action.is_open
    assert audit_of(action)[0].action == AuditEntry.Action.CREATE


def test_it_refuses_an_owner_who_does_not_see_the_project(world: World, project: Project) -> None:
    visit = visit_to(world, project)
    other_org_manager = make_user(
        "wanzhou_manager", (Role.ORG_MANAGER, world.wanzhou, {"organisation": world.wanzhou_org})
    )
    for owner in (world["wanzhou"], world["mentor"], other_org_manager, world["leader"]):
        with pytest.raises(ValidationError) as error:
            services.action_add(
                actor=world["chengkou"], visit=visit, action="整改", owner=owner, due_on=TODAY
            )
        assert refusal(error, "owner") == (
            "责任人须是能看到该项目(站点)的人：机构负责人、派驻的社工或区县专门科室。"
        )
    assert not VisitAction.objects.exists()


def test_it_lets_a_worker_posted_at_the_station_own_its_action(world: World) -> None:
    visit = visit_to(world, station=world.station)
    action = action_of(world, visit, owner="worker")
    assert action.owner == world["worker"]
    with pytest.raises(ValidationError):
        action_of(world, visit, owner="yangguang")  # the station is not run by 阳光


def test_it_refuses_an_action_before_the_visit_is_recorded_or_due_before_it(
    world: World, project: Project
) -> None:
    planned = visit_to(world, project, visited_on=None, findings="")
    with pytest.raises(ValidationError) as error:
        action_of(world, planned)
    assert refusal(error) == "请先登记走访情况，再添加整改事项。"
    visit = visit_to(world, project)
    with pytest.raises(ValidationError) as error:
        action_of(world, visit, due_on=dt.date(2017, 9, 4))
    assert refusal(error, "due_on") == "完成期限不能早于走访日期。"
    with pytest.raises(ValidationError) as error:
        services.action_add(
            actor=world["chengkou"], visit=visit, action=" ", owner=world["worker"], due_on=TODAY
        )
    assert refusal(error, "action") == "请填写整改事项。"


def test_it_leaves_adding_actions_to_the_supervising_side(world: World, project: Project) -> None:
    visit = visit_to(world, project)
    with pytest.raises(PermissionDenied):
        services.action_add(
            actor=world["yangguang"], visit=visit, action="x", owner=world["worker"], due_on=TODAY
        )
    with pytest.raises(Http404):
        services.action_add(
            actor=world["wanzhou"], visit=visit, action="x", owner=world["worker"], due_on=TODAY
        )


# Closing with evidence.


def test_it_lets_the_owner_close_with_outcome_and_evidence(
    world: World, project: Project, working_day_and_files: Path
) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    action.refresh_from_db()
    assert action.closed_on == TODAY and action.closed_by == world["yangguang"]
    assert action.outcome == "已补齐 12 份个案记录。"
    assert action.evidence_name == "整改报告.pdf" and action.evidence_content_type == "application/pdf"
    stored = private_files(working_day_and_files)
    assert len(stored) == 1 and stored[0].read_bytes() == PDF and "整改" not in str(stored[0])
    assert audit_of(action)[-1].detail["changed"] == [
        "closed_by",
        "closed_on",
        "evidence",
        "evidence_content_type",
        "evidence_name",
        "outcome",
    ]


def test_it_lets_the_county_section_close_an_action_it_does_not_own(world: World, project: Project) -> None:
    action = action_of(world, visit_to(world, project), owner="worker")
    close(world, action, actor="chengkou")
    assert VisitAction.objects.get(pk=action.pk).closed_by == world["chengkou"]


def test_it_refuses_closing_by_someone_who_neither_owns_nor_supervises(
    world: World, project: Project
) -> None:
    action = action_of(world, visit_to(world, project), owner="worker")
    with pytest.raises(PermissionDenied):
        close(world, action, actor="yangguang")
    with pytest.raises(PermissionDenied):
        close(world, action, actor="leader")
    with pytest.raises(Http404):
        close(world, action, actor="wanzhou")
    assert VisitAction.objects.get(pk=action.pk).is_open


def test_it_refuses_closing_without_evidence_and_changes_nothing(
    world: World, project: Project, working_day_and_files: Path
) -> None:
    action = action_of(world, visit_to(world, project))
    entries = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as error:
        close(world, action, evidence=None)
    assert refusal(error, "evidence") == "销号须上传佐证材料（PDF、JPEG 或 PNG）。"
    with pytest.raises(ValidationError) as error:
        close(world, action, evidence=SimpleUploadedFile("报告.docx", b"PK\x03\x04 word", content_type="x"))
    assert refusal(error, "evidence") == "文件“报告.docx”的格式不受支持：只接受 PDF、JPEG 或 PNG。"
    with pytest.raises(ValidationError) as error:
        close(world, action, outcome=" ")
    assert refusal(error, "outcome") == "请填写整改情况。"
    with pytest.raises(ValidationError) as error:
        close(world, action, closed_on=TODAY + dt.timedelta(days=1))
    assert refusal(error, "closed_on") == "完成日期不能晚于今天。"
    with pytest.raises(ValidationError) as error:
        close(world, action, closed_on=dt.date(2017, 9, 1))
    assert refusal(error, "closed_on") == "完成日期不能早于走访日期。"
    stored = VisitAction.objects.get(pk=action.pk)
    assert stored.is_open and stored.outcome == "" and not stored.evidence and stored.closed_by is None
    assert AuditEntry.objects.count() == entries
    assert private_files(working_day_and_files) == []


def test_it_removes_the_evidence_file_when_the_transaction_fails(
    world: World, project: Project, working_day_and_files: Path, monkeypatch
) -> None:
    action = action_of(world, visit_to(world, project))

    def failing_record(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("sanqu.accounts.services.audit.record", failing_record)
    with pytest.raises(RuntimeError):
        close(world, action)
    stored = VisitAction.objects.get(pk=action.pk)
    assert stored.is_open and not stored.evidence
    assert private_files(working_day_and_files) == []


def test_it_refuses_closing_twice(world: World, project: Project) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    with pytest.raises(ValidationError) as error:
        close(world, action)
    assert refusal(error) == "该整改事项已经销号。"


# Reopening.


def test_it_lets_the_county_section_reopen_with_an_audited_reason(world: World, project: Project) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    services.action_reopen(actor=world["chengkou"], action=action, reason="佐证材料不清晰，请补充照片。")
    action.refresh_from_db()
    assert action.is_open and action.closed_by is None
    assert action.outcome and action.evidence  # the last submission stays until closed again
    entry = audit_of(action)[-1]
    assert entry.actor == world["chengkou"]
    assert entry.detail == {
        "changed": ["closed_by", "closed_on"],
        "reopen_reason": "佐证材料不清晰，请补充照片。",
    }


def test_it_keeps_reopening_to_the_county_section(world: World, project: Project) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    for username in ("city", "yangguang", "leader"):
        with pytest.raises(PermissionDenied):
            services.action_reopen(actor=world[username], action=action, reason="不行")
    with pytest.raises(Http404):
        services.action_reopen(actor=world["wanzhou"], action=action, reason="不行")
    with pytest.raises(ValidationError) as error:
        services.action_reopen(actor=world["chengkou"], action=action, reason=" ")
    assert refusal(error, "reason") == "请填写重新打开的理由。"
    assert not VisitAction.objects.get(pk=action.pk).is_open


def test_it_refuses_reopening_an_open_action(world: World, project: Project) -> None:
    action = action_of(world, visit_to(world, project))
    with pytest.raises(ValidationError) as error:
        services.action_reopen(actor=world["chengkou"], action=action, reason="再看看")
    assert refusal(error) == "该整改事项尚未销号，无需重新打开。"


def test_it_replaces_the_evidence_when_a_reopened_action_is_closed_again(
    world: World, project: Project, working_day_and_files: Path, django_capture_on_commit_callbacks
) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    services.action_reopen(actor=world["chengkou"], action=action, reason="照片不清晰")
    action.refresh_from_db()
    png = SimpleUploadedFile("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        close(world, action, evidence=png, outcome="补充了现场照片。")
    stored = private_files(working_day_and_files)
    assert len(stored) == 1 and stored[0].suffix == ".png"
    assert VisitAction.objects.get(pk=action.pk).evidence_name == "现场照片.png"


# Evidence.


def test_it_audits_opening_the_evidence_and_hides_it_from_the_outsider(
    world: World, project: Project
) -> None:
    action = action_of(world, visit_to(world, project))
    close(world, action)
    services.evidence_open(actor=world["worker"], action=action)
    entry = audit_of(action)[-1]
    assert entry.action == AuditEntry.Action.UNMASK and entry.actor == world["worker"]
    with pytest.raises(Http404):
        services.evidence_open(actor=world["wanzhou"], action=action)


def test_it_lets_a_worker_of_the_organisation_posted_in_the_county_own_an_action(world: World) -> None:
    other = make_project(world, year=2018, name="城口县2018年度项目")
    person = make_person("赵敏", world.chengkou, organisation=world.yangguang)
    owner = make_user("zhaomin", (Role.SOCIAL_WORKER, world.chengkou, {"person": person}))
    outsider = make_user(
        "qianli", (Role.SOCIAL_WORKER, world.chengkou, {"person": make_person("钱力", world.chengkou)})
    )
    visit = visit_to(world, other)
    action = services.action_add(actor=world["chengkou"], visit=visit, action="x", owner=owner, due_on=TODAY)
    assert action.owner == owner
    with pytest.raises(ValidationError):  # posted in the county, but not one of 阳光's workers
        services.action_add(actor=world["chengkou"], visit=visit, action="x", owner=outsider, due_on=TODAY)


def test_it_lets_the_stations_operator_own_an_action_of_a_station_visit(world: World) -> None:
    station = Station.objects.create(
        name="岚天乡社会工作站", region=world.jiming, organisation=world.yangguang
    )
    visit = visit_to(world, station=station)
    assert action_of(world, visit, owner="yangguang").owner == world["yangguang"]

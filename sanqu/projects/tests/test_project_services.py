"""County projects: the agreement's rules, the plan's file, milestones; every refusal leaves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.orgs.models import Organisation
from sanqu.projects import project_services as services
from sanqu.projects.models import Milestone, Project, ReceivingCounty
from sanqu.projects.tests.factories import make_year
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
PDF = b"%PDF-1.4\n% plan\n"
DOCX = b"PK\x03\x04" + b"\x00" * 40


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _plan_files() -> set[Path]:
    folder = Path(django_settings.MEDIA_ROOT).parent / "private" / "projects"
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def _terms(world: World, **overrides: Any) -> dict[str, Any]:
    """A 2018 agreement of 扬光 in 城口 (城口 takes part in 2018)."""
    year = make_year(2018)
    ReceivingCounty.objects.get_or_create(programme_year=year, county=world.chengkou)
    terms: dict[str, Any] = {
        "programme_year": year,
        "county": world.chengkou,
        "organisation": world.yangguang,
        "name": "城口县2018年度三区计划社会工作服务项目",
        "agreement_no": "CK-2018-01",
        "signed_on": dt.date(2018, 1, 5),
        "starts_on": dt.date(2018, 1, 15),
        "ends_on": dt.date(2018, 12, 31),
        "budget": Decimal("250000.00"),
        "targets": {"cases": 20, "beneficiaries": 120},
    }
    terms.update(overrides)
    return terms


def _create(world: World, actor: str = "city", **overrides: Any) -> Project:
    return services.project_create(actor=world[actor], **_terms(world, **overrides))


def _refusal(world: World, **overrides: Any) -> dict[str, list[str]]:
    before = Project.objects.count()
    with pytest.raises(ValidationError) as refusal:
        _create(world, **overrides)
    assert Project.objects.count() == before
    return refusal.value.message_dict


# Creating and updating.


def test_it_registers_a_project_with_its_targets_and_an_audit_entry(world: World) -> None:
    project = _create(world)
    assert (project.target_cases, project.target_beneficiaries, project.target_trainees) == (20, 120, 0)
    assert project.created_by == world["city"]
    entry = AuditEntry.objects.get(object_type="projects.project", object_id=str(project.pk))
    assert entry.action == AuditEntry.Action.CREATE and "budget" in entry.detail["changed"]


def test_it_refuses_a_county_that_does_not_take_part_in_the_year(world: World) -> None:
    errors = _refusal(world, county=world.wanzhou)
    assert errors["county"] == ["万州区 不是 2018 年度的受援区县，不能在该年度登记项目。"]


def test_it_refuses_an_organisation_deregistered_or_not_yet_registered(world: World) -> None:
    world.yangguang.deregistered_on = dt.date(2017, 12, 1)
    world.yangguang.save()
    assert _refusal(world)["organisation"] == [
        "重庆扬光社会工作服务中心 已于 2017-12-01 注销，不能签订服务协议。"
    ]
    late = Organisation.objects.create(
        name="城口县新立社工中心",
        kind=Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        home_county=world.chengkou,
        registered_on=dt.date(2018, 3, 1),
    )
    assert _refusal(world, organisation=late)["organisation"] == [
        "城口县新立社工中心 于 2018-03-01 才登记，晚于协议签订日期。"
    ]


def test_it_refuses_dates_out_of_reason(world: World) -> None:
    assert _refusal(world, ends_on=dt.date(2018, 1, 15))["ends_on"] == ["服务结束日期须晚于开始日期。"]
    assert _refusal(world, starts_on=dt.date(2017, 12, 20))["starts_on"] == [
        "服务开始日期不能早于 2018 年度的开始日期 2018-01-01。"
    ]
    assert _refusal(world, ends_on=dt.date(2019, 7, 1))["ends_on"] == [
        "服务结束日期不能晚于 2018 年度结束日期 2018-12-31 后六个月（即 2019-06-30）。"
    ]
    assert _refusal(world, signed_on=dt.date(2018, 7, 11))["signed_on"] == ["协议签订日期不能晚于今天。"]
    # Six months after the year's end is still within reason, and so is a start before the signing.
    assert _create(world, ends_on=dt.date(2019, 6, 30), signed_on=dt.date(2018, 2, 1)).pk


def test_it_refuses_a_negative_budget_or_one_below_the_fen(world: World) -> None:
    assert _refusal(world, budget=Decimal("-1"))["budget"] == ["项目经费不能为负数。"]
    assert _refusal(world, budget=Decimal("100.005"))["budget"] == ["项目经费最多保留两位小数（到分）。"]
    assert _create(world, budget=Decimal("0")).budget == 0


def test_it_refuses_a_negative_target_naming_it(world: World) -> None:
    errors = _refusal(world, targets={"group_sessions": -3})
    assert errors["target_group_sessions"] == ["目标“小组活动(节)”不能为负数。"]


def test_it_refuses_a_second_project_for_the_same_year_county_and_organisation(world: World) -> None:
    _create(world)
    errors = _refusal(world, name="另一个项目")
    assert errors["organisation"] == ["该机构在这一年度、这一区县已有项目。"]


def test_only_the_city_office_signs_and_edits(world: World) -> None:
    for actor in ("chengkou", "leader", "yangguang", "worker"):
        with pytest.raises(PermissionDenied):
            _create(world, actor=actor)
    project = _create(world)
    with pytest.raises(PermissionDenied):
        services.project_update(actor=world["chengkou"], project=project, data={"name": "改名"})
    with pytest.raises(Http404):
        services.project_update(actor=world["wanzhou"], project=project, data={"name": "改名"})
    assert Project.objects.get(pk=project.pk).name == "城口县2018年度三区计划社会工作服务项目"


def test_it_updates_the_terms_and_names_the_changed_fields(world: World) -> None:
    project = _create(world)
    services.project_update(
        actor=world["city"], project=project, data={"budget": Decimal("260000.50"), "target_cases": 25}
    )
    project.refresh_from_db()
    assert (project.budget, project.target_cases) == (Decimal("260000.50"), 25)
    entry = AuditEntry.objects.filter(object_id=str(project.pk), action=AuditEntry.Action.UPDATE).get()
    assert entry.detail["changed"] == ["budget", "target_cases"]


def test_an_update_breaking_a_rule_changes_nothing(world: World) -> None:
    project = _create(world)
    with pytest.raises(ValidationError) as refusal:
        services.project_update(
            actor=world["city"],
            project=project,
            data={"ends_on": dt.date(2018, 1, 1), "budget": Decimal("1")},
        )
    assert refusal.value.message_dict["ends_on"] == ["服务结束日期须晚于开始日期。"]
    project.refresh_from_db()
    assert project.budget == Decimal("250000.00")


# The plan.


def test_it_stores_the_plan_under_a_random_name_with_its_original_name(world: World) -> None:
    project = _create(world, plan_document=SimpleUploadedFile("城口实施方案.pdf", PDF))
    assert project.plan_document_name == "城口实施方案.pdf"
    assert project.plan_content_type == "application/pdf"
    assert "城口" not in project.plan_document.name and project.plan_document.name.endswith(".pdf")
    with project.plan_document.open("rb") as handle:
        assert handle.read() == PDF


def test_it_accepts_a_word_document_and_refuses_a_spreadsheet(world: World) -> None:
    files = _plan_files()
    errors = _refusal(world, plan_document=SimpleUploadedFile("预算.xlsx", DOCX))
    assert errors["plan_document"] == ["文件“预算.xlsx”的格式不受支持：只接受 PDF、Word 或图片。"]
    errors = _refusal(world, plan_document=SimpleUploadedFile("方案.txt", b"just text"))
    assert errors["plan_document"] == ["文件“方案.txt”的格式不受支持：只接受 PDF、Word 或图片。"]
    assert _plan_files() == files
    project = _create(world, plan_document=SimpleUploadedFile("实施方案.docx", DOCX))
    assert project.plan_content_type.endswith("wordprocessingml.document")


def test_a_refused_create_leaves_no_row_and_no_file(world: World) -> None:
    _create(world)
    files = _plan_files()
    errors = _refusal(world, name="重复", plan_document=SimpleUploadedFile("方案.pdf", PDF))
    assert "organisation" in errors
    assert _plan_files() == files


def test_a_failure_after_the_file_is_stored_removes_it(world: World, monkeypatch) -> None:
    files = _plan_files()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "audited_save", broken)
    with pytest.raises(RuntimeError):
        _create(world, plan_document=SimpleUploadedFile("方案.pdf", PDF))
    assert _plan_files() == files
    assert not Project.objects.filter(agreement_no="CK-2018-01").exists()


def test_replacing_the_plan_deletes_the_old_file_after_the_commit(
    world: World, django_capture_on_commit_callbacks
) -> None:
    project = _create(world, plan_document=SimpleUploadedFile("第一版.pdf", PDF))
    old = project.plan_document.name
    storage = project.plan_document.storage
    with django_capture_on_commit_callbacks(execute=True):
        services.project_update(
            actor=world["city"],
            project=project,
            data={},
            plan_document=SimpleUploadedFile("第二版.docx", DOCX),
        )
    project.refresh_from_db()
    assert project.plan_document_name == "第二版.docx"
    assert not storage.exists(old)
    assert storage.exists(project.plan_document.name)


def test_a_refused_replacement_keeps_the_old_plan(world: World, django_capture_on_commit_callbacks) -> None:
    project = _create(world, plan_document=SimpleUploadedFile("第一版.pdf", PDF))
    files = _plan_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.project_update(
            actor=world["city"],
            project=project,
            data={"budget": Decimal("-5")},
            plan_document=SimpleUploadedFile("第二版.pdf", PDF),
        )
    project.refresh_from_db()
    assert project.plan_document_name == "第一版.pdf"
    assert _plan_files() == files


def test_opening_the_plan_is_audited_and_scoped(world: World) -> None:
    project = _create(world, plan_document=SimpleUploadedFile("方案.pdf", PDF))
    services.plan_open(actor=world["worker"], project=project)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert (entry.actor, entry.detail["document"]) == (world["worker"], "plan_document")
    with pytest.raises(Http404):
        services.plan_open(actor=world["wanzhou"], project=project)


# Milestones.


def _milestone(world: World, project: Project, **fields: Any) -> Milestone:
    values = {"title": "完成需求调研", "due_on": dt.date(2018, 3, 31), **fields}
    return services.milestone_add(actor=world["city"], project=project, **values)


def test_the_city_office_plans_milestones_within_the_agreement(world: World) -> None:
    project = _create(world)
    milestone = _milestone(world, project, note="  入户 50 户  ")
    assert (milestone.note, milestone.done_on) == ("入户 50 户", None)
    with pytest.raises(ValidationError) as refusal:
        _milestone(world, project, due_on=dt.date(2019, 1, 1))
    assert refusal.value.message_dict["due_on"] == [
        "计划完成日期须在 2018-01-05 至服务结束日期 2018-12-31 之间。"
    ]
    with pytest.raises(ValidationError) as refusal:
        _milestone(world, project, title="  ")
    assert refusal.value.message_dict["title"] == ["须填写节点名称。"]
    for actor in ("chengkou", "yangguang"):
        with pytest.raises(PermissionDenied):
            services.milestone_add(actor=world[actor], project=project, title="x", due_on=dt.date(2018, 5, 1))
    with pytest.raises(Http404):
        services.milestone_add(actor=world["wanzhou"], project=project, title="x", due_on=dt.date(2018, 5, 1))
    assert project.milestones.count() == 1


def test_the_city_office_edits_a_milestone(world: World) -> None:
    milestone = _milestone(world, _create(world))
    services.milestone_update(actor=world["city"], milestone=milestone, data={"due_on": dt.date(2018, 4, 30)})
    assert Milestone.objects.get(pk=milestone.pk).due_on == dt.date(2018, 4, 30)
    with pytest.raises(PermissionDenied):
        services.milestone_update(actor=world["yangguang"], milestone=milestone, data={"title": "改"})


@pytest.mark.parametrize("actor", ["yangguang", "chengkou", "city"])
def test_the_organisation_the_county_and_the_city_mark_a_milestone_done(world: World, actor: str) -> None:
    milestone = _milestone(world, _create(world))
    services.milestone_mark_done(actor=world[actor], milestone=milestone, done_on=dt.date(2018, 4, 2))
    assert Milestone.objects.get(pk=milestone.pk).done_on == dt.date(2018, 4, 2)
    assert AuditEntry.objects.filter(
        object_type="projects.milestone", action=AuditEntry.Action.UPDATE, actor=world[actor]
    ).exists()


def test_marking_done_refuses_a_future_or_early_date_and_a_second_time(world: World) -> None:
    milestone = _milestone(world, _create(world))
    mark = services.milestone_mark_done
    with pytest.raises(ValidationError) as refusal:
        mark(actor=world["yangguang"], milestone=milestone, done_on=dt.date(2018, 7, 11))
    assert refusal.value.message_dict["done_on"] == ["完成日期不能晚于今天。"]
    with pytest.raises(ValidationError) as refusal:
        mark(actor=world["yangguang"], milestone=milestone, done_on=dt.date(2018, 1, 14))
    assert refusal.value.message_dict["done_on"] == ["完成日期不能早于项目服务开始日期 2018-01-15。"]
    mark(actor=world["yangguang"], milestone=milestone, done_on=dt.date(2018, 7, 10))
    with pytest.raises(ValidationError) as refusal:
        mark(actor=world["chengkou"], milestone=milestone, done_on=dt.date(2018, 7, 9))
    assert refusal.value.message_dict["done_on"] == ["节点“完成需求调研”已于 2018-07-10 完成。"]
    assert Milestone.objects.get(pk=milestone.pk).done_on == dt.date(2018, 7, 10)


def test_others_cannot_mark_a_milestone_done(world: World) -> None:
    milestone = _milestone(world, _create(world))
    with pytest.raises(PermissionDenied):  # reads the project but keeps no milestones
        services.milestone_mark_done(actor=world["leader"], milestone=milestone, done_on=TODAY)
    with pytest.raises(Http404):
        services.milestone_mark_done(actor=world["wanzhou"], milestone=milestone, done_on=TODAY)
    assert Milestone.objects.get(pk=milestone.pk).done_on is None


def test_a_milestone_is_deleted_only_while_not_done(world: World) -> None:
    project = _create(world)
    open_one = _milestone(world, project)
    done = _milestone(world, project, title="中期自评", due_on=dt.date(2018, 6, 30))
    services.milestone_mark_done(actor=world["city"], milestone=done, done_on=dt.date(2018, 6, 28))
    with pytest.raises(PermissionDenied):
        services.milestone_delete(actor=world["chengkou"], milestone=open_one)
    services.milestone_delete(actor=world["city"], milestone=open_one)
    with pytest.raises(ValidationError) as refusal:
        services.milestone_delete(actor=world["city"], milestone=done)
    assert refusal.value.messages == ["节点“中期自评”已完成，不能删除。"]
    assert list(project.milestones.values_list("title", flat=True)) == ["中期自评"]
    assert (
        AuditEntry.objects.filter(object_type="projects.milestone", action=AuditEntry.Action.DELETE).count()
        == 1
    )

"""Evaluation services: scheme rules, starting, scoring with evidence, submission, the frozen sheet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.projects import evaluation_services as services
from sanqu.projects.evaluation_selectors import score_sheet
from sanqu.projects.models import (
    EvaluationIndicator,
    EvaluationScheme,
    IndicatorScore,
    Project,
    ProjectEvaluation,
)
from sanqu.projects.tests.factories import make_project, make_scheme
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)
PDF = b"%PDF-1.4 evidence"


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _start(
    world: World, project: Project, scheme: EvaluationScheme, kind: str = "midterm", **kw
) -> ProjectEvaluation:
    values = {"evaluated_on": dt.date(2017, 7, 1), "evaluators": "城口县民政局社会工作科 张某", **kw}
    return services.evaluation_start(
        actor=world["chengkou"], project=project, kind=kind, scheme=scheme, **values
    )


def _indicators(scheme: EvaluationScheme) -> list[EvaluationIndicator]:
    return list(scheme.indicators.order_by("sort_order", "id"))


def _score_all(
    world: World, evaluation: ProjectEvaluation, marks: list[str], summary: str = "总体良好。"
) -> None:
    indicators = _indicators(evaluation.scheme)
    scores = {
        i.pk: (Decimal(mark), f"{i.name}：查阅台账", None) for i, mark in zip(indicators, marks, strict=True)
    }
    services.evaluation_score(actor=world["chengkou"], evaluation=evaluation, scores=scores, summary=summary)


def _submitted(world: World, marks: list[str]) -> ProjectEvaluation:
    project = make_project(world)
    evaluation = _start(world, project, make_scheme())
    _score_all(world, evaluation, marks)
    return services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation)


# The scheme.


def test_it_refuses_a_scheme_whose_weights_do_not_add_up_to_100(world: World) -> None:
    scheme = make_scheme()
    scheme.indicators.filter(name="宣传与推广").update(weight=Decimal("2.5"))
    with pytest.raises(ValidationError) as refused:
        services.check_scheme(EvaluationScheme.objects.get(pk=scheme.pk))
    assert "各指标分值合计为 97.5 分，须为 100 分。" in refused.value.messages

    project = make_project(world)
    with pytest.raises(ValidationError) as refused:
        _start(world, project, scheme)
    assert "各指标分值合计为 97.5 分，须为 100 分。" in refused.value.message_dict["scheme"]
    assert not ProjectEvaluation.objects.exists()


def test_it_refuses_a_scheme_without_indicators_or_with_bands_out_of_order(world: World) -> None:
    empty = EvaluationScheme.objects.create(name="空体系")
    with pytest.raises(ValidationError) as refused:
        services.check_scheme(empty)
    assert "评估指标体系至少须有一项指标。" in refused.value.messages
    scheme = make_scheme()
    scheme.good_from = Decimal(95)
    with pytest.raises(ValidationError) as refused:
        services.check_scheme(scheme)
    assert "等级分数线须依次递减：优秀 > 良好 > 一般。" in refused.value.messages


def test_it_will_not_delete_a_scheme_that_was_used(world: World) -> None:
    evaluation = _submitted(world, ["36", "9", "18", "9", "13", "5"])
    scheme = evaluation.scheme
    with pytest.raises(ValidationError) as refused:
        services.scheme_delete(actor=world["city"], scheme=scheme)
    assert "不能删除" in refused.value.messages[0]
    assert EvaluationScheme.objects.filter(pk=scheme.pk).exists()
    unused = make_scheme("未使用的体系")
    services.scheme_delete(actor=world["city"], scheme=unused)
    assert not EvaluationScheme.objects.filter(pk=unused.pk).exists()
    with pytest.raises(PermissionDenied):
        services.scheme_delete(actor=world["chengkou"], scheme=scheme)


# Starting.


def test_it_starts_one_evaluation_of_each_kind_and_the_final_after_the_midterm(world: World) -> None:
    project = make_project(world)
    scheme = make_scheme()
    with pytest.raises(ValidationError) as refused:
        _start(world, project, scheme, kind="final", evaluated_on=dt.date(2017, 12, 20))
    assert refused.value.message_dict["kind"] == ["末期评估须在中期评估提交之后开始。"]

    midterm = _start(world, project, scheme)
    assert midterm.status == ProjectEvaluation.Status.DRAFT and midterm.created_by == world["chengkou"]
    assert AuditEntry.objects.filter(action="create", object_id=str(midterm.pk)).exists()
    with pytest.raises(ValidationError) as refused:
        _start(world, project, scheme)
    assert refused.value.message_dict["kind"] == ["该项目已有这一类型的评估。"]

    _score_all(world, midterm, ["36", "9", "18", "9", "13", "5"])
    services.evaluation_submit(actor=world["chengkou"], evaluation=midterm)
    with pytest.raises(ValidationError) as refused:
        _start(world, project, scheme, kind="final", evaluated_on=dt.date(2017, 6, 1))
    assert refused.value.message_dict["evaluated_on"] == ["末期评估日期不能早于中期评估日期 2017-07-01。"]
    final = _start(world, project, scheme, kind="final", evaluated_on=dt.date(2017, 12, 20))
    assert final.kind == "final"


def test_it_refuses_a_date_to_come_an_inactive_scheme_and_no_evaluators(world: World) -> None:
    project = make_project(world)
    scheme = make_scheme()
    scheme.active = False
    scheme.save()
    with pytest.raises(ValidationError) as refused:
        _start(world, project, scheme, evaluated_on=dt.date(2018, 8, 1), evaluators="  ")
    errors = refused.value.message_dict
    assert errors["scheme"] == ["评估指标体系“三区计划项目绩效评估指标(2017)”已停用。"]
    assert errors["evaluated_on"] == ["评估日期不能晚于今天。"]
    assert errors["evaluators"] == ["须填写评估人员。"]


def test_it_lets_only_the_county_section_and_the_city_office_start(world: World) -> None:
    project = make_project(world)
    scheme = make_scheme()
    values = {"kind": "midterm", "scheme": scheme, "evaluated_on": dt.date(2017, 7, 1), "evaluators": "某"}
    with pytest.raises(Http404):
        services.evaluation_start(actor=world["wanzhou"], project=project, **values)
    for name in ("yangguang", "worker", "leader"):
        with pytest.raises(PermissionDenied):
            services.evaluation_start(actor=world[name], project=project, **values)
    assert services.evaluation_start(actor=world["city"], project=project, **values).pk


# Scoring.


def test_it_refuses_a_score_above_the_weight_naming_the_indicator(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    first = _indicators(evaluation.scheme)[0]
    with pytest.raises(ValidationError) as refused:
        services.evaluation_score(
            actor=world["chengkou"],
            evaluation=evaluation,
            scores={first.pk: (Decimal("41"), "台账齐全", None)},
        )
    assert refused.value.messages == ["“实施方案与进度”的得分须在 0 到 40 分之间。"]
    assert not IndicatorScore.objects.exists()


def test_it_asks_for_a_note_or_a_file_as_evidence_of_each_score(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    first, second = _indicators(evaluation.scheme)[:2]
    with pytest.raises(ValidationError) as refused:
        services.evaluation_score(
            actor=world["chengkou"],
            evaluation=evaluation,
            scores={first.pk: (Decimal("30"), " ", None), second.pk: (Decimal("8"), "财务凭证齐全", None)},
        )
    assert refused.value.messages == ["“实施方案与进度”须填写评分依据或上传佐证材料。"]
    assert not IndicatorScore.objects.exists()

    upload = SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf")
    services.evaluation_score(
        actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("30"), "", upload)}
    )
    stored = IndicatorScore.objects.get(indicator=first)
    assert stored.evidence_name == "台账.pdf" and stored.evidence_content_type == "application/pdf"
    assert stored.evidence.storage.exists(stored.evidence.name)
    # The stored file still counts when the score is changed later without a new upload.
    services.evaluation_score(
        actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("32"), "", None)}
    )
    assert IndicatorScore.objects.get(indicator=first).score == Decimal("32")


def test_it_refuses_a_file_that_is_not_a_document_and_keeps_nothing(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    first = _indicators(evaluation.scheme)[0]
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as refused:
        services.evaluation_score(
            actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("30"), "", upload)}
        )
    assert refused.value.messages[0].startswith("实施方案与进度：文件“x.exe”的格式不受支持")
    assert not IndicatorScore.objects.exists()


# Submission and the frozen sheet.


def test_it_refuses_to_submit_with_an_indicator_unscored_or_no_conclusion(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    first = _indicators(evaluation.scheme)[0]
    services.evaluation_score(
        actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("30"), "台账齐全", None)}
    )
    with pytest.raises(ValidationError) as refused:
        services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation)
    assert refused.value.messages == [
        "以下指标尚未评分：财务管理、服务指标完成、服务对象满意度、个案与小组规范、宣传与推广。",
        "须填写评估结论。",
    ]
    evaluation.refresh_from_db()
    assert evaluation.status == "draft" and evaluation.total is None and evaluation.frozen == {}


@pytest.mark.parametrize(
    ("marks", "total", "grade"),
    [
        (["36", "9", "18", "9", "13", "4.99"], "89.99", "good"),
        (["36", "9", "18", "9", "13", "5"], "90", "excellent"),
        (["24", "6", "12", "6", "9", "2.5"], "59.5", "poor"),
        (["24", "6", "12", "6", "9", "3"], "60", "fair"),
    ],
)
def test_it_grades_the_total_by_the_scheme_bands(
    world: World, marks: list[str], total: str, grade: str
) -> None:
    evaluation = _submitted(world, marks)
    assert evaluation.total == Decimal(total)
    assert evaluation.grade == grade
    assert evaluation.status == "submitted" and evaluation.submitted_by == world["chengkou"]


def test_it_refuses_every_write_after_submission_and_changes_nothing(world: World) -> None:
    evaluation = _submitted(world, ["36", "9", "18", "9", "13", "5"])
    before = ProjectEvaluation.objects.values().get(pk=evaluation.pk)
    scores_before = list(IndicatorScore.objects.values().order_by("pk"))
    audits = AuditEntry.objects.count()
    first = _indicators(evaluation.scheme)[0]
    attempts = [
        lambda: services.evaluation_score(
            actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("1"), "改分", None)}
        ),
        lambda: services.evaluation_update(
            actor=world["chengkou"], evaluation=evaluation, data={"summary": "改结论"}
        ),
        lambda: services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation),
        lambda: services.evaluation_submit(actor=world["city"], evaluation=evaluation),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == ["评估已提交，不能再修改。"]
    assert ProjectEvaluation.objects.values().get(pk=evaluation.pk) == before
    assert list(IndicatorScore.objects.values().order_by("pk")) == scores_before
    assert AuditEntry.objects.count() == audits


def test_it_keeps_the_submitted_sheet_whatever_the_scheme_becomes(world: World) -> None:
    evaluation = _submitted(world, ["36", "9", "18", "9", "13", "5"])
    sheet_before = score_sheet(evaluation)
    frozen_before = dict(evaluation.frozen)
    scheme = EvaluationScheme.objects.get(pk=evaluation.scheme_id)
    scheme.name = "改名后的体系"
    scheme.excellent_from = Decimal(95)
    scheme.indicators.filter(name="实施方案与进度").update(name="方案执行", weight=Decimal(30))
    scheme.indicators.filter(name="财务管理").update(weight=Decimal(20))
    scheme.save()

    evaluation = ProjectEvaluation.objects.get(pk=evaluation.pk)
    assert evaluation.frozen == frozen_before
    sheet = score_sheet(evaluation)
    assert sheet == sheet_before
    assert sheet.scheme_name == "三区计划项目绩效评估指标(2017)"
    assert [(d.name, d.subtotal, d.weight) for d in sheet.dimensions] == [
        ("项目管理", Decimal(45), Decimal(50)),
        ("服务成效", Decimal(27), Decimal(30)),
        ("专业能力", Decimal(13), Decimal(15)),
        ("社会影响", Decimal(5), Decimal(5)),
    ]
    assert sheet.rows[0].name == "实施方案与进度" and sheet.rows[0].weight == Decimal(40)
    assert evaluation.frozen["bands"] == {"excellent_from": "90", "good_from": "80", "fair_from": "60"}
    assert evaluation.grade == "excellent"


def test_it_checks_a_draft_against_the_scheme_as_it_is_at_submission(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    _score_all(world, evaluation, ["36", "9", "18", "9", "13", "5"])
    scheme = evaluation.scheme
    scheme.indicators.filter(name="实施方案与进度").update(weight=Decimal(30))
    scheme.indicators.filter(name="财务管理").update(weight=Decimal(20))
    with pytest.raises(ValidationError) as refused:
        services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation)
    assert refused.value.messages == ["“实施方案与进度”的得分 36 超过现在的分值 30 分，请重新评分。"]


def test_it_lets_a_reader_open_evidence_and_audits_it(world: World) -> None:
    evaluation = _start(world, make_project(world), make_scheme())
    first = _indicators(evaluation.scheme)[0]
    upload = SimpleUploadedFile("台账.pdf", PDF, content_type="application/pdf")
    services.evaluation_score(
        actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal("30"), "", upload)}
    )
    score = IndicatorScore.objects.get()
    record = services.evidence_open(actor=world["yangguang"], evaluation=evaluation, score_id=score.pk)
    assert record.pk == score.pk
    assert AuditEntry.objects.filter(
        action="unmask", actor=world["yangguang"], object_id=str(evaluation.pk)
    ).exists()
    with pytest.raises(Http404):
        services.evidence_open(actor=world["wanzhou"], evaluation=evaluation, score_id=score.pk)

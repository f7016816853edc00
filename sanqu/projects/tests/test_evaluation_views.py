"""Evaluation pages: the list and its filters, starting, the score sheet, submission, evidence, refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sanqu.projects import evaluation_services as services
from sanqu.projects.models import EvaluationScheme, IndicatorScore, Project, ProjectEvaluation
from sanqu.projects.tests.factories import make_project, make_scheme
from sanqu.testing import World

TODAY = dt.date(2018, 7, 10)


@pytest.fixture(autouse=True)
def pinned_today(settings) -> None:
    settings.SANQU_TODAY = TODAY


def _draft(world: World, project: Project | None = None, actor: str = "chengkou") -> ProjectEvaluation:
    return services.evaluation_start(
        actor=world[actor],
        project=project or make_project(world),
        kind="midterm",
        scheme=EvaluationScheme.objects.first() or make_scheme(),
        evaluated_on=dt.date(2017, 7, 1),
        evaluators="张某、李某",
    )


def _sheet_post(evaluation: ProjectEvaluation, marks: list[str], summary: str = "") -> dict[str, object]:
    data: dict[str, object] = {"summary": summary}
    for indicator, mark in zip(evaluation.scheme.indicators.order_by("sort_order", "id"), marks, strict=True):
        data[f"score_{indicator.pk}"] = mark
        data[f"note_{indicator.pk}"] = f"{indicator.name}：查阅台账和服务记录" if mark else ""
    return data


def test_it_sends_an_anonymous_visitor_to_the_login_page(world: World) -> None:
    evaluation = _draft(world)
    for url in (
        "/projects/evaluations/",
        f"/projects/evaluations/{evaluation.pk}/",
        "/projects/evaluations/new/",
    ):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_it_refuses_the_wrong_methods(world: World, as_user) -> None:
    evaluation = _draft(world)
    client = as_user("chengkou")
    assert client.post("/projects/evaluations/").status_code == 405
    assert client.post(f"/projects/evaluations/{evaluation.pk}/").status_code == 405
    assert client.get(f"/projects/evaluations/{evaluation.pk}/scores/").status_code == 405
    assert client.get(f"/projects/evaluations/{evaluation.pk}/submit/").status_code == 405


def test_it_starts_an_evaluation_from_the_project(world: World, as_user) -> None:
    project = make_project(world)
    scheme = make_scheme()
    client = as_user("chengkou")
    page = client.get(f"/projects/evaluations/new/?project={project.pk}&kind=midterm").content.decode()
    assert "开始绩效评估" in page and scheme.name in page
    response = client.post(
        f"/projects/evaluations/new/?project={project.pk}",
        {"kind": "final", "scheme": scheme.pk, "evaluated_on": "2017-12-20", "evaluators": "张某"},
    )
    assert "末期评估须在中期评估提交之后开始。" in response.content.decode()
    response = client.post(
        f"/projects/evaluations/new/?project={project.pk}",
        {"kind": "midterm", "scheme": scheme.pk, "evaluated_on": "2017-07-01", "evaluators": "张某"},
    )
    evaluation = ProjectEvaluation.objects.get()
    assert response["Location"] == f"/projects/evaluations/{evaluation.pk}/"


def test_it_scores_on_one_form_and_submits_after_confirmation(world: World, as_user) -> None:
    evaluation = _draft(world)
    client = as_user("chengkou")
    page = client.get(f"/projects/evaluations/{evaluation.pk}/").content.decode()
    assert 'enctype="multipart/form-data"' in page and "满分 40 分" in page and "确认提交" in page

    first = evaluation.scheme.indicators.order_by("sort_order").first()
    data = _sheet_post(evaluation, ["36", "9", "18", "9", "13", "5"], summary="项目执行规范，成效明显。")
    data[f"file_{first.pk}"] = SimpleUploadedFile(
        "进度台账.pdf", b"%PDF-1.4 x", content_type="application/pdf"
    )
    response = client.post(f"/projects/evaluations/{evaluation.pk}/scores/", data)
    assert response.status_code == 302
    assert IndicatorScore.objects.filter(evaluation=evaluation).count() == 6

    page = client.get(f"/projects/evaluations/{evaluation.pk}/").content.decode()
    assert "45 / 50 分" in page and "进度台账.pdf" in page and "已评 6 / 6 项" in page

    response = client.post(f"/projects/evaluations/{evaluation.pk}/submit/")
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert (
        evaluation.status == "submitted"
        and evaluation.total == Decimal(90)
        and evaluation.grade == "excellent"
    )
    page = client.get(f"/projects/evaluations/{evaluation.pk}/").content.decode()
    assert "badge--grade-excellent" in page and "总分 90 / 100 分" in page
    assert "确认提交" not in page and "保存评分" not in page and "css/evaluations.css" in page


def test_it_shows_the_scores_refused_with_what_was_typed(world: World, as_user) -> None:
    evaluation = _draft(world)
    client = as_user("chengkou")
    response = client.post(
        f"/projects/evaluations/{evaluation.pk}/scores/", _sheet_post(evaluation, ["41", "", "", "", "", ""])
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "“实施方案与进度”的得分须在 0 到 40 分之间。" in page and 'value="41"' in page
    assert not IndicatorScore.objects.exists()


def test_it_says_why_a_submission_is_refused(world: World, as_user) -> None:
    evaluation = _draft(world)
    client = as_user("chengkou")
    client.post(
        f"/projects/evaluations/{evaluation.pk}/scores/", _sheet_post(evaluation, ["36", "9", "", "", "", ""])
    )
    response = client.post(f"/projects/evaluations/{evaluation.pk}/submit/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "以下指标尚未评分：服务指标完成、服务对象满意度、个案与小组规范、宣传与推广。" in page
    assert "须填写评估结论。" in page
    evaluation.refresh_from_db()
    assert evaluation.status == "draft"


def test_it_refuses_to_score_a_submitted_evaluation_and_changes_nothing(world: World, as_user) -> None:
    evaluation = _draft(world)
    client = as_user("chengkou")
    client.post(
        f"/projects/evaluations/{evaluation.pk}/scores/",
        _sheet_post(evaluation, ["36", "9", "18", "9", "13", "5"], summary="良好"),
    )
    client.post(f"/projects/evaluations/{evaluation.pk}/submit/")
    before = list(IndicatorScore.objects.values_list("score", "evidence_note"))
    response = client.post(
        f"/projects/evaluations/{evaluation.pk}/scores/",
        _sheet_post(evaluation, ["1", "1", "1", "1", "1", "1"], summary="改"),
        follow=True,
    )
    assert "评估已提交，不能再修改。" in response.content.decode()
    assert list(IndicatorScore.objects.values_list("score", "evidence_note")) == before
    assert client.get(f"/projects/evaluations/{evaluation.pk}/edit/").status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.summary == "良好"


def test_it_answers_404_to_another_county_and_403_to_readers_scoring(world: World, as_user) -> None:
    evaluation = _draft(world)
    first = evaluation.scheme.indicators.order_by("sort_order").first()
    post = {f"score_{first.pk}": "30", f"note_{first.pk}": "台账"}
    wanzhou = as_user("wanzhou")
    for url in ("", "edit/"):
        assert wanzhou.get(f"/projects/evaluations/{evaluation.pk}/{url}").status_code == 404
    assert wanzhou.post(f"/projects/evaluations/{evaluation.pk}/scores/", post).status_code == 404
    assert wanzhou.post(f"/projects/evaluations/{evaluation.pk}/submit/").status_code == 404
    assert wanzhou.get(f"/projects/evaluations/new/?project={evaluation.project_id}").status_code == 404
    assert "城口县" not in wanzhou.get("/projects/evaluations/").content.decode()
    for name in ("yangguang", "worker", "leader"):
        client = as_user(name)
        page = client.get(f"/projects/evaluations/{evaluation.pk}/")
        assert page.status_code == 200, name
        assert "保存评分" not in page.content.decode()
        assert client.post(f"/projects/evaluations/{evaluation.pk}/scores/", post).status_code == 403
        assert client.post(f"/projects/evaluations/{evaluation.pk}/submit/").status_code == 403
        assert client.get(f"/projects/evaluations/new/?project={evaluation.project_id}").status_code == 403
        assert evaluation.project.name in client.get("/projects/evaluations/").content.decode()
    assert not IndicatorScore.objects.exists()


def test_it_serves_evidence_to_readers_only(world: World, as_user) -> None:
    evaluation = _draft(world)
    first = evaluation.scheme.indicators.order_by("sort_order").first()
    upload = SimpleUploadedFile("台账.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    services.evaluation_score(
        actor=world["chengkou"], evaluation=evaluation, scores={first.pk: (Decimal(30), "", upload)}
    )
    score = IndicatorScore.objects.get()
    url = f"/projects/evaluations/{evaluation.pk}/evidence/{score.pk}/"
    response = as_user("worker").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert "no-store" in response["Cache-Control"]
    assert as_user("wanzhou").get(url).status_code == 404
    assert (
        as_user("chengkou")
        .get(f"/projects/evaluations/{evaluation.pk}/evidence/{score.pk + 99}/")
        .status_code
        == 404
    )


def test_it_filters_the_list(world: World, as_user) -> None:
    chengkou = _draft(world)
    wanzhou = _draft(world, make_project(world, county=world.wanzhou, organisation=world.wanzhou_org), "city")
    client = as_user("city")
    page = client.get("/projects/evaluations/").content.decode()
    assert chengkou.project.name in page and wanzhou.project.name in page
    page = client.get(f"/projects/evaluations/?county={world.wanzhou.pk}").content.decode()
    assert chengkou.project.name not in page and wanzhou.project.name in page
    page = client.get("/projects/evaluations/?status=submitted").content.decode()
    assert "没有符合筛选条件的评估。" in page
    page = client.get("/projects/evaluations/?year=2017&kind=midterm&status=draft").content.decode()
    assert chengkou.project.name in page


def test_it_lists_a_project_s_evaluations_with_the_next_one_to_start(world: World, as_user) -> None:
    from django.template.loader import render_to_string

    project = make_project(world)
    make_scheme()

    def partial(name: str) -> str:
        return render_to_string(
            "projects/evaluations/_for_project.html",
            {"project": project, "user": world[name], "perms": _perms(world[name]), "today": TODAY},
        )

    assert "开始中期评估" in partial("chengkou") and "该项目还没有绩效评估。" in partial("chengkou")
    assert "开始中期评估" not in partial("yangguang")
    evaluation = _draft(world, project)
    assert "开始中期评估" not in partial("chengkou") and "开始末期评估" not in partial("chengkou")
    services.evaluation_score(
        actor=world["chengkou"],
        evaluation=evaluation,
        scores={i.pk: (i.weight, "依据", None) for i in evaluation.scheme.indicators.all()},
        summary="优秀",
    )
    services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation)
    shown = partial("chengkou")
    assert "开始末期评估" in shown and "100 分" in shown and "优秀" in shown
    assert "开始末期评估" not in partial("yangguang") and "优秀" in partial("yangguang")


def _perms(user):
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)

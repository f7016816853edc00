"""Evaluation schemes in the back office: kept by the city office, weights adding up to 100."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from sanqu.accounts.models import AuditEntry
from sanqu.projects import evaluation_services as services
from sanqu.projects.models import EvaluationScheme
from sanqu.projects.tests.factories import make_project, make_scheme
from sanqu.testing import World

ADD = "wagtailsnippets_projects_evaluationscheme:add"
EDIT = "wagtailsnippets_projects_evaluationscheme:edit"
DELETE = "wagtailsnippets_projects_evaluationscheme:delete"


def _post(
    name: str, rows: list[tuple[str, str, str]], *, ids: list[int] | None = None, deleted: int = -1
) -> dict:
    data = {
        "name": name,
        "programme_year": "",
        "excellent_from": "90",
        "good_from": "80",
        "fair_from": "60",
        "active": "on",
        "indicators-TOTAL_FORMS": str(len(rows)),
        "indicators-INITIAL_FORMS": str(len(ids or [])),
        "indicators-MIN_NUM_FORMS": "1",
        "indicators-MAX_NUM_FORMS": "1000",
    }
    for n, (dimension, indicator, weight) in enumerate(rows):
        data |= {
            f"indicators-{n}-id": str(ids[n]) if ids and n < len(ids) else "",
            f"indicators-{n}-dimension": dimension,
            f"indicators-{n}-name": indicator,
            f"indicators-{n}-weight": weight,
            f"indicators-{n}-guide": "",
            f"indicators-{n}-sort_order": str(n),
        }
        if n == deleted:
            data[f"indicators-{n}-DELETE"] = "on"
    return data


ROWS = [
    ("项目管理", "实施方案与进度", "50"),
    ("服务成效", "服务指标完成", "40"),
    ("社会影响", "宣传与推广", "10"),
]


def test_it_creates_a_scheme_with_its_indicators(world: World, as_user) -> None:
    client = as_user("city")
    assert client.get(reverse(ADD)).status_code == 200
    response = client.post(reverse(ADD), _post("2018年度评估指标", ROWS))
    assert response.status_code == 302, response.content.decode()[:3000]
    scheme = EvaluationScheme.objects.get(name="2018年度评估指标")
    assert [(i.dimension, i.name, i.weight) for i in scheme.indicators.order_by("sort_order")] == [
        ("项目管理", "实施方案与进度", Decimal(50)),
        ("服务成效", "服务指标完成", Decimal(40)),
        ("社会影响", "宣传与推广", Decimal(10)),
    ]
    assert AuditEntry.objects.filter(action="create", object_type="projects.evaluationscheme").exists()


def test_it_refuses_weights_that_do_not_add_up_to_100_naming_the_sum(world: World, as_user) -> None:
    client = as_user("city")
    rows = [*ROWS[:2], ("社会影响", "宣传与推广", "7.5")]
    response = client.post(reverse(ADD), _post("2018年度评估指标", rows))
    assert response.status_code == 200
    assert "各指标分值合计为 97.5 分，须为 100 分。" in response.content.decode()
    assert not EvaluationScheme.objects.exists()


def test_it_edits_a_used_scheme_but_keeps_scored_indicators_and_will_not_delete_it(
    world: World, as_user
) -> None:
    scheme = make_scheme()
    evaluation = services.evaluation_start(
        actor=world["chengkou"],
        project=make_project(world),
        kind="midterm",
        scheme=scheme,
        evaluated_on=dt.date(2017, 7, 1),
        evaluators="张某",
    )
    indicators = list(scheme.indicators.order_by("sort_order", "id"))
    services.evaluation_score(
        actor=world["chengkou"],
        evaluation=evaluation,
        scores={i.pk: (i.weight, "依据", None) for i in indicators},
        summary="好",
    )
    services.evaluation_submit(actor=world["chengkou"], evaluation=evaluation)
    client = as_user("city")
    rows = [(i.dimension, i.name, str(i.weight)) for i in indicators]
    ids = [i.pk for i in indicators]

    rows[0] = ("项目管理", "方案执行", "35")
    rows[1] = ("项目管理", "财务管理", "15")
    response = client.post(reverse(EDIT, args=[scheme.pk]), _post(scheme.name, rows, ids=ids))
    assert response.status_code == 302
    assert scheme.indicators.get(pk=ids[0]).name == "方案执行"
    evaluation.refresh_from_db()
    assert evaluation.frozen["indicators"][0]["name"] == "实施方案与进度"

    response = client.post(reverse(EDIT, args=[scheme.pk]), _post(scheme.name, rows, ids=ids, deleted=5))
    assert "已有评分，不能删除" in response.content.decode()
    assert scheme.indicators.count() == 6

    response = client.post(reverse(DELETE, args=[scheme.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert EvaluationScheme.objects.filter(pk=scheme.pk).exists()


def test_it_is_the_city_office_s_alone(world: World, as_user) -> None:
    scheme = make_scheme()
    for name in ("chengkou", "leader"):
        client = as_user(name)
        assert client.get(reverse(ADD)).status_code in (302, 403), name
        assert client.post(reverse(EDIT, args=[scheme.pk]), _post("改", ROWS)).status_code in (302, 403, 404)
    assert EvaluationScheme.objects.get().name == scheme.name

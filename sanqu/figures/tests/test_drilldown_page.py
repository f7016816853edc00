"""The drill-down page and its Excel file: scope, masking, bad parameters, the file's content."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from itertools import count
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sanqu.accounts.models import AuditEntry, User
from sanqu.accounts.roles import Role
from sanqu.figures.drilldown import records_url
from sanqu.figures.tests import factories
from sanqu.figures.tests.factories import D, Programme, person, service
from sanqu.testing import make_user
from sanqu.workforce.models import Person


@pytest.fixture(autouse=True)
def fresh_id_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """The factories number ID numbers from one counter (three digits): restart it for each programme."""
    monkeypatch.setattr(factories, "_sequence", count(100))


@pytest.fixture
def users(programme: Programme) -> dict[str, User]:
    worker = Person.objects.get(name="张一")
    return {
        "city": make_user("city", (Role.CITY_ADMIN, programme.chongqing, {})),
        "leader": make_user("leader", (Role.CITY_VIEWER, programme.chongqing, {})),
        "chengkou": make_user("chengkou", (Role.COUNTY_OFFICER, programme.chengkou, {})),
        "wanzhou": make_user("wanzhou", (Role.COUNTY_OFFICER, programme.wanzhou, {})),
        "worker": make_user("worker", (Role.SOCIAL_WORKER, programme.chengkou, {"person": worker})),
    }


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_leader_drills_the_municipality(programme: Programme, users: dict[str, User]) -> None:
    response = client_for(users["leader"]).get(records_url("dispatched_total", scope="500000", as_of=D))
    assert response.status_code == 200
    page = response.content.decode()
    assert "累计选派社工（人次）" in page and "重庆市" in page and "2014-12-31" in page
    assert response.context["page"].paginator.count == 4
    assert response.context["value"] == "4"
    assert "张一" in page and "/people/" in page


def test_a_county_officer_drills_her_county_only(programme: Programme, users: dict[str, User]) -> None:
    client = client_for(users["chengkou"])
    assert client.get(records_url("dispatched_total", scope="500229", as_of=D)).status_code == 200
    assert client.get(records_url("dispatched_total", scope="500229212", as_of=D)).status_code == 200
    assert client.get(records_url("dispatched_total", scope="500101", as_of=D)).status_code == 404
    assert client.get(records_url("dispatched_total", scope="500000", as_of=D)).status_code == 404


def test_roles_without_a_region_scope_get_404(programme: Programme, users: dict[str, User]) -> None:
    response = client_for(users["worker"]).get(records_url("dispatched_total", scope="500229", as_of=D))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "figure=nonsense&scope=500000&as_of=2014-12-31",
        "figure=cases_by_stage&part=nowhere&scope=500000&as_of=2014-12-31",
        "figure=dispatched_total&scope=999999&as_of=2014-12-31",
        "figure=dispatched_total&scope=500000&as_of=2014-02-30",
        "figure=dispatched_total&scope=500000",
        "scope=500000&as_of=2014-12-31",
    ],
)
def test_bad_parameters_answer_400_in_chinese(
    programme: Programme, users: dict[str, User], query: str
) -> None:
    response = client_for(users["city"]).get("/figures/records/?" + query)
    assert response.status_code == 400
    assert "无法显示数据明细" in response.content.decode()


def test_restricted_beneficiaries_are_counted_but_not_shown(
    programme: Programme, users: dict[str, User], settings: Any
) -> None:
    settings.SANQU_TODAY = D
    # 田小雨 is a child under 14 and 刘某 a community-correction subject: the city office counts
    # them without seeing them; 城口's officer (the first circle) sees 城口's child, masked.
    url = records_url("beneficiaries_by_group", scope="500000", as_of=D)
    page = client_for(users["city"]).get(url).content.decode()
    assert "田大山" in page and "蒋福" in page
    assert "田小雨" not in page and "刘某" not in page
    assert page.count("受保护的服务对象") == 2
    county = client_for(users["chengkou"]).get(records_url("beneficiaries_by_group", scope="500229", as_of=D))
    text = county.content.decode()
    assert "田小雨" in text and "受保护的服务对象" not in text
    assert "**" in text  # ID numbers masked


def test_the_excel_file_is_masked_titled_and_audited(programme: Programme, users: dict[str, User]) -> None:
    url = records_url("certified_total", scope="500000", as_of=D)
    response = client_for(users["leader"]).get(url + "&format=xlsx&unmask=1")  # no UNMASK: stays masked
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert "持证社会工作者（人）" in rows[0][0] and "重庆市" in rows[0][0] and "2014-12-31" in rows[0][0]
    assert rows[1][1] == "4"
    assert rows[2][:3] == ["姓名", "身份证号", "所属区县"]
    people = rows[3:]
    assert sorted(row[0] for row in people) == sorted(["郑九", "冯十", "卫十三", "蒋十四"])
    assert all("*" in row[1] for row in people)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORT)
    assert entry.detail["count"] == 4 and entry.detail["unmasked"] is False


def test_unmasking_in_the_file_needs_the_permission_and_is_audited(
    programme: Programme, users: dict[str, User]
) -> None:
    url = records_url("certified_total", scope="500000", as_of=D) + "&format=xlsx"
    masked = load_workbook(BytesIO(client_for(users["city"]).get(url).content)).active
    assert all("*" in row[1] for row in masked.iter_rows(min_row=4, values_only=True))
    full = load_workbook(BytesIO(client_for(users["city"]).get(url + "&unmask=1").content)).active
    numbers = {row[0]: row[1] for row in full.iter_rows(min_row=4, values_only=True)}
    assert numbers["郑九"] == Person.objects.get(name="郑九").id_number
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, detail__unmasked=True).count() == 1


def test_the_page_costs_the_same_for_more_rows(programme: Programme, users: dict[str, User]) -> None:
    client = client_for(users["city"])
    url = records_url("services_by_type", scope="500000", as_of=D)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    worker = person("新社工", programme.chengkou)
    for _index in range(30):
        service(programme.chengkou, dt.date(2014, 7, 1), "daily_care", "1.0", worker)
        service(programme.wanzhou, dt.date(2014, 7, 2), "counselling", "0.5", worker, beneficiary=None)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.context["page"].paginator.count == 66
    assert len(large) == len(small)


def test_every_figure_and_part_has_a_page_and_a_file(programme: Programme, users: dict[str, User]) -> None:
    from sanqu.figures.drilldown import parts
    from sanqu.figures.engine import FIGURE_LABELS

    client = client_for(users["city"])
    for key in FIGURE_LABELS:
        for part in [None, *parts(key)]:
            url = records_url(key, part, scope="500000", as_of=D)
            assert client.get(url).status_code == 200, (key, part)
        assert client.get(records_url(key, scope="500000", as_of=D) + "&format=xlsx").status_code == 200, key

"""The database going away: pages answer 503 with a Chinese message, and recover when it is back."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from sanqu.testing import World

pytestmark = pytest.mark.django_db


def unreachable(self: BaseDatabaseWrapper) -> None:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def test_pages_say_the_database_is_away_and_recover_when_it_is_back(world: World) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world["chengkou"])
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", unreachable):
        response = client.get("/cases/beneficiaries/")
        api = client.get("/api/v1/regions/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "数据库暂时无法连接，系统正在恢复" in response.content.decode()
    assert api.status_code == 503 and "数据库暂时无法连接" in api.json()["detail"]

    assert client.get("/cases/beneficiaries/").status_code == 200


@pytest.mark.parametrize("error", [OperationalError("no such table: cases_case"), ValueError("boom")])
def test_other_errors_stay_500(world: World, error: Exception) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(world["chengkou"])
    with mock.patch.object(BaseDatabaseWrapper, "ensure_connection", side_effect=error):
        response = client.get("/cases/beneficiaries/")
    assert response.status_code == 500
    assert "系统出现错误，已记录" in response.content.decode()

"""The audit log: read-only, for those who may read it, with filters."""

from __future__ import annotations

from django.test import Client

from sanqu.accounts import audit
from sanqu.accounts.models import AuditEntry
from sanqu.testing import World


def test_it_sends_an_anonymous_visitor_to_the_login_page(db: None) -> None:
    response = Client().get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_refuses_roles_without_the_permission(world: World, as_user) -> None:
    for username in ("leader", "chengkou", "yangguang", "worker", "mentor", "editor"):
        assert as_user(username).get("/audit/").status_code == 403, username


def test_it_is_read_only(world: World, as_user) -> None:
    assert as_user("city").post("/audit/").status_code == 405


def test_it_lists_entries_for_the_city_admin(world: World, as_user) -> None:
    audit.record(actor=world["chengkou"], action=AuditEntry.Action.UNMASK, obj=world.worker_person)
    content = as_user("city").get("/audit/").content.decode()
    assert "审计日志" in content
    assert "查看敏感信息" in content and "李晓梅" in content


def test_it_filters_by_action_and_user(world: World, as_user) -> None:
    audit.record(actor=world["chengkou"], action=AuditEntry.Action.UNMASK, obj=world.worker_person)
    audit.record(actor=world["city"], action=AuditEntry.Action.UNMASK, obj=world.mentor_person)
    client = as_user("city")
    content = client.get("/audit/", {"action": "unmask", "user": "chengkou"}).content.decode()
    assert "李晓梅" in content and "王建国" not in content
    content = client.get("/audit/", {"action": "logout"}).content.decode()
    assert "没有符合筛选条件的记录" in content


def test_it_finds_failed_logins_by_the_username_tried(world: World, as_user) -> None:
    Client().post("/accounts/login/", {"username": "worker", "password": "wrong"})
    content = as_user("city").get("/audit/", {"user": "worker", "action": "login_failed"}).content.decode()
    assert "登录失败" in content and "（未登录）" in content


def test_it_filters_by_date_and_explains_a_bad_range(world: World, as_user) -> None:
    client = as_user("city")
    content = client.get("/audit/", {"date_from": "2000-01-01", "date_to": "2000-01-31"}).content.decode()
    assert "没有符合筛选条件的记录" in content
    content = client.get("/audit/", {"date_from": "2000-02-01", "date_to": "2000-01-01"}).content.decode()
    assert "截止日期不能早于起始日期" in content


def test_it_paginates(world: World, as_user) -> None:
    for _ in range(60):
        audit.record(actor=world["chengkou"], action=AuditEntry.Action.EXPORT)
    client = as_user("city")
    first = client.get("/audit/", {"action": "export"}).content.decode()
    assert "第 1 / 2 页" in first and "action=export&amp;page=2" in first
    second = client.get("/audit/", {"action": "export", "page": 2}).content.decode()
    assert second.count('<span class="badge badge--export">') == 10

"""Signing in and out: the pages, their language, and the audit entries they leave."""

from __future__ import annotations

from django.test import Client, override_settings

from sanqu.accounts.models import AuditEntry
from sanqu.testing import PASSWORD, World


def _post_login(client: Client, username: str, password: str) -> object:
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_shows_the_login_page_in_chinese(db: None) -> None:
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="zh-Hans">' in content
    assert "<h1" in content and "登录</h1>" in content
    assert 'for="id_username"' in content and "账号" in content


def test_it_logs_in_and_writes_an_audit_entry(world: World) -> None:
    client = Client()
    response = _post_login(client, "worker", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN)
    assert entry.actor == world["worker"]
    assert entry.ip_address == "127.0.0.1"
    assert client.get("/").status_code == 200


def test_it_refuses_a_wrong_password_in_the_users_language(world: World) -> None:
    response = _post_login(Client(), "worker", "not-the-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()

    english = Client(headers={"accept-language": "en"})
    response = _post_login(english, "worker", "not-the-password")
    assert "The account or password is not correct" in response.content.decode()


def test_it_writes_an_audit_entry_for_a_failed_login(world: World) -> None:
    _post_login(Client(), "worker", "not-the-password")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.detail == {"username": "worker"}
    assert "not-the-password" not in str(entry.detail)


@override_settings(AXES_FAILURE_LIMIT=2)
def test_it_locks_an_account_out_after_repeated_failures(world: World) -> None:
    client = Client()
    _post_login(client, "worker", "wrong-1")
    response = _post_login(client, "worker", "wrong-2")
    assert response.status_code == 429
    content = response.content.decode()
    assert "账号已暂时锁定" in content
    assert "30 分钟后再试" in content
    # Even the right password is refused while locked.
    assert _post_login(client, "worker", PASSWORD).status_code == 429


def test_it_logs_out_on_post_and_lands_on_the_login_page(world: World, as_user) -> None:
    client = as_user("worker")
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/"
    assert "您已安全退出。" in response.content.decode()
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).get()
    assert entry.actor == world["worker"]
    # The session is gone.
    assert client.get("/").status_code == 302


def test_it_refuses_logout_by_get(world: World, as_user) -> None:
    client = as_user("worker")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.LOGOUT).exists()


def test_it_sends_a_logged_in_user_from_the_login_page_home(world: World, as_user) -> None:
    response = as_user("worker").get("/accounts/login/")
    assert response.status_code == 302
    assert response["Location"] == "/"

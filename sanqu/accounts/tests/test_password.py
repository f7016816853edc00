"""修改密码 and password expiry; 我的账号."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanqu.accounts.models import AuditEntry
from sanqu.testing import PASSWORD, World

pytestmark = pytest.mark.django_db
NEW = "Jiming-2018-station"


def signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/accounts/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def change(client: Client, old: str, new: str, again: str | None = None, next_page: str = "/") -> object:
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new, "next": next_page},
    )


def test_a_user_changes_her_password_with_the_rules_said_in_words(world: World) -> None:
    client = signed_in("worker")
    assert "修改密码" in client.get("/accounts/password/").content.decode()
    cases = [
        (("wrong-password", NEW), "当前密码不正确"),
        ((PASSWORD, "short1A"), "此密码太短"),
        ((PASSWORD, "alllowercaseletters"), "至少三类"),
        ((PASSWORD, PASSWORD), "新密码不能与当前密码相同"),
        ((PASSWORD, NEW, "Jiming-2018-other"), "两次输入的新密码不一致"),
    ]
    for args, reason in cases:
        page = change(client, *args).content.decode()  # type: ignore[attr-defined]
        assert reason in page, reason
    done = change(client, PASSWORD, NEW, next_page="/cases/")
    assert done.status_code == 302 and done["Location"] == "/cases/"  # type: ignore[index,attr-defined]
    world["worker"].refresh_from_db()
    assert world["worker"].check_password(NEW) and world["worker"].password_changed_at is not None
    assert client.get("/").status_code == 200  # still signed in on this device
    assert AuditEntry.objects.filter(object_id=str(world["worker"].pk), detail__changed=["password"]).exists()


def test_an_expired_or_initial_password_is_changed_before_anything_else(world: World, settings) -> None:
    settings.SANQU_PASSWORD_EXPIRY = True
    user = world["worker"]
    user.password_changed_at = None  # set by the city office: changed at the first sign-in
    user.save()
    client = signed_in("worker")
    response = client.get("/cases/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password/?next=%2Fcases%2F"
    assert "管理员设置的初始密码须在首次登录时修改" in client.get(response["Location"]).content.decode()
    assert client.get("/cases/", headers={"HX-Request": "true"})["HX-Redirect"].startswith(
        "/accounts/password/"
    )
    assert change(client, PASSWORD, NEW, next_page="/cases/")["Location"] == "/cases/"  # type: ignore[index]
    assert client.get("/cases/").status_code == 200

    user.refresh_from_db()
    user.password_changed_at = timezone.now() - dt.timedelta(days=settings.SANQU_PASSWORD_MAX_AGE_DAYS + 1)
    user.save()
    assert client.get("/").status_code == 302
    user.password_changed_at = timezone.now() - dt.timedelta(days=settings.SANQU_PASSWORD_MAX_AGE_DAYS - 1)
    user.save()
    assert client.get("/").status_code == 200


def test_my_account_shows_roles_password_two_factor_and_tokens(world: World, as_user, settings) -> None:
    assert "本系统当前未启用两步验证" in as_user("chengkou").get("/accounts/me/").content.decode()
    settings.SANQU_REQUIRE_2FA = True
    officer = as_user("chengkou")
    assert officer.get("/accounts/me/").status_code == 302  # the code first
    device = TOTPDevice.objects.create(user=world["chengkou"], name="authenticator", confirmed=True)
    session = officer.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # as after giving the code
    session.save()
    page = officer.get("/accounts/me/").content.decode()
    assert "区县专门科室" in page and "修改密码" in page and "管理 API 令牌" in page
    assert "已设置：登录时输入验证器应用中的验证码" in page
    assert "您的角色登录时只需密码" in as_user("worker").get("/accounts/me/").content.decode()
    assert Client().get("/accounts/me/").status_code == 302

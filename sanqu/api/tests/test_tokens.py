from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from sanqu.accounts.models import AuditEntry
from sanqu.api.models import ApiToken
from sanqu.api.tokens import hash_key
from sanqu.testing import PASSWORD

TOKEN_URL = "/api/v1/token/"


def test_it_gives_a_token_for_username_and_password(world):
    response = APIClient().post(
        TOKEN_URL, {"username": "worker", "password": PASSWORD, "name": "手机应用"}, format="json"
    )
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=world["worker"])
    assert token.key_hash == hash_key(key) and key not in (token.key_hash, token.prefix)
    assert token.origin == ApiToken.Origin.PASSWORD and token.name == "手机应用"
    assert response.json()["expires_at"].startswith(
        timezone.localdate(timezone.now() + dt.timedelta(days=90)).isoformat()
    )
    assert AuditEntry.objects.filter(
        action="create", object_type="api.apitoken", actor=world["worker"]
    ).exists()
    # The key opens the API as its user.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/persons/").status_code == 200


def test_it_accepts_a_form_post(world):
    response = APIClient().post(TOKEN_URL, {"username": "yangguang", "password": PASSWORD})
    assert response.status_code == 201


def test_it_refuses_a_wrong_password_through_django_authenticate(world):
    response = APIClient().post(TOKEN_URL, {"username": "worker", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["non_field_errors"]
    assert AuditEntry.objects.filter(action="login_failed", detail__username="worker").exists()
    assert not ApiToken.objects.exists()


def test_it_locks_the_account_after_repeated_failures_and_answers_json(world, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN_URL, {"username": "worker", "password": "wrong"}, format="json")
    response = APIClient().post(TOKEN_URL, {"username": "worker", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "锁定" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_it_refuses_a_password_token_to_a_two_factor_role(world):
    response = APIClient().post(TOKEN_URL, {"username": "chengkou", "password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert "/api/v1/tokens/" in response.json()["detail"]
    assert not ApiToken.objects.exists()


def test_a_token_made_in_a_session_works_for_a_two_factor_role(world, as_user):
    page = as_user("chengkou").post(reverse("api:tokens"), {"name": "区县业务系统"}, follow=True)
    assert page.redirect_chain == [(reverse("api:tokens"), 302)]
    key = page.context["issued"].key
    assert key in page.content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/organisations/").status_code == 200
    token = ApiToken.objects.get()
    assert token.origin == ApiToken.Origin.SESSION and token.last_used_at is not None


def test_an_expired_token_answers_401(world, api):
    client = api("worker")
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/persons/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "过期" in response.json()["detail"]


def test_a_revoked_token_answers_401_and_the_revocation_is_audited(world, as_user):
    browser = as_user("worker")
    key = browser.post(reverse("api:tokens"), {"name": "一次性脚本"}, follow=True).context["issued"].key
    token = ApiToken.objects.get()
    response = browser.post(reverse("api:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="update", object_type="api.apitoken", detail__changed=["revoked_at"]
    ).exists()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    answer = client.get("/api/v1/persons/")
    assert answer.status_code == 401 and "撤销" in answer.json()["detail"]


def test_an_unknown_or_malformed_token_answers_401(world):
    for header in ("Token sq_nothing", "Token", "Token a b", "Token \u00e9"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/persons/")
        assert response.status_code == 401, header
        assert response.json()["errors"] == {}


def test_no_token_answers_401(world):
    response = APIClient().get("/api/v1/persons/")
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]


def test_the_page_lists_only_my_tokens(world, as_user):
    worker = as_user("worker")
    worker.post(reverse("api:tokens"), {"name": "我的令牌"})
    as_user("mentor").post(reverse("api:tokens"), {"name": "别人的令牌"})
    assert worker.get(reverse("api:tokens")).context["issued"] is not None  # shown once…
    page = worker.get(reverse("api:tokens"))
    body = page.content.decode()
    assert "我的令牌" in body and "别人的令牌" not in body
    assert "sq_" in body and page.context["issued"] is None  # …then only the prefix


def test_nobody_revokes_someone_elses_token(world, as_user):
    as_user("mentor").post(reverse("api:tokens"), {"name": "督导的令牌"})
    token = ApiToken.objects.get()
    assert as_user("worker").post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_page_asks_for_a_purpose_and_needs_a_login(world, as_user):
    page = as_user("worker").post(reverse("api:tokens"), {"name": "  "})
    assert page.status_code == 200 and page.context["form"].errors["name"]
    assert not ApiToken.objects.exists()
    assert Client().get(reverse("api:tokens")).status_code == 302
    assert as_user("worker").get(reverse("api:token_revoke", args=[1])).status_code == 405

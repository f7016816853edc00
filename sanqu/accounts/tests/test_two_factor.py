"""Two-factor sign-in for the staff roles: set up once with a QR code, then a code at every sign-in."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanqu.accounts.models import AuditEntry
from sanqu.testing import PASSWORD, World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings) -> None:
    settings.SANQU_REQUIRE_2FA = True


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password is right"
    return client


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return (
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"
    )


def test_a_county_officer_sets_up_the_app_once_then_gives_a_code_at_each_sign_in(world: World) -> None:
    client = sign_in("chengkou")
    response = client.get("/cases/beneficiaries/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/setup/?next=%2Fcases%2Fbeneficiaries%2F"

    page = client.get(response["Location"]).content.decode()
    assert "设置两步验证" in page and "<svg" in page
    device = TOTPDevice.objects.get(user=world["chengkou"], confirmed=False)
    shown = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
    # A reload keeps the same secret (the app has already scanned it).
    client.get(response["Location"])
    assert TOTPDevice.objects.filter(user=world["chengkou"]).count() == 1

    wrong = client.post(response["Location"], {"code": "000000", "next": "/cases/beneficiaries/"})
    assert "验证码不正确或已过期" in wrong.content.decode()
    time.sleep(1.1)  # after a wrong code the next try waits a second (django-otp's throttle)
    used = code_for(device)
    done = client.post(response["Location"], {"code": used, "next": "/cases/beneficiaries/"})
    assert done.status_code == 302 and done["Location"] == "/cases/beneficiaries/"
    assert client.get("/cases/beneficiaries/").status_code == 200
    assert AuditEntry.objects.filter(
        object_id=str(world["chengkou"].pk), detail__two_factor="enrolled"
    ).exists()

    # The next sign-in asks for a code; a code once used is not accepted again.
    client.post("/accounts/logout/")
    client = sign_in("chengkou")
    assert client.get("/")["Location"] == "/accounts/two-factor/?next=%2F"
    device.refresh_from_db()
    # The code used at set-up is spent, even within its 30 seconds (and on a slow machine, once they
    # have passed, it is older than the last one accepted).
    reused = client.post("/accounts/two-factor/", {"code": used, "next": "/"})
    assert reused.status_code == 200
    time.sleep(1.1)
    accepted = client.post("/accounts/two-factor/", {"code": code_for(device, steps_ahead=1), "next": "/"})
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    assert client.get("/").status_code == 200


def test_the_code_page_refuses_bad_input_and_slows_down_guessing(world: World) -> None:
    device = TOTPDevice.objects.create(user=world["city"], name="authenticator", confirmed=True)
    client = sign_in("city")
    letters = client.post("/accounts/two-factor/", {"code": "abcdef"})
    assert "验证码是 6 位数字" in letters.content.decode()
    for _attempt in range(2):
        client.post("/accounts/two-factor/", {"code": "000000"})
    throttled = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert "尝试次数过多" in throttled.content.decode()
    assert client.get("/")["Location"].startswith("/accounts/two-factor/")
    failures = AuditEntry.objects.filter(action=AuditEntry.Action.LOGIN_FAILED, detail__step="totp")
    assert failures.count() == 3  # the two wrong codes and the try refused for being too soon


def test_workers_supervisors_and_managers_sign_in_with_the_password_alone(world: World) -> None:
    for username in ("worker", "mentor", "yangguang"):
        assert sign_in(username).get("/").status_code == 200, username


def test_every_staff_role_and_the_admin_are_held_back(world: World) -> None:
    for username in ("city", "leader", "chengkou", "editor", "reviewer"):
        client = sign_in(username)
        for path in ("/", "/admin/", "/api/v1/tokens/"):
            assert client.get(path).status_code == 302, (username, path)
        assert client.get("/site/").status_code in (200, 404)  # the public site is public


def test_an_htmx_request_is_sent_to_the_code_page_whole(world: World) -> None:
    TOTPDevice.objects.create(user=world["chengkou"], name="authenticator", confirmed=True)
    client = sign_in("chengkou")
    response = client.get("/cases/beneficiaries/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/accounts/two-factor/")


def test_the_next_address_stays_on_this_site(world: World) -> None:
    device = TOTPDevice.objects.create(user=world["chengkou"], name="authenticator", confirmed=True)
    client = sign_in("chengkou")
    response = client.post(
        "/accounts/two-factor/", {"code": code_for(device), "next": "https://spam.example.com/"}
    )
    assert response["Location"] == "/"


def test_the_city_office_resets_a_lost_phone_and_she_sets_it_up_again(
    world: World, as_user, settings
) -> None:
    settings.SANQU_REQUIRE_2FA = False  # the back office pages themselves, as a verified admin would see them
    TOTPDevice.objects.create(user=world["chengkou"], name="authenticator", confirmed=True)
    city = as_user("city")
    listing = city.get("/admin/two-factor/").content.decode()
    assert "chengkou" in listing and "已设置" in listing and "worker" not in listing
    # Wagtail answers a refusal with its home page and a message.
    for refused in (
        as_user("chengkou").get("/admin/two-factor/"),
        as_user("chengkou").post(f"/admin/two-factor/{world['chengkou'].pk}/reset/"),
    ):
        assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert TOTPDevice.objects.filter(user=world["chengkou"]).exists()

    confirm = city.get(f"/admin/two-factor/{world['chengkou'].pk}/reset/").content.decode()
    assert "确认重置" in confirm
    done = city.post(f"/admin/two-factor/{world['chengkou'].pk}/reset/", follow=True)
    assert "已重置 chengkou 的两步验证" in done.content.decode()
    assert not TOTPDevice.objects.filter(user=world["chengkou"]).exists()
    entry = AuditEntry.objects.get(detail__two_factor="reset")
    assert entry.actor == world["city"] and entry.object_id == str(world["chengkou"].pk)

    settings.SANQU_REQUIRE_2FA = True
    assert sign_in("chengkou").get("/")["Location"].startswith("/accounts/two-factor/setup/")

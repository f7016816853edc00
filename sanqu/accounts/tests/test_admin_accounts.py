from __future__ import annotations

from django.urls import reverse

from sanqu.accounts.models import AuditEntry, Membership, User
from sanqu.accounts.roles import Role
from sanqu.testing import World

AUDIT = "wagtailsnippets_accounts_auditentry:list"
MEMBERSHIPS = "wagtailsnippets_accounts_membership:list"
ADD_MEMBERSHIP = "wagtailsnippets_accounts_membership:add"


def test_it_shows_the_audit_log_to_the_city_only(world: World, as_user) -> None:
    AuditEntry.objects.create(actor_name="city", action=AuditEntry.Action.EXPORT, object_repr="人员导出")
    assert "人员导出" in as_user("city").get(reverse(AUDIT)).content.decode()
    for username in ("leader", "chengkou"):
        response = as_user(username).get(reverse(AUDIT))
        assert response.status_code in (302, 403)
        assert "人员导出" not in response.content.decode()


def test_it_has_no_way_to_edit_the_audit_log(world: World, as_user) -> None:
    entry = AuditEntry.objects.create(actor_name="city", action=AuditEntry.Action.EXPORT)
    client = as_user("city")
    assert client.get(f"/admin/snippets/accounts/auditentry/edit/{entry.pk}/").status_code == 404
    assert client.post(f"/admin/snippets/accounts/auditentry/delete/{entry.pk}/").status_code == 404
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_it_creates_a_user_with_a_membership(world: World, as_user) -> None:
    data = {
        "new_username": "kaizhou",
        "new_display_name": "开州区专门科室",
        "new_password": "Kaizhou-2026-pass",
        "role": Role.COUNTY_OFFICER,
        "region": world.wanzhou.pk,
    }
    response = as_user("city").post(reverse(ADD_MEMBERSHIP), data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    user = User.objects.get(username="kaizhou")
    assert user.check_password("Kaizhou-2026-pass")
    assert Membership.objects.filter(user=user, role=Role.COUNTY_OFFICER, region=world.wanzhou).exists()
    actions = set(AuditEntry.objects.filter(actor=world["city"]).values_list("object_type", "action"))
    assert {("accounts.user", "create"), ("accounts.membership", "create")} <= actions
    assert "Kaizhou-2026-pass" not in str(list(AuditEntry.objects.values_list("detail", flat=True)))


def test_it_refuses_a_weak_password_and_creates_nothing(world: World, as_user) -> None:
    data = {
        "new_username": "weak",
        "new_password": "12345678",
        "role": Role.CITY_VIEWER,
        "region": world.chongqing.pk,
    }
    response = as_user("city").post(reverse(ADD_MEMBERSHIP), data)
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()


def test_it_keeps_account_management_to_the_city(world: World, as_user) -> None:
    for username in ("leader", "chengkou"):
        assert as_user(username).get(reverse(MEMBERSHIPS)).status_code in (302, 403)


def test_it_speaks_chinese_by_default_and_english_on_request(world: World, as_user) -> None:
    client = as_user("city")
    assert 'lang="zh-hans"' in client.get("/admin/").content.decode()
    assert "人员" in client.get(reverse("wagtailsnippets_workforce_person:list")).content.decode()
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/admin/").content.decode()

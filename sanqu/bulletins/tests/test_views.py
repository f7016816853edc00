"""Bulletin pages: the refusals (login, method, permission, scope), compose, issue, send, the
distribution list, and the public archive."""

from __future__ import annotations

import pytest
from django.core import mail

from sanqu.accounts.roles import Role
from sanqu.bulletins import services
from sanqu.bulletins.models import Bulletin, BulletinDelivery, Recipient
from sanqu.bulletins.services import bulletin_issue
from sanqu.bulletins.tests.conftest import AS_OF, ISSUED_ON, make_draft
from sanqu.testing import make_user


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    monkeypatch.setattr(services, "render_bulletin_pdf", lambda document: b"%PDF-1.7 stand-in")


@pytest.fixture
def issued(world, draft) -> Bulletin:
    return bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)


def test_it_sends_visitors_to_sign_in(client, draft):
    for url in ("/bulletins/", f"/bulletins/{draft.pk}/", "/bulletins/recipients/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_roles_without_bulletins(as_user, draft):
    assert as_user("chengkou").get("/bulletins/").status_code == 403
    assert as_user("worker").get("/bulletins/new/").status_code == 403
    assert as_user("editor").get("/bulletins/recipients/").status_code == 403


def test_it_hides_a_bulletin_out_of_scope(world, client, draft):
    client.force_login(make_user("wanzhou_editor", (Role.EDITOR, world.wanzhou, {})))
    assert client.get("/bulletins/").status_code == 200
    for url in (f"/bulletins/{draft.pk}/", f"/bulletins/{draft.pk}/edit/", f"/bulletins/{draft.pk}/issue/"):
        assert client.get(url).status_code == 404
    assert as_list_titles(client) == []


def as_list_titles(client) -> list[str]:
    return [b.title for b in client.get("/bulletins/").context["drafts"]]


def test_it_lists_drafts_and_issued_by_year(world, as_user, articles, recipients, issued):
    make_draft(world, articles, title="七月工作动态")
    page = as_user("leader").get("/bulletins/")
    text = page.content.decode()
    assert "七月工作动态" in text and "〔2018〕第1期" in text and "2018 年" in text
    assert "编写新一期" not in text  # the leadership reads only


def test_it_shows_an_empty_list(as_user, world):
    text = as_user("editor").get("/bulletins/").content.decode()
    assert "没有待签发的草稿" in text and "还没有印发过简报" in text


def test_the_editor_composes_a_draft_with_items_in_order(world, as_user, articles, recipients):
    client = as_user("editor")
    form = client.get("/bulletins/new/")
    assert form.status_code == 200 and articles[0].title in form.content.decode()
    response = client.post(
        "/bulletins/new/",
        {
            "title": "2018年上半年工作动态",
            "masthead": "社会工作“三区”计划简报",
            "issuer": "重庆市民政局",
            "foreword": "",
            "scope": world.chongqing.pk,
            "as_of": AS_OF.isoformat(),
            "articles": [articles[0].pk, articles[2].pk],
            f"order_{articles[2].pk}": "1",
            f"order_{articles[0].pk}": "2",
        },
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/bulletins/{bulletin.pk}/"
    assert [item.article_id for item in bulletin.items.order_by("position")] == [
        articles[2].pk,
        articles[0].pk,
    ]
    preview = client.get(f"/bulletins/{bulletin.pk}/").content.decode()
    assert "预览" in preview and "签发印发" not in preview  # the editor does not issue
    assert preview.index(articles[2].title) < preview.index(articles[0].title)


def test_the_compose_form_says_which_field_is_wrong(world, as_user, articles):
    response = as_user("editor").post(
        "/bulletins/new/",
        {
            "title": "",
            "masthead": "简报",
            "issuer": "重庆市民政局",
            "scope": world.chongqing.pk,
            "as_of": "2018-07-10",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "articles" in errors
    assert not Bulletin.objects.exists()


def test_the_editor_may_not_issue_or_send(as_user, draft, issued):
    client = as_user("editor")
    assert client.get(f"/bulletins/{draft.pk}/issue/").status_code == 403
    assert client.post(f"/bulletins/{issued.pk}/send/").status_code == 403
    assert not BulletinDelivery.objects.exists()


def test_the_leadership_reads_but_changes_nothing(as_user, draft):
    client = as_user("leader")
    assert client.get(f"/bulletins/{draft.pk}/").status_code == 200
    assert client.get(f"/bulletins/{draft.pk}/edit/").status_code == 403
    assert client.post(f"/bulletins/{draft.pk}/issue/").status_code == 403


def test_the_reviewer_issues_after_a_confirmation(as_user, draft, recipients):
    client = as_user("reviewer")
    confirm = client.get(f"/bulletins/{draft.pk}/issue/").content.decode()
    assert "确认签发" in confirm and "市委办公厅" in confirm
    response = client.post(f"/bulletins/{draft.pk}/issue/")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_issued and draft.number == 1 and draft.issued_on.isoformat() == "2018-07-20"
    pdf = client.get(f"/bulletins/{draft.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_an_issued_bulletin_cannot_be_edited_from_the_page(world, as_user, issued, articles):
    client = as_user("editor")
    response = client.post(
        f"/bulletins/{issued.pk}/edit/",
        {
            "title": "改标题",
            "masthead": "简报",
            "issuer": "x",
            "scope": world.chongqing.pk,
            "as_of": "2018-07-10",
            "articles": [articles[0].pk],
        },
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.title == "2018年上半年工作动态"
    assert client.post(f"/bulletins/{issued.pk}/discard/").status_code == 302
    assert Bulletin.objects.filter(pk=issued.pk).exists()


def test_the_editor_discards_a_draft_after_confirming(as_user, draft):
    client = as_user("editor")
    assert "确定删除" in client.get(f"/bulletins/{draft.pk}/discard/").content.decode()
    assert client.post(f"/bulletins/{draft.pk}/discard/").status_code == 302
    assert not Bulletin.objects.filter(pk=draft.pk).exists()


def test_the_reviewer_sends_and_reads_the_log(as_user, issued):
    client = as_user("reviewer")
    confirm = client.get(f"/bulletins/{issued.pk}/send/").content.decode()
    assert "4 个单位" in confirm and "qxmzj@example.cn" in confirm and "市财政局" not in confirm
    assert client.get(f"/bulletins/{issued.pk}/send/", follow=False).status_code == 200
    response = client.post(f"/bulletins/{issued.pk}/send/")
    assert response["Location"] == f"/bulletins/{issued.pk}/deliveries/"
    assert len(mail.outbox) == 4
    log = client.get(f"/bulletins/{issued.pk}/deliveries/").content.decode()
    assert log.count("已发送") >= 4 and "民政部社会工作司" in log


def test_a_draft_is_not_sent(as_user, draft):
    response = as_user("reviewer").post(f"/bulletins/{draft.pk}/send/")
    assert response.status_code == 302 and not mail.outbox


def test_wrong_methods_are_refused(as_user, draft, recipients):
    client = as_user("reviewer")
    assert client.post(f"/bulletins/{draft.pk}/").status_code == 405
    assert client.get(f"/bulletins/recipients/{recipients[0].pk}/toggle/").status_code == 405


def test_the_reviewer_keeps_the_distribution_list(as_user, recipients):
    client = as_user("reviewer")
    page = client.get("/bulletins/recipients/").content.decode()
    assert "市委办公厅" in page and "已停用" in page
    response = client.post(
        "/bulletins/recipients/new/",
        {"department": "市教委", "email": "JW@example.cn", "kind": "copy", "position": 9, "active": "on"},
    )
    assert response.status_code == 302
    assert Recipient.objects.get(department="市教委").email == "jw@example.cn"
    duplicate = client.post(
        "/bulletins/recipients/new/",
        {"department": "市教委", "email": "x@example.cn", "kind": "copy", "position": 1},
    )
    assert duplicate.status_code == 200 and "department" in duplicate.context["form"].errors
    client.post(f"/bulletins/recipients/{recipients[0].pk}/toggle/")
    recipients[0].refresh_from_db()
    assert not recipients[0].active
    client.post(
        f"/bulletins/recipients/{recipients[1].pk}/edit/",
        {
            "department": "民政部社会工作司",
            "email": "new@example.cn",
            "kind": "report",
            "position": 2,
            "active": "on",
        },
    )
    recipients[1].refresh_from_db()
    assert recipients[1].email == "new@example.cn"


# --- The public archive ---------------------------------------------------------------------------


def test_the_archive_lists_only_issued_bulletins(client, world, articles, issued):
    draft = make_draft(world, articles, title="还在起草的一期")
    response = client.get("/site/bulletins/")
    text = response.content.decode()
    assert response.status_code == 200
    assert "〔2018〕第1期" in text and "还在起草的一期" not in text
    assert f"/site/bulletins/{issued.pk}/pdf/" in text
    assert client.get(f"/site/bulletins/{draft.pk}/").status_code == 404
    assert client.get(f"/site/bulletins/{draft.pk}/pdf/").status_code == 404


def test_the_archive_shows_an_issue_and_serves_its_pdf(client, issued):
    page = client.get(f"/site/bulletins/{issued.pk}/")
    text = page.content.decode()
    assert "城口县鸡鸣乡社会工作站挂牌运行" in text and "报：" in text
    assert "style=" not in text and "<script>" not in text  # the public site's CSP allows neither
    assert "'unsafe-inline'" not in page["Content-Security-Policy"]
    pdf = client.get(f"/site/bulletins/{issued.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_the_archive_says_when_there_is_nothing(client, world):
    assert "暂无简报" in client.get("/site/bulletins/").content.decode()

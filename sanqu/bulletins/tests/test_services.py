"""Bulletin services: numbering, the freeze on issue, the two steps, sending and its log."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from sanqu.accounts.models import AuditEntry
from sanqu.accounts.roles import Role
from sanqu.bulletins import services
from sanqu.bulletins.models import Bulletin, BulletinDelivery
from sanqu.bulletins.services import bulletin_issue, bulletin_send, bulletin_update
from sanqu.bulletins.tests.backends import REFUSED
from sanqu.bulletins.tests.conftest import ISSUED_ON, make_draft
from sanqu.publicity.models import ArticlePage
from sanqu.testing import make_user


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch, request):
    """WeasyPrint takes seconds: tests that do not read the PDF get a stand-in."""
    if "real_pdf" not in request.fixturenames:
        monkeypatch.setattr(services, "render_bulletin_pdf", lambda document: b"%PDF-1.7 stand-in")


def test_it_numbers_issues_in_order_within_a_year_and_restarts_in_a_new_one(
    world, articles, recipients, settings
):
    first = bulletin_issue(actor=world["reviewer"], bulletin=make_draft(world, articles), issued_on=ISSUED_ON)
    second = bulletin_issue(
        actor=world["reviewer"], bulletin=make_draft(world, articles[:1]), issued_on=dt.date(2018, 7, 15)
    )
    settings.SANQU_TODAY = dt.date(2019, 1, 3)
    next_year = bulletin_issue(
        actor=world["reviewer"], bulletin=make_draft(world, articles[1:]), issued_on=dt.date(2019, 1, 3)
    )
    assert (first.year, first.number) == (2018, 1)
    assert (second.year, second.number) == (2018, 2)
    assert (next_year.year, next_year.number) == (2019, 1)
    assert second.issue_label == "〔2018〕第2期"


def test_it_numbers_only_on_issue(world, draft):
    assert draft.number is None and draft.year is None
    assert str(draft).startswith("社会工作“三区”计划简报")


def test_it_takes_the_next_number_when_another_issue_took_the_same_one(
    world, articles, recipients, monkeypatch
):
    bulletin_issue(actor=world["reviewer"], bulletin=make_draft(world, articles), issued_on=ISSUED_ON)
    real = services.next_number
    answers = iter([1])  # the first attempt reads a stale highest number, as a concurrent issue would

    def racing(year: int) -> int:
        return next(answers, None) or real(year)

    monkeypatch.setattr(services, "next_number", racing)
    second = bulletin_issue(
        actor=world["reviewer"], bulletin=make_draft(world, articles), issued_on=ISSUED_ON
    )
    assert second.number == 2
    assert Bulletin.objects.filter(year=2018).count() == 2


def test_it_freezes_items_figures_and_distribution_on_issue(world, draft, articles):
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    assert [row["key"] for row in issued.figures][:2] == ["receiving_counties", "dispatched_total"]
    assert issued.figures[0]["label"] == "受援区县"
    assert [line["label"] for line in issued.distribution] == ["报", "送", "发"]
    assert issued.distribution[0]["departments"] == ["市委办公厅", "民政部社会工作司"]
    assert "市财政局" not in str(issued.distribution)  # inactive
    assert issued.copies == 4
    # Editing the article later does not change the issued bulletin.
    article = ArticlePage.objects.get(pk=articles[0].pk)
    article.title = "改过的标题"
    article.save()
    assert issued.items.first().title == "城口县鸡鸣乡社会工作站挂牌运行"
    assert issued.pdf.name.startswith("bulletins/")
    entry = (
        AuditEntry.objects.filter(object_type="bulletins.bulletin", object_id=str(issued.pk))
        .order_by("pk")
        .last()
    )
    assert entry.detail["issued"] == "〔2018〕第1期"


def test_it_never_changes_an_issued_bulletin(world, draft, articles):
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    with pytest.raises(ValidationError, match="已经印发"):
        bulletin_update(actor=world["editor"], bulletin=issued, data={"title": "新标题"}, articles=articles)
    with pytest.raises(ValidationError, match="已经印发"):
        bulletin_issue(actor=world["reviewer"], bulletin=issued, issued_on=ISSUED_ON)
    with pytest.raises(ValidationError, match="已经印发"):
        services.bulletin_delete(actor=world["editor"], bulletin=issued)
    issued.refresh_from_db()
    assert issued.title == "2018年上半年工作动态" and issued.number == 1


def test_the_editor_drafts_but_neither_issues_nor_sends(world, draft):
    with pytest.raises(PermissionDenied):
        bulletin_issue(actor=world["editor"], bulletin=draft)
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    with pytest.raises(PermissionDenied):
        bulletin_send(actor=world["editor"], bulletin=issued)
    assert not BulletinDelivery.objects.exists()


def test_the_reviewer_does_not_draft(world, articles):
    with pytest.raises(PermissionDenied):
        services.bulletin_create(
            actor=world["reviewer"], title="本期", scope=world.chongqing, as_of=ISSUED_ON, articles=articles
        )


def test_an_out_of_scope_bulletin_is_not_found(world, draft):
    outsider = make_user("wanzhou_reviewer", (Role.REVIEWER, world.wanzhou, {}))
    with pytest.raises(Http404):
        bulletin_issue(actor=outsider, bulletin=draft)
    with pytest.raises(Http404):
        bulletin_update(actor=world["chengkou"], bulletin=draft, data={}, articles=[])


def test_the_guard_refuses_spam_in_the_foreword(world, articles):
    with pytest.raises(ValidationError) as refused:
        make_draft(world, articles, foreword="欢迎访问 www.spam-casino.example 澳门赌场在线开户")
    assert "foreword" in refused.value.message_dict


def test_it_refuses_a_draft_without_news_or_with_a_future_date(world, articles):
    with pytest.raises(ValidationError) as empty:
        make_draft(world, [])
    assert "articles" in empty.value.message_dict
    with pytest.raises(ValidationError) as future:
        make_draft(world, articles, as_of=dt.date(2018, 8, 1))
    assert "as_of" in future.value.message_dict


def test_it_sends_one_message_per_active_recipient_and_logs_each(world, draft):
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    deliveries = bulletin_send(actor=world["reviewer"], bulletin=issued)
    assert len(deliveries) == 4
    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(d.email for d in deliveries)
    message = mail.outbox[0]
    assert "〔2018〕第1期" in message.subject
    name, content, mimetype = message.attachments[0]
    assert name == "社会工作“三区”计划简报2018年第1期.pdf"
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    assert {d.outcome for d in deliveries} == {BulletinDelivery.Outcome.SENT}
    assert BulletinDelivery.objects.filter(bulletin=issued).count() == 4
    # A second send is a second set of deliveries.
    bulletin_send(actor=world["reviewer"], bulletin=issued)
    assert BulletinDelivery.objects.filter(bulletin=issued).count() == 8


def test_a_failing_recipient_is_logged_and_the_others_still_get_it(world, draft, settings):
    settings.MAILERS = {"default": {"BACKEND": "sanqu.bulletins.tests.backends.RefusingBackend"}}
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    deliveries = bulletin_send(actor=world["reviewer"], bulletin=issued)
    outcomes = {d.email: d.outcome for d in deliveries}
    assert outcomes.pop(REFUSED) == BulletinDelivery.Outcome.FAILED
    assert set(outcomes.values()) == {BulletinDelivery.Outcome.SENT}
    assert len(mail.outbox) == 3
    failed = BulletinDelivery.objects.get(email=REFUSED)
    assert "SMTPRecipientsRefused" in failed.error
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, object_id=str(issued.pk)).get()
    assert entry.detail == {"sent": 3, "failed": ["民政部社会工作司"]}


def test_it_refuses_an_issue_date_after_today(world, draft):
    with pytest.raises(ValidationError) as refused:
        bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=dt.date(2018, 7, 21))
    assert "issued_on" in refused.value.message_dict
    draft.refresh_from_db()
    assert not draft.is_issued


def test_it_does_not_send_a_draft(world, draft):
    with pytest.raises(ValidationError, match="印发后"):
        bulletin_send(actor=world["reviewer"], bulletin=draft)


@pytest.fixture
def real_pdf() -> None:
    """Asked for by the tests that read the PDF WeasyPrint makes."""


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_pdf_holds_masthead_number_items_figures_and_distribution(world, draft, tmp_path, real_pdf):
    issued = bulletin_issue(actor=world["reviewer"], bulletin=draft, issued_on=ISSUED_ON)
    path = tmp_path / "bulletin.pdf"
    with issued.pdf.open("rb") as handle:
        path.write_bytes(handle.read())
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = "".join(text.split())
    assert "社会工作“三区”计划简报" in flat
    assert "〔2018〕第1期" in flat
    assert "重庆市民政局" in flat and "2018年7月12日" in flat
    for title in ("城口县鸡鸣乡社会工作站挂牌运行", "丰都县社会工作发展基地开展集中督导"):
        assert title in flat
    assert "受援区县" in flat and "截至2018年7月10日" in flat
    assert "报：市委办公厅，民政部社会工作司。" in flat
    assert "发：各受援区县（自治县）民政局。" in flat
    assert "共印4份" in flat
    fonts = subprocess.run(  # noqa: S603
        ["/usr/bin/pdffonts", str(path)], capture_output=True, check=True, text=True
    ).stdout
    assert "Noto-Serif-CJK-SC" in fonts and "Noto-Sans-CJK-SC" in fonts

"""The demo's bulletins: the list, two issued and sent bulletins of 2018 from the demo's news."""

from __future__ import annotations

import pytest
from django.core import mail

from sanqu.bulletins import services
from sanqu.bulletins.demo import build_bulletins
from sanqu.bulletins.models import Bulletin, BulletinDelivery, Recipient
from sanqu.publicity.demo import build_publicity


@pytest.fixture(autouse=True)
def no_pdf(monkeypatch):
    monkeypatch.setattr(services, "render_bulletin_pdf", lambda document: b"%PDF-1.7 stand-in")


def test_it_issues_and_sends_two_bulletins_of_2018_and_can_run_again(world):
    build_publicity()
    first, second = build_bulletins()
    assert (first.issue_label, second.issue_label) == ("〔2018〕第1期", "〔2018〕第2期")
    assert first.scope.code == "500000" and first.as_of.isoformat() == "2018-07-10"
    assert second.items.first().title == "重庆“三区”计划实施六年成效明显"
    assert Recipient.objects.filter(active=True).count() == 6
    assert all(r.email.endswith(".example.cn") for r in Recipient.objects.all())
    assert BulletinDelivery.objects.filter(outcome=BulletinDelivery.Outcome.SENT).count() == 12
    assert len(mail.outbox) == 12
    build_bulletins()
    assert list(Bulletin.objects.values_list("number", flat=True).order_by("number")) == [1, 2]
    assert BulletinDelivery.objects.count() == 12

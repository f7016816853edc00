"""The demo's bulletins: a distribution list and the two issues of 2018, made from the demo's news.

The editor drafts each issue from the published news, the reviewer issues it (numbered 〔2018〕第1期
and 第2期, figures of 重庆市 frozen as of 2018-07-10, the PDF kept) and sends it through the
configured mail backend (files under var/mail in the demo), so each has its delivery log. Runs after
the news demo (sanqu.publicity.demo.build_publicity); nothing here touches a figure.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from sanqu.accounts.models import User
from sanqu.bulletins.models import Bulletin, BulletinDelivery, BulletinItem, Recipient
from sanqu.bulletins.services import bulletin_create, bulletin_issue, bulletin_send, recipient_create
from sanqu.publicity.models import ArticlePage
from sanqu.regions.models import Region

AS_OF = dt.date(2018, 7, 10)
ISSUED_ON = dt.date(2018, 7, 10)

# (department, address on a reserved domain, 报/送/发)
RECIPIENTS = [
    ("民政部社会工作司", "shgzs@mca.example.cn", Recipient.Kind.REPORT),
    ("市委办公厅", "bgt@cq-swbgt.example.cn", Recipient.Kind.REPORT),
    ("市政府办公厅", "bgt@cq-zfbgt.example.cn", Recipient.Kind.REPORT),
    ("市委组织部人才工作处", "rcc@cq-zzb.example.cn", Recipient.Kind.COPY),
    ("市财政局社会保障处", "sbc@cq-czj.example.cn", Recipient.Kind.COPY),
    ("各受援区县（自治县）民政局", "shgzk@cq-qxmzj.example.cn", Recipient.Kind.ISSUE),
]

# (title, foreword, article slugs in order)
ISSUES = [
    (
        "2018年上半年工作动态",
        "今年以来，各受援区县按照年度选派工作安排，推进社会工作站建设、集中督导和本土人才培养。"
        "现将几项工作情况编发如下，供参阅。",
        ["2018-dispatch-notice", "fengdu-base-supervision", "jiming-station-opens"],
    ),
    (
        "“三区”计划实施六年成效",
        "本期刊发全市“三区”计划实施六年来的成效，以及培养对象培训和村级合作社的最新进展。"
        "文末附截至2018年7月10日的主要数据。",
        ["three-regions-results", "2018-trainee-course", "xinghe-honey-sale"],
    ),
]


def clear_bulletins() -> None:
    """Remove the demo's earlier bulletins and list (a re-run starts from nothing)."""
    BulletinDelivery.objects.all().delete()
    BulletinItem.objects.all().delete()
    for bulletin in Bulletin.objects.all():
        bulletin.pdf.delete(save=False)
        bulletin.delete()
    Recipient.objects.all().delete()


@transaction.atomic
def build_bulletins() -> list[Bulletin]:
    """The list and the two issued, sent bulletins; needs the demo's news and accounts."""
    city = User.objects.get(username="city")
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    scope = Region.objects.get(code="500000")
    clear_bulletins()
    for position, (department, email, kind) in enumerate(RECIPIENTS, start=1):
        recipient_create(actor=city, department=department, email=email, kind=kind, position=position)
    issued = []
    for title, foreword, slugs in ISSUES:
        by_slug = {page.slug: page for page in ArticlePage.objects.live().filter(slug__in=slugs)}
        draft = bulletin_create(
            actor=editor,
            title=title,
            foreword=foreword,
            scope=scope,
            as_of=AS_OF,
            articles=[by_slug[slug] for slug in slugs],
        )
        bulletin = bulletin_issue(actor=reviewer, bulletin=draft, issued_on=ISSUED_ON)
        bulletin_send(actor=reviewer, bulletin=bulletin)
        issued.append(bulletin)
    return issued

"""Bulletin fixtures: the news tree with three published items, a distribution list, a draft."""

from __future__ import annotations

import datetime as dt

import pytest

from sanqu.bulletins.models import Bulletin, Recipient
from sanqu.bulletins.services import bulletin_create
from sanqu.publicity.demo import Tree, build_tree
from sanqu.publicity.models import ArticlePage
from sanqu.publicity.tests.factories import make_article
from sanqu.testing import World

AS_OF = dt.date(2018, 7, 10)
ISSUED_ON = dt.date(2018, 7, 12)


@pytest.fixture(autouse=True)
def pinned_day(settings) -> None:
    settings.SANQU_TODAY = dt.date(2018, 7, 20)


@pytest.fixture
def tree(world: World) -> Tree:
    return build_tree()


@pytest.fixture
def articles(world: World, tree: Tree) -> list[ArticlePage]:
    column = tree.columns["local"]
    people = {"editor": world["editor"], "reviewer": world["reviewer"]}
    return [
        make_article(
            column,
            **people,
            title="城口县鸡鸣乡社会工作站挂牌运行",
            date=dt.date(2018, 5, 16),
            source="城口县民政局",
            body=(
                "<p>5月16日，城口县鸡鸣乡社会工作站正式挂牌运行，由选派社工和本土社工共同驻站。</p>"
                "<h2>一、服务对象</h2><p>工作站以留守妇女、留守儿童和留守老人为重点开展服务。</p>"
            ),
        ),
        make_article(
            column,
            **people,
            title="丰都县社会工作发展基地开展集中督导",
            date=dt.date(2018, 4, 25),
            source="丰都县民政局",
            body="<p>督导老师以小组方式听取社工汇报在办个案，并进行案例教学。</p>",
        ),
        make_article(
            column,
            **people,
            title="彭水县兴和村土特产合作社完成首批蜂蜜统一销售",
            date=dt.date(2018, 6, 28),
            source="彭水县民政局",
            body="<p>合作社统一收购、统一包装、统一寄递，养殖户的销售成本明显下降。</p>",
        ),
    ]


@pytest.fixture
def recipients(db: None) -> list[Recipient]:
    return [
        Recipient.objects.create(
            department="市委办公厅", email="swbgt@example.cn", kind="report", position=1
        ),
        Recipient.objects.create(
            department="民政部社会工作司", email="shgzs@example.cn", kind="report", position=2
        ),
        Recipient.objects.create(
            department="市政府办公厅", email="szfbgt@example.cn", kind="copy", position=3
        ),
        Recipient.objects.create(
            department="各受援区县（自治县）民政局", email="qxmzj@example.cn", kind="issue", position=4
        ),
        Recipient.objects.create(department="市财政局", email="czj@example.cn", kind="copy", active=False),
    ]


def make_draft(world: World, articles: list[ArticlePage], **fields: object) -> Bulletin:
    values: dict[str, object] = {
        "title": "2018年上半年工作动态",
        "scope": world.chongqing,
        "as_of": AS_OF,
        "articles": articles,
        "foreword": "现将今年上半年各地“三区”计划实施中的几项工作编发如下，供各单位参阅。",
    }
    values.update(fields)
    return bulletin_create(actor=world["editor"], **values)  # type: ignore[arg-type]


@pytest.fixture
def draft(world: World, articles: list[ArticlePage], recipients: list[Recipient]) -> Bulletin:
    return make_draft(world, articles)

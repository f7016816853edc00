"""News items for the tests, published as the demo does it: the editor submits, the reviewer approves."""

from __future__ import annotations

import datetime as dt
import itertools

from sanqu.accounts.models import User
from sanqu.publicity.demo import Tree, approve_frame, build_tree, publish_reviewed
from sanqu.publicity.models import ArticlePage, NewsColumnPage

_numbers = itertools.count(1)


def make_article(
    column: NewsColumnPage,
    *,
    editor: User,
    reviewer: User,
    title: str = "城口县鸡鸣乡社会工作站挂牌运行",
    date: dt.date = dt.date(2018, 7, 10),
    body: str = "<p>鸡鸣乡社会工作站今天挂牌，选派社工和本土社工共同驻站。</p>",
    **fields: object,
) -> ArticlePage:
    number = next(_numbers)
    article = ArticlePage(
        title=title,
        slug=f"item-{number}",
        date=date,
        source=str(fields.pop("source", "重庆市民政局")),
        summary=str(fields.pop("summary", "选派社工和本土社工共同驻站。")),
        body=body,
        **fields,
    )
    return publish_reviewed(column=column, article=article, editor=editor, reviewer=reviewer)


def news_tree() -> Tree:
    """The demo's tree with its frame reviewed (the test world's city office, editor and reviewer)."""
    tree = build_tree()
    users = {user.username: user for user in User.objects.filter(username__in=["city", "editor", "reviewer"])}
    approve_frame(tree, editor=users["editor"], reviewer=users["reviewer"], office=users["city"])
    return tree

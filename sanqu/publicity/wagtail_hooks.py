"""The news column in Wagtail's admin: a new 新闻中心 page comes under the two-step review at once."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page

from sanqu.publicity.models import NewsIndexPage
from sanqu.publicity.review import ensure_news_review


@hooks.register("after_create_page")
def review_new_news_index(request: HttpRequest, page: Page) -> Any:
    if isinstance(page.specific, NewsIndexPage):
        ensure_news_review(page)
    return None

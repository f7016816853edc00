"""RSS feeds: one for all news (新闻中心) and one per column, the newest items first."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from sanqu.publicity.models import ArticlePage, NewsColumnPage, NewsIndexPage

FEED_ITEMS = 20


class NewsFeed(Feed):
    """The feed of a news index or column page (passed as `page` by the page's feed route)."""

    def get_object(
        self, request: HttpRequest, *args: Any, page: NewsIndexPage | NewsColumnPage, **kwargs: Any
    ) -> NewsIndexPage | NewsColumnPage:
        self.request = request
        return page

    def title(self, page: NewsIndexPage | NewsColumnPage) -> str:
        site = page.get_site()
        return f"{page.title} · {site.site_name}" if site and site.site_name else page.title

    def link(self, page: NewsIndexPage | NewsColumnPage) -> str:
        return self.request.build_absolute_uri(page.get_url(self.request) or "/")

    def description(self, page: NewsIndexPage | NewsColumnPage) -> str:
        # RSS readers read a description as HTML: plain text goes out escaped.
        return escape(page.intro or _("%(title)s的最新消息") % {"title": page.title})

    def items(self, page: NewsIndexPage | NewsColumnPage) -> list[ArticlePage]:
        return list(page.articles()[:FEED_ITEMS])

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return escape(item.summary)

    def item_link(self, item: ArticlePage) -> str:
        return item.reader_url(self.request)

    def item_pubdate(self, item: ArticlePage) -> dt.datetime:
        return dt.datetime.combine(item.date, dt.time(9, 0))

    def item_author_name(self, item: ArticlePage) -> str:
        return item.source

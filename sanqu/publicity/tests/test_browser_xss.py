"""An attacker with database access writes script into every public text: nothing runs in Chromium.

The payloads go straight into the database (`QuerySet.update`), past the guard that would refuse them
on any save, into every text a reader sees: the item's title, summary, source, body, lead image
caption and the image's title (its alt text), the column's, the news centre's and the home page's
intro. Each payload, if it ran, would open a dialog and set `window.__xss`.

Asserted on the item, the column's list, the news centre, the home page, the search results (with a
payload in the query too) and both RSS feeds, opened in Chromium:
- no dialog opened and `window.__xss` is undefined (no payload ran);
- no uncaught script error (`pageerror`);
- the page still shows its title and, for HTML pages, its breadcrumb, the payload as plain text where
  a plain-text field shows it;
- console errors only of two kinds: the CSP's report of a blocked script or inline handler ("Refused
  to …  Content Security Policy"), which would mean a payload reached the DOM and the policy stopped it
  (the second line of defence), and the failed load of the payloads' own bogus image address `x`
  (or of /favicon.ico, which Chromium asks for when it shows a feed as plain text).
  Any other console error fails the test. Today escaping and sanitising leave no CSP report at all.
Then `sanqu check-published` reports the item: its served page no longer matches the approval.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from django.conf import settings as dj_settings
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.test import Client
from PIL import Image as PILImage
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images.models import Image
from wagtail.models import Collection, Locale

from sanqu.publicity.demo import Tree
from sanqu.publicity.models import ArticlePage, NewsColumnPage, NewsIndexPage, PublicHomePage
from sanqu.publicity.tests.factories import make_article, news_tree
from sanqu.testing import World
from sanqu.workbench.tests.conftest import CHROMIUM, CHROMIUM_ARGS

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.browser

RUN = "window.__xss=1;alert(document.domain)"
PAYLOADS = {
    "title": f"鸡鸣乡<script>{RUN}</script>",
    "summary": f'摘要"><img src=x onerror="{RUN}"><svg onload="{RUN}">',
    "source": f"</span><script>{RUN}</script>",
    "body": (
        "<p>鸡鸣乡社会工作站今天挂牌。</p>"
        f"<script>{RUN}</script>"
        f'<img src=x onerror="{RUN}">'
        f'<p><a href="javascript:{RUN}" id="lure">点我</a></p>'
        f'<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>'
        f"<svg><script>{RUN}</script></svg>"
        f'<p style="background:url(javascript:{RUN})" onclick="{RUN}">样式</p>'
        f'<object data="javascript:{RUN}"></object><embed src="javascript:{RUN}">'
        # Last: an unclosed <math> takes the rest of the body with it when it is removed.
        f'<math><mtext><table><mglyph><style><img src=x onerror="{RUN}">'
    ),
    "lead_image_caption": f"<img src=x onerror='{RUN}'>题图",
    "image_title": f'题图" onerror="{RUN}',
    "column_intro": f"<script>{RUN}</script>栏目",
    "news_intro": f'<body onload="{RUN}">新闻中心',
    "home_intro": f'<iframe src="javascript:{RUN}"></iframe>首页',
    "query": f"鸡鸣乡<script>{RUN}</script>",
}


# A tag, as an HTML reader of the feed would parse it.
MARKUP = re.compile(r"<[a-zA-Z/!]")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 375, "height": 812}}


def restore_wagtail_rows() -> None:
    """The rows Wagtail's migrations make, which an earlier live-server test's flush removed."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(dj_settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def png() -> ImageFile:
    data = io.BytesIO()
    PILImage.new("RGB", (40, 30), (200, 80, 40)).save(data, "PNG")
    return ImageFile(data, name="lead.png")


@pytest.fixture
def tampered(world: World, settings, tmp_path: Path) -> Iterator[tuple[Tree, ArticlePage]]:
    settings.MEDIA_ROOT = tmp_path
    restore_wagtail_rows()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    tree = news_tree()
    article = make_article(tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"])
    image = Image.objects.create(title="题图", file=png())
    Image.objects.filter(pk=image.pk).update(title=PAYLOADS["image_title"])
    ArticlePage.objects.filter(pk=article.pk).update(
        title=PAYLOADS["title"],
        summary=PAYLOADS["summary"],
        source=PAYLOADS["source"],
        body=PAYLOADS["body"],
        lead_image=image,
        lead_image_caption=PAYLOADS["lead_image_caption"],
    )
    NewsColumnPage.objects.filter(pk=tree.columns["local"].pk).update(intro=PAYLOADS["column_intro"])
    NewsIndexPage.objects.filter(pk=tree.news.pk).update(intro=PAYLOADS["news_intro"])
    PublicHomePage.objects.filter(pk=tree.home.pk).update(intro=PAYLOADS["home_intro"])
    # The worker's indexing task would pick the tampered texts up: run it now.
    call_command("update_index", stdout=io.StringIO())
    yield tree, ArticlePage.objects.get(pk=article.pk)


class Watch:
    """What a page did while open: dialogs, uncaught errors, console errors."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[ConsoleMessage] = []
        page.on("dialog", self.on_dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda message: self.console.append(message) if message.type == "error" else None)

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def unexpected_console_errors(self) -> list[str]:
        allowed = []
        for message in self.console:
            blocked_by_csp = "Content Security Policy" in message.text and "Refused" in message.text
            # The payloads' bogus image address, and the icon Chromium asks for when it shows a feed
            # as plain text (a document with no icon link of its own).
            missing = "Failed to load resource" in message.text and (
                message.location.get("url", "").rstrip("/").endswith(("/x", "/favicon.ico"))
            )
            if not (blocked_by_csp or missing):
                allowed.append(f"{message.text} @ {message.location.get('url')}")
        return allowed


def assert_inert(page: Page, watch: Watch) -> None:
    page.wait_for_load_state("load")
    assert watch.dialogs == []
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert watch.errors == []
    assert watch.unexpected_console_errors() == []


def test_it_runs_none_of_the_payloads_written_into_the_database(
    page: Page, live_server, tampered: tuple[Tree, ArticlePage]
) -> None:
    tree, article = tampered
    watch = Watch(page)
    breadcrumb = page.get_by_role("navigation", name="当前位置")

    # The item: every field shown as text or sanitised, the lure link leads nowhere.
    page.goto(live_server.url + article.url)
    expect(page.get_by_role("heading", level=1)).to_have_text(PAYLOADS["title"])
    expect(breadcrumb).to_contain_text("地方动态")
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text("正文")
    expect(page.locator(".article__summary")).to_have_text(PAYLOADS["summary"])
    expect(page.locator(".article__meta")).to_contain_text(PAYLOADS["source"])
    expect(page.locator(".article__figure figcaption")).to_have_text(PAYLOADS["lead_image_caption"])
    expect(page.locator(".article__figure img")).to_have_attribute("alt", PAYLOADS["image_title"])
    expect(page.locator(".article__body")).to_contain_text("鸡鸣乡社会工作站今天挂牌。")
    assert page.locator(".article__body script, .article__body iframe, .article__body svg").count() == 0
    assert (
        page.locator(".article__body [onerror], .article__body [onclick], .article__body [style]").count()
        == 0
    )
    page.get_by_text("点我").click()
    page.get_by_text("样式").click()
    assert_inert(page, watch)
    assert page.title().startswith(PAYLOADS["title"])

    # The column's list, the news centre and the home page: intros and the item's texts as text.
    page.goto(live_server.url + tree.columns["local"].url)
    expect(page.get_by_role("heading", level=1)).to_have_text("地方动态")
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text("地方动态")
    expect(page.locator(".lead")).to_have_text(PAYLOADS["column_intro"])
    expect(page.locator(".news-list__title")).to_have_text(PAYLOADS["title"])
    expect(page.locator(".news-list__summary")).to_have_text(PAYLOADS["summary"])
    assert_inert(page, watch)

    page.goto(live_server.url + tree.news.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("新闻中心")
    expect(page.locator(".lead")).to_have_text(PAYLOADS["news_intro"])
    assert_inert(page, watch)

    page.goto(live_server.url + tree.home.url)
    expect(page.locator(".lead")).to_have_text(PAYLOADS["home_intro"])
    expect(page.locator(".news-list__title")).to_have_text(PAYLOADS["title"])
    assert_inert(page, watch)

    # The search, with a payload in the query as well.
    page.goto(live_server.url + tree.news.url)
    page.get_by_role("searchbox").fill(PAYLOADS["query"])
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("搜索新闻")
    expect(breadcrumb.locator("[aria-current=page]")).to_have_text("搜索")
    expect(page.locator(".empty, .search-count")).to_contain_text(PAYLOADS["query"])
    assert_inert(page, watch)
    page.goto(live_server.url + tree.news.url + "search/?q=鸡鸣乡")
    expect(page.locator(".search-count")).to_contain_text("找到 1 条结果")
    expect(page.locator(".news-list__title")).to_have_text(PAYLOADS["title"])
    assert_inert(page, watch)

    # The feeds: Chromium shows RSS as plain text, so nothing in it can run; read as XML, every text
    # is character data, never markup.
    for feed in (tree.columns["local"].url + "feed/", tree.news.url + "feed/"):
        response = page.goto(live_server.url + feed)
        assert response is not None and response.ok
        assert "rss" in (response.header_value("content-type") or "")
        assert page.evaluate("document.querySelectorAll('script, iframe, img, svg').length") == 0
        titles = page.evaluate(
            """() => {
                const xml = new DOMParser().parseFromString(document.body.innerText, "application/xml");
                return [...xml.querySelectorAll("item > title")].map((e) => e.textContent);
            }"""
        )
        assert titles == [PAYLOADS["title"]]
        assert_inert(page, watch)

    # And the check sees the item is not what was approved.
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("check-published", "--no-report", stdout=out)
    assert exit_.value.code == 1
    assert "现在公开的页面与审核通过时不一致" in out.getvalue()
    assert PAYLOADS["title"] in out.getvalue()


def test_it_gives_feed_readers_the_summary_as_text(tampered: tuple[Tree, ArticlePage]) -> None:
    """An RSS <description> is HTML to a feed reader: a plain-text summary must reach it escaped."""
    tree, _article = tampered
    for feed in (tree.columns["local"].url + "feed/", tree.news.url + "feed/"):
        channel = ElementTree.fromstring(Client().get(feed).content).find("channel")  # noqa: S314 (our own feed)
        assert channel is not None
        descriptions = [
            channel.findtext("description", ""),
            *(d.text or "" for d in channel.iter("description")),
        ]
        assert not any(MARKUP.search(text) for text in descriptions), descriptions

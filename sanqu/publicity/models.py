"""Publicity (issue 8): the public news column on Wagtail pages, bulletins (简报), and the guard that keeps
spam and scripts off everything public.

The page tree is 首页 (PublicHomePage, the Wagtail site's root) > 新闻中心 (NewsIndexPage) > 栏目
(NewsColumnPage: 地方动态, 项目动态, 政策文件) > 正文 (ArticlePage). Every text a reader will see is
checked by the guard in `clean()`, so a refused text can be neither saved as a draft nor published
(Wagtail validates the page on both); the body is rendered through the guard's sanitiser.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import AbstractGroupApprovalTask, Page, TaskState
from wagtail.query import PageQuerySet
from wagtail.rich_text import expand_db_html
from wagtail.search import index

from sanqu.publicity import guard
from sanqu.publicity.search import cjk_terms

# What an editor may use in an article's body: headings, emphasis, lists, quotations and links (the
# guard refuses links to hosts off its allow-list). No images, embeds or raw HTML in the body.
BODY_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "blockquote", "link"]
PER_PAGE = 15

# Clients that announce themselves as robots do not count as readers.
BOT_AGENT = re.compile(r"bot|spider|crawl|slurp|curl|wget|python-requests|python-urllib|httpx", re.I)


class GuardedPage(Page):
    """A public page whose reader-facing texts pass the guard before any save."""

    # (field name, is HTML) for every text of the page a reader sees, besides the title.
    guarded_fields: tuple[tuple[str, bool], ...] = ()

    class Meta:
        abstract = True

    def clean(self) -> None:
        super().clean()
        self.guard_texts()

    def minimal_clean(self) -> None:
        # Wagtail's check of a draft saved outside the admin (live=False): the guard applies there too.
        super().minimal_clean()
        self.guard_texts()

    def guard_texts(self) -> None:
        errors: dict[str, list[ValidationError]] = {}
        for name, html in (("title", False), *self.guarded_fields):
            try:
                guard.require_clean(name, getattr(self, name) or "", html=html)
            except guard.Refused as refused:
                errors = refused.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class PublicHomePage(GuardedPage):
    """首页: the site's root page; shows the latest news."""

    intro = models.TextField(_("简介"), blank=True)
    guarded_fields = (("intro", False),)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["publicity.NewsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("首页")
        verbose_name_plural = _("首页")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["latest"] = live_articles().descendant_of(self)[:8]
        context["news_indexes"] = NewsIndexPage.objects.live().child_of(self)
        return context


class NewsIndexPage(RoutablePageMixin, GuardedPage):
    """新闻中心: the columns, the latest items, a search over the articles and an RSS feed of all news."""

    intro = models.TextField(_("简介"), blank=True)
    guarded_fields = (("intro", False),)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["publicity.PublicHomePage"]
    subpage_types = ["publicity.NewsColumnPage"]

    class Meta:
        verbose_name = _("新闻中心")
        verbose_name_plural = _("新闻中心")

    def articles(self) -> PageQuerySet:
        return live_articles().descendant_of(self)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["columns"] = NewsColumnPage.objects.live().public().child_of(self)
        context["latest"] = self.articles()[:10]
        context["feed_url"] = self.subpage_url(request, "feed")
        context["search_url"] = self.subpage_url(request, "search")
        return context

    def subpage_url(self, request: HttpRequest, name: str) -> str:
        return (self.get_url(request) or "/") + self.reverse_subpage(name)

    @path("search/", name="search")
    def search(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()[:100]
        results: PaginatorPage | None = None
        if query:
            found = self.articles().search(cjk_terms(query), operator="and")
            results = paginate(request, list(found))
        return TemplateResponse(
            request,
            "publicity/search.html",
            {**self.get_context(request), "query": query, "results": results},
        )

    @path("feed/", name="feed")
    def feed(self, request: HttpRequest) -> HttpResponse:
        from sanqu.publicity.feeds import NewsFeed

        return NewsFeed()(request, page=self)


class NewsColumnPage(RoutablePageMixin, GuardedPage):
    """栏目: one column of the news centre (地方动态, 项目动态, 政策文件), its articles newest first."""

    intro = models.TextField(_("简介"), blank=True)
    guarded_fields = (("intro", False),)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["publicity.NewsIndexPage"]
    subpage_types = ["publicity.ArticlePage"]

    class Meta:
        verbose_name = _("栏目")
        verbose_name_plural = _("栏目")

    def articles(self) -> PageQuerySet:
        return live_articles().child_of(self)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["articles"] = paginate(request, self.articles())
        context["feed_url"] = (self.get_url(request) or "/") + self.reverse_subpage("feed")
        context["search_url"] = self.get_parent().specific.subpage_url(request, "search")
        return context

    @path("feed/", name="feed")
    def feed(self, request: HttpRequest) -> HttpResponse:
        from sanqu.publicity.feeds import NewsFeed

        return NewsFeed()(request, page=self)


class ArticlePage(GuardedPage):
    """正文: one news item, as the bureau's own page shows it."""

    date = models.DateField(_("发布日期"))
    source = models.CharField(_("来源"), max_length=100, help_text=_("例如：重庆市民政局"))
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    body = RichTextField(_("正文"), features=BODY_FEATURES)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_image_caption = models.CharField(_("题图说明"), max_length=200, blank=True)
    # Counted on the live page (never from a revision: see with_content_json) and not copied.
    view_count = models.PositiveIntegerField(_("浏览次数"), default=0, editable=False)

    guarded_fields = (
        ("source", False),
        ("summary", False),
        ("body", True),
        ("lead_image_caption", False),
    )
    exclude_fields_in_copy = ["view_count"]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel([FieldPanel("date"), FieldPanel("source")], heading=_("发布信息")),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("lead_image"), FieldPanel("lead_image_caption")], heading=_("题图")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("search_text"),
        index.FilterField("date"),
    ]
    parent_page_types = ["publicity.NewsColumnPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("正文")
        verbose_name_plural = _("正文")

    def clean(self) -> None:
        super().clean()
        if self.lead_image_caption and not self.lead_image_id:
            raise ValidationError({"lead_image_caption": _("题图说明：没有题图时不填写说明。")})

    def with_content_json(self, content: dict[str, Any]) -> ArticlePage:
        # A revision carries the count as it was when the revision was saved: keep the live one.
        page = super().with_content_json(content)
        page.view_count = self.view_count
        return page

    @property
    def body_html(self) -> SafeString:
        return mark_safe(guard.sanitise(expand_db_html(self.body)))  # noqa: S308 (sanitised by the guard)

    def search_text(self) -> str:
        """The readable text, split for the full-text index (see sanqu.publicity.search)."""
        return cjk_terms(" ".join([self.title, self.source, self.summary, strip_tags(self.body)]))

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if counts_as_reading(request):
            ArticlePage.objects.filter(pk=self.pk).update(view_count=F("view_count") + 1)
            self.view_count += 1
        return super().serve(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from sanqu.publicity.qr import qr_svg

        context = super().get_context(request, *args, **kwargs)
        url = self.reader_url(request)
        context.update(print_view=bool(request.GET.get("print")), page_url=url, qr_svg=qr_svg(url))
        return context

    def reader_url(self, request: HttpRequest) -> str:
        """The page's full address as the reader reached it (what the QR code opens on a phone)."""
        return request.build_absolute_uri(self.get_url(request) or "/")


def live_articles() -> PageQuerySet:
    return cast(PageQuerySet, ArticlePage.objects.live().public().order_by("-date", "-pk"))


def paginate(request: HttpRequest, items: Any) -> PaginatorPage:
    return Paginator(items, PER_PAGE).get_page(request.GET.get("page"))


def counts_as_reading(request: HttpRequest) -> bool:
    """A GET of the live page by a person: not a preview, not the print view, not a robot."""
    return (
        request.method == "GET"
        and not getattr(request, "is_preview", False)
        and not request.GET.get("print")
        and not BOT_AGENT.search(request.headers.get("User-Agent", ""))
    )


class PublishedFingerprint(models.Model):
    """A public page as the reviewer's approval put it online (see sanqu.publicity.published).

    One row per approval, per refresh after an approved change of a page it lists or that lists it, and
    per acceptance by a city admin after a deployment; the newest row of a page is what
    `sanqu check-published` compares the served page with.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", _("审核通过")
        REFRESH = "refresh", _("相关页面审核通过后更新")
        ACCEPTED = "accepted", _("市级管理员确认")

    page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", verbose_name=_("页面")
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核通过的版本"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    approved_at = models.DateTimeField(_("审核通过时间"))
    kind = models.CharField(_("来由"), max_length=10, choices=Kind.choices, default=Kind.APPROVAL)
    url = models.CharField(_("页面地址"), max_length=1000)
    sha256 = models.CharField(_("SHA-256 摘要"), max_length=64)
    html = models.TextField(_("规范化后的页面"))
    taken_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发布指纹")
        verbose_name_plural = _("发布指纹")
        ordering = ["-taken_at", "-pk"]
        # A page's latest fingerprint (`published.latest_fingerprint`), for the hourly check-published.
        indexes = [models.Index(fields=["page", "-taken_at"], name="publicity_fingerprint_page")]

    def __str__(self) -> str:
        return f"{self.page_id} {self.sha256[:12]}"


class NewsReviewTask(AbstractGroupApprovalTask):
    """信息审核: the reviewers approve or return a news item, but never one they wrote or submitted.

    Wagtail's group approval lets any member of the group approve; a reviewer who edited an item and
    submitted it could then publish it alone. Two-step review means two people: the author of the
    revision under review and whoever submitted it get no action on it, and do not see it among the
    items waiting for them; another reviewer decides.
    """

    class Meta:
        verbose_name = _("新闻审核任务")
        verbose_name_plural = _("新闻审核任务")

    def get_actions(self, obj: Any, user: Any) -> list[tuple[str, str, bool]]:
        state = getattr(obj, "current_workflow_task_state", None)
        if state is not None and user.pk in _hands_on(state):
            return []
        return cast(list[tuple[str, str, bool]], super().get_actions(obj, user))

    def get_task_states_user_can_moderate(self, user: Any, **kwargs: Any) -> models.QuerySet[TaskState]:
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        return states.exclude(workflow_state__requested_by=user).exclude(revision__user=user)

    @classmethod
    def get_description(cls) -> str:
        return str(_("所选用户组的成员可以审核，但不能审核自己撰写或提交的内容"))


def _hands_on(state: TaskState) -> set[int]:
    """Who wrote the revision under review and who submitted it."""
    return {
        pk
        for pk in (
            state.revision.user_id if state.revision_id else None,
            state.workflow_state.requested_by_id,
        )
        if pk is not None
    }

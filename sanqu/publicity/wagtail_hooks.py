"""The news column in Wagtail's admin.

- A new 新闻中心 page comes under the two-step review at once.
- Nothing under a review workflow is published straight from the admin, not even by a reviewer who
  holds the publish permission (she needs it for Wagtail to publish what she approves): the edit
  view's 发布 and the bulk publish action are refused with a message, and the change waits, saved
  as a draft, to be submitted. Only the Django superuser, the emergency account, may publish
  directly; `sanqu check-published` then reports the page as published without review.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page

from sanqu.lib.redirects import safe_next
from sanqu.publicity.models import NewsIndexPage
from sanqu.publicity.review import ensure_news_review


@hooks.register("after_create_page")
def review_new_news_index(request: HttpRequest, page: Page) -> Any:
    if isinstance(page.specific, NewsIndexPage):
        ensure_news_review(page)
    return None


def under_review(page: Page) -> bool:
    return page.get_workflow() is not None  # Wagtail returns only an active workflow


@hooks.register("before_publish_page")
def refuse_direct_publish(request: HttpRequest, page: Page) -> HttpResponse | None:
    if request.user.is_superuser or not under_review(page):
        return None
    messages.error(
        request, _("“%(title)s”须经审核后发布：已保存为草稿，请提交审核。") % {"title": page.title}
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


@hooks.register("before_bulk_action")
def refuse_bulk_publish(
    request: HttpRequest, action_type: str, objects: Iterable[Any], action_class_instance: Any
) -> HttpResponse | None:
    if action_type != "publish" or request.user.is_superuser:
        return None
    reviewed = [page for page in objects if isinstance(page, Page) and under_review(page)]
    if not reviewed:
        return None
    messages.error(
        request,
        _("新闻须逐条提交审核后发布，不能批量发布：%(titles)s")
        % {"titles": "、".join(page.title for page in reviewed)},
    )
    return redirect(safe_next(request, reverse("wagtailadmin_explore_root")))

"""The news column: the public pages, the view count, the QR code, lists, search, feeds and the review."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
import segno
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from wagtail.models import Page, Workflow, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from sanqu.accounts.models import Membership
from sanqu.accounts.roles import WAGTAIL_GROUPS, Role
from sanqu.publicity.demo import Tree
from sanqu.publicity.models import ArticlePage
from sanqu.publicity.tests.factories import make_article, news_tree
from sanqu.testing import World, make_user


def as_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


SEED_FIRST_LINE = (
    (Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "source-article.txt")
    .read_text(encoding="utf-8")
    .splitlines()[0]
)


@pytest.fixture
def tree(world: World) -> Tree:
    return news_tree()


@pytest.fixture
def article(world: World, tree: Tree) -> ArticlePage:
    return make_article(tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_it_builds_the_tree_home_news_centre_columns(tree: Tree) -> None:
    assert tree.home.get_site().root_page.specific == tree.home
    assert [c.title for c in tree.news.get_children()] == ["地方动态", "项目动态", "政策文件"]
    assert tree.columns["local"].url == "/site/news/local/"
    for page in (tree.home, tree.news, tree.columns["policy"]):
        assert Client().get(page.url).status_code == 200


def test_it_refuses_an_article_directly_under_the_news_centre(tree: Tree) -> None:
    assert not ArticlePage.can_create_at(tree.news)
    assert ArticlePage.can_create_at(tree.columns["local"])
    assert not ArticlePage.can_create_at(tree.home)


def test_it_shows_the_article_with_breadcrumb_date_source_and_views(article: ArticlePage) -> None:
    response = Client().get(article.url)
    assert response.status_code == 200
    page = text_of(response)
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', page).group(0)
    assert re.findall(r"<li[^>]*>(?:<a [^>]*>)?([^<]+)", crumbs) == ["首页", "新闻中心", "地方动态", "正文"]
    assert "城口县鸡鸣乡社会工作站挂牌运行</h1>" in page
    assert '<time datetime="2018-07-10">2018-07-10</time>' in page
    assert "来源：重庆市民政局" in page
    assert 'class="article__views">1</span>' in page
    assert 'data-font-size="large"' in page and "打印" in page and 'href="?print=1"' in page


def test_it_counts_each_get_once(article: ArticlePage) -> None:
    client = Client()
    client.get(article.url)
    response = client.get(article.url)
    assert 'class="article__views">2</span>' in text_of(response)
    article.refresh_from_db()
    assert article.view_count == 2


def test_it_does_not_count_robots_heads_or_the_print_view(article: ArticlePage) -> None:
    Client(headers={"user-agent": "Mozilla/5.0 (compatible; Baiduspider/2.0)"}).get(article.url)
    Client().head(article.url)
    response = Client().get(article.url, {"print": "1"})
    assert response.status_code == 200
    assert "public--print" in response.content.decode()
    article.refresh_from_db()
    assert article.view_count == 0


def test_it_keeps_the_count_when_a_new_revision_is_published(world: World, article: ArticlePage) -> None:
    ArticlePage.objects.filter(pk=article.pk).update(view_count=128)
    article.refresh_from_db()
    article.summary = "更正了摘要。"
    article.save_revision(user=world["reviewer"]).publish(user=world["reviewer"])
    article.refresh_from_db()
    assert article.summary == "更正了摘要。"
    assert article.view_count == 128


def test_it_embeds_a_qr_code_of_the_page_address(article: ArticlePage) -> None:
    page = Client().get(article.url).content.decode()
    url = "http://testserver/site/news/local/" + article.slug + "/"
    embedded = re.search(r'<svg[^>]*class="qr__code".*?</svg>', page, re.S).group(0)
    drawn = re.search(r' d="([^"]+)"', embedded).group(1)
    # The same matrix as segno's own code for the address (a full QR code, not a Micro QR).
    expected = segno.make_qr(url, error="m").svg_inline(scale=4, border=2)
    assert drawn == re.search(r' d="([^"]+)"', expected).group(1)
    assert "style=" not in embedded


def test_it_renders_the_body_through_the_sanitiser(world: World, tree: Tree) -> None:
    article = make_article(
        tree.columns["local"],
        editor=world["editor"],
        reviewer=world["reviewer"],
        body='<p class="x" data-x="1">正文<b>加粗</b></p>',
    )
    page = Client().get(article.url).content.decode()
    assert "<p>正文<b>加粗</b></p>" in page


def test_it_pages_a_column_fifteen_items_at_a_time(world: World, tree: Tree) -> None:
    column = tree.columns["projects"]
    for day in range(16):
        make_article(
            column,
            editor=world["editor"],
            reviewer=world["reviewer"],
            title=f"项目动态第{day + 1}条",
            date=dt.date(2018, 6, 1) + dt.timedelta(days=day),
        )
    first = text_of(Client().get(column.url))
    assert first.count('class="news-list__item"') == 15
    assert "项目动态第16条" in first and "项目动态第1条<" not in first
    assert "第 1 / 2 页" in first and 'rel="next" href="?page=2"' in first
    second = text_of(Client().get(column.url, {"page": 2}))
    assert second.count('class="news-list__item"') == 1 and "项目动态第1条<" in second


def test_it_finds_articles_by_a_chinese_phrase_and_only_live_ones(
    world: World, tree: Tree, article: ArticlePage
) -> None:
    draft = ArticlePage(
        title="鸡鸣乡手工坊草稿",
        slug="draft",
        date=dt.date(2018, 7, 1),
        source="城口县民政局",
        body="<p>草稿</p>",
    )
    draft.live = False
    tree.columns["local"].add_child(instance=draft)
    make_article(
        tree.columns["policy"],
        editor=world["editor"],
        reviewer=world["reviewer"],
        title="彭水县合作社",
        summary="兴和村的土鸡蛋和蜂蜜统一销售。",
        body="<p>合作社统一收购、包装和寄递。</p>",
    )
    # The search index is brought up to date by a task (the worker's work): run it now.
    call_command("update_index", stdout=io.StringIO())
    response = Client().get("/site/news/search/", {"q": "鸡鸣乡"})
    page = text_of(response)
    assert response.status_code == 200
    assert article.title in page
    assert "手工坊草稿" not in page
    assert "彭水县合作社" not in page
    assert "找到 1 条结果" in page
    assert "没有找到" in text_of(Client().get("/site/news/search/", {"q": "万州区"}))


def test_it_lists_a_columns_items_in_its_feed(world: World, tree: Tree, article: ArticlePage) -> None:
    other = make_article(
        tree.columns["policy"], editor=world["editor"], reviewer=world["reviewer"], title="政策通知"
    )
    column_feed = Client().get("/site/news/local/feed/")
    assert column_feed["Content-Type"].startswith("application/rss+xml")
    xml = column_feed.content.decode()
    assert f"<link>http://testserver{article.url}</link>" in xml and "政策通知" not in xml
    everything = Client().get("/site/news/feed/").content.decode()
    assert article.title in everything and other.title in everything


def test_it_keeps_an_editors_submission_private_until_the_reviewer_approves(
    world: World, tree: Tree, as_user
) -> None:
    editor, reviewer = world["editor"], world["reviewer"]
    column = tree.columns["local"]
    article = ArticlePage(
        title="巫溪县开展留守儿童暑期活动",
        slug="wuxi-summer",
        date=dt.date(2018, 7, 12),
        source="巫溪县民政局",
        body="<p>活动内容。</p>",
        owner=editor,
        live=False,
    )
    column.add_child(instance=article)
    article.save_revision(user=editor)
    article.get_workflow().start(article, editor)
    assert Client().get("/site/news/local/wuxi-summer/").status_code == 404
    assert article.title not in Client().get(column.url).content.decode()

    task_state = article.current_workflow_task_state
    task = task_state.task.specific
    assert task.get_actions(article, editor) == []
    assert [name for name, *_ in task.get_actions(article, reviewer)][:2] == ["reject", "approve"]
    task.on_action(task_state, reviewer, "approve", comment="")
    assert Client().get("/site/news/local/wuxi-summer/").status_code == 200
    assert (
        WorkflowState.objects.get(base_content_type__model="page", object_id=str(article.pk)).status
        == "approved"
    )


def test_it_returns_a_submission_with_the_reviewers_comment(world: World, tree: Tree) -> None:
    editor, reviewer = world["editor"], world["reviewer"]
    article = ArticlePage(
        title="云阳县社工站开放日",
        slug="yunyang",
        date=dt.date(2018, 7, 12),
        source="云阳县民政局",
        body="<p>内容。</p>",
        owner=editor,
        live=False,
    )
    tree.columns["local"].add_child(instance=article)
    article.save_revision(user=editor)
    article.get_workflow().start(article, editor)
    task_state = article.current_workflow_task_state
    task_state.task.specific.on_action(task_state, reviewer, "reject", comment="请补充活动日期和参加人数。")
    task_state.refresh_from_db()
    assert task_state.status == "rejected"
    assert task_state.get_comment() == "请补充活动日期和参加人数。"
    assert Client().get("/site/news/local/yunyang/").status_code == 404


def test_it_lets_an_editor_write_and_submit_but_never_publish(
    world: World, tree: Tree, article: ArticlePage
) -> None:
    editor, reviewer = world["editor"], world["reviewer"]
    column_perms = tree.columns["local"].permissions_for_user(editor)
    assert column_perms.can_add_subpage()
    editor_perms = article.permissions_for_user(editor)
    assert editor_perms.can_edit() and not editor_perms.can_publish() and not editor_perms.can_unpublish()
    assert article.permissions_for_user(reviewer).can_publish()
    # Nor outside the news centre.
    assert not tree.home.permissions_for_user(editor).can_add_subpage()
    revision = article.save_revision(user=editor)
    with pytest.raises(PermissionDenied):
        revision.publish(user=editor)


def test_it_lets_the_editor_open_the_admin_editor(article: ArticlePage, as_user) -> None:
    assert as_user("editor").get(f"/admin/pages/{article.pk}/edit/").status_code == 200
    assert as_user("worker").get(f"/admin/pages/{article.pk}/edit/").status_code in (302, 403)


def test_it_puts_role_holders_in_their_wagtail_group(world: World) -> None:
    editor = world["editor"]
    assert list(editor.groups.values_list("name", flat=True)) == [WAGTAIL_GROUPS[Role.EDITOR]]
    assert not world["worker"].groups.exists()
    Membership.objects.filter(user=editor).delete()
    assert not editor.groups.exists()


def test_it_refuses_the_seeds_defaced_title(world: World, tree: Tree) -> None:
    article = ArticlePage(
        title=SEED_FIRST_LINE,
        slug="spam",
        date=dt.date(2018, 7, 10),
        source="重庆市民政局",
        body="<p>正文</p>",
    )
    article.live = False
    with pytest.raises(ValidationError) as refused:
        tree.columns["local"].add_child(instance=article)
    assert "title" in refused.value.error_dict
    assert not Page.objects.filter(slug="spam").exists()


def test_it_refuses_a_refused_text_in_a_draft_of_a_published_article(
    world: World, article: ArticlePage
) -> None:
    revisions = article.revisions.count()
    article.body = '<p>正文</p><p><a href="https://example.com/casino">点击</a></p>' + SEED_FIRST_LINE
    with pytest.raises(ValidationError) as refused:
        article.save_revision(user=world["editor"])
    assert "body" in refused.value.error_dict
    assert article.revisions.count() == revisions


def edit_form(article: ArticlePage, **changes: object) -> dict[str, object]:
    """The admin editor's form for the article, as the browser posts it."""
    fields = {
        "title": article.title,
        "slug": article.slug,
        "date": article.date.isoformat(),
        "source": article.source,
        "summary": article.summary,
        "body": rich_text(article.body),
        "lead_image": "",
        "lead_image_caption": "",
        "comments": inline_formset([]),
    }
    return nested_form_data(fields | changes)


def test_a_reviewer_cannot_approve_what_she_wrote_herself(
    world: World, tree: Tree, article: ArticlePage
) -> None:
    second = make_user("reviewer2", (Role.REVIEWER, world["reviewer"].memberships.get().region, {}))
    page = ArticlePage.objects.get(pk=article.pk)
    page.summary = "审核员自己改的摘要"
    page.save_revision(user=world["reviewer"])
    page.get_workflow().start(page, world["reviewer"])
    state = page.current_workflow_task_state
    task = state.task.specific
    assert task.get_actions(page, world["reviewer"]) == []
    assert not task.get_task_states_user_can_moderate(world["reviewer"]).exists()
    # Posting the approval from the admin's editor changes nothing.
    as_client(world["reviewer"]).post(
        f"/admin/pages/{page.pk}/edit/",
        edit_form(page, **{"action-workflow-action": "true", "workflow-action-name": "approve"}),
    )
    state.refresh_from_db()
    assert state.status == "in_progress"
    assert "审核员自己改的摘要" not in Client().get(page.url).content.decode()
    # Another reviewer decides.
    assert [name for name, *_ in task.get_actions(page, second)][:2] == ["reject", "approve"]
    task.on_action(state, second, "approve", comment="")
    assert "审核员自己改的摘要" in Client().get(page.url).content.decode()


def test_a_reviewer_cannot_publish_straight_from_the_admin(world: World, article: ArticlePage) -> None:
    client = as_client(world["reviewer"])
    response = client.post(
        f"/admin/pages/{article.pk}/edit/",
        edit_form(article, summary="未经审核的摘要", **{"action-publish": "publish"}),
    )
    assert response.status_code == 302 and response.url == f"/admin/pages/{article.pk}/edit/"
    assert "须经审核后发布" in client.get(response.url).content.decode()
    assert "未经审核的摘要" not in Client().get(article.url).content.decode()
    assert ArticlePage.objects.get(pk=article.pk).get_latest_revision().content["summary"] == "未经审核的摘要"

    draft = ArticlePage.objects.get(pk=article.pk)
    draft.unpublish(user=world["reviewer"])
    response = client.post(
        f"/admin/bulk/wagtailcore/page/publish/?id={article.pk}&next=http://spam.example.com/",
        {"include_descendants": ""},
    )
    assert response.status_code == 302 and response.url == "/admin/pages/"
    assert "不能批量发布" in client.get(response.url, follow=True).content.decode()
    assert not ArticlePage.objects.get(pk=article.pk).live


def test_wagtails_starter_groups_and_workflow_are_gone(tree: Tree) -> None:
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert list(Workflow.objects.values_list("name", flat=True)) == ["新闻审核"]
    assert tree.home.get_workflow().name == "新闻审核"

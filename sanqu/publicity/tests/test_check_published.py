"""Fingerprints at approval and `sanqu check-published`: what the public sees is what was approved."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from sanqu.accounts.models import AuditEntry
from sanqu.publicity import published
from sanqu.publicity.demo import Tree, publish_reviewed
from sanqu.publicity.models import ArticlePage, PublishedFingerprint
from sanqu.publicity.tests.factories import make_article, news_tree
from sanqu.testing import World

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


@pytest.fixture(autouse=True)
def locmem_mail(settings) -> None:
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def tree(world: World) -> Tree:
    tree = news_tree()
    world["city"].email = "city@example.gov.cn"
    world["city"].save()
    return tree


@pytest.fixture
def article(world: World, tree: Tree) -> ArticlePage:
    return make_article(tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"])


def check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("check-published", *args, stdout=out)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_it_fingerprints_the_page_a_reviewer_approves(world: World, article: ArticlePage) -> None:
    fingerprint = PublishedFingerprint.objects.get(page=article)
    assert fingerprint.approved_by == world["reviewer"]
    assert fingerprint.revision == article.live_revision
    assert fingerprint.url == f"/site/news/local/{article.slug}/"
    # Taking it was not a reading.
    article.refresh_from_db()
    assert article.view_count == 0
    served = Client().get(article.url, HTTP_HOST="localhost").content.decode()
    assert published.digest(published.normalise(served)) == fingerprint.sha256
    # The QR code holds the address with the host the reader asked for: the site's own is used.
    elsewhere = Client().get(article.url, HTTP_HOST="127.0.0.1").content.decode()
    assert published.digest(published.normalise(elsewhere)) != fingerprint.sha256
    assert "城口县鸡鸣乡社会工作站挂牌运行</h1>" in fingerprint.html


def test_it_normalises_nonces_view_counts_and_csrf_tokens() -> None:
    first = (
        '<script src="/s.js" nonce="abc123" defer></script><span class="article__views">7</span>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="tok1">'
        '<input value="tok2" type="hidden" name="csrfmiddlewaretoken">'
    )
    second = (
        '<script src="/s.js" nonce="zzz999" defer></script><span class="article__views">1234</span>'
        '<input type="hidden" name="csrfmiddlewaretoken" value="other">'
        '<input value="other2" type="hidden" name="csrfmiddlewaretoken">'
    )
    assert published.normalise(first) == published.normalise(second)
    assert published.normalise(first).count("\n") == 4  # a line break between adjacent tags
    assert published.normalise("<p>一</p>") != published.normalise("<p>二</p>")


def test_it_is_clean_right_after_the_approval(article: ArticlePage) -> None:
    code, out = check()
    assert (code, out) == (0, "已发布页面与审核通过时一致\n")
    assert mail.outbox == []


def test_it_does_not_report_a_change_of_the_view_count_alone(article: ArticlePage) -> None:
    Client().get(article.url)
    ArticlePage.objects.filter(pk=article.pk).update(view_count=98765)
    assert check()[0] == 0


def test_it_catches_a_body_changed_in_the_database(world: World, article: ArticlePage) -> None:
    ArticlePage.objects.filter(pk=article.pk).update(
        body="<p>鸡鸣乡社会工作站今天挂牌。</p><p>澳门皇冠，在线下注</p>"
    )
    code, out = check()
    assert code == 1
    assert "“城口县鸡鸣乡社会工作站挂牌运行” http://localhost/site/news/local/" in out
    assert "由 reviewer 审核通过，现在公开的页面与审核通过时不一致" in out
    assert re.search(
        r"^    -<p>鸡鸣乡社会工作站今天挂牌，选派社工和本土社工共同驻站。</p>", out, re.MULTILINE
    )
    assert re.search(r"^    \+<p>澳门皇冠，在线下注</p>", out, re.MULTILINE)
    assert "(approved)" in out and "(served)" in out

    # The city admin is told, and the audit log keeps it.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["city@example.gov.cn"]
    assert "1 个公开页面与审核通过时不一致" in message.subject
    assert "城口县鸡鸣乡社会工作站挂牌运行" in message.body
    entry = AuditEntry.objects.get(action=published.AUDIT_ACTION)
    assert entry.object_id == str(article.pk)
    assert entry.detail["kind"] == "changed"


def test_it_tells_only_active_city_admins_with_an_email(world: World, article: ArticlePage) -> None:
    world["leader"].email = "leader@example.gov.cn"  # city_viewer: not told
    world["leader"].save()
    ArticlePage.objects.filter(pk=article.pk).update(summary="改过的摘要")
    assert check()[0] == 1
    assert mail.outbox[0].to == ["city@example.gov.cn"]

    mail.outbox.clear()
    world["city"].is_active = False
    world["city"].save()
    assert check("--no-report")[0] == 1
    assert check()[0] == 1
    assert mail.outbox == []


def test_it_catches_a_template_changed_behind_the_workflows_back(
    article: ArticlePage, tmp_path: Path
) -> None:
    changed = tmp_path / "publicity"
    changed.mkdir()
    original = (TEMPLATES_DIR / "publicity" / "article_page.html").read_text(encoding="utf-8")
    (changed / "article_page.html").write_text(
        original.replace(
            '<div class="article__body">',
            '<p class="promo"><a href="http://spam.example.com/">点此领取彩金</a></p>'
            '<div class="article__body">',
        ),
        encoding="utf-8",
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        code, out = check()
    assert code == 1
    assert re.search(r'^    \+\s*<p class="promo">', out, re.MULTILINE)
    assert "点此领取彩金" in out


def test_it_reports_a_page_published_without_the_workflow(world: World, tree: Tree) -> None:
    article = ArticlePage(
        title="未经审核的消息",
        slug="unreviewed",
        date=dt.date(2018, 7, 11),
        source="重庆市民政局",
        body="<p>没有经过审核。</p>",
    )
    tree.columns["local"].add_child(instance=article)
    article.live = False
    article.save()
    revision = article.save_revision(user=world["editor"])
    revision.publish()
    article.refresh_from_db()
    assert article.live
    assert not PublishedFingerprint.objects.filter(page=article).exists()

    code, out = check()
    assert code == 1
    assert "“未经审核的消息”" in out
    assert "已公开，但没有经过审核的记录（未经审核流程发布）" in out
    # The item itself, and the home page, news centre and column that now list it without an approval.
    kinds = {
        entry.object_repr: entry.detail["kind"]
        for entry in AuditEntry.objects.filter(action=published.AUDIT_ACTION)
    }
    assert kinds == {
        "未经审核的消息": "unapproved",
        "首页": "changed",
        "新闻中心": "changed",
        "地方动态": "changed",
    }
    assert "未经审核的消息" in mail.outbox[0].body


def test_it_reports_a_later_revision_published_without_review(world: World, article: ArticlePage) -> None:
    article.summary = "评审之后直接发布的摘要"
    article.save_revision(user=world["reviewer"]).publish(user=world["reviewer"])
    assert PublishedFingerprint.objects.filter(page=article).count() == 1
    code, out = check()
    assert code == 1
    assert re.search(r'^    \+\s*<p class="article__summary">评审之后直接发布的摘要</p>', out, re.MULTILINE)
    assert re.search(
        r'^    -\s*<p class="article__summary">选派社工和本土社工共同驻站。</p>', out, re.MULTILINE
    )


def test_it_takes_a_new_fingerprint_at_each_approval(world: World, tree: Tree, article: ArticlePage) -> None:
    ArticlePage.objects.filter(pk=article.pk).update(summary="篡改")
    assert check("--no-report")[0] == 1
    # A new approved revision puts the page right again.
    page = ArticlePage.objects.get(pk=article.pk)
    page.summary = "新的摘要"
    page.save_revision(user=world["editor"])
    workflow = page.get_workflow()
    workflow.start(page, world["editor"])
    task_state = page.current_workflow_task_state
    task_state.task.specific.on_action(task_state, world["reviewer"], "approve")
    assert PublishedFingerprint.objects.filter(page=article).count() == 2
    assert check()[0] == 0


def test_it_follows_an_approved_rename_of_the_column_but_not_a_tampered_item(
    world: World, tree: Tree, article: ArticlePage
) -> None:
    other = make_article(
        tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"], title="丰都县开展集中督导"
    )
    ArticlePage.objects.filter(pk=other.pk).update(source="篡改的来源")
    column = tree.columns["local"]
    column.title = "区县动态"
    column.save_revision(user=world["editor"])
    workflow = column.get_workflow()
    workflow.start(column, world["editor"])
    task_state = column.current_workflow_task_state
    task_state.task.specific.on_action(task_state, world["reviewer"], "approve")
    assert "区县动态" in Client().get(article.url).content.decode()

    code, out = check("--no-report")
    assert code == 1
    assert "丰都县开展集中督导" in out
    assert "城口县鸡鸣乡社会工作站挂牌运行" not in out


def test_it_catches_a_column_renamed_in_the_database(tree: Tree, article: ArticlePage) -> None:
    tree.columns["local"].__class__.objects.filter(pk=tree.columns["local"].pk).update(title="博彩资讯")
    code, out = check("--no-report")
    assert code == 1
    assert "博彩资讯" in out


def test_it_refuses_a_url_off_this_machine(article: ArticlePage) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="只能是本机的地址"):
        call_command("check-published", "--url", "http://example.com")


def test_it_fetches_from_a_server_on_this_machine(live_server, article: ArticlePage) -> None:
    assert check("--url", live_server.url)[0] == 0
    ArticlePage.objects.filter(pk=article.pk).update(source="篡改的来源")
    code, out = check("--url", live_server.url, "--no-report")
    assert code == 1
    assert "篡改的来源" in out


def test_it_keeps_the_home_page_news_centre_and_columns_as_approved(world: World, tree: Tree) -> None:
    for page in (tree.home, tree.news, tree.columns["policy"]):
        fingerprint = PublishedFingerprint.objects.filter(page=page).first()
        assert fingerprint is not None and fingerprint.approved_by == world["reviewer"], page.title
    type(tree.news).objects.filter(pk=tree.news.pk).update(intro="澳门皇冠，在线下注")
    code, out = check("--no-report")
    assert code == 1
    assert "“新闻中心”" in out and "澳门皇冠" in out


def test_it_follows_the_lists_when_items_are_approved_and_taken_offline(
    world: World, tree: Tree, article: ArticlePage, django_capture_on_commit_callbacks
) -> None:
    other = make_article(
        tree.columns["local"], editor=world["editor"], reviewer=world["reviewer"], title="第二条"
    )
    assert "第二条" in Client().get(tree.home.url).content.decode()
    assert check()[0] == 0
    kinds = set(PublishedFingerprint.objects.filter(page=tree.home).values_list("kind", flat=True))
    assert kinds == {PublishedFingerprint.Kind.APPROVAL, PublishedFingerprint.Kind.REFRESH}

    with django_capture_on_commit_callbacks(execute=True):
        other.unpublish(user=world["reviewer"])
    assert "第二条" not in Client().get(tree.home.url).content.decode()
    assert check()[0] == 0


def test_it_catches_an_item_slipped_into_a_list(tree: Tree, article: ArticlePage, tmp_path: Path) -> None:
    changed = tmp_path / "publicity"
    changed.mkdir()
    original = (TEMPLATES_DIR / "publicity" / "_article_list.html").read_text(encoding="utf-8")
    (changed / "_article_list.html").write_text(
        original.replace(
            '<ul class="news-list">',
            '<ul class="news-list"><li><a href="http://spam.example.com/">博彩</a></li>',
        ),
        encoding="utf-8",
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        code, out = check("--no-report")
    assert code == 1
    assert {"“首页”", "“新闻中心”", "“地方动态”"} <= set(re.findall(r"^“[^”]+”", out, re.MULTILINE))


def test_a_city_admin_accepts_the_pages_after_a_deployment(
    world: World, tree: Tree, article: ArticlePage, tmp_path: Path
) -> None:
    unreviewed = ArticlePage(
        title="未经审核的消息",
        slug="unreviewed",
        date=dt.date(2018, 7, 11),
        source="重庆市民政局",
        body="<p>无</p>",
    )
    tree.columns["policy"].add_child(instance=unreviewed)
    changed = tmp_path / "publicity"
    changed.mkdir()
    original = (TEMPLATES_DIR / "publicity" / "public_base.html").read_text(encoding="utf-8")
    (changed / "public_base.html").write_text(
        original.replace('<footer class="public-footer">', '<footer class="public-footer"><p>新版页脚</p>'),
        encoding="utf-8",
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        from django.core.management.base import CommandError

        with pytest.raises(CommandError, match="--by"):
            call_command("check-published", "--accept", "--by", "leader")
        code, out = check("--accept", "--by", "city", "--yes")
        assert code == 1  # the unreviewed item is left for the review
        assert "已确认 6 个页面。" in out and "1 个页面未确认" in out
        code, out = check("--no-report")
        assert code == 1 and "“未经审核的消息”" in out and out.count("\n“") == 0
        accepted = PublishedFingerprint.objects.filter(page=article).first()
        assert accepted.kind == PublishedFingerprint.Kind.ACCEPTED and accepted.approved_by == world["city"]
        assert "新版页脚" in accepted.html
        entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, object_id=str(article.pk)).get()
        assert entry.actor == world["city"] and entry.detail["previous_sha256"] != entry.detail["sha256"]
    # Without the new template the old pages are what differs now.
    assert check("--no-report")[0] == 1


def test_the_scheduler_puts_scheduled_news_online_and_checks_the_site(world: World, tree: Tree) -> None:
    from django.utils import timezone
    from wagtail.models import Revision

    article = ArticlePage(
        title="定时发布的消息",
        slug="scheduled",
        date=dt.date(2018, 7, 12),
        source="重庆市民政局",
        body="<p>明早发布。</p>",
        go_live_at=timezone.now() + dt.timedelta(hours=1),
    )
    publish_reviewed(
        column=tree.columns["local"], article=article, editor=world["editor"], reviewer=world["reviewer"]
    )
    assert not ArticlePage.objects.get(pk=article.pk).live
    # An hour later (the approved revision and the page say when it goes online):
    past = timezone.now() - dt.timedelta(minutes=1)
    revision = Revision.objects.get(object_id=str(article.pk), approved_go_live_at__isnull=False)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    ArticlePage.objects.filter(pk=article.pk).update(go_live_at=past)

    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert ArticlePage.objects.get(pk=article.pk).live
    assert PublishedFingerprint.objects.filter(page=article, approved_by=world["reviewer"]).exists()
    assert "已发布页面与审核通过时一致" in out.getvalue()

    ArticlePage.objects.filter(pk=article.pk).update(summary="博彩")
    call_command("scheduler", "--once", stdout=io.StringIO())
    assert "定时发布的消息" in mail.outbox[-1].body

"""The home page of each role: what needs attention and the numbers of the scope, from the records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from sanqu.orgs.models import Organisation
from sanqu.publicity.demo import build_tree
from sanqu.publicity.models import ArticlePage
from sanqu.testing import World, make_person
from sanqu.workforce.models import Certificate
from sanqu.workforce.tests.factories import make_dispatch


@pytest.fixture
def today() -> dt.date:
    """The bureau's day (Asia/Shanghai), as the pages count it, taken when the test starts.

    Not at import: a run that crosses midnight in Shanghai (16:00 UTC) would compare against yesterday.
    """
    return timezone.localdate()


@pytest.fixture
def posted(world: World, today: dt.date) -> World:
    """The worker serving at 鸡鸣乡's station; a second 城口 worker ending soon with no station."""
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=today - dt.timedelta(days=100),
        planned_end_on=today + dt.timedelta(days=200),
        station=world.station,
    )
    zhang = make_person("张小燕", world.chengkou, organisation=world.yangguang, born=dt.date(1994, 8, 8))
    make_dispatch(
        person=zhang,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=today - dt.timedelta(days=340),
        planned_end_on=today + dt.timedelta(days=12),
    )
    Organisation.objects.create(
        name="城口县心连心社工服务社",
        kind=Organisation.Kind.SOCIAL_SERVICE_AGENCY,
        home_county=world.chengkou,
        registered_on=dt.date(2016, 4, 1),
    )
    Certificate.objects.create(
        person=world.mentor_person,
        level=Certificate.Level.INTERMEDIATE,
        obtained_on=dt.date(2015, 6, 1),
        county=world.chengkou,
    )
    return world


def _home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_sends_an_anonymous_visitor_to_the_login_page(db: None) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_it_refuses_a_post(world: World, as_user) -> None:
    assert as_user("worker").post("/").status_code == 405


def test_it_shows_the_city_the_municipal_figures(posted: World, as_user) -> None:
    content = _home(as_user("city"))
    assert "重庆市关键数字" in content
    panel = content[content.index("重庆市关键数字") :]
    # Two dispatches started, one receiving county, two registered organisations in 城口.
    assert '<span class="tile__value">2</span>\n      <span class="tile__label">累计选派社工（人次）' in panel
    assert '<span class="tile__value">1</span>\n      <span class="tile__label">受援区县' in panel
    assert '<span class="tile__value">2</span>\n      <span class="tile__label">受援区县社会工作组织' in panel
    assert '<span class="tile__value">1</span>\n      <span class="tile__label">持证社会工作者（人）' in panel


def test_it_shows_the_leader_the_same_figures(posted: World, as_user) -> None:
    assert "累计选派社工（人次）" in _home(as_user("leader"))


def test_it_shows_a_county_officer_what_needs_attention(posted: World, as_user, today: dt.date) -> None:
    content = _home(as_user("chengkou"))
    assert "需要关注" in content
    attention = content[content.index("需要关注") : content.index("城口县关键数字")]
    # Ending within 30 days: 张小燕, not the worker (200 days left).
    ending = attention[
        attention.index("天内期满或已超期的派驻") : attention.index("在岗但未登记服务站点的社工")
    ]
    assert "张小燕" in ending and "李晓梅" not in ending
    assert (today + dt.timedelta(days=12)).isoformat() in ending
    # Serving without a station: 张小燕 again.
    no_station = attention[
        attention.index("在岗但未登记服务站点的社工") : attention.index("缺少统一社会信用代码")
    ]
    assert "张小燕" in no_station and "李晓梅" not in no_station
    # The organisation registered without a credit code (扬光 has one).
    no_code = attention[attention.index("缺少统一社会信用代码") :]
    assert "城口县心连心社工服务社" in no_code and "扬光" not in no_code


def test_it_keeps_another_countys_officer_to_her_own_county(posted: World, as_user) -> None:
    content = _home(as_user("wanzhou"))
    assert "万州区关键数字" in content
    assert "张小燕" not in content and "城口县心连心社工服务社" not in content
    assert "未来 30 天内没有派驻期满" in content
    assert "万州区社会工作协会" in content  # registered without a credit code, in 万州


def test_it_shows_an_organisation_manager_its_serving_workers(posted: World, as_user) -> None:
    content = _home(as_user("yangguang"))
    assert "本机构在岗的选派社工" in content
    serving = content[content.index("本机构在岗的选派社工") : content.index("本机构人员")]
    assert "李晓梅" in serving and "张小燕" in serving and "鸡鸣乡社会工作站" in serving
    assert '<span class="count">2</span>' in serving
    people = content[content.index("本机构人员") :]
    assert "王建国" in people


def test_it_shows_a_worker_her_station_days_left_and_supervisor(posted: World, as_user) -> None:
    content = _home(as_user("worker"))
    assert "我的派驻" in content
    assert '<p class="dispatch__station">鸡鸣乡社会工作站</p>' in content
    assert '<span class="dispatch__days-value">200</span>' in content
    assert "王建国" in content
    assert "张小燕" not in content


def test_it_tells_a_worker_without_a_dispatch_what_to_do(world: World, as_user) -> None:
    content = _home(as_user("worker"))
    assert "您目前没有在岗的派驻记录" in content
    assert "王建国" in content  # the supervisor is still shown


def test_it_shows_a_supervisor_the_supervisees_and_their_dispatches(posted: World, as_user) -> None:
    content = _home(as_user("mentor"))
    supervisees = content[content.index("我督导的社工") :]
    assert "李晓梅" in supervisees and "鸡鸣乡社会工作站" in supervisees
    assert "张小燕" not in supervisees


def test_it_shows_publicity_staff_the_news_items_waiting_on_them(posted: World, as_user) -> None:
    for username, empty in (("editor", "没有审核中的稿件。"), ("reviewer", "目前没有等待审核的稿件。")):
        content = _home(as_user(username))
        assert empty in content and 'href="/admin/"' in content
        assert 'href="/people/' not in content

    tree = build_tree()
    article = ArticlePage(
        title="城口县鸡鸣乡社会工作站挂牌运行",
        slug="jiming",
        date=dt.date(2018, 7, 10),
        source="城口县民政局",
        body="<p>鸡鸣乡社会工作站今天挂牌。</p>",
        live=False,
        owner=posted["editor"],
    )
    tree.columns["local"].add_child(instance=article)
    article.save_revision(user=posted["editor"])
    article.get_workflow().start(article, posted["editor"])  # type: ignore[union-attr]
    edit = f'href="/admin/pages/{article.pk}/edit/"'
    reviewer = _home(as_user("reviewer"))
    assert "城口县鸡鸣乡社会工作站挂牌运行" in reviewer and edit in reviewer
    assert 'href="/site/news/"' in reviewer  # the public news centre, now that it exists
    editor = _home(as_user("editor"))
    in_review = editor[editor.index("审核中的稿件") :]
    assert "城口县鸡鸣乡社会工作站挂牌运行" in in_review and edit in in_review


def test_it_shows_the_back_office_and_audit_links_only_to_those_who_may_use_them(
    world: World, as_user
) -> None:
    city = _home(as_user("city"))
    assert 'href="/admin/"' in city and 'href="/audit/"' in city
    county = _home(as_user("chengkou"))
    assert 'href="/admin/"' in county and 'href="/audit/"' not in county
    worker = _home(as_user("worker"))
    assert 'href="/admin/"' not in worker and 'href="/audit/"' not in worker
    assert 'href="/people/"' in worker


def test_it_shows_the_name_and_role_in_the_top_bar(world: World, as_user) -> None:
    content = _home(as_user("chengkou"))
    assert '<span class="whoami__name">chengkou</span>' in content
    assert "区县专门科室 · 城口县" in content


def test_it_shows_the_demo_banner_only_with_demo_data(world: World, as_user, settings) -> None:
    assert "演示数据" not in _home(as_user("worker"))
    settings.SANQU_DEMO = True
    assert "演示数据" in _home(as_user("worker"))


def test_it_loads_no_inline_script_without_a_nonce(world: World, as_user) -> None:
    response = as_user("worker").get("/")
    nonce_header = response["Content-Security-Policy"]
    content = response.content.decode()
    assert "script-src 'self' 'nonce-" in nonce_header
    for tag in content.split("<script")[1:]:
        assert 'nonce="' in tag.split(">")[0]
    assert " onclick=" not in content


def test_it_flags_a_dispatch_still_serving_past_its_planned_end(
    world: World, as_user, today: dt.date
) -> None:
    make_dispatch(
        person=world.worker_person,
        county=world.chengkou,
        organisation=world.yangguang,
        started_on=today - dt.timedelta(days=400),
        planned_end_on=today - dt.timedelta(days=35),
        station=world.station,
    )
    county = _home(as_user("chengkou"))
    attention = county[county.index("天内期满或已超期的派驻") : county.index("在岗但未登记服务站点的社工")]
    assert "李晓梅" in attention and "已超期 35 天" in attention
    worker = _home(as_user("worker"))
    assert "记录仍为在岗" in worker
    assert "dispatch__days-value" not in worker

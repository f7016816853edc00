"""The demo's public site: 首页 > 新闻中心 > 地方动态, 项目动态, 政策文件, and the news items in them.

Every item is written by the demo editor, submitted to the workflow 新闻审核 and approved (so
published) by the demo reviewer, so each has a real revision and review history; so are the texts of
the home page (by the city office), the news centre and the columns. The first item is
the programme's results report of 2018-07-10 (source 重庆市民政局, 128 views), written afresh from the
facts of the bureau's article; the others are shorter items of the same half-year.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from wagtail.models import Page, Site
from wagtail.search import index

from sanqu.accounts.models import User
from sanqu.publicity.models import ArticlePage, NewsColumnPage, NewsIndexPage, PublicHomePage
from sanqu.publicity.review import ensure_news_review

SEED = 20180710
SITE_NAME = "重庆市社会工作专业人才服务“三区”计划"
# Column slugs (the addresses) and titles.
COLUMNS = [("local", "地方动态"), ("projects", "项目动态"), ("policy", "政策文件")]


@dataclass
class Tree:
    home: PublicHomePage
    news: NewsIndexPage
    columns: dict[str, NewsColumnPage]


def build_tree() -> Tree:
    """The page tree (published) as the site's root, replacing the demo's earlier one if any."""
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    for old in PublicHomePage.objects.all():
        old.delete()
    # Wagtail's own welcome page goes: the public home page takes its place and its address.
    for welcome in Page.objects.child_of(root).filter(slug="home", content_type__model="page"):
        if welcome.is_leaf():
            welcome.delete()
    home = root.add_child(
        instance=PublicHomePage(
            title="首页",
            slug="home",
            intro="社会工作专业人才服务“三区”计划的新闻、政策和项目动态。",
        )
    )
    site = Site.objects.filter(is_default_site=True).first() or Site(
        hostname="localhost", port=80, is_default_site=True
    )
    site.root_page = home
    site.site_name = SITE_NAME
    site.save()
    news = home.add_child(
        instance=NewsIndexPage(
            title="新闻中心", slug="news", intro="“三区”计划实施以来的地方动态、项目动态和政策文件。"
        )
    )
    columns = {
        slug: news.add_child(instance=NewsColumnPage(title=title, slug=slug)) for slug, title in COLUMNS
    }
    ensure_news_review(news)
    return Tree(home=home, news=news, columns=columns)


def approve(page: Page, *, author: User, reviewer: User, comment: str = "") -> Page:
    """Save the page's current state as the author's revision, submit it to 新闻审核, approve it."""
    page.save_revision(user=author, log_action=True)
    workflow = page.get_workflow()
    assert workflow is not None, "the public site is under the workflow 新闻审核"  # noqa: S101
    workflow.start(page, author)
    task_state = page.current_workflow_task_state
    assert task_state is not None  # noqa: S101
    task_state.task.specific.on_action(task_state, reviewer, "approve", comment=comment)
    page.refresh_from_db()
    return page


def publish_reviewed(
    *, column: NewsColumnPage, article: ArticlePage, editor: User, reviewer: User, comment: str = ""
) -> ArticlePage:
    """Write the article as the editor, submit it to 新闻审核 and approve it as the reviewer."""
    article.live = False
    article.owner = editor
    column.add_child(instance=article)
    approve(article, author=editor, reviewer=reviewer, comment=comment)
    return article


def approve_frame(tree: Tree, *, editor: User, reviewer: User, office: User) -> None:
    """The site's frame goes through the review too: the home page's texts (the city office's) and the
    news centre's and columns' (the editor's), so each has an approval and a fingerprint."""
    approve(tree.home, author=office, reviewer=reviewer)
    approve(tree.news, author=editor, reviewer=reviewer)
    for column in tree.columns.values():
        approve(column, author=editor, reviewer=reviewer)


@transaction.atomic
def build_publicity() -> Tree:
    """The tree and its published news; needs the demo accounts `editor` and `reviewer`."""
    rng = random.Random(SEED)  # noqa: S311 (made-up view counts that must be the same every run)
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    tree = build_tree()
    approve_frame(tree, editor=editor, reviewer=reviewer, office=User.objects.get(username="city"))
    for column, views, fields in ITEMS:
        article = publish_reviewed(
            column=tree.columns[column], article=ArticlePage(**fields), editor=editor, reviewer=reviewer
        )
        count = views if views is not None else rng.randint(40, 110)
        ArticlePage.objects.filter(pk=article.pk).update(view_count=count)
        # Searchable at once, without waiting for the worker to run the indexing task.
        index.insert_or_update_object(article)
    return tree


RESULTS_BODY = """
<p>2013年起，重庆市按照民政部的部署，每年组织社会工作专业人才到“三区”服务。六年来，计划覆盖万州、黔江、涪陵、丰都、武隆、开州、忠县、奉节、秀山、南川、城口、云阳、巫山、巫溪、石柱、酉阳、彭水17个受援区县（自治县），累计选派社会工作专业人才284人次，为当地培养社会工作专业人才147名。受援地干部和群众对计划的实施给予了充分肯定。</p>
<h2>一、困难群众得到专业服务</h2>
<p>选派社工以村（社区）社会工作室（站）为阵地，为困难群众提供生活救助、心理疏导、精神慰藉、残障康复、家庭教育、能力提升、政策宣传、社会融入等服务，并按服务对象分类施策：留守和困境儿童有成长支持、法制宣教和临界预防，留守和特殊困难妇女有心理支持和亲职辅导，留守和特殊困难老人有生活照顾、社会参与和临终关怀，有不良行为的青少年、社区矫正对象和刑满释放人员则得到心理社会支持和社会功能恢复服务。</p>
<p>服务与脱贫攻坚紧密结合。在城口县鸡鸣乡，社工帮助留守妇女办起手工坊，制作手编鞋和丝网花，线上线下同时销售；在彭水县兴和村，社工动员养殖户成立合作社，统一销售土鸡蛋和蜂蜜，从运输、寄递、收购、包装和宣传各环节压低成本；在秀山县云隘村，高校社工团队走遍11个村民小组，评估后确定特色产业，村民种下核桃500亩、雪莲果300亩，户均增收6000余元。社工还为留守儿童组建了朗诵队和合唱团，带他们走出大山登台演出。</p>
<h2>二、本土人才和社会工作组织成长起来</h2>
<p>各受援区县每年推荐本地优秀从业人员作为培养对象，参加民政部和市级培训，通过专题讲座、案例教学、交流研讨和实地考察系统学习社会工作理念与方法。区县还开发社会工作岗位，建设村（社区）社会工作室（站）和社会工作发展基地，丰都县的发展基地承担全县社工组织协调、人才培养和项目实施。目前15个受援区县登记有社会工作组织，共66家，比2013年首批计划实施前增加64家，其中社会服务机构61家、协会3家。</p>
<h2>三、激励政策逐步完善</h2>
<p>万州、黔江、丰都、武隆、奉节、秀山6个区县（自治县）出台人才激励政策，以职称补贴、一次性奖励和考试费用报销鼓励从业人员参加全国社会工作者职业水平考试。17个受援区县（自治县）的持证社会工作专业人才已达1077人，比2013年以前增长7.3倍。各区县落实项目工作要点和执行办法，明确专门科室联系、跟踪和监督项目，部分区县还制定了项目实施方案。</p>
<h2>四、服务模式不断创新</h2>
<p>各地推行“专业督导+选派社工+本土社工+志愿者”的组团服务：督导把关服务质量，志愿者扩大服务范围。城口县在选人用人上向本土社工倾斜，队伍更稳定，服务也更贴近当地。不少区县深化“三社联动”“两工协作”，以社区（村）为平台、社会组织为载体、社工人才为支撑，引导社会力量参与基层治理。</p>
<h2>五、社会工作的认知度明显提升</h2>
<p>开州、石柱等区县借助电视、报纸和网站发布项目动态；各派出单位在自有网站、微博和微信开设“三区”计划专栏并及时更新；万州、丰都等区县编印社会工作简报，定期送相关部门阅览，让更多干部了解和支持社会工作。</p>
"""

ITEMS: list[tuple[str, int | None, dict[str, object]]] = [
    (
        "local",
        128,
        {
            "title": "重庆“三区”计划实施六年成效明显",
            "slug": "three-regions-results",
            "date": dt.date(2018, 7, 10),
            "source": "重庆市民政局",
            "summary": (
                "2013年以来，重庆向17个受援区县累计选派社会工作专业人才284人次、培养本土人才147名，"
                "受援区县社会工作组织达66家，持证社会工作专业人才达1077人。"
            ),
            "body": RESULTS_BODY.strip(),
        },
    ),
    (
        "policy",
        None,
        {
            "title": "关于做好2018年度“三区”计划选派社工工作的通知",
            "slug": "2018-dispatch-notice",
            "date": dt.date(2018, 3, 20),
            "source": "重庆市民政局",
            "summary": "部署2018年度选派社工的名额分配、派出单位确定、岗前培训和在岗管理工作。",
            "body": (
                "<p>各受援区县（自治县）民政局、有关派出单位：</p>"
                "<p>为做好2018年度社会工作专业人才服务“三区”计划实施工作，现就选派社工有关事项通知如下。</p>"
                "<h2>一、选派名额</h2>"
                "<p>选派名额按各受援区县（自治县）上报的服务需求和上年度考核结果分配，具体名额另行下达。</p>"
                "<h2>二、派出单位</h2>"
                "<p>派出单位应为依法登记的社会工作服务机构或开设社会工作专业的高校，"
                "须与受援区县签订服务协议，明确服务内容、服务站点和考核办法。</p>"
                "<h2>三、在岗管理</h2>"
                "<p>选派社工服务期一般为一年，须按月报送服务情况。区县专门科室负责日常联系和监督，"
                "对提前离岗的，派出单位应及时补派并说明原因。</p>"
            ),
        },
    ),
    (
        "local",
        None,
        {
            "title": "丰都县社会工作发展基地开展集中督导",
            "slug": "fengdu-base-supervision",
            "date": dt.date(2018, 4, 25),
            "source": "丰都县民政局",
            "summary": "基地督导与一线社工逐一讨论在办个案，重点研究留守老人和困境儿童的服务计划。",
            "body": (
                "<p>4月下旬，丰都县社会工作发展基地组织全县选派社工和本土社工开展集中督导。</p>"
                "<p>督导老师以小组方式听取社工汇报在办个案，围绕预估是否充分、服务计划是否可行、"
                "介入记录是否客观等问题逐一点评，并就留守老人精神慰藉和困境儿童家庭教育两类常见个案"
                "进行了案例教学。</p>"
                "<p>基地负责人表示，今后每季度组织一次集中督导，让社工在实务中持续提升专业能力。</p>"
            ),
        },
    ),
    (
        "local",
        None,
        {
            "title": "城口县鸡鸣乡社会工作站挂牌运行",
            "slug": "jiming-station-opens",
            "date": dt.date(2018, 5, 16),
            "source": "城口县民政局",
            "summary": "鸡鸣乡社会工作站由选派社工和本土社工共同驻站，为全乡留守妇女、儿童和老人提供服务。",
            "body": (
                "<p>5月16日，城口县鸡鸣乡社会工作站正式挂牌运行。</p>"
                "<p>社会工作站设在乡便民服务中心，配有个案访谈室和小组活动室，由选派社工和本土社工"
                "共同驻站，志愿者协助开展活动。工作站将以留守妇女、留守儿童和留守老人为重点，"
                "开展入户走访、需求评估和分类服务。</p>"
                "<p>此前，驻乡社工已协助当地留守妇女成立手工坊。工作站挂牌后，手工坊的技能培训"
                "和产品销售也将纳入工作站的服务内容。</p>"
            ),
        },
    ),
    (
        "projects",
        None,
        {
            "title": "市级“三区”计划培养对象实务能力提升培训班开班",
            "slug": "2018-trainee-course",
            "date": dt.date(2018, 6, 11),
            "source": "重庆市民政局",
            "summary": "各受援区县的培养对象参加五天集中培训，课程包括专题讲座、案例教学和实地考察。",
            "body": (
                "<p>6月11日，2018年度市级“三区”计划培养对象实务能力提升培训班开班。"
                "各受援区县（自治县）推荐的培养对象参加培训。</p>"
                "<p>培训为期五天，安排了社会工作伦理、个案管理、小组工作设计等专题讲座，"
                "结合留守儿童和特殊困难老人服务的真实案例开展案例教学，并组织学员到社区社会工作室实地考察。</p>"
                "<p>培训结束后，学员将回到所在区县，在选派社工和督导的带领下开展服务实践。</p>"
            ),
        },
    ),
    (
        "projects",
        None,
        {
            "title": "彭水县兴和村土特产合作社完成首批蜂蜜统一销售",
            "slug": "xinghe-honey-sale",
            "date": dt.date(2018, 6, 28),
            "source": "彭水县民政局",
            "summary": "驻村社工帮助合作社统一收购、包装和寄递，养殖户的销售成本明显下降。",
            "body": (
                "<p>在驻村社工的协助下，彭水县兴和村土特产合作社完成了今年首批蜂蜜的统一销售。</p>"
                "<p>合作社统一收购养殖户的土鸡蛋和蜂蜜，统一包装、统一寄递，并通过派出单位的网站"
                "和微信平台宣传推介。养殖户不再各自找销路，运输和寄递费用也由合作社集中议价。</p>"
                "<p>社工表示，下一步将协助合作社建立账目公开制度，并培养村里的年轻人负责网上销售。</p>"
            ),
        },
    ),
]

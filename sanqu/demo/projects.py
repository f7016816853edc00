"""The demo's project supervision: county projects, their reports, visits and evaluations.

One project per programme year, receiving county and sending organisation that dispatched workers
there (the Dispatch rows), signed a few days before the year starts for the year's dates, with a
budget scaled by its workers and targets set around what the records give: the projects that
ended reached 80–120 % of them, the 2018 ones are partly done. Each programme year has a report
template (季报 up to 2016, 月报 from 2017) and every project a report for every period due by the
demo's day, pre-filled with the period's figures from the records: most accepted, some late, a few
returned and resubmitted, the latest waiting for review, three missing. The county sections and
the city office visited projects and stations 2016–2018; where an owner can be named (城口, 万州)
the findings have follow-up actions, mostly closed with a photo. One scheme after MZ/T 059-2014
scores the mid-term and final evaluations.

Every record keeps the rules the services enforce. Nothing here adds or changes a record that a
figure of the seed counts; the randomness is this module's own (`SEED`).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
import struct
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Count, DateTimeField, Model
from django.db.models.functions import Coalesce
from django.utils import timezone

from sanqu.accounts.models import User
from sanqu.cases.models import Case, CommunityActivity, GroupSession, ServiceRecord
from sanqu.demo import plan
from sanqu.demo.people import make_name, random_date
from sanqu.lib.files import private_storage
from sanqu.orgs.models import Organisation
from sanqu.projects.evaluation_services import _frozen
from sanqu.projects.models import (
    EvaluationIndicator,
    EvaluationScheme,
    IndicatorScore,
    Milestone,
    MonitoringVisit,
    PeriodFigure,
    PeriodicReport,
    ProgrammeYear,
    Project,
    ProjectEvaluation,
    ReportEvent,
    ReportField,
    ReportTemplate,
    Target,
    VisitAction,
)
from sanqu.projects.progress import progress_of
from sanqu.projects.report_schedule import Period, periods_of
from sanqu.regions.models import Region, Station
from sanqu.volunteers.models import VolunteerService
from sanqu.workforce.models import Dispatch

SEED = 5_0710
TODAY = plan.AS_OF
DAY = dt.timedelta(days=1)
Status = PeriodicReport.Status
Action = ReportEvent.Action

# 2018 reports: the last two due dates are the ones still moving on the demo's day.
MAY_DUE, JUNE_DUE = dt.date(2018, 6, 10), dt.date(2018, 7, 10)
# (county code, period start) of 2018 reports nobody filed: overdue on the demo's day (the county's
# first project of the year).
MISSING = {
    (plan.WANZHOU, dt.date(2018, 5, 1)),
    ("500238", dt.date(2018, 4, 1)),
    ("500238", dt.date(2018, 5, 1)),
}

FIGURE_FIELDS = [
    PeriodFigure.SERVICES,
    PeriodFigure.BENEFICIARIES_SERVED,
    PeriodFigure.CASES_OPENED,
    PeriodFigure.CASES_CLOSED,
    PeriodFigure.GROUP_SESSIONS,
    PeriodFigure.COMMUNITY_ACTIVITIES,
    PeriodFigure.VOLUNTEER_HOURS,
]
FIGURE_LABELS = {
    PeriodFigure.SERVICES: "个案服务(人次)",
    PeriodFigure.BENEFICIARIES_SERVED: "服务对象(人)",
    PeriodFigure.CASES_OPENED: "新接个案(个)",
    PeriodFigure.CASES_CLOSED: "结案(个)",
    PeriodFigure.GROUP_SESSIONS: "小组活动(节)",
    PeriodFigure.COMMUNITY_ACTIVITIES: "社区活动(场)",
    PeriodFigure.VOLUNTEER_HOURS: "志愿服务(小时)",
}
HOME_VISITS, TYPICAL_CASE = "home_visits", "typical_case"

PROGRESS = [
    "围绕留守儿童、留守老人和困境家庭开展服务，个案跟进有序推进。",
    "与乡镇政府、村委会保持沟通，服务对象需求排查已覆盖项目所在村。",
    "开展“四点半课堂”和亲子活动，留守儿童参与积极。",
    "对独居老人开展入户探访和电话关怀，链接镇卫生院提供健康义诊。",
    "组织志愿者参与社区环境整治和节日慰问活动。",
    "完成服务对象满意度回访，多数服务对象对服务表示满意。",
    "协助村委会建立困境儿童信息台账，做好动态更新。",
    "整理个案、小组服务档案，按要求上传服务记录。",
]
PROBLEMS = [
    "部分服务对象居住分散，入户走访耗时较长。",
    "汛期道路不畅，个别村的活动延期举行。",
    "本土志愿者流动性大，骨干志愿者不足。",
    "部分留守老人对社工服务了解不多，参与意愿有待提高。",
    "社工同时承担乡镇临时性工作，专业服务时间受到挤占。",
    "",
]
NEXT_STEPS = [
    "继续跟进在案个案，按计划开展结案评估。",
    "筹备暑期留守儿童安全教育小组。",
    "联合村委会开展重阳节敬老活动。",
    "加强志愿者培训，建立志愿服务积分制度。",
    "配合区县民政部门做好项目中期评估准备。",
    "完善服务档案，规范个案记录书写。",
]
TYPICAL_CASES = [
    "一名父母外出务工的初二学生出现厌学情绪，社工联系班主任和其祖父母共同制定支持计划，现已返校正常上课。",
    "一位独居老人因行动不便长期无人照看，社工链接村医定期上门并协调邻里结对照顾。",
    "一户因病致贫家庭，社工协助申请临时救助并链接公益资源解决孩子学费。",
    "一名残疾青年在社工支持下参加电商培训，已开始在网上销售本地农产品。",
    "",
    "",
]
RETURN_COMMENTS = [
    "“入户走访(户)”与服务记录不符，请核实后重新报送。",
    "工作进展过于简略，请补充本期个案和小组服务的具体情况。",
    "存在问题未写明原因和拟采取的措施，请补充。",
    "典型案例涉及服务对象姓名和住址，请做匿名处理后重新报送。",
]
ACCEPT_COMMENTS = ["", "", "", "内容完整，同意通过。", "请继续做好服务档案管理。", "数据与台账一致。"]

# (title, note when done)
MILESTONE_NOTES = {
    "方案评审": "实施方案经区县民政局组织评审，按意见修改后备案。",
    "中期评估": "中期评估完成，评估意见已反馈机构。",
    "末期评估": "末期评估完成，形成评估报告。",
    "结项验收": "结项资料审核通过，项目验收结项。",
}

# The scheme after MZ/T 059-2014: (dimension, indicator, weight, guide, strong note, weak note).
SCHEME_NAME = "三区计划社会工作服务项目绩效评估指标"
INDICATORS = [
    ("项目管理", "实施方案与进度", 10, "实施方案完整可行，各节点按期完成。",
     "实施方案经评审备案，各节点按期完成。", "部分节点滞后，进度调整未及时报备。"),
    ("项目管理", "制度与档案", 10, "服务制度健全，档案完整规范。",
     "服务档案齐全，分类归档规范。", "部分服务记录缺少签名，档案待完善。"),
    ("项目管理", "财务管理", 10, "经费专款专用，支出凭证完整。",
     "经费专款专用，支出凭证齐全。", "个别支出凭证不完整，需补充说明。"),
    ("服务成效", "服务指标完成", 20, "协议约定的服务指标完成情况。",
     "协议服务指标全部完成，部分超额完成。", "部分服务指标未达到协议约定。"),
    ("服务成效", "服务对象改变", 10, "服务对象问题改善、能力提升的情况。",
     "抽查个案服务对象状况明显改善。", "服务成效记录不足，改变情况难以体现。"),
    ("服务成效", "服务对象满意度", 10, "抽样回访服务对象的满意程度。",
     "抽样回访满意度较高。", "回访中部分服务对象对服务了解不多。"),
    ("专业能力", "个案与小组工作规范", 10, "个案、小组工作流程和记录符合专业规范。",
     "个案、小组流程规范，记录完整。", "个案预估和计划书写不够规范。"),
    ("专业能力", "督导与培训", 10, "社工接受督导和培训的频次与质量。",
     "定期接受督导，参加培训记录完整。", "督导频次不足，培训记录不全。"),
    ("社会影响", "资源链接", 5, "链接政府、社会资源服务群众的情况。",
     "链接多方资源，形成服务合力。", "资源链接较少。"),
    ("社会影响", "宣传推广", 5, "服务宣传和经验推广情况。",
     "在县级媒体宣传报道多次。", "宣传推广工作较少。"),
]  # fmt: skip
SUMMARIES = {
    "excellent": "项目管理规范，服务指标全面完成，服务成效显著，评为优秀。",
    "good": "项目运行规范，服务指标基本完成，服务成效较好，评为良好。",
    "fair": "项目基本按方案实施，但服务成效和档案管理有待加强，评为一般。",
    "poor": "项目进度滞后，服务指标完成不足，档案管理不规范，评为较差，须限期整改。",
}

VISIT_PURPOSES = {
    MonitoringVisit.Kind.INSPECTION: ["项目实施情况督查", "服务台账和经费使用督查", "中期评估前实地督查"],
    MonitoringVisit.Kind.FIELD_VISIT: ["项目服务情况走访", "社工站点运行情况走访", "听取服务对象意见"],
}
FINDINGS = [
    "社工按计划开展个案和小组服务，服务对象反映良好。",
    "站点制度上墙，服务台账基本完整。",
    "部分个案记录不够详细，预估和计划书写不够规范。",
    "站点活动室利用率不高，开放时间未公示。",
    "志愿者队伍已建立，但活动记录不全。",
    "经费支出凭证个别缺少经办人签字。",
    "社工与村委会配合良好，服务融入村级工作。",
]
ACTIONS = [
    ("规范个案记录，补齐预估和服务计划", "已组织社工学习记录规范，补齐个案预估和计划，督导抽查合格。"),
    ("公示站点开放时间和服务项目", "开放时间和服务项目已在站点门口公示。"),
    ("补全志愿服务活动记录", "已补录志愿服务记录并建立签到制度。"),
    ("补齐经费支出凭证签字", "凭证已补签，机构财务制度已修订。"),
    ("建立服务对象回访制度", "已制定回访制度，每月抽样回访并登记。"),
]
CITY_OFFICE = "市民政局社会工作处"
# A tiny valid PNG (a 4×4 grey square) standing in for the photos that close an action.
EVIDENCE_NAME = "整改照片.png"


def demo_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x99\x99\x99" * 4 for _ in range(4))
    header = struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@contextmanager
def stamped_as_given(model: type[Model], name: str) -> Iterator[None]:
    """Inside, an `auto_now_add` field keeps the time the demo gives it (the day it happened)."""
    field = model._meta.get_field(name)
    if not (isinstance(field, DateTimeField) and field.auto_now_add):
        raise TypeError(f"{model.__name__}.{name} is not stamped when added")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def json_number(value: Any) -> int | float:
    """As the report services store a figure: an integer when whole."""
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def short_organisation(organisation: Organisation) -> str:
    """重庆扬光社会工作服务中心 → 扬光社工中心; 重庆三峡学院 → 三峡学院."""
    name = organisation.name
    for prefix in ("重庆市", "重庆"):
        name = name.removeprefix(prefix)
    county = organisation.home_county.name if organisation.home_county_id else ""
    for prefix in (county, county[:2]):
        if prefix and name.startswith(prefix) and len(name) > len(prefix) + 4:
            name = name.removeprefix(prefix)
            break
    return name.replace("社会工作服务中心", "社工中心")


@dataclass
class Accounts:
    city: User
    officers: dict[int, User]  # county id → its county officer
    yangguang: User
    worker: User

    def reviewer(self, county_id: int) -> User:
        return self.officers.get(county_id, self.city)

    def filer(self, rng: random.Random, project: Project) -> User | None:
        """Who files the project's reports: 扬光's manager or its worker; no account elsewhere."""
        if project.organisation.name != plan.YANGGUANG:
            return None
        return self.worker if rng.random() < 0.6 else self.yangguang


class ProjectsBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)  # noqa: S311 (made-up data that must be the same every run)
        users = {
            user.username: user for user in User.objects.filter(username__in=["city", "yangguang", "worker"])
        }
        officers = {
            code: User.objects.filter(username=username).first() for code, username in
            ((plan.CHENGKOU, "chengkou"), (plan.WANZHOU, "wanzhou"))
        }  # fmt: skip
        counties = {r.code: r for r in Region.objects.filter(code__in=plan.RECEIVING)}
        self.accounts = Accounts(
            city=users["city"],
            officers={counties[code].pk: user for code, user in officers.items() if user is not None},
            yangguang=users["yangguang"],
            worker=users["worker"],
        )
        self.counties = counties
        self.projects: list[Project] = []
        self.templates: dict[int, ReportTemplate] = {}

    # Projects and milestones ---------------------------------------------------------------

    def build_projects(self) -> None:
        rng = self.rng
        years = {y.pk: y for y in ProgrammeYear.objects.all()}
        regions = {r.pk: r for r in self.counties.values()}
        organisations = {o.pk: o for o in Organisation.objects.select_related("home_county")}
        rows = (
            Dispatch.objects.values("programme_year", "county", "sending_organisation")
            .annotate(workers=Count("person", distinct=True))
            .order_by("programme_year__year", "county__code", "sending_organisation__name")
        )
        numbers: dict[tuple[int, int], int] = defaultdict(int)
        city = self.accounts.city
        for row in rows:
            year, county = years[row["programme_year"]], regions[row["county"]]
            organisation = organisations[row["sending_organisation"]]
            numbers[(year.pk, county.pk)] += 1
            short_county = plan.RECEIVING[county.code]
            budget = 60_000 + row["workers"] * rng.randint(45, 60) * 1_000
            signed_on = year.starts_on - dt.timedelta(days=rng.randint(3, 12))
            self.projects.append(
                Project(
                    programme_year=year,
                    county=county,
                    organisation=organisation,
                    name=f"{county.name}{year.year}年度三区计划社会工作服务项目（{short_organisation(organisation)}）",
                    agreement_no=f"渝民社工〔{year.year}〕{short_county}-{numbers[(year.pk, county.pk)]:02d}",
                    signed_on=signed_on,
                    starts_on=year.starts_on,
                    ends_on=year.ends_on,
                    budget=Decimal(min(budget, 300_000)),
                    created_by=city,
                    created_at=moment(signed_on, 16),
                )
            )
        with stamped_as_given(Project, "created_at"):
            Project.objects.bulk_create(self.projects)
        self.set_targets()
        Project.objects.bulk_update(
            self.projects, [f"target_{name}" for name in Target.values], batch_size=500
        )

    def set_targets(self) -> None:
        """Targets around what the records give: ended projects reached 80–120 %, 2018 ones partly.

        The records are counted as the programme page lists the projects (their default order):
        a county's trainees of the year count for one of its projects of that year.
        """
        rng = self.rng
        progress = progress_of(list(Project.objects.select_related("county")), TODAY)
        for project in self.projects:
            ended = project.ends_on < TODAY
            if ended:
                share = rng.uniform(1.0, 1.2) if rng.random() < 0.75 else rng.uniform(0.8, 1.0)
            else:
                elapsed = (TODAY - project.starts_on).days / (project.ends_on - project.starts_on).days
                share = elapsed * rng.uniform(0.85, 1.2)
            for item in progress[project.pk]:
                done = Decimal(item.done)
                goal = int((done / Decimal(share * rng.uniform(0.95, 1.05))).to_integral_value(ROUND_HALF_UP))
                if ended:  # small numbers too: what was done is 80–120 % of the goal
                    lowest = int((done / Decimal("1.2")).to_integral_value(ROUND_CEILING))
                    highest = int((done / Decimal("0.8")).to_integral_value(ROUND_FLOOR))
                    goal = min(max(goal, lowest), highest)
                setattr(project, f"target_{item.target}", max(goal, 1) if done else 0)

    def build_milestones(self) -> None:
        rng = self.rng
        milestones: list[Milestone] = []
        # 2018 projects whose mid-term date has passed: 城口's and about a third of the others.
        recent = [p for p in self.projects if p.ends_on >= TODAY]
        wanzhou = next(p.pk for p in recent if p.county.code == plan.WANZHOU)
        early = {
            p.pk for p in recent if p.county.code == plan.CHENGKOU or p.pk == wanzhou or rng.random() < 0.3
        }
        overdue = [p.pk for p in recent if p.pk in early and p.county.code == plan.WANZHOU][:1]
        overdue += [
            p.pk for p in recent if p.pk in early and p.county.code not in (plan.WANZHOU, plan.CHENGKOU)
        ][:1]
        self.late_midterms = set(overdue)
        for project in self.projects:
            count = rng.choice((2, 3, 3, 4, 4))
            start, end = project.starts_on, project.ends_on
            if project.pk in early:
                midterm = dt.date(2018, 6, rng.randint(12, 30))
            else:
                midterm = start + dt.timedelta(days=rng.randint(170, 190))
            plan_items = [
                ("方案评审", start + dt.timedelta(days=rng.randint(20, 35))),
                ("中期评估", midterm),
                ("末期评估", end - dt.timedelta(days=rng.randint(20, 35))),
                ("结项验收", end - dt.timedelta(days=rng.randint(0, 7))),
            ]
            chosen = plan_items[1:3] if count == 2 else plan_items[:count]
            for title, due_on in chosen:
                done_on = None
                if due_on <= TODAY and not (title == "中期评估" and project.pk in self.late_midterms):
                    done_on = min(due_on + dt.timedelta(days=rng.randint(-6, 8)), TODAY)
                milestones.append(
                    Milestone(
                        project=project,
                        title=title,
                        due_on=due_on,
                        done_on=done_on,
                        note=MILESTONE_NOTES[title] if done_on else "",
                    )
                )
        Milestone.objects.bulk_create(milestones)
        self.midterms = {m.project_id: m for m in milestones if m.title == "中期评估"}
        self.finals = {m.project_id: m for m in milestones if m.title == "末期评估"}

    # Report templates and reports ----------------------------------------------------------

    def build_templates(self) -> None:
        fields: list[ReportField] = []
        for year in ProgrammeYear.objects.order_by("year"):
            monthly = year.year >= 2017
            template = ReportTemplate.objects.create(
                programme_year=year,
                name=f"{year.year}年度{'月报' if monthly else '季报'}",
                cadence=ReportTemplate.Cadence.MONTHLY if monthly else ReportTemplate.Cadence.QUARTERLY,
                due_day=10,
            )
            self.templates[year.pk] = template
            for order, figure in enumerate(FIGURE_FIELDS):
                fields.append(
                    ReportField(
                        template=template,
                        key=figure.value,
                        label=FIGURE_LABELS[figure],
                        kind=ReportField.Kind.FIGURE,
                        figure=figure.value,
                        sort_order=order,
                    )
                )
            fields.append(
                ReportField(
                    template=template,
                    key=HOME_VISITS,
                    label="入户走访(户)",
                    kind=ReportField.Kind.NUMBER,
                    required=True,
                    help_text="本期社工入户走访的户数",
                    sort_order=len(FIGURE_FIELDS),
                )
            )
            fields.append(
                ReportField(
                    template=template,
                    key=TYPICAL_CASE,
                    label="典型案例",
                    kind=ReportField.Kind.TEXT,
                    help_text="一个本期的服务案例，隐去服务对象的姓名和住址",
                    sort_order=len(FIGURE_FIELDS) + 1,
                )
            )
        ReportField.objects.bulk_create(fields)

    def build_reports(self) -> None:
        first: dict[str, Project] = {}
        for project in self.projects:
            if project.ends_on >= TODAY:
                first.setdefault(project.county.code, project)
        due: list[tuple[Project, Period]] = []
        for project in self.projects:
            template = self.templates[project.programme_year_id]
            for period in periods_of(project, template):
                code = project.county.code
                if period.due_on > TODAY or ((code, period.start) in MISSING and first[code] is project):
                    continue
                due.append((project, period))
        figures = period_figures_of(due)
        reports: list[PeriodicReport] = []
        events: list[tuple[PeriodicReport, list[ReportEvent]]] = []
        for project, period in due:
            report, history = self.report(project, period, figures[(project.pk, period.start)])
            if report is None:
                continue
            reports.append(report)
            for event in history:
                event.report = report
            events.append((report, history))
        PeriodicReport.objects.bulk_create(reports, batch_size=500)
        with stamped_as_given(ReportEvent, "at"):
            ReportEvent.objects.bulk_create(
                [event for _report, history in events for event in history], batch_size=1000
            )

    def report(
        self, project: Project, period: Period, figures: dict[str, int | float]
    ) -> tuple[PeriodicReport | None, list[ReportEvent]]:
        """One period's report and its history, in the state it has on the demo's day."""
        rng, accounts = self.rng, self.accounts
        chengkou = project.county.code == plan.CHENGKOU
        latest = project.ends_on >= TODAY and period.due_on >= MAY_DUE
        # What happens to it: accepted (on time or late), returned once then accepted, or, for the
        # latest 2018 periods, still under way.
        if latest and period.due_on == JUNE_DUE:
            outcome = "submitted" if chengkou else rng.choice(
                ["submitted"] * 5 + ["accepted"] * 2 + ["draft"] * 2 + ["none"] * 2 + ["returned"]
            )  # fmt: skip
        elif latest:
            outcome = "resubmitted" if chengkou else rng.choice(["accepted"] * 8 + ["submitted", "returned"])
        else:
            outcome = "resubmitted" if rng.random() < 0.06 else "accepted"
        if outcome == "none":
            return None, []
        filer, reviewer = accounts.filer(rng, project), accounts.reviewer(project.county_id)
        late = outcome != "draft" and rng.random() < (0.05 if latest else 0.15)
        if late:
            submitted = period.due_on + dt.timedelta(days=rng.randint(1, 12))
        else:
            submitted = period.due_on - dt.timedelta(days=rng.randint(0, 7))
        submitted = max(min(submitted, TODAY), period.end + DAY)
        created = max(submitted - dt.timedelta(days=rng.randint(1, 4)), period.end + DAY)
        word = "本月" if project.programme_year.year >= 2017 else "本季度"
        narrative = (
            f"{word}开展个案服务{figures['services']}人次，服务对象{figures['beneficiaries_served']}人，"
            f"新接个案{figures['cases_opened']}个、结案{figures['cases_closed']}个；开展小组活动"
            f"{figures['group_sessions']}节、社区活动{figures['community_activities']}场。"
            + "".join(rng.sample(PROGRESS, 2))
        )
        home_visits = max(2, int(figures["beneficiaries_served"] * rng.uniform(0.3, 0.7)) + rng.randint(0, 4))
        report = PeriodicReport(
            project=project,
            template=self.templates[project.programme_year_id],
            period_start=period.start,
            period_end=period.end,
            due_on=period.due_on,
            figures=figures,
            values={HOME_VISITS: home_visits, TYPICAL_CASE: rng.choice(TYPICAL_CASES)},
            narrative=narrative,
            problems=rng.choice(PROBLEMS),
            next_steps="".join(rng.sample(NEXT_STEPS, 2)),
        )
        if not report.values[TYPICAL_CASE]:
            del report.values[TYPICAL_CASE]
        history = [ReportEvent(action=Action.CREATED, by=filer, at=moment(created, 9, rng.randint(0, 59)))]
        if outcome == "draft":
            return report, history

        def submit(day: dt.date) -> None:
            report.status = Status.SUBMITTED
            report.submitted_at = moment(day, rng.randint(9, 17), rng.randint(0, 59))
            report.submitted_by = filer
            report.first_submitted_on = report.first_submitted_on or day
            report.submissions += 1
            history.append(
                ReportEvent(action=Action.SUBMITTED, by=filer, at=report.submitted_at, content=content())
            )

        def review(day: dt.date, status: str, comment: str) -> None:
            report.status = status
            report.reviewed_at = moment(day, rng.randint(9, 17), rng.randint(0, 59))
            report.reviewed_by = reviewer
            report.review_comment = comment
            action = Action.RETURNED if status == Status.RETURNED else Action.ACCEPTED
            history.append(ReportEvent(action=action, by=reviewer, at=report.reviewed_at, comment=comment))

        def content() -> dict[str, Any]:
            return {
                "period_start": report.period_start.isoformat(),
                "period_end": report.period_end.isoformat(),
                "figures": dict(report.figures),
                "values": dict(report.values),
                "narrative": report.narrative,
                "problems": report.problems,
                "next_steps": report.next_steps,
            }

        submit(submitted)
        if outcome == "submitted":
            return report, history
        reviewed = min(submitted + dt.timedelta(days=rng.randint(1, 6)), TODAY)
        if outcome in ("returned", "resubmitted"):
            review(reviewed, Status.RETURNED, rng.choice(RETURN_COMMENTS))
            if outcome == "returned":
                return report, history
            report.narrative += "已按审核意见补充完善。"
            resubmitted = min(reviewed + dt.timedelta(days=rng.randint(1, 5)), TODAY)
            submit(resubmitted)
            reviewed = min(resubmitted + dt.timedelta(days=rng.randint(1, 4)), TODAY)
        review(reviewed, Status.ACCEPTED, rng.choice(ACCEPT_COMMENTS))
        return report, history

    # Monitoring visits ---------------------------------------------------------------------

    def build_visits(self) -> None:
        rng, accounts = self.rng, self.accounts
        stations: dict[str, list[Station]] = defaultdict(list)
        for place in Station.objects.select_related("region", "organisation").order_by("pk"):
            stations[place.region.code[:6]].append(place)
        by_year_county: dict[tuple[int, str], list[Project]] = defaultdict(list)
        for signed in self.projects:
            by_year_county[(signed.programme_year.year, signed.county.code)].append(signed)
        png = demo_png()
        visits: list[MonitoringVisit] = []
        actions: list[VisitAction] = []
        for (year, code), projects in sorted(by_year_county.items()):
            if year < 2016:
                continue
            county = self.counties[code]
            officer = accounts.officers.get(county.pk)
            first, last = (
                projects[0].starts_on + dt.timedelta(days=30),
                min(projects[0].ends_on, TODAY - 20 * DAY),
            )
            count = rng.randint(2, 3) if officer else rng.randint(1, 3)
            for planned_on in sorted(random_date(rng, first, last) for _ in range(count)):
                kind = rng.choice(
                    [MonitoringVisit.Kind.INSPECTION] * 3 + [MonitoringVisit.Kind.FIELD_VISIT] * 2
                )
                project: Project | None = rng.choice(projects)
                station: Station | None = None
                open_stations = [
                    s
                    for s in stations[code]
                    if (s.opened_on or planned_on) <= planned_on and s.closed_on is None
                ]
                if open_stations and rng.random() < 0.25:
                    project, station = None, rng.choice(open_stations)
                visit = self.visit(county, kind, planned_on, officer, project=project, station=station)
                visit.visited_on = min(planned_on + dt.timedelta(days=rng.randint(-2, 4)), TODAY)
                visit.findings = "".join(rng.sample(FINDINGS, rng.randint(1, 2)))
                visits.append(visit)
                owner = self.owner(visit, officer)
                if owner is None:
                    continue
                recent = visit.visited_on > TODAY - 50 * DAY  # its actions are still under way
                for action, outcome in rng.sample(ACTIONS, rng.randint(1, 2)):
                    days = rng.randint(20, 45)
                    due_on = TODAY + rng.randint(5, 30) * DAY if recent else visit.visited_on + days * DAY
                    item = VisitAction(visit=visit, action=action, owner=owner, due_on=due_on)
                    if not recent:
                        self.close(item, visit.visited_on + rng.randint(7, days + 5) * DAY, outcome, png)
                    actions.append(item)
        chengkou, officer = (
            self.counties[plan.CHENGKOU],
            accounts.officers.get(self.counties[plan.CHENGKOU].pk),
        )
        current = next(p for p in self.projects if p.county_id == chengkou.pk and p.ends_on >= TODAY)
        # An action in 城口 past its due date and still open.
        visit = self.visit(
            chengkou, MonitoringVisit.Kind.INSPECTION, dt.date(2018, 5, 22), officer, project=current
        )
        visit.visited_on = dt.date(2018, 5, 22)
        visit.findings = "站点活动室利用率不高，开放时间未公示。部分个案记录不够详细。"
        visits.append(visit)
        owner = self.accounts.yangguang  # the project is 扬光's
        actions.append(
            VisitAction(
                visit=visit, action="公示站点开放时间和服务项目", owner=owner, due_on=dt.date(2018, 6, 30)
            )
        )
        item = VisitAction(
            visit=visit, action="规范个案记录，补齐预估和服务计划", owner=owner, due_on=dt.date(2018, 6, 20)
        )
        self.close(item, dt.date(2018, 6, 18), ACTIONS[0][1], png)
        actions.append(item)
        # And the next visit, planned in the coming days.
        visits.append(
            self.visit(chengkou, MonitoringVisit.Kind.INSPECTION, TODAY + 9 * DAY, officer, project=current,
                       purpose="中期评估前实地督查")
        )  # fmt: skip
        MonitoringVisit.objects.bulk_create(visits)
        VisitAction.objects.bulk_create(actions)

    def visit(
        self,
        county: Region,
        kind: str,
        planned_on: dt.date,
        officer: User | None,
        *,
        project: Project | None = None,
        station: Station | None = None,
        purpose: str = "",
    ) -> MonitoringVisit:
        rng = self.rng
        if kind == MonitoringVisit.Kind.INSPECTION:
            section = f"{county.name}民政局"
            lead = officer.display_name if officer else make_name(rng, male=rng.random() < 0.5)
            visitors = f"{lead}({section})、{make_name(rng, male=rng.random() < 0.5)}({section})"
            created_by = officer or self.accounts.city
        else:
            colleague = make_name(rng, male=False)
            visitors = f"{self.accounts.city.display_name}({CITY_OFFICE})、{colleague}({CITY_OFFICE})"
            created_by = self.accounts.city
        return MonitoringVisit(
            kind=kind,
            county=county,
            project=project,
            station=station,
            planned_on=planned_on,
            visitors=visitors,
            purpose=purpose or rng.choice(VISIT_PURPOSES[MonitoringVisit.Kind(kind)]),
            created_by=created_by,
        )

    def owner(self, visit: MonitoringVisit, officer: User | None) -> User | None:
        """Who owns the follow-up: 扬光's manager for its own work, else the county section (if any)."""
        organisation = visit.project.organisation if visit.project else visit.station.organisation  # type: ignore[union-attr]
        if organisation is not None and organisation.name == plan.YANGGUANG:
            return self.accounts.yangguang
        return officer

    @staticmethod
    def close(item: VisitAction, closed_on: dt.date, outcome: str, png: bytes) -> None:
        item.closed_on = closed_on
        item.closed_by = item.owner
        item.outcome = outcome
        item.evidence_name = EVIDENCE_NAME
        item.evidence_content_type = "image/png"
        item.evidence.save(EVIDENCE_NAME, ContentFile(png), save=False)

    # Evaluations ---------------------------------------------------------------------------

    def build_evaluations(self) -> None:
        rng, accounts = self.rng, self.accounts
        scheme = EvaluationScheme.objects.create(
            name=SCHEME_NAME, excellent_from=Decimal(90), good_from=Decimal(80), fair_from=Decimal(60)
        )
        indicators = EvaluationIndicator.objects.bulk_create(
            EvaluationIndicator(
                scheme=scheme,
                dimension=dimension,
                name=name,
                weight=Decimal(weight),
                guide=guide,
                sort_order=order,
            )
            for order, (dimension, name, weight, guide, _strong, _weak) in enumerate(INDICATORS)
        )
        notes = {
            indicator.pk: (strong, weak)
            for indicator, (*_rest, strong, weak) in zip(indicators, INDICATORS, strict=True)
        }
        ended = [p for p in self.projects if p.ends_on < TODAY]
        poor = next(
            p
            for p in ended
            if p.programme_year.year == 2014 and p.county.code not in (plan.CHENGKOU, plan.WANZHOU)
        )
        wanted: list[tuple[Project, str, dt.date, bool]] = []
        for project in self.projects:
            midterm, final = self.midterms.get(project.pk), self.finals.get(project.pk)
            mid_day = midterm.done_on if midterm else None
            if project.ends_on < TODAY:
                mid_day = mid_day or project.starts_on + dt.timedelta(days=rng.randint(170, 190))
                final_day = (
                    final.done_on
                    if final and final.done_on
                    else project.ends_on - dt.timedelta(days=rng.randint(5, 20))
                )
                wanted.append((project, ProjectEvaluation.Kind.MIDTERM, mid_day, True))
                wanted.append((project, ProjectEvaluation.Kind.FINAL, final_day, True))
            elif midterm and midterm.due_on <= TODAY:
                # Done on time, or still being scored (the milestone then is late).
                if mid_day:
                    wanted.append((project, ProjectEvaluation.Kind.MIDTERM, mid_day, True))
                elif project.county.code == plan.WANZHOU:
                    wanted.append((project, ProjectEvaluation.Kind.MIDTERM, midterm.due_on, False))
        evaluations: list[ProjectEvaluation] = []
        scores: list[IndicatorScore] = []
        quality: dict[int, float] = {}
        for project, kind, day, submitted in wanted:
            if project.pk not in quality:
                band = rng.choices([95.0, 86.0, 74.0], weights=[35, 47, 18])[0]
                quality[project.pk] = 55.0 if project is poor else band + rng.uniform(-3.5, 3.5)
            level = quality[project.pk] + (rng.uniform(0, 3) if kind == ProjectEvaluation.Kind.FINAL else 0)
            assessor = accounts.reviewer(project.county_id)
            section = f"{project.county.name}民政局"
            evaluation = ProjectEvaluation(
                project=project,
                scheme=scheme,
                kind=kind,
                evaluated_on=day,
                evaluators=f"{section}、{CITY_OFFICE}、第三方评估专家组（{rng.randint(3, 5)}人）",
                created_by=assessor,
            )
            evaluations.append(evaluation)
            marked = indicators if submitted else indicators[: rng.randint(3, 6)]
            for indicator in marked:
                ratio = min(1.0, max(0.3, level / 100 + rng.uniform(-0.07, 0.07)))
                points = (indicator.weight * Decimal(ratio) * 2).to_integral_value(ROUND_HALF_UP) / 2
                strong, weak = notes[indicator.pk]
                scores.append(
                    IndicatorScore(
                        evaluation=evaluation,
                        indicator=indicator,
                        score=points.quantize(Decimal("0.01")),
                        evidence_note=strong if ratio >= 0.85 else weak,
                    )
                )
            if submitted:
                evaluation.status = ProjectEvaluation.Status.SUBMITTED
                evaluation.submitted_by = assessor
                evaluation.submitted_at = moment(min(day + dt.timedelta(days=rng.randint(2, 6)), TODAY), 16)
        ProjectEvaluation.objects.bulk_create(evaluations)
        IndicatorScore.objects.bulk_create(scores)
        by_evaluation: dict[int, dict[int, IndicatorScore]] = defaultdict(dict)
        for score in scores:
            by_evaluation[score.evaluation_id][score.indicator_id] = score
        for evaluation in evaluations:
            if evaluation.status != ProjectEvaluation.Status.SUBMITTED:
                continue
            marks = by_evaluation[evaluation.pk]
            total = sum((marks[i.pk].score for i in indicators), Decimal(0))
            evaluation.total = total
            evaluation.grade = scheme.grade_for(total)
            evaluation.summary = SUMMARIES[evaluation.grade]
            evaluation.frozen = _frozen(evaluation, marks, total)
            ProjectEvaluation.objects.filter(pk=evaluation.pk).update(
                total=total, grade=evaluation.grade, summary=evaluation.summary, frozen=evaluation.frozen
            )


def period_figures_of(due: Sequence[tuple[Project, Period]]) -> dict[tuple[int, dt.date], dict[str, Any]]:
    """The template's figures of each (project, period), as `progress.period_figures` counts them.

    The same records under the same rules (a record of the project's county and organisation on a
    day of the period), read once per figure and counted here: the grouped query that the pages
    use costs a CASE branch per period, far too slow for the demo's thousand periods at once.
    """
    spans: dict[tuple[int, int, dt.date], list[tuple[int, dt.date]]] = defaultdict(list)
    for project, period in due:
        day = period.start
        while day <= period.end:
            spans[(project.county_id, project.organisation_id, day)].append((project.pk, period.start))
            day += DAY
    counted: dict[tuple[int, dt.date], dict[str, Any]] = {
        (project.pk, period.start): {figure.value: 0 for figure in FIGURE_FIELDS} for project, period in due
    }
    served: dict[tuple[int, dt.date], set[int]] = defaultdict(set)

    def add(figure: str, county: int, organisation: int | None, day: dt.date | None, value: Any = 1) -> None:
        for key in spans.get((county, organisation or 0, day or dt.date.min), ()):
            counted[key][figure] += value

    services = ServiceRecord.objects.annotate(owner=Coalesce("case__organisation", "worker__organisation"))
    for county, owner, day, beneficiary in services.values_list(
        "county", "owner", "served_on", "beneficiary"
    ):
        add(PeriodFigure.SERVICES, county, owner, day)
        if beneficiary is not None:
            for key in spans.get((county, owner or 0, day), ()):
                served[key].add(beneficiary)
    for key, people in served.items():
        counted[key][PeriodFigure.BENEFICIARIES_SERVED] = len(people)
    for county, organisation, opened_on, closed_on in Case.objects.values_list(
        "county", "organisation", "opened_on", "closed_on"
    ):
        add(PeriodFigure.CASES_OPENED, county, organisation, opened_on)
        add(PeriodFigure.CASES_CLOSED, county, organisation, closed_on)
    for county, organisation, day in GroupSession.objects.values_list(
        "group__county", "group__organisation", "held_on"
    ):
        add(PeriodFigure.GROUP_SESSIONS, county, organisation, day)
    for county, organisation, day in CommunityActivity.objects.values_list(
        "county", "organisation", "held_on"
    ):
        add(PeriodFigure.COMMUNITY_ACTIVITIES, county, organisation, day)
    for county, organisation, day, hours in VolunteerService.objects.values_list(
        "county", "volunteer__organisation", "served_on", "hours"
    ):
        add(PeriodFigure.VOLUNTEER_HOURS, county, organisation, day, hours)
    return {
        key: {name: json_number(value) for name, value in values.items()} for key, values in counted.items()
    }


def _clear_orphan_files() -> None:
    """After a reset no action row is left, so evidence files on disk are orphans of the last run."""
    if VisitAction.objects.exists():
        return
    folder = Path(private_storage().path("visits"))
    if folder.is_dir():
        shutil.rmtree(folder)


def build_projects() -> None:
    _clear_orphan_files()
    builder = ProjectsBuilder()
    builder.build_projects()
    builder.build_milestones()
    builder.build_templates()
    builder.build_reports()
    builder.build_visits()
    builder.build_evaluations()

"""The demo's group work, community activities and livelihood projects, 2013 to 2018-07-10.

Besides a group a year and a handful of activities in each county, the article's own work: the
left-behind children's recitation team and choir of 秀山县云隘村, the 心悦手工坊 of 城口县鸡鸣乡, the
eggs-and-honey cooperative of 彭水县兴和村 and 云隘村's walnut and yacon planting.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from sanqu.cases.models import (
    Beneficiary,
    CommunityActivity,
    CommunityAttendance,
    Group,
    GroupAttendance,
    GroupMember,
    GroupSession,
    ServiceRecord,
    TargetGroup,
)
from sanqu.demo import plan
from sanqu.demo.casework import AS_OF, Casework, Posting, hours, workday
from sanqu.demo.people import random_date
from sanqu.orgs.models import Organisation
from sanqu.projects.models import LivelihoodMeasure, LivelihoodProject
from sanqu.regions.models import Region

Phase = Group.Phase
Indicator = LivelihoodMeasure.Indicator

# Kinds of group a county runs: name, the target groups it is for, its topics.
GROUP_KINDS = [
    ("留守儿童成长小组", ["left_behind_children"],
     ["相互认识", "我的情绪", "学会感恩", "安全自护", "我的梦想", "亲情书信", "才艺展示", "告别与祝福"]),
    ("留守老人互助小组", ["left_behind_elderly", "elderly_in_difficulty"],
     ["相识相知", "健康养生", "防诈骗", "邻里互助", "回忆往事", "结业分享"]),
    ("留守妇女减压小组", ["left_behind_women", "women_in_difficulty"],
     ["认识压力", "情绪表达", "亲子沟通", "手工技能", "互助网络", "总结"]),
    ("青少年成长营", ["youth_at_risk", "children_in_difficulty"], ["破冰", "认识自我", "法律常识", "团队合作",
                                                                  "职业憧憬", "结营"]),
]  # fmt: skip
ACTIVITY_KINDS = [
    (CommunityActivity.Kind.POLICY_PUBLICITY, "农村低保和临时救助政策宣传", "policy_publicity",
     ["registered_poor", "left_behind_elderly", "disabled"]),
    (CommunityActivity.Kind.CULTURAL, "“六一”儿童节游园活动", "growth_support",
     ["left_behind_children", "children_in_difficulty"]),
    (CommunityActivity.Kind.CULTURAL, "重阳节敬老活动", "social_participation",
     ["left_behind_elderly", "elderly_in_difficulty"]),
    (CommunityActivity.Kind.POLICY_PUBLICITY, "“三八”妇女权益维护宣传", "rights_protection",
     ["left_behind_women", "women_in_difficulty"]),
    (CommunityActivity.Kind.MUTUAL_AID, "邻里互助议事会", "social_integration",
     ["left_behind_elderly", "left_behind_women", "registered_poor"]),
    (CommunityActivity.Kind.VOLUNTEER, "志愿者入户探访行动", "emotional_comfort",
     ["left_behind_elderly", "disabled"]),
    (CommunityActivity.Kind.POLICY_PUBLICITY, "暑期儿童防溺水安全教育", "legal_education",
     ["left_behind_children", "children_in_difficulty"]),
]  # fmt: skip


def phase_of(number: int, total: int) -> str:
    """Session `number` of `total`: forming, transition, mature, and the last one ending."""
    if number == total:
        return Phase.ENDING
    if number == 1:
        return Phase.FORMING
    return Phase.TRANSITION if number <= max(2, total // 3) else Phase.MATURE


class GroupWork:
    def __init__(self, rng: random.Random, casework: Casework) -> None:
        self.rng = rng
        self.casework = casework
        self.places = casework.places
        self.groups: list[Group] = []
        self.group_targets: list[tuple[Group, list[str]]] = []
        self.members: list[GroupMember] = []
        self.sessions: list[GroupSession] = []
        self.attendance: list[GroupAttendance] = []
        self.activities: list[CommunityActivity] = []
        self.headcounts: list[CommunityAttendance] = []
        self.services: list[ServiceRecord] = []
        self.yunai_children: list[Beneficiary] = []
        self.target_groups = {group.code: group for group in TargetGroup.objects.all()}
        self.people: dict[str, list[tuple[Beneficiary, list[str]]]] = {}
        for beneficiary in casework.work.beneficiaries:
            county = beneficiary.region.code[:6]
            self.people.setdefault(county, []).append((beneficiary, casework.work.groups_of[id(beneficiary)]))

    def group(
        self, *, name: str, posting: Posting, village: Region, targets: list[str], topics: list[str],
        started: dt.date, every: int, members: list[Beneficiary], purpose: str, evaluation: str = "",
    ) -> Group:  # fmt: skip
        rng = self.rng
        county = self.places.counties[posting.county]
        group = Group(
            name=name, county=county, region=village, station=posting.station,
            organisation=posting.organisation, worker=posting.person, purpose=purpose,
            planned_sessions=len(topics), started_on=started,
        )  # fmt: skip
        self.groups.append(group)
        self.group_targets.append((group, targets))
        joined = [GroupMember(group=group, beneficiary=b, joined_on=started) for b in members]
        self.members.extend(joined)
        day, held = started, 0
        for number, topic in enumerate(topics, start=1):
            day = workday(day if number == 1 else day + dt.timedelta(days=every))
            if day > AS_OF:
                break
            worker = self.casework.worker_on(posting.county, day, posting)
            if worker is None:
                break
            held = number
            session = GroupSession(
                group=group, number=number, held_on=day, phase=phase_of(number, len(topics)), topic=topic,
                duration_hours=Decimal("1.5"), process_notes=f"{topic}：组员参与积极，完成预定环节。",
            )  # fmt: skip
            self.sessions.append(session)
            for member in joined:
                present = rng.random() < 0.88
                self.attendance.append(GroupAttendance(session=session, member=member, present=present))
                if present:
                    record = self.casework.service(
                        member.beneficiary,
                        worker,
                        day,
                        method=ServiceRecord.Method.GROUP,
                        duration=Decimal("1.5"),
                    )
                    record.group_session = session
                    record.place = village.name
        if held == len(topics):
            group.phase, group.ended_on = Phase.ENDING, day
            group.evaluation = evaluation or "小组目标基本达成，组员出勤率高，彼此建立了支持关系。"
        elif held:
            group.phase = phase_of(held, len(topics)) if held > 1 else Phase.FORMING
        return group

    def county_groups(self, code: str) -> None:
        rng = self.rng
        for year, (starts_on, _, _) in plan.YEARS.items():
            for _ in range(plan.GROUPS_PER_COUNTY_YEAR):
                started = workday(starts_on + dt.timedelta(days=rng.randint(60, 300 if year < 2018 else 70)))
                serving = self.casework.serving(code, started)
                if not serving or started > AS_OF:
                    continue
                posting = rng.choice(serving)
                name, targets, topics = rng.choice(GROUP_KINDS)
                candidates = [
                    b for b, groups in self.people.get(code, [])
                    if set(groups) & set(targets) and b.registered_on <= started
                ]  # fmt: skip
                if len(candidates) < 5:
                    continue
                members = rng.sample(candidates, min(len(candidates), rng.randint(6, 12)))
                village = members[0].region
                self.group(
                    name=f"{village.name}{name}（{year}）", posting=posting, village=village, targets=targets,
                    topics=topics, started=started, every=7, members=members,
                    purpose=f"通过{len(topics)}节小组活动，增强组员的社会支持和应对能力。",
                )  # fmt: skip

    def activity(self, code: str, day: dt.date) -> None:
        rng = self.rng
        serving = self.casework.serving(code, day)
        if not serving:
            return
        posting = rng.choice(serving)
        kind, name, service_type, targets = rng.choice(ACTIVITY_KINDS)
        village = self.casework.village_near(posting)
        duration = hours(rng, 1.5, 3.0)
        activity = CommunityActivity(
            name=f"{village.name}{name}", kind=kind, held_on=day, place=f"{village.name}村委会院坝",
            county=self.places.counties[code], region=village, station=self.casework.station_for(village),
            organisation=posting.organisation, worker=posting.person, duration_hours=duration,
            notes="活动按计划开展，现场发放宣传资料，群众参与踊跃。",
        )  # fmt: skip
        self.activities.append(activity)
        for target in rng.sample(targets, rng.randint(1, len(targets))):
            self.headcounts.append(
                CommunityAttendance(
                    activity=activity, target_group=self.target_groups[target], headcount=rng.randint(6, 60)
                )
            )
        self.services.append(
            ServiceRecord(
                served_on=day, worker=posting.person, method=ServiceRecord.Method.COMMUNITY,
                service_type=self.casework.types[service_type], duration_hours=duration, place=activity.place,
                notes=activity.notes, community_activity=activity, county=activity.county,
            )
        )  # fmt: skip

    def county_activities(self, code: str) -> None:
        for year in plan.YEARS:
            for _ in range(
                plan.ACTIVITIES_PER_COUNTY_YEAR if year < 2018 else plan.ACTIVITIES_PER_COUNTY_YEAR // 2
            ):
                start = max(dt.date(year, 1, 5), plan.YEARS[2013][0])
                end = min(dt.date(year, 12, 20), AS_OF)
                self.activity(code, workday(random_date(self.rng, start, end)))

    # The article's groups at 云隘村 ---------------------------------------------------------------

    def register_yunai_children(self) -> None:
        """The left-behind children of 云隘村 (and their grandparents), registered in 2016 and 2017."""
        casework = self.casework
        village = self.places.by_code[plan.YUNAI]
        code = plan.YUNAI[:6]
        children = self.yunai_children
        for registered in (
            dt.date(2016, 3, 7),
            dt.date(2016, 3, 8),
            dt.date(2016, 3, 9),
            dt.date(2017, 9, 4),
        ):
            posting = self.rng.choice(casework.serving(code, registered))
            for _ in range(5):
                made = casework.household(posting, registered, kind="grandparents_children", village=village)
                children += [b for b in made if casework.work.main_group[id(b)] == "left_behind_children"]
        for beneficiary in children:
            self.people.setdefault(code, []).append((beneficiary, casework.work.groups_of[id(beneficiary)]))

    def yunai(self) -> None:
        """Left-behind children of 云隘村: a recitation team in 2016, a choir from 2017 into 2018."""
        casework = self.casework
        village = self.places.by_code[plan.YUNAI]
        code = plan.YUNAI[:6]
        children = self.yunai_children
        early = [b for b in children if b.registered_on.year == 2016]
        started = dt.date(2016, 4, 8)
        self.group(
            name=plan.YUNAI_RECITATION, posting=self.rng.choice(casework.serving(code, started)),
            village=village, targets=["left_behind_children"], started=started, every=7, members=early[:14],
            topics=["朗诵队成立：相互认识", "发声与呼吸", "读懂一首诗", "我读家乡", "写给远方的爸爸妈妈",
                    "分角色朗读", "排练《我的家乡云隘》", "排练与互评", "彩排", "“六一”汇报演出"],
            purpose="以朗诵为载体，提升留守儿童的表达能力和自信心，促进同伴支持。",
            evaluation="10 节活动平均出勤率九成；“六一”汇报演出获村民好评，组员自信心自评普遍提高。",
        )  # fmt: skip
        started = dt.date(2017, 9, 15)
        self.group(
            name=plan.YUNAI_CHOIR, posting=self.rng.choice(casework.serving(code, started)), village=village,
            targets=["left_behind_children"], started=started, every=14, members=children[-16:],
            topics=["合唱团成立", "认识声部", "练声与节奏", "学唱《让我们荡起双桨》", "学唱土家族民歌",
                    "声部配合", "新年联欢演出", "春季复训", "学唱《小小少年》",
                    "二声部合唱", "排练", "排练与互评", "“六一”展演", "暑期排练", "县城汇演", "总结与告别"],
            purpose="以合唱为载体，培养留守儿童的合作意识和集体归属感。",
        )  # fmt: skip

    # Livelihood ---------------------------------------------------------------------------------

    def livelihood(self) -> tuple[list[LivelihoodProject], list[LivelihoodMeasure]]:
        programme = self.casework.programme
        by_code = self.places.by_code
        counties = self.places.counties
        local = programme.local_organisations

        def operator(code: str) -> Organisation:
            return local[code][0] if local.get(code) else programme.yangguang

        projects: list[LivelihoodProject] = []
        measures: list[LivelihoodMeasure] = []

        def project(name: str, kind: str, place: str, started: dt.date, households: int,
                    run_by: Organisation, description: str, products: str = "", channels: str = "",
                    values: tuple[tuple[dt.date, str, str, int], ...] = ()) -> None:  # fmt: skip
            made = LivelihoodProject(
                name=name, kind=kind, county=counties[place[:6]], region=by_code[place], organisation=run_by,
                started_on=started, households_reached=households, description=description, products=products,
                sales_channels=channels,
            )  # fmt: skip
            projects.append(made)
            for day, indicator, label, value in values:
                if day <= AS_OF:
                    measures.append(LivelihoodMeasure(project=made, measured_on=day, indicator=indicator,
                                                      label=label, value=Decimal(value)))  # fmt: skip

        Kind = LivelihoodProject.Kind
        d = dt.date
        project(
            plan.XINYUE, Kind.WORKSHOP, plan.JIMING, d(2015, 9, 1), 42, programme.yangguang,
            "组织鸡鸣乡留守妇女利用农闲时间制作手工布鞋和丝网花，社工负责技能培训、订单对接和销售推广。",
            "手工布鞋、丝网花", "线上：网店、微信朋友圈；线下：县城门店、展销会",
            ((d(2015, 12, 31), Indicator.HOUSEHOLDS, "参与留守妇女", 18),
             (d(2016, 12, 31), Indicator.HOUSEHOLDS, "参与留守妇女", 30),
             (d(2017, 12, 31), Indicator.HOUSEHOLDS, "参与留守妇女", 42),
             (d(2016, 12, 31), Indicator.SALES, "手工布鞋、丝网花", 86000),
             (d(2017, 12, 31), Indicator.SALES, "手工布鞋、丝网花", 168000),
             (d(2017, 12, 31), Indicator.INCOME_PER_HOUSEHOLD, "", 3200)),
        )  # fmt: skip
        project(
            plan.XINGHE_COOPERATIVE, Kind.COOPERATIVE, plan.XINGHE, d(2016, 3, 15), 65,
            operator(plan.XINGHE[:6]),
            "社工协助兴和村农户成立土鸡蛋、蜂蜜合作社，统一收集、包装和宣传，集中寄递，"
            "降低了运输、邮寄、收集、包装和宣传成本。",
            "土鸡蛋、蜂蜜", "线上订单、县城超市、定点单位采购",
            ((d(2016, 12, 31), Indicator.HOUSEHOLDS, "入社农户", 40), (d(2017, 12, 31), Indicator.HOUSEHOLDS,
             "入社农户", 65), (d(2017, 12, 31), Indicator.SALES, "土鸡蛋、蜂蜜", 215000),
             (d(2017, 12, 31), Indicator.OTHER, "单件物流包装成本下降(%)", 35)),
        )  # fmt: skip
        project(
            plan.YUNAI_PLANTING, Kind.PLANTING, plan.YUNAI, d(2016, 5, 10), 186, operator(plan.YUNAI[:6]),
            f"高校团队走访云隘村全部 {plan.YUNAI_VILLAGE_GROUPS} 个村民小组，调研后选定核桃、雪莲果两项产业；"
            f"村民种植核桃 {plan.YUNAI_WALNUT_MU} 亩、雪莲果 {plan.YUNAI_YACON_MU} 亩，"
            f"户均增收 {plan.YUNAI_INCOME_YUAN} 元。",
            "核桃、雪莲果", "合作社统一收购、电商平台",
            ((d(2016, 6, 30), Indicator.VISITS, "走访村民小组", plan.YUNAI_VILLAGE_GROUPS),
             (d(2016, 12, 31), Indicator.AREA_MU, "核桃", 260),
             (d(2016, 12, 31), Indicator.AREA_MU, "雪莲果", 150),
             (d(2017, 6, 30), Indicator.AREA_MU, "核桃", plan.YUNAI_WALNUT_MU),
             (d(2017, 6, 30), Indicator.AREA_MU, "雪莲果", plan.YUNAI_YACON_MU),
             (d(2017, 12, 31), Indicator.INCOME_PER_HOUSEHOLD, "", 3800),
             (d(2018, 6, 30), Indicator.INCOME_PER_HOUSEHOLD, "", plan.YUNAI_INCOME_YUAN)),
        )  # fmt: skip
        others = [
            ("巫溪县中蜂养殖互助项目", Kind.BREEDING, "500238", d(2016, 4, 1), 38, "中蜂蜂蜜"),
            ("酉阳县油茶种植项目", Kind.PLANTING, "500242", d(2017, 3, 1), 54, "油茶"),
            ("石柱县黄连种植技术帮扶", Kind.PLANTING, "500240", d(2015, 5, 1), 47, "黄连"),
            ("奉节县脐橙电商助销", Kind.ECOMMERCE, "500236", d(2016, 10, 1), 120, "脐橙"),
            ("云阳县留守妇女竹编工坊", Kind.WORKSHOP, "500235", d(2017, 6, 1), 26, "竹编"),
        ]
        for name, kind, code, started, households, products in others:
            village = self.rng.choice(self.places.villages[code])
            income = self.rng.randint(8, 30) * 100
            project(
                name, kind, village.code, started, households, operator(code),
                f"社工联合村委会组织农户发展{products}，提供技术培训和销售对接。", products, "线上线下结合",
                ((d(started.year, 12, 31), Indicator.HOUSEHOLDS, "参与农户", households),
                 (d(started.year + 1, 12, 31), Indicator.INCOME_PER_HOUSEHOLD, "", income)),
            )  # fmt: skip
        return projects, measures

    def save(self) -> None:
        batch = 1000
        Group.objects.bulk_create(self.groups, batch_size=batch)
        through = Group.target_groups.through
        through.objects.bulk_create(
            [through(group_id=group.pk, targetgroup_id=self.target_groups[code].pk)
             for group, codes in self.group_targets for code in codes]
        )  # fmt: skip
        GroupMember.objects.bulk_create(self.members, batch_size=batch)
        GroupSession.objects.bulk_create(self.sessions, batch_size=batch)
        GroupAttendance.objects.bulk_create(self.attendance, batch_size=batch)
        CommunityActivity.objects.bulk_create(self.activities, batch_size=batch)
        CommunityAttendance.objects.bulk_create(self.headcounts, batch_size=batch)
        projects, measures = self.livelihood()
        LivelihoodProject.objects.bulk_create(projects)
        LivelihoodMeasure.objects.bulk_create(measures)
        ServiceRecord.objects.bulk_create(self.services + self.casework.work.services, batch_size=batch)


def build_groupwork(rng: random.Random, casework: Casework) -> None:
    """Groups and community activities in every receiving county, and the article's named work.

    Call after `build_casework` and before saving its work: 云隘村's children are registered here.
    """
    work = GroupWork(rng, casework)
    work.register_yunai_children()
    casework.work.save()
    work.yunai()
    for code in plan.RECEIVING:
        work.county_groups(code)
        work.county_activities(code)
    work.save()

"""The shape of Chongqing's demo programme, 2013 to 2018-07-10: the numbers behind the seed table.

Only this module says how many of what there are; `builder.py` turns it into records. The totals
are the seed's (seed/README.md): 17 receiving counties, 284 dispatches, 147 trained, 66
organisations in 15 counties (61 social service agencies, 3 associations, and the two the article
does not break down, here 1 foundation and 1 public institution), 2 of them from before 2013,
1,077 certified social workers of whom 130 before 2013, and 6 counties with incentive policies.
"""

from __future__ import annotations

import datetime as dt

from sanqu.incentives.models import IncentivePolicy
from sanqu.orgs.models import Organisation

AS_OF = dt.date(2018, 7, 10)  # the article's date: the demo's "today"
SEED = 2013

# The 17 receiving counties in the article's order, by current code (武隆 500156 was 武隆县
# 500232, 开州 500154 was 开县 500234 until 2016).
RECEIVING = {
    "500101": "万州",
    "500114": "黔江",
    "500102": "涪陵",
    "500230": "丰都",
    "500156": "武隆",
    "500154": "开州",
    "500233": "忠县",
    "500236": "奉节",
    "500241": "秀山",
    "500119": "南川",
    "500229": "城口",
    "500235": "云阳",
    "500237": "巫山",
    "500238": "巫溪",
    "500240": "石柱",
    "500242": "酉阳",
    "500243": "彭水",
}
CHENGKOU, WANZHOU, FENGDU = "500229", "500101", "500230"
# Relative size of each county's social-work workforce, for spreading counts.
WEIGHTS = {
    "500101": 3.0, "500114": 1.5, "500102": 2.5, "500230": 1.5, "500156": 1.0, "500154": 3.0,
    "500233": 1.5, "500236": 2.0, "500241": 1.5, "500119": 1.5, "500229": 1.0, "500235": 2.5,
    "500237": 1.2, "500238": 1.2, "500240": 1.2, "500242": 1.5, "500243": 1.5,
}  # fmt: skip

# Programme years: start date, dispatches (284 in all), trainees who completed (147 in all).
YEARS = {
    2013: (dt.date(2013, 6, 1), 34, 20),
    2014: (dt.date(2014, 5, 1), 42, 24),
    2015: (dt.date(2015, 5, 1), 48, 26),
    2016: (dt.date(2016, 4, 1), 52, 27),
    2017: (dt.date(2017, 4, 1), 54, 30),
    2018: (dt.date(2018, 3, 1), 54, 20),
}
DISPATCHED_TOTAL = sum(dispatched for _, dispatched, _ in YEARS.values())
TRAINED_TOTAL = sum(trained for _, _, trained in YEARS.values())

# Registered social-work organisations per receiving county (66 in 15 counties; none yet in
# 巫溪 and 酉阳). The named ones below are part of these counts.
ORGANISATIONS = {
    "500101": 8, "500114": 6, "500102": 6, "500230": 6, "500156": 4, "500154": 5, "500233": 4,
    "500236": 5, "500241": 5, "500119": 4, "500229": 2, "500235": 4, "500237": 3, "500240": 2,
    "500243": 2,
}  # fmt: skip

Kind = Organisation.Kind
YANGGUANG = "重庆扬光社会工作服务中心"
# Named organisations in receiving counties: (county, name, kind, registered on).
NAMED_ORGANISATIONS = [
    # The two that existed before the programme (the seed's "+64 over before 2013").
    (CHENGKOU, YANGGUANG, Kind.SOCIAL_SERVICE_AGENCY, dt.date(2012, 6, 1)),
    (WANZHOU, "重庆市万州区心语社会工作服务中心", Kind.SOCIAL_SERVICE_AGENCY, dt.date(2011, 9, 15)),
    # The three associations.
    (WANZHOU, "重庆市万州区社会工作协会", Kind.ASSOCIATION, dt.date(2014, 3, 20)),
    ("500114", "重庆市黔江区社会工作协会", Kind.ASSOCIATION, dt.date(2015, 6, 8)),
    ("500241", "秀山土家族苗族自治县社会工作协会", Kind.ASSOCIATION, dt.date(2016, 9, 12)),
    # The two the article leaves out: a foundation and 丰都's public development centre.
    (WANZHOU, "重庆市万州区社会工作发展基金会", Kind.FOUNDATION, dt.date(2016, 11, 3)),
    (FENGDU, "丰都县社会工作发展中心", Kind.PUBLIC_INSTITUTION, dt.date(2015, 4, 16)),
]
# Registered, then deregistered before 2018-07-10: they are not among the 66.
DEREGISTERED = [
    ("500102", "重庆市涪陵区同心社会工作服务中心", dt.date(2014, 4, 10), dt.date(2016, 11, 30)),
    ("500235", "云阳县乐助社会工作服务中心", dt.date(2015, 3, 2), dt.date(2017, 8, 15)),
]
# Sending organisations outside the receiving counties, and colleges (never counted: 高校 are
# not social-work organisations, and 江北, 渝中, 沙坪坝 do not receive).
SENDERS = [
    ("500105", "重庆市江北区新扬社会工作服务中心", Kind.SOCIAL_SERVICE_AGENCY, True, dt.date(2011, 5, 18)),
    ("500103", "重庆仁爱社会工作服务中心", Kind.SOCIAL_SERVICE_AGENCY, True, dt.date(2010, 12, 6)),
    ("500106", "重庆城市管理职业学院", Kind.COLLEGE, False, dt.date(2001, 4, 1)),
    ("500102", "长江师范学院", Kind.COLLEGE, False, dt.date(2001, 4, 1)),
    ("500101", "重庆三峡学院", Kind.COLLEGE, False, dt.date(2001, 4, 1)),
]
# Which senders go where, besides local hires: the colleges serve their own region.
COLLEGE_REGIONS = {
    "长江师范学院": {"500102", "500156", "500119", "500230", "500243"},
    "重庆三峡学院": {"500101", "500154", "500235", "500233"},
}
ORGANISATION_WORDS = [
    "阳光", "同心", "益民", "和谐", "博爱", "仁和", "善行", "心桥", "乐群", "助人", "温馨", "明德", "启航",
    "春晖", "馨园", "众益", "守望", "同行", "晨曦", "惠民", "康宁", "朝阳", "彩虹", "锦程", "慈航", "厚德",
    "正心", "爱心", "汇善", "方圆", "睦邻", "青禾",
]  # fmt: skip

# Share of dispatches that end early, and why (城口 hires locally, so fewer leave).
LEFT_EARLY_SHARE, LEFT_EARLY_SHARE_CHENGKOU = 0.09, 0.02
# Why early leavers left, as the counties report it: drawn uniformly, so "civil service" (two of
# the six) is the commonest reason, as it is in the programme's turnover reports.
LEAVE_REASONS = ("civil_service", "family", "study", "health", "other_job", "civil_service")

# Certified social workers by the year of their first certificate: 130 by 2012, 947 since.
CERTIFIED_BY_YEAR = {
    2008: 8, 2009: 14, 2010: 22, 2011: 36, 2012: 50,
    2013: 95, 2014: 130, 2015: 170, 2016: 240, 2017: 312,
}  # fmt: skip
CERTIFIED_TOTAL = sum(CERTIFIED_BY_YEAR.values())
CERTIFIED_BASELINE = sum(count for year, count in CERTIFIED_BY_YEAR.items() if year <= 2012)

# Incentive policies: the six counties of the article, all three kinds; plus one that lapsed
# (云阳's exam-fee reimbursement, 2014-2016), which does not count on 2018-07-10.
Policy = IncentivePolicy.Kind
POLICIES = [
    (WANZHOU, "万州区社会工作者职业水平证书津贴", Policy.TITLE_SUBSIDY, dt.date(2014, 7, 1), None, 200),
    (WANZHOU, "万州区社会工作者职业水平考试费用报销办法", Policy.EXAM_FEE, dt.date(2015, 3, 1), None, 300),
    ("500114", "黔江区社会工作专业人才一次性奖励办法", Policy.ONE_OFF_AWARD, dt.date(2015, 1, 1), None, 2000),
    (FENGDU, "丰都县社会工作者职称补贴", Policy.TITLE_SUBSIDY, dt.date(2014, 10, 1), None, 150),
    (FENGDU, "丰都县持证社工一次性奖励", Policy.ONE_OFF_AWARD, dt.date(2016, 1, 1), None, 1500),
    (FENGDU, "丰都县社会工作者考试报名费报销", Policy.EXAM_FEE, dt.date(2016, 1, 1), None, 300),
    ("500156", "武隆区社会工作者职业水平考试费用报销", Policy.EXAM_FEE, dt.date(2016, 6, 1), None, 300),
    ("500236", "奉节县社会工作专业人才职称补贴", Policy.TITLE_SUBSIDY, dt.date(2015, 9, 1), None, 200),
    ("500236", "奉节县取得社会工作者证书一次性奖励", Policy.ONE_OFF_AWARD, dt.date(2015, 9, 1), None, 1000),
    ("500241", "秀山县社会工作人才一次性奖励", Policy.ONE_OFF_AWARD, dt.date(2017, 3, 1), None, 2000),
    ("500241", "秀山县社会工作者考试费用报销", Policy.EXAM_FEE, dt.date(2017, 3, 1), None, 300),
    ("500235", "云阳县社会工作者考试费用报销（试行）", Policy.EXAM_FEE, dt.date(2014, 1, 1),
     dt.date(2016, 12, 31), 200),
]  # fmt: skip
INCENTIVE_COUNTIES = {"500101", "500114", "500230", "500156", "500236", "500241"}

# Stations the article names, by division code.
JIMING = "500229212"  # 城口县鸡鸣乡: the handicraft workshop for left-behind women
XINGHE = "500243001204"  # 彭水县兴和村: the eggs-and-honey cooperative
YUNAI = "500241119206"  # 秀山县云隘村: walnut and yacon

# Work with people (issue "Case work"): about 4,000 beneficiaries in some 2,200 households, spread
# over the counties by weight; registrations grow with the programme (2018 is half a year).
HOUSEHOLDS = 2200
REGISTRATIONS_BY_YEAR = {2013: 4, 2014: 8, 2015: 10, 2016: 12, 2017: 13, 2018: 6}
# Kinds of household (see casework.HouseholdMaker), with weights.
HOUSEHOLD_KINDS = {
    "grandparents_children": 30, "mother_children": 14, "elderly_alone": 18, "child_in_difficulty": 8,
    "disabled": 8, "woman_in_difficulty": 6, "youth_at_risk": 6, "correction": 4, "released": 3,
    "other": 3,
}  # fmt: skip
POOR_HOUSEHOLD_SHARE = 0.4
# Who gets a case (the rest are served by visits, groups and community work), by main group.
CASE_SHARE = {
    "left_behind_children": 0.3, "children_in_difficulty": 0.5, "left_behind_women": 0.25,
    "women_in_difficulty": 0.5, "left_behind_elderly": 0.18, "elderly_in_difficulty": 0.3,
    "disabled": 0.4, "youth_at_risk": 0.6, "community_correction": 0.7, "released_prisoners": 0.6,
    "other": 0.2,
}  # fmt: skip
# Groups and community activities per county and programme year.
GROUPS_PER_COUNTY_YEAR = 1
ACTIVITIES_PER_COUNTY_YEAR = 6

# The article's named work.
XINYUE = "心悦手工坊"
YUNAI_RECITATION = "云隘村留守儿童朗诵队"
YUNAI_CHOIR = "云隘村留守儿童合唱团"
YUNAI_PLANTING = "云隘村核桃、雪莲果特色种植项目"
XINGHE_COOPERATIVE = "兴和村土鸡蛋、蜂蜜合作社"
YUNAI_VILLAGE_GROUPS = 11
YUNAI_WALNUT_MU, YUNAI_YACON_MU, YUNAI_INCOME_YUAN = 500, 300, 6000

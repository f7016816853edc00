"""The ledger kinds are DESIGN.md §6, column for column, and their values are the models' words."""

from __future__ import annotations

import pytest
from django.utils import translation

from sanqu.cases.models import Beneficiary, ServiceRecord
from sanqu.incentives.models import IncentivePolicy
from sanqu.ledgers.kinds import KINDS, LedgerKind
from sanqu.orgs.models import Organisation
from sanqu.training.models import CourseLevel
from sanqu.workforce.models import Certificate, Dispatch, Person

# DESIGN.md §6, as written there: the columns in order, required ones marked with *.
DESIGN = {
    "dispatch": (
        "选派社工台账",
        "*年度 *姓名 *身份证号 性别 手机号 *派出单位 *受援区县 服务站点 *派驻开始日期 派驻结束日期 "
        "状态 离岗原因 考核结果 证书等级",
    ),
    "trainee": (
        "培养对象台账",
        "*年度 *姓名 *身份证号 *区县 工作单位 培训班名称 培训类别 学时 *是否结业 结业日期",
    ),
    "organisation": (
        "社会工作组织台账",
        "统一社会信用代码 *名称 *类型 *区县 *登记日期 注销日期 业务主管单位",
    ),
    "certificate": ("持证社工台账", "*姓名 *身份证号 *等级 *取得日期 *区县 证书编号"),
    "beneficiary": (
        "服务对象台账",
        "*姓名 *身份证号 *区县 乡镇(街道) 村(社区) *服务对象类别 联系电话 是否建档立卡贫困户 "
        "负责社工身份证号 建档日期",
    ),
    "service": (
        "服务记录台账",
        "*服务日期 *服务对象身份证号 *社工身份证号 *服务方式 *服务类型 时长(小时) 服务地点 服务内容摘要",
    ),
    "incentive": ("激励政策台账", "*区县 *政策名称 *类别 *生效日期 失效日期 标准(元)"),
}
# Optional columns after DESIGN's, with the reason: registering a person needs informed consent (§5).
BEYOND_DESIGN = {"beneficiary": "知情同意日期 知情同意人 监护人姓名 监护人关系"}


def test_it_lists_the_seven_kinds_in_the_order_of_design() -> None:
    assert list(KINDS) == list(DESIGN)
    assert all(kind.code == code for code, kind in KINDS.items())


@pytest.mark.parametrize("code", list(DESIGN))
def test_each_kind_has_the_columns_of_design_in_order_with_the_required_ones(code: str) -> None:
    title, columns = DESIGN[code]
    kind = KINDS[code]
    assert kind.title == title
    names = columns.split() + BEYOND_DESIGN.get(code, "").split()
    assert [(column.name, column.required) for column in kind.columns] == [
        (name.lstrip("*"), name.startswith("*")) for name in names
    ]


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_no_header_names_two_columns(kind: LedgerKind) -> None:
    names = [name for column in kind.columns for name in (column.name, *column.synonyms)]
    assert len(names) == len(set(names))
    assert len({column.key for column in kind.columns}) == len(kind.columns)


@pytest.mark.parametrize("kind", KINDS.values(), ids=list(KINDS))
def test_the_natural_key_names_the_kinds_columns(kind: LedgerKind) -> None:
    assert kind.natural_key
    assert all(kind.column(key) for key in kind.natural_key)


def _header(code: str, written: str) -> str:
    return next(column.key for column in KINDS[code].columns if written in (column.name, *column.synonyms))


def test_the_headers_people_write_find_their_column() -> None:
    assert _header("dispatch", "身份证号码") == "id_number"
    assert _header("trainee", "公民身份号码") == "id_number"
    assert _header("dispatch", "手机") == "phone"
    assert _header("dispatch", "联系电话") == "phone"
    assert _header("organisation", "单位名称") == "name"
    assert _header("certificate", "所属区县") == "county"
    assert _header("beneficiary", "区县名称") == "county"
    assert _header("trainee", "推荐区县") == "county"
    assert _header("service", "服务对象身份证号码") == "beneficiary_id_number"
    assert _header("incentive", "标准（元）") == "amount"


def test_every_kind_reads_its_cells_by_a_known_kind_and_choices_only_where_chosen() -> None:
    known = {"text", "date", "id_number", "region", "choice", "decimal", "integer", "boolean", "multi"}
    known |= {"phone", "credit_code"}
    for kind in KINDS.values():
        for column in kind.columns:
            assert column.kind in known, (kind.code, column.key)
            assert bool(column.choices) == (column.kind == "choice"), (kind.code, column.key)


def test_the_choices_are_the_models_chinese_labels() -> None:
    def labels(choices: type) -> tuple[str, ...]:
        return tuple(str(label) for label in choices.labels)  # type: ignore[attr-defined]

    with translation.override("zh-hans"):
        assert KINDS["dispatch"].column("sex").choices == labels(Person.Sex)
        assert KINDS["dispatch"].column("status").choices == labels(Dispatch.Status)
        assert KINDS["dispatch"].column("assessment").choices == labels(Dispatch.Assessment)
        assert KINDS["dispatch"].column("certificate_level").choices == labels(Certificate.Level)
        assert KINDS["trainee"].column("course_level").choices == labels(CourseLevel)
        assert KINDS["organisation"].column("kind").choices == labels(Organisation.Kind)
        assert KINDS["certificate"].column("level").choices == labels(Certificate.Level)
        assert KINDS["service"].column("method").choices == labels(ServiceRecord.Method)
        assert KINDS["beneficiary"].column("consent_by").choices == labels(Beneficiary.ConsentBy)
        assert KINDS["incentive"].column("kind").choices == labels(IncentivePolicy.Kind)

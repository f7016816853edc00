"""The ledger kinds of DESIGN.md §6: their columns, in the order of the template, and their keys.

A `Column` says what a header means and how its cells are read: `name` is the header the template
writes; `synonyms` are other headers people use for it (身份证号码 for 身份证号); `kind` picks the
reading of its cells (sanqu.ledgers.reading); `required` columns must be present, and their cells
filled. A `LedgerKind` is one ledger: its code (the command line's KIND), its title and its columns,
and the columns that make its natural key (a re-import updates the record they name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation

LEDGER_LANGUAGE = "zh-hans"  # ledgers are written and read in Chinese whatever the user's language


def choice_values(choices: Any) -> dict[str, str]:
    """A model's choices as the ledger's cells name them: Chinese label → stored value."""
    with translation.override(LEDGER_LANGUAGE):
        return {str(label): value for value, label in choices.choices}


@dataclass(frozen=True)
class Column:
    key: str  # the field's name in code
    name: str  # the template's header
    required: bool = False
    # text | date | id_number | region | choice | decimal | integer | boolean | multi | phone | credit_code
    kind: str = "text"
    choices: tuple[str, ...] = ()  # for choice and multi: the accepted values, as the template writes them
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerKind:
    code: str  # dispatch, trainee, organisation, certificate, beneficiary, service, incentive
    title: str  # 选派社工台账 …
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...] = field(default=())  # column keys

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


# Headers people write for the same thing in many ledgers.
ID_NUMBER = ("身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码")
PHONE = ("手机", "手机号码", "联系电话", "联系方式", "电话")
COUNTY = ("所属区县", "区县名称", "所在区县", "区(县)", "区县(市)")
NAME = ("人员姓名",)
YEAR = ("年份", "项目年度", "批次", "选派年度")


def _id_number() -> Column:
    return Column("id_number", "身份证号", required=True, kind="id_number", synonyms=ID_NUMBER)


# Values the templates write (and the importer reads) for the models' choices: the Chinese labels.
SEX = ("男", "女")
CONSENT_BY = ("本人", "监护人")
DISPATCH_STATUS = ("在岗", "期满", "提前离岗")
ASSESSMENT = ("优秀", "良好", "合格", "不合格")
CERTIFICATE_LEVEL = ("助理社会工作师", "社会工作师", "高级社会工作师")
COURSE_LEVEL = ("部级", "市级")
ORGANISATION_KIND = ("社会服务机构", "社会团体", "基金会", "事业单位", "高校", "其他")
SERVICE_METHOD = ("个案", "小组", "社区")
INCENTIVE_KIND = ("职称补贴", "一次性奖励", "考试费用报销")

DISPATCH = LedgerKind(
    code="dispatch",
    title="选派社工台账",
    columns=(
        Column("year", "年度", required=True, kind="integer", synonyms=YEAR),
        Column("name", "姓名", required=True, synonyms=("社工姓名", *NAME)),
        _id_number(),
        Column("sex", "性别", kind="choice", choices=SEX),
        Column("phone", "手机号", kind="phone", synonyms=PHONE),
        Column("sending_organisation", "派出单位", required=True, synonyms=("派出机构", "选派单位")),
        Column("county", "受援区县", required=True, kind="region", synonyms=("服务区县", "派驻区县", "区县")),
        Column("station", "服务站点", synonyms=("派驻站点", "服务站", "社工站", "社会工作站")),
        Column(
            "started_on",
            "派驻开始日期",
            required=True,
            kind="date",
            synonyms=("开始日期", "派驻日期", "到岗日期"),
        ),
        Column("ended_on", "派驻结束日期", kind="date", synonyms=("结束日期", "离岗日期")),
        Column("status", "状态", kind="choice", choices=DISPATCH_STATUS, synonyms=("在岗状态", "在岗情况")),
        # Free text: the importer maps it onto the model's reasons (anything else is 其他, kept as a note).
        Column("leave_reason", "离岗原因", synonyms=("离职原因",)),
        Column(
            "assessment", "考核结果", kind="choice", choices=ASSESSMENT, synonyms=("考核等次", "考核等级")
        ),
        Column(
            "certificate_level",
            "证书等级",
            kind="choice",
            choices=CERTIFICATE_LEVEL,
            synonyms=("持证等级", "职业水平等级", "证书级别"),
        ),
    ),
    natural_key=("id_number", "year"),
)

TRAINEE = LedgerKind(
    code="trainee",
    title="培养对象台账",
    columns=(
        Column("year", "年度", required=True, kind="integer", synonyms=YEAR),
        Column("name", "姓名", required=True, synonyms=NAME),
        _id_number(),
        Column("county", "区县", required=True, kind="region", synonyms=("推荐区县", *COUNTY)),
        Column("workplace", "工作单位", synonyms=("单位", "所在单位", "单位名称")),
        Column("course_name", "培训班名称", synonyms=("培训班", "培训项目", "培训名称")),
        Column(
            "course_level", "培训类别", kind="choice", choices=COURSE_LEVEL, synonyms=("培训级别", "培训层级")
        ),
        Column("hours", "学时", kind="decimal", synonyms=("培训学时", "累计学时", "学时数")),
        Column(
            "completed", "是否结业", required=True, kind="boolean", synonyms=("结业", "结业情况", "是否完成")
        ),
        Column("completed_on", "结业日期", kind="date", synonyms=("结业时间",)),
    ),
    natural_key=("id_number", "year"),
)

ORGANISATION = LedgerKind(
    code="organisation",
    title="社会工作组织台账",
    columns=(
        Column(
            "credit_code",
            "统一社会信用代码",
            kind="credit_code",
            synonyms=("信用代码", "社会信用代码", "统一代码"),
        ),
        Column("name", "名称", required=True, synonyms=("单位名称", "机构名称", "组织名称")),
        Column(
            "kind",
            "类型",
            required=True,
            kind="choice",
            choices=ORGANISATION_KIND,
            synonyms=("组织类型", "机构类型", "单位类型"),
        ),
        Column("county", "区县", required=True, kind="region", synonyms=("登记区县", *COUNTY)),
        Column(
            "registered_on",
            "登记日期",
            required=True,
            kind="date",
            synonyms=("成立日期", "注册日期", "登记时间"),
        ),
        Column("deregistered_on", "注销日期", kind="date", synonyms=("注销时间",)),
        Column("supervising_unit", "业务主管单位", synonyms=("主管单位", "业务指导单位")),
    ),
    # The credit code when the row has one, else the name within the county.
    natural_key=("credit_code", "name", "county"),
)

CERTIFICATE = LedgerKind(
    code="certificate",
    title="持证社工台账",
    columns=(
        Column("name", "姓名", required=True, synonyms=NAME),
        _id_number(),
        Column(
            "level",
            "等级",
            required=True,
            kind="choice",
            choices=CERTIFICATE_LEVEL,
            synonyms=("证书等级", "职业水平等级", "级别"),
        ),
        Column(
            "obtained_on",
            "取得日期",
            required=True,
            kind="date",
            synonyms=("取证日期", "获证日期", "发证日期", "取得时间"),
        ),
        Column("county", "区县", required=True, kind="region", synonyms=COUNTY),
        Column("number", "证书编号", synonyms=("证书号", "证书号码", "管理号")),
    ),
    natural_key=("id_number", "level"),
)

BENEFICIARY = LedgerKind(
    code="beneficiary",
    title="服务对象台账",
    columns=(
        Column("name", "姓名", required=True, synonyms=("服务对象姓名", *NAME)),
        _id_number(),
        Column("county", "区县", required=True, kind="region", synonyms=COUNTY),
        Column(
            "township", "乡镇(街道)", kind="region", synonyms=("乡镇（街道）", "乡镇街道", "乡镇", "街道")
        ),
        Column("village", "村(社区)", kind="region", synonyms=("村（社区）", "村社区", "村居", "村", "社区")),
        # A managed list (cases.TargetGroup): the importer matches the names the database holds.
        Column(
            "target_groups",
            "服务对象类别",
            required=True,
            kind="multi",
            synonyms=("对象类别", "人员类别", "类别"),
        ),
        Column(
            "phone", "联系电话", kind="phone", synonyms=("手机号", "手机", "手机号码", "联系方式", "电话")
        ),
        Column(
            "poverty_registered",
            "是否建档立卡贫困户",
            kind="boolean",
            synonyms=("建档立卡贫困户", "是否建档立卡", "建档立卡", "是否贫困户"),
        ),
        Column(
            "worker_id_number",
            "负责社工身份证号",
            kind="id_number",
            synonyms=("负责社工身份证号码", "社工身份证号", "社工身份证号码"),
        ),
        Column("registered_on", "建档日期", kind="date", synonyms=("建档时间", "登记日期")),
        # Beyond DESIGN §6: informed consent (DESIGN §5), which registration asks for. Read for people
        # not yet on file, so that a ledger can register them; consent on file is never changed here.
        Column("consent_on", "知情同意日期", kind="date", synonyms=("同意日期", "知情同意时间")),
        Column(
            "consent_by", "知情同意人", kind="choice", choices=CONSENT_BY, synonyms=("同意人", "由谁同意")
        ),
        Column("guardian_name", "监护人姓名", synonyms=("监护人",)),
        Column("guardian_relation", "监护人关系", synonyms=("与监护人关系", "监护人与服务对象关系")),
    ),
    natural_key=("id_number",),
)

SERVICE = LedgerKind(
    code="service",
    title="服务记录台账",
    columns=(
        Column("served_on", "服务日期", required=True, kind="date", synonyms=("服务时间", "日期")),
        # Two ID numbers: neither takes the bare 身份证号码, which would be ambiguous.
        Column(
            "beneficiary_id_number",
            "服务对象身份证号",
            required=True,
            kind="id_number",
            synonyms=("服务对象身份证号码", "对象身份证号", "服务对象公民身份号码"),
        ),
        Column(
            "worker_id_number",
            "社工身份证号",
            required=True,
            kind="id_number",
            synonyms=("社工身份证号码", "服务社工身份证号", "社工公民身份号码"),
        ),
        Column(
            "method",
            "服务方式",
            required=True,
            kind="choice",
            choices=SERVICE_METHOD,
            synonyms=("服务方法", "工作方法"),
        ),
        # A managed list (cases.ServiceType): the importer matches the names the database holds.
        Column("service_type", "服务类型", required=True, synonyms=("服务类别", "服务项目")),
        Column(
            "duration_hours",
            "时长(小时)",
            kind="decimal",
            synonyms=("时长（小时）", "服务时长", "服务时长(小时)", "时长", "小时数"),
        ),
        Column("place", "服务地点", synonyms=("地点",)),
        Column("notes", "服务内容摘要", synonyms=("服务内容", "内容摘要", "服务记录")),
    ),
    natural_key=("served_on", "beneficiary_id_number", "worker_id_number", "method", "service_type"),
)

INCENTIVE = LedgerKind(
    code="incentive",
    title="激励政策台账",
    columns=(
        Column("county", "区县", required=True, kind="region", synonyms=COUNTY),
        Column("name", "政策名称", required=True, synonyms=("政策", "文件名称", "名称")),
        Column(
            "kind",
            "类别",
            required=True,
            kind="choice",
            choices=INCENTIVE_KIND,
            synonyms=("政策类别", "激励类别", "类型"),
        ),
        Column(
            "effective_from",
            "生效日期",
            required=True,
            kind="date",
            synonyms=("实施日期", "开始日期", "起始日期"),
        ),
        Column("effective_until", "失效日期", kind="date", synonyms=("截止日期", "终止日期", "结束日期")),
        Column(
            "amount",
            "标准(元)",
            kind="decimal",
            synonyms=("标准（元）", "标准", "金额(元)", "金额", "补贴标准"),
        ),
    ),
    natural_key=("county", "name", "kind"),
)

# DESIGN.md §6, in its order.
KINDS: dict[str, LedgerKind] = {
    kind.code: kind
    for kind in (DISPATCH, TRAINEE, ORGANISATION, CERTIFICATE, BENEFICIARY, SERVICE, INCENTIVE)
}

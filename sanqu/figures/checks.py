"""The figures check themselves: parts that must add up to a total do, or the check says which not.

The seed's report says 66 organisations and accounts for only 61 + 3; a report computed from the
records never has such a gap, and these checks prove it for every scope and date (they run on the
dashboard and with `sanqu figures --check`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Check:
    label: str | Promise
    left: Any  # what the parts give
    right: Any  # what they must equal (or not exceed)
    relation: str  # "=" or "≤"

    @property
    def ok(self) -> bool:
        return self.left == self.right if self.relation == "=" else self.left <= self.right


def _sum(values: Any) -> int:
    return sum(int(value or 0) for value in values)


def consistency_checks(figures: dict[str, Any]) -> list[Check]:
    """Every relation the figures of one scope and date must keep."""
    retention = figures["dispatch_retention"]
    timeliness = figures["report_timeliness"]
    trainees = figures["trainees_vs_quota"]
    actions = figures["visits_open_actions"]
    return [
        Check(
            _("社会工作组织按类型之和 = 社会工作组织总数"),
            _sum(figures["organisations_by_type"].values()),
            figures["organisations_total"],
            "=",
        ),
        Check(
            _("基期组织数 + 新增组织数 = 社会工作组织总数"),
            figures["organisations_baseline"] + figures["organisations_added"],
            figures["organisations_total"],
            "=",
        ),
        Check(
            _("有社会工作组织的受援区县 ≤ 受援区县"),
            figures["counties_with_organisations"],
            figures["receiving_counties"],
            "≤",
        ),
        Check(
            _("出台激励政策的受援区县 ≤ 受援区县"),
            figures["incentive_counties"],
            figures["receiving_counties"],
            "≤",
        ),
        Check(
            _("持证社工（人）≤ 各等级证书持有人之和"),
            figures["certified_total"],
            _sum(figures["certified_by_level"].values()),
            "≤",
        ),
        Check(
            _("选派人数 ≤ 选派人次"),
            figures["dispatched_people"],
            figures["dispatched_total"],
            "≤",
        ),
        Check(
            _("期满 + 提前离岗 = 已结束的选派"),
            _sum((retention["completed"], retention["left_early"])),
            retention["ended"],
            "=",
        ),
        Check(
            _("提前离岗按原因之和 = 提前离岗"),
            _sum(figures["early_leavers_by_reason"].values()),
            retention["left_early"],
            "=",
        ),
        Check(
            _("已结业 ≤ 已推荐的培养对象"),
            trainees["completed"],
            trainees["recommended"],
            "≤",
        ),
        Check(
            _("按时 + 逾期补报 + 未报 = 应报的定期报告"),
            _sum((timeliness["on_time"], timeliness["late"], timeliness["missing"])),
            timeliness["due"],
            "=",
        ),
        Check(
            _("逾期的整改事项 ≤ 未完成的整改事项"),
            actions["overdue"],
            actions["open"],
            "≤",
        ),
    ]

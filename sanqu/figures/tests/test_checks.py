"""The figures' self-checks: they hold on real records, and a gap is named, not hidden."""

from __future__ import annotations

import copy
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sanqu.figures.checks import consistency_checks
from sanqu.figures.engine import compute_figures
from sanqu.figures.tests.factories import D, Programme


def test_every_check_holds_on_the_programme(programme: Programme) -> None:
    for scope in (programme.chongqing, programme.chengkou, programme.wanzhou):
        failed = [
            str(check.label)
            for check in consistency_checks(compute_figures(scope=scope, as_of=D))
            if not check.ok
        ]
        assert failed == []


def test_a_total_that_the_parts_do_not_make_is_named(programme: Programme) -> None:
    figures = copy.deepcopy(compute_figures(scope=programme.chongqing, as_of=D))
    figures["organisations_total"] += 2  # the seed's gap: 66 organisations, 61 + 3 accounted for
    failed = [check for check in consistency_checks(figures) if not check.ok]
    assert [str(check.label) for check in failed] == [
        "社会工作组织按类型之和 = 社会工作组织总数",
        "基期组织数 + 新增组织数 = 社会工作组织总数",
    ]
    assert (failed[0].left, failed[0].right) == (4, 6)


def test_the_command_prints_the_checks(programme: Programme) -> None:
    out = io.StringIO()
    call_command("figures", "--scope", "500000", "--as-of", D.isoformat(), "--check", stdout=out)
    assert "自检：11 项通过，0 项不符" in out.getvalue()
    assert "✓ 期满 + 提前离岗 = 已结束的选派（2 = 2）" in out.getvalue()


def test_the_command_fails_when_a_check_fails(programme: Programme, monkeypatch: pytest.MonkeyPatch) -> None:
    from sanqu.figures.management.commands import figures as command

    def broken(figures: dict[str, object]) -> list[object]:
        checks = consistency_checks(figures)
        figures["organisations_added"] = 99
        return consistency_checks(figures) or checks

    monkeypatch.setattr(command, "consistency_checks", broken)
    with pytest.raises(CommandError, match="有 1 项自检不符"):
        call_command(
            "figures", "--scope", "500000", "--as-of", D.isoformat(), "--check", stdout=io.StringIO()
        )


def test_the_dashboard_says_the_figures_agree(programme: Programme) -> None:
    from django.test import Client

    from sanqu.accounts.roles import Role
    from sanqu.testing import make_user

    client = Client()
    client.force_login(make_user("city", (Role.CITY_ADMIN, programme.chongqing, {})))
    page = client.get("/figures/", {"as_of": D.isoformat()}).content.decode()
    assert "数据自检" in page and "11 项全部相符" in page
    assert "✓ 按时 + 逾期补报 + 未报 = 应报的定期报告（0 = 0）" in page

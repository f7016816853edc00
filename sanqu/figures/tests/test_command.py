"""`sanqu figures`: JSON and table output, and clear errors for a bad scope or date."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sanqu.figures.engine import compute_figures
from sanqu.figures.management.commands.figures import Command
from sanqu.figures.tests.factories import D, Programme


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("figures", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_figures_as_json(programme: Programme) -> None:
    output = run("--scope", "500229", "--as-of", "2014-12-31", "--json")
    assert json.loads(output) == compute_figures(scope=programme.chengkou, as_of=D)
    assert json.loads(run("--scope", "500234", "--as-of", "2014-12-31", "--json"))["certified_total"] == 2


def test_it_prints_a_table_with_chinese_labels(programme: Programme) -> None:
    output = run("--as-of", "2014-12-31")
    assert "重庆市（500000）截至 2014-12-31" in output
    assert "基期：2012-12-31" in output
    assert "受援区县：3" in output
    assert "  基金会：1" in output
    assert "持证社会工作者较基期增长（倍）：0.3" in output
    assert "服务对象（按类别，人）：\n  留守儿童：1\n" in output
    assert "  建档立卡贫困户：2" in output
    assert "个案（按阶段）：\n  接案：1\n  预估：1\n  计划：1\n  介入：1\n  评估：1\n  结案：1\n" in output
    assert "  成长支持：2" in output
    assert "服务时长（小时）：10.5" in output
    assert "小组活动（节）：3" in output
    assert "社区活动参与（人次）：49" in output
    assert "生计项目覆盖（户）：42" in output


def test_it_defaults_to_the_municipality_and_today(programme: Programme) -> None:
    figures = json.loads(run("--json"))
    assert figures == compute_figures(scope=programme.chongqing, as_of=timezone.localdate())


def test_it_refuses_an_unknown_scope(programme: Programme) -> None:
    with pytest.raises(CommandError, match="找不到区划代码或名称“999999”"):
        run("--scope", "999999", "--as-of", "2014-12-31")


@pytest.mark.parametrize("value", ["2018-02-30", "abc"])
def test_it_refuses_a_bad_date_on_stderr_with_a_non_zero_exit(
    programme: Programme, value: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # run_from_argv is what the `sanqu` command line calls; keep the test's connection open.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["sanqu", "figures", "--as-of", value, "--json"])
    assert exit_info.value.code != 0
    captured = capsys.readouterr()
    assert f"日期“{value}”无效" in captured.err
    assert captured.out == ""


def test_it_accepts_a_future_date(programme: Programme) -> None:
    assert json.loads(run("--as-of", "2099-12-31", "--json"))["receiving_counties"] == 3

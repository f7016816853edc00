"""The results report on the small programme: a county's report, wording when a part is empty, the
progress steps, bad input, and `sanqu report`."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sanqu.cases.models import Group, GroupMember
from sanqu.figures.drilldown import records_url
from sanqu.figures.engine import FigureError
from sanqu.figures.management.commands.report import Command
from sanqu.figures.report import build_report, render_report
from sanqu.figures.tests.factories import D, Programme, beneficiary, group_with_sessions, person
from sanqu.figures.tests.report_text import read


def html_of(programme: Programme, code: str = "500000", **options: object) -> str:
    scope = {"500000": programme.chongqing, "500229": programme.chengkou, "500101": programme.wanzhou}[code]
    return render_report(scope=scope, as_of=D, fmt="html", **options).decode()  # type: ignore[arg-type]


def test_it_writes_the_municipality_report_with_linked_figures(programme: Programme) -> None:
    page = read(html_of(programme))
    assert "重庆市社会工作专业人才服务“三区”计划成效报告" in page.headings
    assert "（2013年至2014年）" in page.text  # D is a year end
    assert "重庆市民政局" in page.text and "2014年12月31日" in page.text
    # 4 dispatches, 4 organisations (2 agencies…), 4 certified: each links to its records.
    assert ("4", records_url("dispatched_total", scope="500000", as_of=D)) in page.links
    assert ("4", records_url("organisations_total", scope="500000", as_of=D)) in page.links
    assert (
        "2",
        records_url("organisations_by_type", "social_service_agency", scope="500000", as_of=D),
    ) in page.links
    # The counties with an incentive policy by name, each linking to its policies.
    assert ("城口", records_url("incentive_counties", scope="500229", as_of=D)) in page.links
    assert ("开州", records_url("incentive_counties", scope="500154", as_of=D)) in page.links
    assert "本报告的11项自检全部通过" in page.text
    assert "平台尚未登记宣传报道记录" in page.text


def test_it_prefixes_the_links_with_the_site_address(programme: Programme) -> None:
    page = read(html_of(programme, link_base="https://sanqu.example.cn"))
    numbers = [href for text, href in page.links if re.fullmatch(r"[\d.]+", text)]
    assert numbers and all(href.startswith("https://sanqu.example.cn/figures/records/?") for href in numbers)


def test_it_speaks_of_the_county_in_a_county_report(programme: Programme) -> None:
    page = read(html_of(programme, "500229"))
    assert "城口县民政局" in page.text
    assert "城口县社会工作专业人才服务“三区”计划成效报告" in page.headings
    assert "城口县作为受援区县参与“三区”计划" in page.text
    assert "个受援区县参与" not in page.text and "受援区县共" not in page.text
    assert ("2", records_url("dispatched_total", scope="500229", as_of=D)) in page.links


def test_it_says_plainly_when_a_part_is_empty(programme: Programme) -> None:
    # 万州 at D: its only organisation was deregistered and no incentive policy is in force.
    page = read(html_of(programme, "500101"))
    assert "受援区县尚无登记的社会工作组织。" in page.text
    assert "受援区县尚未出台社会工作人才激励政策。" in page.text
    assert not re.search(r"(?<![\d.])0(家|个区县|个受援区县)", page.text)


def test_its_group_examples_are_the_groups_that_held_most_sessions_by_the_date(programme: Programme) -> None:
    # At D: 城口's group has held 2 sessions (its third is after D), 万州's 1. Add, in 开州, a group
    # that held 1 session and has two members by D (a third joins after), and one that meets only
    # after D: it is no example.
    worker = person("组长", programme.kaizhou)
    group_with_sessions(programme.kaizhou, worker, dt.date(2014, 6, 1))
    group_with_sessions(programme.kaizhou, worker, dt.date(2015, 2, 1))
    busy, late = Group.objects.filter(county=programme.kaizhou).order_by("started_on")
    for index, joined in enumerate((dt.date(2014, 6, 1), dt.date(2014, 6, 2), dt.date(2015, 1, 5))):
        someone = beneficiary(f"组员{index}", programme.kaizhou, dt.date(2014, 5, 1), dt.date(1960, 1, 1))
        GroupMember.objects.create(group=busy, beneficiary=someone, joined_on=joined)
        GroupMember.objects.create(group=late, beneficiary=someone, joined_on=joined)

    examples = build_report(scope=programme.chongqing, as_of=D).groups

    # Most sessions first; a tie goes to the group that started first (开州's, in June, before 万州's).
    assert [(example.place[:2], example.sessions, example.members) for example in examples] == [
        ("城口", 2, 0),
        ("开州", 1, 2),
        ("万州", 1, 0),
    ]


def test_it_refuses_a_region_without_receiving_counties(programme: Programme) -> None:
    with pytest.raises(FigureError, match="江北区截至2014-12-31没有受援区县"):
        build_report(scope=programme.jiangbei, as_of=D)


def test_it_refuses_an_unknown_format_or_language(programme: Programme) -> None:
    with pytest.raises(FigureError, match="只能是 html 或 pdf"):
        render_report(scope=programme.chongqing, as_of=D, fmt="docx")
    with pytest.raises(FigureError, match="只能是 zh-hans 或 en"):
        render_report(scope=programme.chongqing, as_of=D, fmt="html", language="fr")


def test_it_reports_its_progress_step_by_step(programme: Programme) -> None:
    steps: list[tuple[int, str]] = []
    render_report(scope=programme.chongqing, as_of=D, fmt="html", progress=lambda p, m: steps.append((p, m)))
    assert [percent for percent, _message in steps] == [20, 40, 60, 100]
    assert steps[-1][1] == "已生成文档"


def test_it_draws_the_charts_inline_with_titles_and_values(programme: Programme) -> None:
    html = html_of(programme)
    assert "<script" not in html and "<link" not in html and 'src="' not in html
    assert html.count("<svg") == 4
    assert "图1　人才队伍逐年累计（各年度末）" in read(html).text
    assert "<title>服务对象按类别（人）</title>" in html


def test_the_command_writes_the_file_and_says_where(programme: Programme, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "report.html"
    call_command("report", "--scope", "500229", "--as-of", "2014-12-31", "--out", str(target), stdout=out)
    assert "已写出城口县截至 2014-12-31 的成效报告" in out.getvalue()
    assert str(target) in out.getvalue()
    assert "城口县民政局" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "999999"], "找不到区划代码或名称“999999”"),
        (["--as-of", "2014-02-30"], "日期“2014-02-30”无效"),
        (["--format", "doc"], "格式“doc”无效"),
        (["--scope", "500105", "--as-of", "2014-12-31"], "江北区截至2014-12-31没有受援区县"),
    ],
)
def test_the_command_refuses_bad_input_with_exit_1(
    programme: Programme, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    target = tmp_path / "report.html"
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["sanqu", "report", *args, "--out", str(target)])
    assert exit_.value.code == 1
    assert message in capsys.readouterr().err
    assert not target.exists()


def test_the_command_raises_command_error_in_process(programme: Programme, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="找不到区划代码"):
        call_command("report", "--scope", "999999", "--out", str(tmp_path / "x.html"))

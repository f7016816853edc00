"""The results report on the demo: the seed's figures in its text, each linked to its records, the
article's examples, the English version and the PDF. Rendered once for the module (it is slow)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from sanqu.figures.drilldown import records_url
from sanqu.figures.engine import resolve_scope
from sanqu.figures.report import render_report
from sanqu.figures.tests.report_text import Read, poppler, read

AS_OF = dt.date(2018, 7, 10)
INCENTIVE_COUNTIES = ("万州", "黔江", "丰都", "武隆", "奉节", "秀山")


_rendered: dict[str, Any] = {}


@pytest.fixture
def documents(demo: str, db: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The report in Chinese, in English and as a PDF, rendered once for the module."""
    if not _rendered:
        scope = resolve_scope("500000")
        pdf = tmp_path_factory.mktemp("report") / "report.pdf"
        pdf.write_bytes(render_report(scope=scope, as_of=AS_OF, fmt="pdf"))
        _rendered.update(
            zh=read(render_report(scope=scope, as_of=AS_OF, fmt="html").decode()),
            en=read(render_report(scope=scope, as_of=AS_OF, fmt="html", language="en").decode()),
            pdf=pdf,
        )
    return _rendered


def url(key: str, part: str | None = None) -> str:
    return records_url(key, part, scope="500000", as_of=AS_OF)


def test_it_reports_the_seed_figures(documents: dict[str, Any]) -> None:
    text = documents["zh"].text
    for sentence in (
        "累计选派社工284人次",
        "培养本土社会工作人才147人",
        "受援区县有社会工作组织66家（其中社会服务机构61家",
        "新增64家",
        "受援区县持证社会工作者1077人",
        "增长7.3倍",
        "6个受援区县出台了社会工作人才激励政策",
    ):
        assert sentence in text, sentence
    policy = text[text.index("（一）人才激励政策") : text.index("（二）项目管理与督查")]
    assert all(county in policy for county in INCENTIVE_COUNTIES)
    assert "云隘村核桃、雪莲果特色种植项目" in text and "云隘村留守儿童合唱团" in text


def test_each_seed_figure_links_to_its_records(documents: dict[str, Any]) -> None:
    links: set[tuple[str, str]] = set(documents["zh"].links)
    for number, key, part in (
        ("284", "dispatched_total", None),
        ("147", "trained_total", None),
        ("66", "organisations_total", None),
        ("61", "organisations_by_type", "social_service_agency"),
        ("64", "organisations_added", None),
        ("1077", "certified_total", None),
        ("7.3", "certified_growth_multiple", None),
        ("6", "incentive_counties", None),
    ):
        assert (number, url(key, part)) in links, number
    for county, code in (("万州", "500101"), ("秀山", "500241")):
        assert (county, records_url("incentive_counties", scope=code, as_of=AS_OF)) in links
    numbers = [href for text, href in links if re.fullmatch(r"\d+(\.\d+)?", text)]
    assert numbers and all(href.startswith("/figures/records/?figure=") for href in numbers)


def test_it_says_all_parts_add_up(documents: dict[str, Any]) -> None:
    assert "本报告的11项自检全部通过：各分项之和与总数一致。" in documents["zh"].text


def test_the_english_version_is_in_english(documents: dict[str, Any]) -> None:
    page: Read = documents["en"]
    assert "284" in page.text and "social workers" in page.text
    names = ("重庆市",)  # a heading may name the scope; nothing else in Chinese
    for heading in page.headings:
        leftover = heading
        for name in names:
            leftover = leftover.replace(name, "")
        assert not re.search(r"[\u4e00-\u9fff]", leftover), heading


def test_the_pdf_reads_back_in_chinese(documents: dict[str, Any]) -> None:
    path: Path = documents["pdf"]
    text = poppler("pdftotext", str(path), "-")
    compact = re.sub(r"\s+", "", text)
    assert "累计选派社工284人次" in compact and "持证社会工作者1077人" in compact
    assert "第1页共" in compact and "重庆市民政局" in compact
    assert "\ufffd" not in text

"""The results report as a PDF: Chinese text that reads back whole, embedded CJK fonts, the page
footer. One render (a few seconds); the demo's PDF is checked in sanqu/demo/tests."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sanqu.figures.report import render_report
from sanqu.figures.tests.factories import D, Programme
from sanqu.figures.tests.report_text import poppler

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def test_it_prints_an_a4_pdf_with_chinese_text_and_page_numbers(programme: Programme, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(render_report(scope=programme.chongqing, as_of=D, fmt="pdf"))
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "重庆市社会工作专业人才服务“三区”计划成效报告" in text
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text) and "重庆市民政局" in text
    assert "一、为困难群众提供专业服务" in text and "数据自检" in text
    assert "\ufffd" not in text  # no glyph missing
    info = poppler("pdfinfo", str(path))
    assert "pts (A4)" in info
    fonts = poppler("pdffonts", str(path))
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in row for row in rows)  # every font embedded
    assert any("Noto-Serif-CJK-SC" in row for row in rows) and any("Noto-Sans-CJK-SC" in row for row in rows)

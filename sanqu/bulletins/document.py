"""What a bulletin prints: its items, its figures panel and its distribution list, and the PDF.

An issued bulletin prints what was frozen on issue. A draft's preview prints what it would be if
issued today: the articles as they stand, the figures computed now and the current list.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from sanqu.bulletins.models import Bulletin, Recipient
from sanqu.bulletins.selectors import active_recipients, items_of
from sanqu.figures.engine import FIGURE_LABELS, compute_figures
from sanqu.regions.models import Region

TEMPLATE = "bulletins/pdf.html"
# Inlined into the PDF's HTML: the document needs no static file (none may be collected yet when
# the demo issues its bulletins).
STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "bulletin-print.css"

# The figures panel: the seed table's figures (DESIGN §3), in the order people read them.
PANEL_FIGURES = (
    "receiving_counties",
    "dispatched_total",
    "dispatched_people",
    "trained_total",
    "organisations_total",
    "counties_with_organisations",
    "organisations_added",
    "certified_total",
    "certified_growth_multiple",
    "incentive_counties",
)


@dataclass(frozen=True)
class Item:
    title: str
    source: str
    date: dt.date | None
    body: SafeString


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    value: Any

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if isinstance(self.value, float):
            return str(int(self.value)) if self.value.is_integer() else f"{self.value:.1f}"
        return str(self.value)


@dataclass(frozen=True)
class DistributionLine:
    kind: str
    label: str  # 报, 送, 发
    departments: list[str]

    @property
    def text(self) -> str:
        return "，".join(self.departments) + "。"


@dataclass(frozen=True)
class Document:
    bulletin: Bulletin
    items: list[Item]
    figures: list[FigureRow]
    distribution: list[DistributionLine]
    copies: int
    frozen: bool  # issued: everything as it was on issue


def chinese_date(day: dt.date) -> str:
    """2018年7月10日, as a document prints it."""
    return f"{day.year}年{day.month}月{day.day}日"


def freeze_figures(*, scope: Region, as_of: dt.date) -> list[dict[str, Any]]:
    """The panel's figures for the scope at the date, with their labels (in Chinese, as printed)."""
    values = compute_figures(scope=scope, as_of=as_of, with_progress=False)
    with translation.override("zh-hans"):
        return [{"key": key, "label": str(FIGURE_LABELS[key]), "value": values[key]} for key in PANEL_FIGURES]


def freeze_distribution(recipients: list[Recipient] | None = None) -> list[dict[str, Any]]:
    """报：… 送：… 发：… from the active recipients, one line per direction that has any."""
    chosen = list(active_recipients()) if recipients is None else recipients
    lines = []
    with translation.override("zh-hans"):
        for kind, label in Recipient.Kind.choices:
            departments = [r.department for r in chosen if r.kind == kind]
            if departments:
                lines.append({"kind": kind, "label": str(label), "departments": departments})
    return lines


def document_of(bulletin: Bulletin) -> Document:
    items = list(items_of(bulletin))
    if bulletin.is_issued:
        shown = [Item(i.title, i.source, i.date, mark_safe(i.body)) for i in items]  # noqa: S308 (sanitised on issue)
        figures = bulletin.figures
        distribution = bulletin.distribution
        copies = bulletin.copies
    else:
        shown = [
            Item(i.article.title, i.article.source, i.article.date, i.article.body_html)
            for i in items
            if i.article is not None
        ]
        figures = freeze_figures(scope=bulletin.scope, as_of=bulletin.as_of)
        distribution = freeze_distribution()
        copies = sum(len(line["departments"]) for line in distribution)
    return Document(
        bulletin=bulletin,
        items=shown,
        figures=[FigureRow(row["key"], row["label"], row["value"]) for row in figures],
        distribution=[DistributionLine(**line) for line in distribution],
        copies=copies,
        frozen=bulletin.is_issued,
    )


def render_bulletin_pdf(document: Document) -> bytes:
    from sanqu.lib.pdf import render_pdf  # WeasyPrint is heavy: load it only for a PDF

    with translation.override("zh-hans"):
        stylesheet = mark_safe(STYLESHEET.read_text(encoding="utf-8").replace("</", "<\\/"))  # noqa: S308 (our own file)
        return render_pdf(
            TEMPLATE, {"doc": document, "bulletin": document.bulletin, "stylesheet": stylesheet}
        )

"""The results report's charts, drawn server-side as inline SVG.

The report must show its charts in a saved HTML file and in the PDF, and WeasyPrint runs no
JavaScript, so the dashboard's ECharts cannot draw them. The project has no SVG chart library, and
four plain charts (bars and a cumulative trend) do not justify one: this module writes the SVG
itself. Text is set in the page's CJK font (named on the <svg> so WeasyPrint's SVG renderer finds
it too), every bar and point carries its value, and every value links to its records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sanqu.figures import drilldown

if TYPE_CHECKING:
    from sanqu.figures.report import Chart, Number, ResultsReport

WIDTH = 640
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"
COLOURS = ("#1f5f8b", "#c0392b", "#2e8b57", "#b7791f")
INK = "#222"
MUTED = "#666"
GRID = "#ddd"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    url: str


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float]
    urls: list[str]


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 13, fill: str = INK,
          weight: str = "normal", extra: str = "") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}" '
        f'font-weight="{weight}"{extra}>{escape(text)}</text>'
    )


def _link(url: str, inner: str) -> str:
    return f'<a href="{escape(url)}">{inner}</a>' if url else inner


def _svg(height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308  # every text and URL above went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-label="{escape(title)}" '
        f'font-family="{escape(FONT)}" class="chart__svg">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _nice_max(value: float) -> float:
    """A round axis maximum at or above the value whose quarters are round too (24 → 6, 12, 18)."""
    if value <= 0:
        return 4
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1.2, 1.6, 2, 2.4, 3.2, 4, 4.8, 6, 8, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _tick(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart(title: str, bars: Sequence[Bar], *, axis_label: str, category_label: str) -> SafeString:
    """Horizontal bars, one per category, its value at the end; the value axis labelled below."""
    label_width = min(200, 16 + 14 * max((len(bar.label) for bar in bars), default=4))
    left, right, top, row = label_width, 70, 30, 24
    plot = WIDTH - left - right
    height = top + row * len(bars) + 56
    top_value = _nice_max(max((bar.value for bar in bars), default=0))
    body = [_text(left - 8, 18, category_label, anchor="end", size=12, fill=MUTED)]
    for step in range(5):
        x = left + plot * step / 4
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{top + row * len(bars)}" stroke="{GRID}"/>'
        )
        tick = _tick(top_value * step / 4)
        body.append(_text(x, top + row * len(bars) + 16, tick, anchor="middle", size=11, fill=MUTED))
    for index, bar in enumerate(bars):
        y = top + row * index
        width = plot * bar.value / top_value if top_value else 0
        body.append(_text(left - 8, y + 17, bar.label, anchor="end"))
        body.append(
            _link(
                bar.url,
                f'<rect x="{left}" y="{y + 5}" width="{max(width, 1):.1f}" height="{row - 10}" '
                f'fill="{COLOURS[0]}"/>' + _text(left + width + 6, y + 17, bar.shown, weight="bold"),
            )
        )
    body.append(_text(left + plot / 2, height - 12, axis_label, anchor="middle", size=12, fill=MUTED))
    return _svg(height, title, body)


def line_chart(title: str, years: list[int], series: Sequence[Series], *, axis_label: str,
               year_label: str) -> SafeString:  # fmt: skip
    """Cumulative values by programme year, one line per series, each point with its value."""
    left, right, top, bottom = 64, 24, 58, 56
    plot_w, plot_h = WIDTH - left - right, 240
    height = top + plot_h + bottom
    top_value = _nice_max(max((value for line in series for value in line.values), default=0))
    body = []
    # Legend.
    legend_x = left
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        body.append(f'<rect x="{legend_x}" y="14" width="14" height="14" fill="{colour}"/>')
        body.append(_text(legend_x + 20, 26, line.name, size=12))
        legend_x += 34 + 13 * len(line.name)
    # Axes and grid.
    for step in range(5):
        y = top + plot_h - plot_h * step / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y + 4, _tick(top_value * step / 4), anchor="end", size=11, fill=MUTED))
    body.append(
        _text(16, top + plot_h / 2, axis_label, anchor="middle", size=12, fill=MUTED,
              extra=f' transform="rotate(-90 16 {top + plot_h / 2:.1f})"')
    )  # fmt: skip
    gap = plot_w / max(len(years), 1)
    xs = [left + gap * (index + 0.5) for index in range(len(years))]
    for x, year in zip(xs, years, strict=True):
        body.append(_text(x, top + plot_h + 18, str(year), anchor="middle", size=12))
    body.append(_text(left + plot_w / 2, height - 10, year_label, anchor="middle", size=12, fill=MUTED))
    # Value labels above their points, pushed down where two series' labels would overlap.
    label_y: dict[tuple[int, int], float] = {}
    for column in range(len(years)):
        taken: list[float] = []
        ranked = sorted(range(len(series)), key=lambda index: -series[index].values[column])
        for index in ranked:
            point = top + plot_h - plot_h * series[index].values[column] / top_value
            y = point - 8
            if any(abs(y - other) < 13 for other in taken):
                y = point + 17  # below its own point
            for other in sorted(taken):
                if abs(y - other) < 13:
                    y = other + 13
            taken.append(y)
            label_y[(index, column)] = y
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = [
            (x, top + plot_h - plot_h * value / top_value) for x, value in zip(xs, line.values, strict=True)
        ]
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '"/>'
        )
        for column, ((x, y), value, url) in enumerate(zip(points, line.values, line.urls, strict=True)):
            text_y = label_y[(index, column)]
            body.append(
                _link(
                    url,
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
                    + _text(x, text_y, _tick(value), anchor="middle", size=11, fill=colour, weight="bold"),
                )
            )
    return _svg(height, title, body)


def _bars(parts: Sequence[Any]) -> list[Bar]:
    return [Bar(part.label, float(part.number.value), str(part.number), part.number.url) for part in parts]


def _number_bar(label: str, number: Number) -> Bar:
    return Bar(label, float(number.value or 0), str(number), number.url)


def report_charts(report: ResultsReport, *, trend: list[dict[str, Any]]) -> list[Chart]:
    """The trend by programme year, beneficiaries by group, services by type, counties compared."""
    from sanqu.figures.report import Chart

    link = report.link_base
    charts: list[Chart] = []
    if trend:
        keys = {
            "dispatched_total": _("累计选派社工（人次）"),
            "trained_total": _("累计培养本土人才（人）"),
            "certified_total": _("持证社会工作者（人）"),
        }
        series = [
            Series(
                label,
                [float(point[key]) for point in trend],
                [
                    link + drilldown.records_url(key, scope=report.scope, as_of=point["as_of"])
                    for point in trend
                ],
            )
            for key, label in keys.items()
        ]
        title = _("人才队伍逐年累计（各年度末）")
        charts.append(
            Chart(
                "trend",
                len(charts) + 1,
                title,
                line_chart(
                    title,
                    [point["year"] for point in trend],
                    series,
                    axis_label=_("人数 / 人次"),
                    year_label=_("项目年度"),
                ),
            )
        )
    if report.target_groups:
        title = _("服务对象按类别（人）")
        charts.append(
            Chart(
                "target_groups",
                len(charts) + 1,
                title,
                bar_chart(title, _bars(report.target_groups), axis_label=_("人数"), category_label=_("类别")),
                _("一人可属多个类别，各类别之和可大于服务对象总数。"),
            )
        )
    if report.service_types:
        title = _("服务记录按服务类型（次）")
        charts.append(
            Chart(
                "service_types",
                len(charts) + 1,
                title,
                bar_chart(
                    title, _bars(report.service_types), axis_label=_("次数"), category_label=_("服务类型")
                ),
            )
        )
    if len(report.county_rows) > 1:
        title = _("各受援区县累计选派社工（人次）")
        bars = [_number_bar(row["name"], row["cells"][0]) for row in report.county_rows]
        charts.append(
            Chart(
                "counties",
                len(charts) + 1,
                title,
                bar_chart(
                    title, bars, axis_label=pgettext("dispatch count", "人次"), category_label=_("受援区县")
                ),
            )
        )
    return charts

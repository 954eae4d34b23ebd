"""Server-side SVG charts for the dashboard: no JavaScript, no chart library.

Each chart is a :class:`Chart`: an ``<svg role="img">`` with a ``<title>`` and
a ``<desc>`` (what a screen reader announces), and under it the same figures
as an HTML table (the accessible alternative, and what a reader copies into
Excel). The markup of both is well-formed XML, so tests parse it with
:mod:`xml.etree.ElementTree`. Counts are drawn as given: the charts never
round, extrapolate or guess.

Four shapes:

- :func:`bar_chart`: one horizontal bar per label (the backlog by state);
- :func:`stacked_bar_chart`: horizontal bars split into series (cases by
  sector, split by category);
- :func:`column_chart`: grouped columns over time with a line for their sum
  (decisions per month: approved, refused, total);
- :func:`histogram`: adjacent columns over ordered bins (processing days).

Colours are the Okabe-Ito palette (distinguishable with the common colour
vision deficiencies); every value is also printed, in the bar's ``<title>``
tooltip and in the table, so colour never carries a figure alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from visadesk.i18n import t
from visadesk.web.chart_svg import (
    WIDTH,
    Number,
    clip,
    data_table,
    empty_svg,
    formatter,
    legend,
    legend_rows,
    line,
    nice_ticks,
    num,
    rect,
    svg_root,
    text,
    x_axis,
    y_axis,
)

__all__ = [
    "PALETTE",
    "Chart",
    "Number",
    "Series",
    "bar_chart",
    "column_chart",
    "histogram",
    "markup",
    "stacked_bar_chart",
]

#: Okabe-Ito: safe for the common colour vision deficiencies, in this order.
PALETTE: Final = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


@dataclass(frozen=True, slots=True)
class Series:
    """One named row of values (one value per label of the chart), drawn in one colour."""

    key: str
    label: str
    values: tuple[float, ...]
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Chart:
    """A rendered chart: the SVG, the table, and the figure holding both."""

    id: str
    title: str
    desc: str
    svg: str
    table: str
    lang: str
    empty: bool

    @property
    def html(self) -> str:
        summary = escape(t("reports.chart.table", self.lang))
        return (
            f'<figure class="chart" id="chart-{self.id}" data-chart="{self.id}">'
            f'<figcaption class="chart-caption">{escape(self.title)}</figcaption>'
            f"{self.svg}"
            f'<details class="chart-data"><summary>{summary}</summary>{self.table}</details>'
            "</figure>"
        )

    def __html__(self) -> str:
        """Jinja2 prints the figure as it is (already escaped)."""
        return self.html

    def __str__(self) -> str:
        return self.html


# -- helpers ------------------------------------------------------------------------


def _drawn(  # noqa: PLR0917 - a chart's parts
    chart_id: str, title: str, desc: str, table: str, lang: str, svg: str
) -> Chart:
    return Chart(chart_id, title, desc, svg, table, lang, False)


def _empty(chart_id: str, title: str, desc: str, table: str, lang: str) -> Chart:
    return Chart(chart_id, title, desc, empty_svg(chart_id, title, desc, lang), table, lang, True)


def _colors(series: Sequence[Series]) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(f"series {s.key} has {len(s.values)} values for {len(labels)} labels")


# -- charts -------------------------------------------------------------------------


def bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    items: Sequence[tuple[str, float]],
    *,
    lang: str,
    label_header: str,
    value_header: str,
    number: Number | None = None,
    color: str = PALETTE[0],
) -> Chart:
    """One horizontal bar per ``(label, value)``, the value printed at its end."""
    fmt = formatter(lang, number)
    rows = [(label, (value,)) for label, value in items]
    table = data_table(title, [label_header, value_header], rows, fmt, lang=lang, total=True)
    if not items or not any(v for _, v in items):
        return _empty(chart_id, title, desc, table, lang)
    left, right, top, row = 170.0, 60.0, 8.0, 26.0
    height = top + row * len(items) + 24
    ticks = nice_ticks(max(v for _, v in items))
    scale = (WIDTH - left - right) / ticks[-1]
    bottom = top + row * len(items)
    body = x_axis(ticks, left, scale, top, bottom, fmt)
    for i, (label, value) in enumerate(items):
        y = top + i * row
        body.append(text(left - 8, y + row / 2 + 4, clip(label, left - 14), anchor="end"))
        body.append(rect(left, y + 4, value * scale, row - 8, color, f"{label}: {fmt(value)}"))
        body.append(text(left + value * scale + 5, y + row / 2 + 4, fmt(value)))
    body.append(line(left, top, left, bottom))
    return _drawn(chart_id, title, desc, table, lang, svg_root(chart_id, title, desc, height, body))


def stacked_bar_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    lang: str,
    label_header: str,
    number: Number | None = None,
) -> Chart:
    """Horizontal bars, one per label, split into ``series``; the row total at the end."""
    fmt = formatter(lang, number)
    _check(labels, series)
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    head = [label_header, *(s.label for s in series), t("reports.chart.total", lang)]
    rows = [(label, (*(s.values[i] for s in series), totals[i])) for i, label in enumerate(labels)]
    table = data_table(title, head, rows, fmt, lang=lang, total=True)
    if not labels or not any(totals):
        return _empty(chart_id, title, desc, table, lang)
    colors = _colors(series)
    left, right, row = 170.0, 60.0, 28.0
    top = 8 + 18 * legend_rows([s.label for s in series], 8) + 8
    bottom = top + row * len(labels)
    height = bottom + 24
    ticks = nice_ticks(max(totals))
    scale = (WIDTH - left - right) / ticks[-1]
    body = legend([s.label for s in series], colors, 8, 8)
    body += x_axis(ticks, left, scale, top, bottom, fmt)
    for i, label in enumerate(labels):
        y = top + i * row
        body.append(text(left - 8, y + row / 2 + 4, clip(label, left - 14), anchor="end"))
        x = left
        for s, color in zip(series, colors, strict=True):
            value = s.values[i]
            if value:
                tip = f"{label} · {s.label}: {fmt(value)}"
                body.append(rect(x, y + 4, value * scale, row - 8, color, tip))
                x += value * scale
        body.append(text(x + 5, y + row / 2 + 4, fmt(totals[i])))
    body.append(line(left, top, left, bottom))
    return _drawn(chart_id, title, desc, table, lang, svg_root(chart_id, title, desc, height, body))


def column_chart(
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    lang: str,
    label_header: str,
    number: Number | None = None,
    line_label: str | None = None,
) -> Chart:
    """Grouped columns per label (a period), and a line through the groups' sums
    when ``line_label`` names it."""
    fmt = formatter(lang, number)
    _check(labels, series)
    sums = [sum(s.values[i] for s in series) for i in range(len(labels))]
    head = [label_header, *(s.label for s in series)]
    rows = [(label, tuple(s.values[i] for s in series)) for i, label in enumerate(labels)]
    if line_label:
        head.append(line_label)
        rows = [(label, (*values, sums[i])) for i, (label, values) in enumerate(rows)]
    table = data_table(title, head, rows, fmt, lang=lang, total=True)
    if not labels or not any(sums):
        return _empty(chart_id, title, desc, table, lang)
    colors = _colors(series)
    shown = list(series)
    line_color = "#333333"
    if line_label:
        shown.append(Series("sum", line_label, tuple(sums), line_color))
    left, right = 48.0, 12.0
    top = 8 + 18 * legend_rows([s.label for s in shown], left) + 10
    plot = 200.0
    base = top + plot
    step = max(1, math.ceil(len(labels) / 12))  # at most 12 period labels under the axis
    height = base + 30
    peak = max(sums) if line_label else max(max(s.values) for s in series)
    ticks = nice_ticks(peak)
    scale = plot / ticks[-1]
    body = legend([s.label for s in shown], [*colors, line_color][: len(shown)], 8, left)
    body += y_axis(ticks, left, WIDTH - right, base, scale, fmt)
    group = (WIDTH - left - right) / len(labels)
    bar = min(28.0, group * 0.8 / max(1, len(series)))
    points = []
    for i, label in enumerate(labels):
        x0 = left + i * group + (group - bar * len(series)) / 2
        for j, (s, color) in enumerate(zip(series, colors, strict=True)):
            value = s.values[i]
            h = value * scale
            tip = f"{label} · {s.label}: {fmt(value)}"
            body.append(rect(x0 + j * bar, base - h, bar - 1, h, color, tip))
        centre = left + (i + 0.5) * group
        points.append((centre, base - sums[i] * scale))
        if i % step == 0:
            body.append(text(centre, base + 16, label, anchor="middle", size=11, fill="#555"))
    body.append(line(left, base, WIDTH - right, base))
    if line_label:
        path = " ".join(f"{num(x)},{num(y)}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{line_color}" stroke-width="2"/>'
        )
        for (x, y), label, value in zip(points, labels, sums, strict=True):
            body.append(
                f'<circle cx="{num(x)}" cy="{num(y)}" r="3.5" fill="{line_color}">'
                f"<title>{escape(f'{label} · {line_label}: {fmt(value)}')}</title></circle>"
            )
    return _drawn(chart_id, title, desc, table, lang, svg_root(chart_id, title, desc, height, body))


def histogram(
    chart_id: str,
    title: str,
    desc: str,
    bins: Sequence[tuple[str, float]],
    *,
    lang: str,
    label_header: str,
    value_header: str,
    number: Number | None = None,
    color: str = PALETTE[4],
    axis_label: str | None = None,
) -> Chart:
    """Adjacent columns over ordered bins (``(bin label, count)``), the count on top;
    ``axis_label`` names the bins' unit under the axis."""
    fmt = formatter(lang, number)
    rows = [(label, (value,)) for label, value in bins]
    table = data_table(title, [label_header, value_header], rows, fmt, lang=lang, total=True)
    if not bins or not any(v for _, v in bins):
        return _empty(chart_id, title, desc, table, lang)
    left, right, top, plot = 48.0, 12.0, 18.0, 180.0
    base = top + plot
    height = base + (48 if axis_label else 30)
    ticks = nice_ticks(max(v for _, v in bins))
    scale = plot / ticks[-1]
    body = y_axis(ticks, left, WIDTH - right, base, scale, fmt)
    width = (WIDTH - left - right) / len(bins)
    for i, (label, value) in enumerate(bins):
        x = left + i * width
        h = value * scale
        body.append(rect(x, base - h, width, h, color, f"{label}: {fmt(value)}"))
        body.append(line(x, base - h, x, base, "#fff", 1))
        if value:
            body.append(text(x + width / 2, base - h - 4, fmt(value), anchor="middle", size=11))
        body.append(
            text(x + width / 2, base + 16, clip(label, width - 2, 11), anchor="middle", size=11)
        )
    if axis_label:
        middle = left + (WIDTH - left - right) / 2
        body.append(text(middle, base + 38, axis_label, anchor="middle", fill="#444"))
    body.append(line(left, base, WIDTH - right, base))
    return _drawn(chart_id, title, desc, table, lang, svg_root(chart_id, title, desc, height, body))


def markup(chart: Chart) -> Markup:
    """The chart's figure as Jinja2 markup."""
    return Markup(chart.html)  # noqa: S704 - built from escaped parts above

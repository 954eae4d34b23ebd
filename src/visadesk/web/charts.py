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
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from visadesk.i18n import normalize_lang, t

__all__ = [
    "PALETTE",
    "Chart",
    "Series",
    "bar_chart",
    "column_chart",
    "histogram",
    "nice_ticks",
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
WIDTH: Final = 640
FONT: Final = 12
SVG_NS: Final = "http://www.w3.org/2000/svg"

Number = Callable[[float], str]


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


def _formatter(lang: str, number: Number | None) -> Number:
    if number is not None:
        return number
    locale = normalize_lang(lang)

    def fmt(value: float) -> str:
        return str(format_decimal(value, locale=locale))

    return fmt


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 covering ``maximum`` (steps of 1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if maximum >= 1 and step < 1:
        step = 1.0
    top = math.ceil(maximum / step - 1e-9) * step
    ticks = []
    value = 0.0
    while value <= top + step / 2:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _text_width(text: str, size: float = FONT) -> float:
    """An estimate of the drawn width: wide (Hangul, CJK) characters count double."""
    units = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)
    return units * size * 0.5


def _clip(text: str, width: float, size: float = FONT) -> str:
    if _text_width(text, size) <= width:
        return text
    out = ""
    for char in text:
        if _text_width(out + char + "…", size) > width:
            break
        out += char
    return out + "…"


def _n(value: float) -> str:
    """A coordinate, short: at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: float = FONT,
    css: str = "",
    fill: str = "#222",
) -> str:
    klass = f' class="{css}"' if css else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}" '
        f'fill="{fill}"{klass}>{escape(text)}</text>'
    )


def _rect(  # noqa: PLR0917 - the attributes a bar takes
    x: float, y: float, w: float, h: float, color: str, tip: str
) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" '
        f'fill="{color}"><title>{escape(tip)}</title></rect>'
    )


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="chart-svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, &#34;Noto Sans KR&#34;, &#34;Malgun Gothic&#34;, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _empty_svg(chart_id: str, title: str, desc: str, lang: str) -> str:
    body = [
        f'<rect x="0" y="0" width="{WIDTH}" height="60" fill="#f6f6f6"/>',
        _text(WIDTH / 2, 35, t("reports.chart.empty", lang), anchor="middle", fill="#555"),
    ]
    return _svg(chart_id, title, desc, 60, body)


def _empty(chart_id: str, title: str, desc: str, table: str, lang: str) -> Chart:
    return Chart(chart_id, title, desc, _empty_svg(chart_id, title, desc, lang), table, lang, True)


def _legend(series: Sequence[Series], colors: Sequence[str], y: float, left: float) -> list[str]:
    """Swatches and names in a row (wrapping); returns the SVG parts."""
    parts, x, row = [], left, 0
    for s, color in zip(series, colors, strict=True):
        width = 18 + _text_width(s.label) + 16
        if x + width > WIDTH and x > left:
            x, row = left, row + 1
        top = y + row * 18
        parts.append(f'<rect x="{_n(x)}" y="{_n(top)}" width="12" height="12" fill="{color}"/>')
        parts.append(_text(x + 17, top + 10.5, s.label))
        x += width
    return parts


def _legend_rows(series: Sequence[Series], left: float) -> int:
    x, rows = left, 1
    for s in series:
        width = 18 + _text_width(s.label) + 16
        if x + width > WIDTH and x > left:
            x, rows = left, rows + 1
        x += width
    return rows


def _colors(series: Sequence[Series]) -> list[str]:
    return [s.color or PALETTE[i % len(PALETTE)] for i, s in enumerate(series)]


def _table(
    title: str,
    head: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float]]],
    fmt: Number,
    *,
    lang: str,
    total: bool,
) -> str:
    """The chart's figures as a table: one row per label, a total row when asked."""
    out = [f'<table class="chart-table"><caption>{escape(title)}</caption><thead><tr>']
    out.extend(f'<th scope="col">{escape(h)}</th>' for h in head)
    out.append("</tr></thead><tbody>")
    if not rows:
        out.append(
            f'<tr><td colspan="{len(head)}">{escape(t("reports.chart.empty", lang))}</td></tr>'
        )
    for label, values in rows:
        out.append(f'<tr><th scope="row">{escape(label)}</th>')
        out.extend(f'<td data-value="{_n(v)}">{escape(fmt(v))}</td>' for v in values)
        out.append("</tr>")
    out.append("</tbody>")
    if total and rows:
        sums = [sum(values[i] for _, values in rows) for i in range(len(rows[0][1]))]
        out.append(f'<tfoot><tr><th scope="row">{escape(t("reports.chart.total", lang))}</th>')
        out.extend(f'<td data-value="{_n(v)}">{escape(fmt(v))}</td>' for v in sums)
        out.append("</tr></tfoot>")
    out.append("</table>")
    return "".join(out)


def _x_axis(  # noqa: PLR0917 - an axis's geometry
    ticks: Sequence[float], left: float, scale: float, top: float, bottom: float, fmt: Number
) -> list[str]:
    parts = []
    for tick in ticks:
        x = left + tick * scale
        parts.append(
            f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" '
            'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(_text(x, bottom + 14, fmt(tick), anchor="middle", size=11, fill="#555"))
    return parts


def _y_axis(  # noqa: PLR0917 - an axis's geometry
    ticks: Sequence[float], left: float, right: float, base: float, scale: float, fmt: Number
) -> list[str]:
    parts = []
    for tick in ticks:
        y = base - tick * scale
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" '
            'stroke="#ddd" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, fmt(tick), anchor="end", size=11, fill="#555"))
    return parts


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
    fmt = _formatter(lang, number)
    rows = [(label, (value,)) for label, value in items]
    table = _table(title, [label_header, value_header], rows, fmt, lang=lang, total=True)
    if not items or not any(v for _, v in items):
        return _empty(chart_id, title, desc, table, lang)
    left, right, top, row = 170.0, 60.0, 8.0, 26.0
    height = top + row * len(items) + 24
    ticks = nice_ticks(max(v for _, v in items))
    scale = (WIDTH - left - right) / ticks[-1]
    bottom = top + row * len(items)
    body = _x_axis(ticks, left, scale, top, bottom, fmt)
    for i, (label, value) in enumerate(items):
        y = top + i * row
        body.append(_text(left - 8, y + row / 2 + 4, _clip(label, left - 14), anchor="end"))
        body.append(_rect(left, y + 4, value * scale, row - 8, color, f"{label}: {fmt(value)}"))
        body.append(_text(left + value * scale + 5, y + row / 2 + 4, fmt(value)))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="#555"/>'
    )
    svg = _svg(chart_id, title, desc, height, body)
    return Chart(chart_id, title, desc, svg, table, lang, False)


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
    fmt = _formatter(lang, number)
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(f"series {s.key} has {len(s.values)} values for {len(labels)} labels")
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    head = [label_header, *(s.label for s in series), t("reports.chart.total", lang)]
    rows = [(label, (*(s.values[i] for s in series), totals[i])) for i, label in enumerate(labels)]
    table = _table(title, head, rows, fmt, lang=lang, total=True)
    if not labels or not any(totals):
        return _empty(chart_id, title, desc, table, lang)
    colors = _colors(series)
    left, right, row = 170.0, 60.0, 28.0
    top = 8 + 18 * _legend_rows(series, 8) + 8
    bottom = top + row * len(labels)
    height = bottom + 24
    ticks = nice_ticks(max(totals))
    scale = (WIDTH - left - right) / ticks[-1]
    body = _legend(series, colors, 8, 8)
    body += _x_axis(ticks, left, scale, top, bottom, fmt)
    for i, label in enumerate(labels):
        y = top + i * row
        body.append(_text(left - 8, y + row / 2 + 4, _clip(label, left - 14), anchor="end"))
        x = left
        for s, color in zip(series, colors, strict=True):
            value = s.values[i]
            if value:
                tip = f"{label} · {s.label}: {fmt(value)}"
                body.append(_rect(x, y + 4, value * scale, row - 8, color, tip))
                x += value * scale
        body.append(_text(x + 5, y + row / 2 + 4, fmt(totals[i])))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(top)}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="#555"/>'
    )
    svg = _svg(chart_id, title, desc, height, body)
    return Chart(chart_id, title, desc, svg, table, lang, False)


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
    fmt = _formatter(lang, number)
    for s in series:
        if len(s.values) != len(labels):
            raise ValueError(f"series {s.key} has {len(s.values)} values for {len(labels)} labels")
    sums = [sum(s.values[i] for s in series) for i in range(len(labels))]
    head = [label_header, *(s.label for s in series)]
    rows = [(label, tuple(s.values[i] for s in series)) for i, label in enumerate(labels)]
    if line_label:
        head.append(line_label)
        rows = [(label, (*values, sums[i])) for i, (label, values) in enumerate(rows)]
    table = _table(title, head, rows, fmt, lang=lang, total=True)
    if not labels or not any(sums):
        return _empty(chart_id, title, desc, table, lang)
    colors = _colors(series)
    shown = list(series)
    line_color = "#333333"
    if line_label:
        shown.append(Series("sum", line_label, tuple(sums), line_color))
    left, right = 48.0, 12.0
    top = 8 + 18 * _legend_rows(shown, left) + 10
    plot = 200.0
    base = top + plot
    step = max(1, math.ceil(len(labels) / 12))  # at most 12 period labels under the axis
    height = base + 30
    peak = max(sums) if line_label else max(max(s.values) for s in series)
    ticks = nice_ticks(peak)
    scale = plot / ticks[-1]
    body = _legend(shown, [*colors, line_color][: len(shown)], 8, left)
    body += _y_axis(ticks, left, WIDTH - right, base, scale, fmt)
    group = (WIDTH - left - right) / len(labels)
    bar = min(28.0, group * 0.8 / max(1, len(series)))
    points = []
    for i, label in enumerate(labels):
        x0 = left + i * group + (group - bar * len(series)) / 2
        for j, (s, color) in enumerate(zip(series, colors, strict=True)):
            value = s.values[i]
            h = value * scale
            tip = f"{label} · {s.label}: {fmt(value)}"
            body.append(_rect(x0 + j * bar, base - h, bar - 1, h, color, tip))
        centre = left + (i + 0.5) * group
        points.append((centre, base - sums[i] * scale))
        if i % step == 0:
            body.append(_text(centre, base + 16, label, anchor="middle", size=11, fill="#555"))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(WIDTH - right)}" y2="{_n(base)}" '
        'stroke="#555"/>'
    )
    if line_label:
        path = " ".join(f"{_n(x)},{_n(y)}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{line_color}" stroke-width="2"/>'
        )
        for (x, y), label, value in zip(points, labels, sums, strict=True):
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{line_color}">'
                f"<title>{escape(f'{label} · {line_label}: {fmt(value)}')}</title></circle>"
            )
    svg = _svg(chart_id, title, desc, height, body)
    return Chart(chart_id, title, desc, svg, table, lang, False)


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
    fmt = _formatter(lang, number)
    rows = [(label, (value,)) for label, value in bins]
    table = _table(title, [label_header, value_header], rows, fmt, lang=lang, total=True)
    if not bins or not any(v for _, v in bins):
        return _empty(chart_id, title, desc, table, lang)
    left, right, top, plot = 48.0, 12.0, 18.0, 180.0
    base = top + plot
    height = base + (48 if axis_label else 30)
    ticks = nice_ticks(max(v for _, v in bins))
    scale = plot / ticks[-1]
    body = _y_axis(ticks, left, WIDTH - right, base, scale, fmt)
    width = (WIDTH - left - right) / len(bins)
    for i, (label, value) in enumerate(bins):
        x = left + i * width
        h = value * scale
        body.append(_rect(x, base - h, width, h, color, f"{label}: {fmt(value)}"))
        body.append(
            f'<line x1="{_n(x)}" y1="{_n(base - h)}" x2="{_n(x)}" y2="{_n(base)}" '
            'stroke="#fff" stroke-width="1"/>'
        )
        if value:
            body.append(_text(x + width / 2, base - h - 4, fmt(value), anchor="middle", size=11))
        body.append(
            _text(x + width / 2, base + 16, _clip(label, width - 2, 11), anchor="middle", size=11)
        )
    if axis_label:
        middle = left + (WIDTH - left - right) / 2
        body.append(_text(middle, base + 38, axis_label, anchor="middle", fill="#444"))
    body.append(
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(WIDTH - right)}" y2="{_n(base)}" '
        'stroke="#555"/>'
    )
    svg = _svg(chart_id, title, desc, height, body)
    return Chart(chart_id, title, desc, svg, table, lang, False)


def markup(chart: Chart) -> Markup:
    """The chart's figure as Jinja2 markup."""
    return Markup(chart.html)  # noqa: S704 - built from escaped parts above

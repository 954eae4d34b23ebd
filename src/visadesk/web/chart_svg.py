"""The drawing kit of the dashboard's charts: SVG elements as strings, axes, legends,
and the table that carries a chart's figures.

Everything here returns well-formed, escaped markup; :mod:`visadesk.web.charts`
composes it into charts. Coordinates print with at most one decimal.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Sequence
from typing import Final

from babel.numbers import format_decimal
from markupsafe import escape

from visadesk.i18n import normalize_lang, t

__all__ = [
    "FONT",
    "WIDTH",
    "Number",
    "clip",
    "data_table",
    "empty_svg",
    "formatter",
    "legend",
    "legend_rows",
    "line",
    "nice_ticks",
    "num",
    "rect",
    "svg_root",
    "text",
    "text_width",
    "x_axis",
    "y_axis",
]

WIDTH: Final = 640
FONT: Final = 12
SVG_NS: Final = "http://www.w3.org/2000/svg"

Number = Callable[[float], str]


def formatter(lang: str, number: Number | None) -> Number:
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


def text_width(text: str, size: float = FONT) -> float:
    """An estimate of the drawn width: wide (Hangul, CJK) characters count double."""
    units = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1.1 for c in text)
    return units * size * 0.5


def clip(text: str, width: float, size: float = FONT) -> str:
    if text_width(text, size) <= width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…", size) > width:
            break
        out += char
    return out + "…"


def num(value: float) -> str:
    """A coordinate, short: at most one decimal."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def text(
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
        f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" font-size="{num(size)}" '
        f'fill="{fill}"{klass}>{escape(text)}</text>'
    )


def rect(  # noqa: PLR0917 - the attributes a bar takes
    x: float, y: float, w: float, h: float, color: str, tip: str
) -> str:
    return (
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(w, 0))}" height="{num(max(h, 0))}" '
        f'fill="{color}"><title>{escape(tip)}</title></rect>'
    )


def svg_root(chart_id: str, title: str, desc: str, height: float, body: list[str]) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" class="chart-svg" viewBox="0 0 {WIDTH} {num(height)}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="system-ui, &#34;Noto Sans KR&#34;, &#34;Malgun Gothic&#34;, sans-serif">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def empty_svg(chart_id: str, title: str, desc: str, lang: str) -> str:
    body = [
        f'<rect x="0" y="0" width="{WIDTH}" height="60" fill="#f6f6f6"/>',
        text(WIDTH / 2, 35, t("reports.chart.empty", lang), anchor="middle", fill="#555"),
    ]
    return svg_root(chart_id, title, desc, 60, body)


def line(  # noqa: PLR0917 - a line's geometry
    x1: float, y1: float, x2: float, y2: float, stroke: str = "#555", width: float | None = None
) -> str:
    thickness = f' stroke-width="{num(width)}"' if width is not None else ""
    return (
        f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
        f'stroke="{stroke}"{thickness}/>'
    )


def legend(labels: Sequence[str], colors: Sequence[str], y: float, left: float) -> list[str]:
    """Swatches and names in a row (wrapping); returns the SVG parts."""
    parts, x, row = [], left, 0
    for label, color in zip(labels, colors, strict=True):
        width = 18 + text_width(label) + 16
        if x + width > WIDTH and x > left:
            x, row = left, row + 1
        top = y + row * 18
        parts.append(f'<rect x="{num(x)}" y="{num(top)}" width="12" height="12" fill="{color}"/>')
        parts.append(text(x + 17, top + 10.5, label))
        x += width
    return parts


def legend_rows(labels: Sequence[str], left: float) -> int:
    x, rows = left, 1
    for label in labels:
        width = 18 + text_width(label) + 16
        if x + width > WIDTH and x > left:
            x, rows = left, rows + 1
        x += width
    return rows


def data_table(
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
        out.extend(f'<td data-value="{num(v)}">{escape(fmt(v))}</td>' for v in values)
        out.append("</tr>")
    out.append("</tbody>")
    if total and rows:
        sums = [sum(values[i] for _, values in rows) for i in range(len(rows[0][1]))]
        out.append(f'<tfoot><tr><th scope="row">{escape(t("reports.chart.total", lang))}</th>')
        out.extend(f'<td data-value="{num(v)}">{escape(fmt(v))}</td>' for v in sums)
        out.append("</tr></tfoot>")
    out.append("</table>")
    return "".join(out)


def x_axis(  # noqa: PLR0917 - an axis's geometry
    ticks: Sequence[float], left: float, scale: float, top: float, bottom: float, fmt: Number
) -> list[str]:
    parts = []
    for tick in ticks:
        x = left + tick * scale
        parts.append(line(x, top, x, bottom, "#ddd", 1))
        parts.append(text(x, bottom + 14, fmt(tick), anchor="middle", size=11, fill="#555"))
    return parts


def y_axis(  # noqa: PLR0917 - an axis's geometry
    ticks: Sequence[float], left: float, right: float, base: float, scale: float, fmt: Number
) -> list[str]:
    parts = []
    for tick in ticks:
        y = base - tick * scale
        parts.append(line(left, y, right, y, "#ddd", 1))
        parts.append(text(left - 6, y + 4, fmt(tick), anchor="end", size=11, fill="#555"))
    return parts

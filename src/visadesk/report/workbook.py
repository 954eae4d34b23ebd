"""The screening workbook people read: one row per person in the reader's language.

:func:`fill_readable` fills a fresh workbook with three sheets:

- the screening sheet: a traffic light (green / amber / red, as a word and as a
  conditional colour, so it prints and reads without colour), the worker id,
  the English and the Korean name, employer, project, trip dates, the
  recommended status, when the visa can be in hand, a verdict per status,
  flags, missing facts and reasons, every header and value in the reader's
  language; header row frozen with the light, id and names, and an autofilter;
- the summary sheet: the notice in both languages, the rule set, the date and
  the counts;
- the legend: every rule the workbook cites (rule id, citation, title, text in
  the reader's language, source address), what each light means, the notice.

The codes, statuses and rule ids of the CSV/JSON contract (``docs/roster.md``)
are unchanged: this is a presentation of the same results. ``write_xlsx(...,
layout="codes")`` in :mod:`visadesk.report.tables` still writes the code-header
layout for programs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from visadesk.engine.result import CategoryVerdict, ScreeningResult, Status
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.report.summary import Summary, summarize
from visadesk.roster.schema import COLUMN_BY_NAME
from visadesk.roster.write import header_for

__all__ = ["LIGHTS", "fill_readable", "light_of", "rules_cited", "summary_head"]

#: Green: some status is eligible; amber: none is, some need information; red: none can be.
LIGHTS: Final = ("green", "amber", "red")

#: Excel's "Good", "Neutral" and "Bad" cell colours: (fill, text).
_COLOURS: Final = {
    "green": ("C6EFCE", "006100"),
    "amber": ("FFEB9C", "9C5700"),
    "red": ("FFC7CE", "9C0006"),
}
_STATUS_LIGHT: Final = {"eligible": "green", "needs_info": "amber", "ineligible": "red"}
_BOLD: Final = Font(bold=True)
_WRAP: Final = Alignment(wrap_text=True, vertical="top")
_TOP: Final = Alignment(vertical="top")


def light_of(result: ScreeningResult) -> str:
    """The person's traffic light (the same rule as the web pages' lights)."""
    statuses = {v.status for v in result.verdicts.values()}
    if Status.ELIGIBLE in statuses:
        return "green"
    if Status.NEEDS_INFO in statuses:
        return "amber"
    return "red"


def fact_label(name: str, lang: str) -> str:
    """A roster column as the reader's roster names it: its Korean header in Korean."""
    column = COLUMN_BY_NAME.get(name)
    if column is None:
        return name
    return header_for(column, korean=lang == "ko")


def rules_cited(results: Sequence[ScreeningResult]) -> list[str]:
    """Every rule id the workbook cites: deciding checks, provisions relied on, flags."""
    ids: set[str] = set()
    for r in results:
        for verdict in r.verdicts.values():
            ids.update(c.rule for c in verdict.deciding())
            ids.update(verdict.basis)
        ids.update(f.code for f in r.flags)
    return sorted(ids)


@dataclass(frozen=True, slots=True)
class _Col:
    header: str
    width: float
    kind: str = "text"  # text, date, wrap, light, status


class _Sheet:
    """The screening sheet's columns and rows for one language."""

    def __init__(self, policy: Policy, results: Sequence[ScreeningResult], lang: str) -> None:
        self.policy = policy
        self.lang = lang
        self.renderer = ResultRenderer(policy, results[0].as_of if results else dt.date.today())
        self.categories = list(dict.fromkeys(c for r in results for c in r.verdicts))

    def word(self, key: str, **params: object) -> str:
        return t(key, self.lang, **params)

    def columns(self) -> list[_Col]:
        w = self.word
        return [
            _Col(w("workbook.col.light"), 10, "light"),
            _Col(w("workbook.col.worker_id"), 12),
            _Col(w("workbook.col.name_en"), 22),
            _Col(w("workbook.col.name_ko"), 12),
            _Col(w("workbook.col.employer"), 24),
            _Col(w("workbook.col.project"), 22),
            _Col(w("workbook.col.trip_start"), 12, "date"),
            _Col(w("workbook.col.trip_end"), 12, "date"),
            _Col(w("workbook.col.recommended"), 26),
            _Col(w("workbook.col.ready_by"), 14, "date"),
            _Col(w("workbook.col.ready_in_time"), 12),
            *(_Col(w("workbook.col.status", category=c), 12, "status") for c in self.categories),
            _Col(w("workbook.col.flags"), 50, "wrap"),
            _Col(w("workbook.col.missing"), 30, "wrap"),
            _Col(w("workbook.col.reasons"), 80, "wrap"),
            _Col(w("workbook.col.annotation"), 50, "wrap"),
            _Col(w("workbook.col.row"), 8),
        ]

    def status(self, verdict: CategoryVerdict | None) -> str:
        return "" if verdict is None else t(f"status.{verdict.status.value}", self.lang)

    def category_title(self, cid: str | None) -> str:
        if cid is None:
            return self.word("workbook.none")
        category = self.policy.categories.get(cid)
        return category.title.get(self.lang) if category else cid

    def reasons(self, result: ScreeningResult) -> str:
        lines: list[str] = []
        for cid, verdict in result.verdicts.items():
            parts = []
            for check in verdict.deciding():
                reason = self.renderer.reason(check, self.lang)
                parts.append(f"{reason['rule']} [{reason['citation']}] {reason['message']}")
            if verdict.missing:
                facts = ", ".join(fact_label(f, self.lang) for f in verdict.missing)
                parts.append(t("report.missing", self.lang, facts=facts))
            lines.append(f"{cid} {self.status(verdict)}: " + " | ".join(parts))
        return "\n".join(lines)

    def flags(self, result: ScreeningResult) -> str:
        out = []
        for f in result.flags:
            message = self.renderer.flag(f.code, f.severity, self.lang)["message"]
            severity = self.word(f"workbook.severity.{f.severity}")
            out.append(f"{message} ({severity})")
        return "\n".join(out)

    def row(self, r: ScreeningResult) -> list[Any]:
        f = r.facts
        name_en = " ".join(str(f.get(k) or "") for k in ("family_name", "given_name")).strip()
        in_time = "" if r.ready_in_time is None else self.word(f"workbook.{r.ready_in_time}")
        return [
            self.word(f"workbook.light.{light_of(r)}"),
            r.worker_id,
            name_en,
            f.get("name_ko") or "",
            f.get("employer") or "",
            f.get("project") or "",
            f.get("trip_start"),
            f.get("trip_end"),
            self.category_title(r.recommended),
            r.ready_by,
            in_time,
            *(self.status(r.verdicts.get(c)) for c in self.categories),
            self.flags(r),
            "; ".join(fact_label(m, self.lang) for m in r.missing),
            self.reasons(r),
            self.renderer.annotation(r, self.lang) or "",
            r.row,
        ]


def _lines(text: str, width: float) -> int:
    """About how many lines ``text`` wraps to in a column ``width`` characters wide."""
    total = 0
    for line in text.split("\n"):
        chars = sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)  # CJK is twice as wide
        total += max(1, math.ceil(chars / max(width - 1, 1)))
    return total


def _fit_rows(sheet: Worksheet, widths: dict[int, float], first: int = 2, cap: int = 40) -> None:
    """Row heights that show up to ``cap`` wrapped lines (spreadsheets do not grow rows
    on open); a longer cell shows the rest when selected."""
    for number, row in enumerate(sheet.iter_rows(min_row=first), start=first):
        lines = max(
            (
                _lines(c.value, widths[c.column])
                for c in row
                if isinstance(c.value, str) and c.column in widths
            ),
            default=1,
        )
        if lines > 1:
            sheet.row_dimensions[number].height = 15 * min(lines, cap)


def _colour_rules(sheet: Worksheet, ref: str, words: dict[str, str]) -> None:
    """Conditional colours on ``ref``: each light's word gets its colour."""
    for light, word in words.items():
        fill, text = _COLOURS[light]
        rule = CellIsRule(  # type: ignore[no-untyped-call]
            operator="equal",
            formula=['"' + word.replace('"', '""') + '"'],
            fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"),
            font=Font(color=text, bold=True),
        )
        sheet.conditional_formatting.add(ref, rule)


def _screening(
    book: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str
) -> None:
    sheet = book.active
    assert sheet is not None
    sheet.title = t("report.sheet.screening", lang)
    build = _Sheet(policy, results, lang)
    columns = build.columns()
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    head_lines = max(_lines(c.header, c.width) for c in columns)
    sheet.row_dimensions[1].height = 15 * head_lines
    for r in results:
        sheet.append(build.row(r))
    last = max(sheet.max_row, 2)
    for index, col in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = col.width
        cells = sheet[letter][1:]
        for cell in cells:
            if col.kind == "date":
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = _WRAP if col.kind == "wrap" else _TOP
        ref = f"{letter}2:{letter}{last}"
        if col.kind == "light":
            words = {light: t(f"workbook.light.{light}", lang) for light in LIGHTS}
            _colour_rules(sheet, ref, words)
        elif col.kind == "status":
            words = {light: t(f"status.{s}", lang) for s, light in _STATUS_LIGHT.items()}
            _colour_rules(sheet, ref, words)
    wrapped = {i: c.width for i, c in enumerate(columns, start=1) if c.kind == "wrap"}
    _fit_rows(sheet, wrapped, cap=4)
    sheet.freeze_panes = "E2"  # the header row; the light, id and both names
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    _print_setup(sheet)
    sheet.print_title_cols = "A:D"  # every printed page says whose row it is


def _print_setup(sheet: Worksheet) -> None:
    """A4 landscape, the header row repeated on every printed page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"


def summary_head(
    book: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str
) -> tuple[Worksheet, Summary]:
    """The summary sheet's head, the same in both layouts: the notice in both languages,
    the rule set, the screening date and the number of rows; the summary for the rest."""
    summary = summarize(results)
    info = book.create_sheet(t("report.sheet.summary", lang))
    info.append([policy.notice.en])
    info.append([policy.notice.ko])
    info.append([])
    info.append([t("report.policy", lang), policy.version])
    if results:
        info.append([t("report.as_of", lang), results[0].as_of])
        info["B5"].number_format = "yyyy-mm-dd"
    info.append([t("report.rows", lang), summary.rows])
    info.append([])
    return info, summary


def _summary(book: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str) -> None:
    info, summary = summary_head(book, results, policy, lang)
    statuses = ("eligible", "needs_info", "ineligible")
    head = [t("workbook.col.category", lang), *(t(f"status.{s}", lang) for s in statuses)]
    info.append(head)
    for cid, counts in summary.by_category.items():
        title = policy.categories[cid].title.get(lang) if cid in policy.categories else cid
        info.append([title, *(counts.get(Status(s), 0) for s in statuses)])
    info.append([])
    info.append([t("workbook.col.recommended", lang), t("report.count", lang)])
    for cid, count in summary.recommended.most_common():
        known = cid in policy.categories
        info.append(
            [policy.categories[cid].title.get(lang) if known else t("workbook.none", lang), count]
        )
    info.append([])
    info.append([t("workbook.col.flags", lang), t("report.count", lang)])
    renderer = ResultRenderer(policy, results[0].as_of) if results else None
    for code, count in summary.flags.most_common():
        assert renderer is not None
        info.append([renderer.flag(code, "", lang)["message"], count])
    info.column_dimensions["A"].width = 60
    info.column_dimensions["B"].width = 14
    for row in info.iter_rows(max_col=1):
        row[0].alignment = _WRAP
    _fit_rows(info, {1: 60}, first=1)


def _legend(book: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str) -> None:
    legend = book.create_sheet(t("workbook.sheet.legend", lang))
    keys = ("rule", "citation", "title", "text", "source")
    legend.append([t(f"workbook.legend.{k}", lang) for k in keys])
    for cell in legend[1]:
        cell.font = _BOLD
    day = results[0].as_of if results else dt.date.today()
    for rule_id in rules_cited(results):
        rule = policy.rule(rule_id)
        legend.append(
            [
                rule.id,
                str(rule.citation),
                rule.title.get(lang),
                policy.format(rule.message, lang, day),
                rule.citation.url or "",
            ]
        )
    last = legend.max_row
    for letter, width in zip("ABCDE", (34, 26, 36, 80, 40), strict=True):
        legend.column_dimensions[letter].width = width
        for cell in legend[letter][1:]:
            cell.alignment = _WRAP
    legend.freeze_panes = "A2"
    _print_setup(legend)
    legend.auto_filter.ref = f"A1:E{max(last, 2)}"
    legend.append([])
    legend.append([t("workbook.col.light", lang)])
    legend.cell(legend.max_row, 1).font = _BOLD
    for light in LIGHTS:
        legend.append(
            [t(f"workbook.light.{light}", lang), t(f"workbook.light_means.{light}", lang)]
        )
    _colour_rules(
        legend,
        f"A{last + 3}:A{last + 2 + len(LIGHTS)}",
        {light: t(f"workbook.light.{light}", lang) for light in LIGHTS},
    )
    legend.append([])
    legend.append([policy.notice.get(lang)])
    legend.merge_cells(
        start_row=legend.max_row, start_column=1, end_row=legend.max_row, end_column=4
    )
    legend.cell(legend.max_row, 1).alignment = _WRAP
    _fit_rows(legend, {1: 34, 2: 26, 3: 36, 4: 80}, first=2)


def fill_readable(
    book: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str
) -> None:
    """The screening, summary and legend sheets of ``results`` in ``lang``."""
    _screening(book, results, policy, lang)
    _summary(book, results, policy, lang)
    _legend(book, results, policy, lang)

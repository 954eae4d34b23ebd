"""Screening results as spreadsheets: one row per person, a summary sheet, both languages.

The CSV (:func:`write_csv`) keeps the code headers and values of the output
contract; the workbook (:func:`write_xlsx`) is written for people in the
reader's language (:mod:`visadesk.report.workbook`), or with the CSV's columns
(``layout="codes"``).

Files are written atomically: a reader never sees half a workbook.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, Literal, get_args

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from visadesk.atomic import atomic_path
from visadesk.engine.result import ScreeningResult
from visadesk.i18n import normalize_lang, t
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.report.workbook import fill_readable, summary_head
from visadesk.safecells import csv_cell, neutralise_workbook

__all__ = ["LAYOUTS", "Layout", "result_rows", "write_csv", "write_xlsx"]


def _reasons(renderer: ResultRenderer, result: ScreeningResult, lang: str) -> str:
    lines: list[str] = []
    for cid, verdict in result.verdicts.items():
        status = t(f"status.{verdict.status.value}", lang)
        parts = []
        for check in verdict.deciding():
            reason = renderer.reason(check, lang)
            parts.append(f"{reason['rule']} [{reason['citation']}] {reason['message']}")
        if verdict.missing:
            parts.append(t("report.missing", lang, facts=", ".join(verdict.missing)))
        lines.append(f"{cid} {status}: " + " | ".join(parts))
    return "\n".join(lines)


def result_rows(
    results: Sequence[ScreeningResult], policy: Policy, lang: str = "en"
) -> list[dict[str, Any]]:
    """Flat rows: one per person, status per category, reasons in English and Korean."""
    if not results:
        return []
    renderer = ResultRenderer(policy, results[0].as_of, lang)
    rows: list[dict[str, Any]] = []
    for r in results:
        row: dict[str, Any] = {
            "worker_id": r.worker_id,
            "row": r.row,
            "family_name": r.facts.get("family_name"),
            "given_name": r.facts.get("given_name"),
            "employer": r.facts.get("employer"),
            "project": r.facts.get("project"),
            "trip_start": r.facts.get("trip_start"),
            "trip_end": r.facts.get("trip_end"),
            "recommended": r.recommended or "",
            "ready_by": r.ready_by,
            "ready_in_time": ""
            if r.ready_in_time is None
            else ("yes" if r.ready_in_time else "no"),
        }
        for cid, verdict in r.verdicts.items():
            row[f"status_{cid}"] = verdict.status.value
        row["flags"] = "; ".join(f"{f.code} ({f.severity})" for f in r.flags)
        row["missing"] = "; ".join(r.missing)
        row["reasons_en"] = _reasons(renderer, r, "en")
        row["reasons_ko"] = _reasons(renderer, r, "ko")
        row["annotation"] = renderer.annotation(r, "en") or ""
        row["notice"] = policy.notice.en + " / " + policy.notice.ko
        rows.append(row)
    return rows


def write_csv(
    path: Path, results: Sequence[ScreeningResult], policy: Policy, lang: str = "en"
) -> None:
    """CSV in UTF-8 with a BOM, so Excel in Korea opens the Korean text correctly.

    Text that a spreadsheet would run as a formula starts with ``'`` (:mod:`visadesk.safecells`).
    """
    rows = result_rows(results, policy, lang)
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        fields = list(rows[0]) if rows else ["worker_id", "notice"]
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if v is None else csv_cell(v)) for k, v in row.items()})


#: The workbook layouts: ``readable`` (the reader's language, for people) and ``codes``
#: (the CSV's code headers and values, for programs).
Layout = Literal["readable", "codes"]
LAYOUTS: Final[tuple[Layout, ...]] = get_args(Layout)


def write_xlsx(
    path: Path,
    results: Sequence[ScreeningResult],
    policy: Policy,
    lang: str = "en",
    *,
    layout: Layout = "readable",
) -> None:
    """A workbook of the screening, written atomically.

    ``readable`` (the default): headers, statuses, flags and reasons in ``lang``,
    a traffic-light column, both names, autofilter and frozen header, a summary
    and a legend of the rules cited (:mod:`visadesk.report.workbook`).
    ``codes``: the CSV's columns (:func:`result_rows`) with their code headers and a
    summary sheet, as before issue #12.

    No cell is a formula: formula-like text is a literal text cell (:mod:`visadesk.safecells`).
    """
    wb = Workbook()
    if layout == "readable":
        fill_readable(wb, results, policy, normalize_lang(lang))
    else:
        _fill_codes(wb, results, policy, lang)
    neutralise_workbook(wb)
    with atomic_path(path) as tmp:
        wb.save(tmp)


def _fill_codes(
    wb: Workbook, results: Sequence[ScreeningResult], policy: Policy, lang: str
) -> None:
    rows = result_rows(results, policy, lang)
    sheet = wb.active
    assert sheet is not None
    sheet.title = t("report.sheet.screening", lang)
    fields = list(rows[0]) if rows else ["worker_id"]
    sheet.append(fields)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row[f] for f in fields])
    for index, name in enumerate(fields, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 60 if name.startswith("reasons") else 16
        if name in ("trip_start", "trip_end", "ready_by"):
            for cell in sheet[letter][1:]:
                cell.number_format = "yyyy-mm-dd"
        if name.startswith("reasons"):
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"

    info, summary = summary_head(wb, results, policy, lang)
    info.append(
        [
            t("report.category", lang),
            *(t(f"status.{s}", lang) for s in ("eligible", "needs_info", "ineligible")),
        ]
    )
    for cid, counts in summary.by_category.items():
        info.append([cid, *(counts.get(s, 0) for s in ("eligible", "needs_info", "ineligible"))])  # type: ignore[call-overload]
    info.append([])
    info.append([t("report.recommended", lang), t("report.count", lang)])
    for cid, count in summary.recommended.most_common():
        info.append([cid, count])
    info.append([])
    info.append([t("report.flag", lang), t("report.count", lang)])
    for code, count in summary.flags.most_common():
        info.append([code, count])
    info.column_dimensions["A"].width = 40

"""What-if results for people: a JSON document and a workbook, both with the notice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from visadesk.atomic import atomic_path
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report.whatif_result import WhatIf
from visadesk.safecells import neutralise_workbook

__all__ = ["whatif_document", "write_whatif_xlsx"]


def whatif_document(result: WhatIf, proposed: Policy) -> dict[str, Any]:
    return {
        "notice": {"en": proposed.notice.en, "ko": proposed.notice.ko},
        "baseline": result.baseline,
        "proposed": result.proposed,
        "as_of": result.as_of.isoformat(),
        "rows": result.rows,
        "statuses": {
            cid: {s: {"baseline": b, "proposed": p} for s, (b, p) in counts.items()}
            for cid, counts in result.statuses.items()
        },
        "recommended": {
            k: {"baseline": b, "proposed": p} for k, (b, p) in result.recommended.items()
        },
        "changes": [
            {
                "worker_id": c.worker_id,
                "row": c.row,
                "recommended": {"baseline": c.recommended_before, "proposed": c.recommended_after},
                "statuses": [
                    {"category": k, "baseline": b, "proposed": p} for k, b, p in c.statuses
                ],
                "why": list(c.why),
            }
            for c in result.changes
        ],
        "caps": [
            {
                "category": u.category,
                "demand": u.demand,
                "period": u.period,
                "cap": u.cap,
                "used": u.used,
                "exhausted_on": u.exhausted_on.isoformat() if u.exhausted_on else None,
                "first_over_cap": u.first_over_cap,
            }
            for u in result.caps
        ],
    }


def write_whatif_xlsx(path: Path, result: WhatIf, proposed: Policy, lang: str) -> None:
    wb = Workbook()
    counts = wb.active
    assert counts is not None
    counts.title = t("whatif.sheet.counts", lang)
    counts.append([proposed.notice.get(lang)])
    counts.append(
        [
            t("whatif.header.baseline", lang),
            result.baseline,
            t("whatif.header.proposed", lang),
            result.proposed,
        ]
    )
    counts.append([])
    counts.append(
        [
            t("report.category", lang),
            t("whatif.header.status", lang),
            t("whatif.header.baseline", lang),
            t("whatif.header.proposed", lang),
        ]
    )
    for cid, statuses in result.statuses.items():
        for status, (before, after) in statuses.items():
            counts.append([cid, t(f"status.{status}", lang), before, after])
    counts.append([])
    counts.append(
        [
            t("report.recommended", lang),
            "",
            t("whatif.header.baseline", lang),
            t("whatif.header.proposed", lang),
        ]
    )
    for key, (before, after) in result.recommended.items():
        counts.append([key, "", before, after])
    changes = wb.create_sheet(t("whatif.sheet.changes", lang))
    changes.append(
        ["worker_id", "row", "recommended_baseline", "recommended_proposed", "statuses", "why"]
    )
    for c in result.changes:
        moved = "; ".join(f"{k}: {b or '-'} -> {p or '-'}" for k, b, p in c.statuses)
        changes.append(
            [
                c.worker_id,
                c.row,
                c.recommended_before,
                c.recommended_after,
                moved,
                ", ".join(c.why),
            ]
        )
    caps = wb.create_sheet(t("whatif.sheet.caps", lang))
    caps.append(["category", "demand", "period", "cap", "used", "exhausted_on", "first_over_cap"])
    for u in result.caps:
        caps.append(
            [u.category, u.demand, u.period, u.cap, u.used, u.exhausted_on, u.first_over_cap]
        )
        if u.exhausted_on:
            caps.cell(row=caps.max_row, column=6).number_format = "yyyy-mm-dd"
    for sheet in wb.worksheets:
        for cell in sheet[1 if sheet is not counts else 4]:
            cell.font = Font(bold=True)
    neutralise_workbook(wb)
    with atomic_path(path) as tmp:
        wb.save(tmp)

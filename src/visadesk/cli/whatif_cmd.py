"""``visadesk whatif``: a roster under the baseline and under a proposed rule set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from visadesk.cli.common import (
    AsOf,
    EngineName,
    Lang,
    StartDate,
    console,
    dates,
    engine_of,
    handled,
    load,
    resolve_lang,
)
from visadesk.cli.screen_cmd import Roster, Sheet
from visadesk.i18n import t
from visadesk.report.whatif_out import whatif_document, write_whatif_xlsx
from visadesk.whatif import WhatIf, what_if

__all__ = ["register"]


def _print(result: WhatIf, notice: str, limit: int, lang: str) -> None:
    out = console()
    table = Table(
        title=t(
            "whatif.title",
            lang,
            rows=result.rows,
            baseline=result.baseline,
            proposed=result.proposed,
        )
    )
    table.add_column(t("report.category", lang))
    table.add_column(t("whatif.header.status", lang))
    table.add_column(t("whatif.header.baseline", lang), justify="right")
    table.add_column(t("whatif.header.proposed", lang), justify="right")
    for cid, statuses in result.statuses.items():
        for status, (before, after) in statuses.items():
            if before or after:
                table.add_row(cid, t(f"status.{status}", lang), str(before), str(after))
    for key, (before, after) in result.recommended.items():
        if before or after:
            table.add_row(key, t("report.recommended", lang), str(before), str(after))
    out.print(table)
    out.print(t("whatif.changes", lang, count=len(result.changes)))
    for change in result.changes[:limit]:
        moved = "; ".join(f"{k}: {b or '-'} → {p or '-'}" for k, b, p in change.statuses)
        recommended = f"{change.recommended_before or '-'} → {change.recommended_after or '-'}"
        out.print(f"  {change.worker_id} (row {change.row}): {recommended}; {moved}")
        out.print(f"    {t('whatif.why', lang)}: {', '.join(change.why)}")
    if len(result.changes) > limit:
        out.print("  " + t("whatif.more", lang, count=len(result.changes) - limit))
    for use in result.caps:
        key = "whatif.cap.exhausted" if use.exhausted_on else "whatif.cap.room"
        out.print(
            t(
                key,
                lang,
                category=use.category,
                demand=t(f"whatif.demand.{use.demand}", lang),
                period=use.period,
                cap=f"{use.cap:,}",
                used=f"{use.used:,}",
                day=use.exhausted_on.isoformat() if use.exhausted_on else "",
                worker=use.first_over_cap or "",
            )
        )
    out.print(notice)


def whatif(
    roster: Roster,
    policy: Annotated[
        str, typer.Option("--policy", help="The proposed rule set, e.g. baseline+e4.")
    ],
    baseline: Annotated[
        str, typer.Option("--baseline", help="The rule set to compare against.")
    ] = "baseline",
    json_out: Annotated[
        bool, typer.Option("--json", help="Write the comparison as JSON to stdout.")
    ] = False,
    xlsx_out: Annotated[
        Path | None, typer.Option("--xlsx", help="Write the comparison as a workbook.")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", help="How many changed trips to list in the table.")
    ] = 20,
    engine: EngineName = "auto",
    sheet: Sheet = None,
    as_of: AsOf = None,
    start_date: StartDate = None,
    lang: Lang = None,
) -> None:
    """Compare a roster under the baseline and a proposal: counts, who changes and why, caps."""
    code = resolve_lang(lang)
    chosen = engine_of(engine, code)
    old, new = load(baseline, code), load(policy, code)
    day, start = dates(as_of, start_date, code)
    with handled(code):
        result = what_if(roster, old, new, as_of=day, start_date=start, engine=chosen, sheet=sheet)
        if xlsx_out is not None:
            write_whatif_xlsx(xlsx_out, result, new, code)
    if json_out:
        typer.echo(json.dumps(whatif_document(result, new), ensure_ascii=False, indent=2))
        return
    _print(result, new.notice.get(code), limit, code)
    if xlsx_out is not None:
        typer.echo(t("cli.wrote", code, path=str(xlsx_out)))


def register(app: typer.Typer) -> None:
    app.command("whatif")(whatif)

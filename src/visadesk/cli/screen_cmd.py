"""``visadesk screen``, ``visadesk explain`` and ``visadesk sample``."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from visadesk.cli.common import (
    AsOf,
    Lang,
    PolicySpec,
    StartDate,
    fail,
    handled,
    load,
    parse_day,
    resolve_lang,
    today,
)
from visadesk.engine import Screener, ScreeningResult
from visadesk.engine.result import Status
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report import result_document, summarize
from visadesk.report.explain import explain
from visadesk.report.tables import write_csv, write_xlsx
from visadesk.roster import read_roster

__all__ = ["register"]

Roster = Annotated[Path, typer.Argument(help="Roster file: .csv, .xlsx, .parquet or .json.")]
Sheet = Annotated[
    str | None, typer.Option("--sheet", help="XLSX sheet name (default: the first sheet).")
]


def _screen(
    roster: Path,
    sheet: str | None,
    policy: Policy,
    as_of_raw: str | None,
    start_raw: str | None,
    lang: str,
) -> tuple[list[ScreeningResult], Screener]:
    as_of = parse_day(as_of_raw, "--as-of", lang) or today()
    start = parse_day(start_raw, "--start-date", lang) or as_of
    with handled(lang):
        data = read_roster(roster, sheet=sheet)
    screener = Screener(policy, as_of=as_of, start_date=start)
    return [screener.screen(r.facts, row=r.row) for r in data.rows], screener


def _print_summary(results: list[ScreeningResult], policy: Policy, lang: str) -> None:
    console = Console(highlight=False, soft_wrap=True)
    summary = summarize(results)
    statuses = (Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE)
    table = Table(title=t("cli.summary.title", lang, rows=summary.rows))
    table.add_column(t("report.category", lang))
    for status in statuses:
        table.add_column(t(f"status.{status.value}", lang), justify="right")
    table.add_column(t("report.recommended", lang), justify="right")
    for cid, counts in summary.by_category.items():
        table.add_row(
            f"{cid} {policy.categories[cid].title.get(lang)}",
            *(str(counts.get(s, 0)) for s in statuses),
            str(summary.recommended.get(cid, 0)),
        )
    console.print(table)
    console.print(t("cli.summary.none", lang, count=summary.no_status))
    console.print(t("cli.summary.late", lang, count=summary.late))
    if summary.flags:
        flags = Table(title=t("cli.summary.flags", lang))
        flags.add_column(t("report.flag", lang))
        flags.add_column(t("report.count", lang), justify="right")
        for code, count in summary.flags.most_common():
            flags.add_row(code, str(count))
        console.print(flags)
    console.print(
        t("cli.summary.policy", lang, version=policy.version, as_of=results[0].as_of.isoformat())
        if results
        else ""
    )
    console.print(policy.notice.get(lang))


def screen(
    roster: Roster,
    json_out: Annotated[
        bool, typer.Option("--json", help="Write the results as JSON to stdout.")
    ] = False,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per person to this CSV.")
    ] = None,
    xlsx_out: Annotated[
        Path | None, typer.Option("--xlsx", help="Write a workbook (results and summary).")
    ] = None,
    sheet: Sheet = None,
    as_of: AsOf = None,
    start_date: StartDate = None,
    policy: PolicySpec = "baseline",
    lang: Lang = None,
) -> None:
    """Screen every trip in a roster and print a summary (or write JSON, CSV, XLSX)."""
    code = resolve_lang(lang)
    rules = load(policy, code)
    results, screener = _screen(roster, sheet, rules, as_of, start_date, code)
    with handled(code):
        if csv_out is not None:
            write_csv(csv_out, results, rules, code)
        if xlsx_out is not None:
            write_xlsx(xlsx_out, results, rules, code)
    if json_out:
        document = result_document(
            results,
            rules,
            as_of=screener.as_of,
            start_date=screener.start_date,
            lang=code,
            source=roster.name,
        )
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print_summary(results, rules, code)
    for path in (csv_out, xlsx_out):
        if path is not None:
            typer.echo(t("cli.wrote", code, path=str(path)))


def explain_cmd(
    roster: Roster,
    worker_id: Annotated[str, typer.Argument(help="The worker_id of the person to explain.")],
    sheet: Sheet = None,
    as_of: AsOf = None,
    start_date: StartDate = None,
    policy: PolicySpec = "baseline",
    lang: Lang = None,
) -> None:
    """Explain one person's verdicts: each category, each rule checked, the facts and citations."""
    code = resolve_lang(lang)
    rules = load(policy, code)
    results, _ = _screen(roster, sheet, rules, as_of, start_date, code)
    for result in results:
        if result.worker_id == worker_id:
            typer.echo(explain(result, rules, code))
            return
    fail(t("cli.error.no_worker", code, worker_id=worker_id, roster=str(roster)))


def sample(
    out: Annotated[Path, typer.Argument(help="Where to write the sample roster (.csv or .xlsx).")],
    lang: Lang = None,
) -> None:
    """Write the bundled sample roster (a battery plant and two subcontractors)."""
    code = resolve_lang(lang)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        fail(t("cli.error.sample_format", code, path=str(out)))
    source = resources.files("visadesk") / "data" / "sample" / f"roster{suffix}"
    with handled(code), resources.as_file(source) as src:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out)
    typer.echo(t("cli.wrote", code, path=str(out)))


def register(app: typer.Typer) -> None:
    app.command("screen")(screen)
    app.command("explain")(explain_cmd)
    app.command("sample")(sample)

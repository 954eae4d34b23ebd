"""``visadesk screen``, ``visadesk explain`` and ``visadesk sample``."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from visadesk.cli.common import (
    AsOf,
    EngineName,
    Lang,
    PolicySpec,
    StartDate,
    console,
    dates,
    engine_of,
    fail,
    handled,
    load,
    resolve_lang,
)
from visadesk.engine import Screener, ScreeningResult
from visadesk.engine.result import Status
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.report import Summary, result_document
from visadesk.report.explain import explain
from visadesk.report.tables import Layout, write_csv, write_xlsx
from visadesk.roster import read_roster
from visadesk.screening import ScreenedRoster, screen_roster

__all__ = ["register"]

#: Show a progress bar when expanding at least this many batch results.
PROGRESS_FROM = 20_000

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
    as_of, start = dates(as_of_raw, start_raw, lang)
    with handled(lang):
        data = read_roster(roster, sheet=sheet)
        screener = Screener(policy, as_of=as_of, start_date=start)
    return [screener.screen(r.facts, row=r.row) for r in data.rows], screener


def _expanded(screened: ScreenedRoster, lang: str) -> list[ScreeningResult]:
    """Every result, with a progress bar on a terminal for long batch runs."""
    err = Console(stderr=True)
    show = screened.engine == "batch" and screened.rows >= PROGRESS_FROM and err.is_terminal
    with Progress(console=err, disable=not show, transient=True) as bar:
        task = bar.add_task(t("cli.progress", lang), total=screened.rows)
        return list(screened.results(progress=lambda done: bar.update(task, completed=done)))


def _print_summary(summary: Summary, policy: Policy, as_of: dt.date, lang: str) -> None:
    out = console()
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
    out.print(table)
    out.print(t("cli.summary.none", lang, count=summary.no_status))
    out.print(t("cli.summary.late", lang, count=summary.late))
    if summary.flags:
        flags = Table(title=t("cli.summary.flags", lang))
        flags.add_column(t("report.flag", lang))
        flags.add_column(t("report.count", lang), justify="right")
        for code, count in summary.flags.most_common():
            flags.add_row(code, str(count))
        out.print(flags)
    out.print(t("cli.summary.policy", lang, version=policy.version, as_of=as_of.isoformat()))
    out.print(policy.notice.get(lang))


def screen(
    roster: Roster,
    json_out: Annotated[
        bool, typer.Option("--json", help="Write the results as JSON to stdout.")
    ] = False,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write one row per person to this CSV.")
    ] = None,
    xlsx_out: Annotated[
        Path | None,
        typer.Option(
            "--xlsx",
            help="Write a workbook in --lang: traffic light, verdicts, reasons, summary, legend.",
        ),
    ] = None,
    xlsx_layout: Annotated[
        Layout,
        typer.Option(
            "--xlsx-layout",
            help="readable (for people, in --lang) or codes (the CSV's code headers).",
        ),
    ] = "readable",
    parquet_out: Annotated[
        Path | None,
        typer.Option("--parquet", help="Write compact verdicts (statuses, rule ids) to Parquet."),
    ] = None,
    engine: EngineName = "auto",
    sheet: Sheet = None,
    as_of: AsOf = None,
    start_date: StartDate = None,
    policy: PolicySpec = "baseline",
    lang: Lang = None,
) -> None:
    """Screen every trip in a roster and print a summary (or write JSON, CSV, XLSX, Parquet)."""
    code = resolve_lang(lang)
    chosen = engine_of(engine, code)
    rules = load(policy, code)
    day, start = dates(as_of, start_date, code)
    with handled(code):
        screened = screen_roster(
            roster, rules, as_of=day, start_date=start, engine=chosen, sheet=sheet
        )
        results = _expanded(screened, code) if (json_out or csv_out or xlsx_out) else []
        if parquet_out is not None:
            screened.write_parquet(parquet_out)
        if csv_out is not None:
            write_csv(csv_out, results, rules, code)
        if xlsx_out is not None:
            write_xlsx(xlsx_out, results, rules, code, layout=xlsx_layout)
    if json_out:
        document = result_document(
            results, rules, as_of=day, start_date=start, lang=code, source=roster.name
        )
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    _print_summary(screened.summary(), rules, day, code)
    for path in (csv_out, xlsx_out, parquet_out):
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

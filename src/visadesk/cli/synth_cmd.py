"""``visadesk synth``: write a synthetic roster for benchmarks and demos."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from visadesk.cli.common import Lang, fail, handled, parse_day, resolve_lang
from visadesk.i18n import t

__all__ = ["register"]


def synth(
    rows: Annotated[
        int, typer.Argument(metavar="N", help="Number of trips (rows) to generate, 1 or more.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the roster: .csv, .parquet or .xlsx.")
    ],
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed; the same seed gives the same roster.")
    ] = 0,
    chunk_rows: Annotated[
        int, typer.Option("--chunk-rows", help="Rows generated and written at a time.")
    ] = 1_000_000,
    start: Annotated[
        str | None,
        typer.Option(
            "--start",
            help="First day trips may start (YYYY-MM-DD; default 2027-01-04).",
        ),
    ] = None,
    lang: Lang = None,
) -> None:
    """Write a synthetic roster of fictional people, companies and projects."""
    # numpy and polars load on demand: other commands need not pay for them.
    from visadesk.synth import (  # noqa: PLC0415
        DEFAULT_START,
        FIRST_START,
        FORMATS,
        LAST_START,
        XLSX_MAX_ROWS,
        write_synthetic,
    )

    code = resolve_lang(lang)
    first_day = parse_day(start, "--start", code) or DEFAULT_START
    if not FIRST_START <= first_day <= LAST_START:
        fail(
            t(
                "synth.error.start",
                code,
                start=first_day.isoformat(),
                first=FIRST_START.isoformat(),
                last=LAST_START.isoformat(),
            )
        )
    if rows < 1:
        fail(t("synth.error.rows", code, rows=rows))
    if seed < 0:
        fail(t("synth.error.seed", code, seed=seed))
    if chunk_rows < 1:
        fail(t("synth.error.chunk_rows", code, chunk_rows=chunk_rows))
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        fail(t("synth.error.format", code, path=str(out), formats=", ".join(FORMATS)))
    if suffix == ".xlsx" and rows > XLSX_MAX_ROWS:
        fail(
            t(
                "synth.error.xlsx_rows",
                code,
                path=str(out),
                rows=f"{rows:,}",
                limit=f"{XLSX_MAX_ROWS:,}",
            )
        )
    with handled(code):
        write_synthetic(out, rows, seed, chunk_rows=chunk_rows, start=first_day)
    typer.echo(t("synth.wrote", code, rows=f"{rows:,}", path=str(out)))


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)

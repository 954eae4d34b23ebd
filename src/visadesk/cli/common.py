"""Options and error handling shared by the commands."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Final, NoReturn, cast

import typer
from rich.console import Console

from visadesk.engine import RulesNotInForceError
from visadesk.i18n import normalize_lang, t
from visadesk.policy.load import PolicyError, load_policy
from visadesk.policy.model import Policy
from visadesk.roster import RosterError
from visadesk.screening import Engine

__all__ = [
    "ENGINES",
    "AsOf",
    "EngineName",
    "Lang",
    "PolicySpec",
    "StartDate",
    "console",
    "dates",
    "engine_of",
    "fail",
    "handled",
    "parse_day",
    "resolve_lang",
    "today",
]

Lang = Annotated[
    str | None,
    typer.Option(
        "--lang", help="Language of the output: en or ko (default: $VISADESK_LANG or en)."
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="Evaluate the rules in force on this date (YYYY-MM-DD; default today)."
    ),
]
StartDate = Annotated[
    str | None,
    typer.Option(
        "--start-date",
        help="Day visa work starts, for ready_by (YYYY-MM-DD; default: the --as-of date).",
    ),
]
EngineName = Annotated[
    str,
    typer.Option("--engine", help="auto (by roster size), case (per row) or batch (vectorised)."),
]
ENGINES: Final = ("auto", "case", "batch")


def engine_of(name: str, lang: str) -> Engine:
    """The --engine value, or a clear error naming the choices."""
    if name not in ENGINES:
        fail(t("cli.error.engine", lang, engine=name, known=", ".join(ENGINES)))
    return cast(Engine, name)


PolicySpec = Annotated[
    str,
    typer.Option(
        "--policy",
        help="Rule set: 'baseline', a proposed layer over it ('baseline+e4'), or a rules folder.",
    ),
]


def today() -> dt.date:
    return dt.date.today()


def resolve_lang(lang: str | None) -> str:
    return normalize_lang(lang or os.environ.get("VISADESK_LANG"))


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def parse_day(value: str | None, option: str, lang: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        fail(t("cli.error.bad_date", lang, option=option, value=value))


def dates(as_of: str | None, start_date: str | None, lang: str) -> tuple[dt.date, dt.date]:
    """The ``--as-of`` day (default today) and the ``--start-date`` (default that day)."""
    day = parse_day(as_of, "--as-of", lang) or today()
    return day, parse_day(start_date, "--start-date", lang) or day


def console() -> Console:
    """A console for the commands' tables: at least 100 columns, no highlighting."""
    return Console(highlight=False, soft_wrap=True, width=max(100, Console().width))


def load(spec: str, lang: str) -> Policy:
    try:
        return load_policy(spec)
    except PolicyError as exc:
        fail(t("cli.error.policy", lang, detail=str(exc)))


@contextmanager
def handled(lang: str) -> Iterator[None]:
    """Turn user mistakes into a clear message and exit status 2, never a traceback."""
    try:
        yield
    except RosterError as exc:
        fail(exc.render(lang))
    except RulesNotInForceError as exc:
        first = exc.first.isoformat() if exc.first else "-"
        fail(
            t(
                "cli.error.not_in_force",
                lang,
                parameter=exc.parameter,
                day=exc.day.isoformat(),
                first=first,
            )
        )
    except PolicyError as exc:
        fail(t("cli.error.policy", lang, detail=str(exc)))
    except OSError as exc:
        fail(
            t(
                "cli.error.file",
                lang,
                path=getattr(exc, "filename", "") or "",
                detail=exc.strerror or str(exc),
            )
        )

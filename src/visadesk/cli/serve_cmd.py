"""Running the desk: ``db upgrade``, ``serve`` and ``demo`` (seed a demo desk, then serve it).

The settings come from the environment (:mod:`visadesk.cli.desk_common`); the web
framework, the database and the demo's data generator load in the command that
runs them.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from visadesk.cli.common import Lang, console, fail, parse_day, resolve_lang
from visadesk.cli.desk_common import (
    LOOPBACK,
    Host,
    Port,
    announce,
    base_url,
    desk_engine,
    desk_handled,
    empty_first,
    run_server,
    settings,
    shown,
)
from visadesk.desk.demo_world import DEFAULT_TRIPS, DEMO_SEED, MAX_TRIPS, MIN_TRIPS
from visadesk.desk.workflow import STATES
from visadesk.i18n import t

if TYPE_CHECKING:
    from fastapi import FastAPI

    from visadesk.desk.demo import DemoReport

__all__ = ["register", "reload_app"]

db_app = typer.Typer(help="The desk's database schema.", no_args_is_help=True)


# -- db upgrade ---------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(lang: Lang = None) -> None:
    """Migrate the database to the newest schema (creates the tables in an empty one)."""
    from visadesk.desk.db import current_revision, upgrade  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        chosen = settings()
        with desk_engine(chosen) as engine:
            before = current_revision(engine)
            upgrade(engine)
            after = current_revision(engine)
    typer.echo(
        t(
            "desk_cli.db.upgraded",
            code,
            database=shown(chosen.database_url),
            revision=after or "-",
            before=before or "-",
        )
    )


# -- serve --------------------------------------------------------------------------------


def reload_app() -> FastAPI:
    """The application factory ``serve --reload`` hands to uvicorn (settings from the env)."""
    from visadesk.desk.runtime import build_desk  # noqa: PLC0415
    from visadesk.server import create_app  # noqa: PLC0415

    return create_app(build_desk(settings()))


def serve(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    reload: Annotated[
        bool, typer.Option("--reload/--no-reload", help="Restart on code changes (development).")
    ] = False,
    lang: Lang = None,
) -> None:
    """Run the desk's web service (migrating the database to the newest schema first)."""
    code = resolve_lang(lang)
    if reload:
        import uvicorn  # noqa: PLC0415

        announce(host, port, code)
        uvicorn.run(
            "visadesk.cli.serve_cmd:reload_app", factory=True, host=host, port=port, reload=True
        )
        return
    from visadesk.desk.runtime import build_desk  # noqa: PLC0415

    with desk_handled(code):
        desk = build_desk(settings())
    try:
        run_server(desk, host, port, code)
    finally:
        desk.engine.dispose()


# -- demo ---------------------------------------------------------------------------------


def _demo_password(lang: str) -> tuple[str, bool]:
    """The demo password and whether it came from the environment."""
    from visadesk.desk.accounts import MIN_PASSWORD  # noqa: PLC0415
    from visadesk.desk.demo_world import DEFAULT_PASSWORD  # noqa: PLC0415

    chosen = os.environ.get("VISADESK_DEMO_PASSWORD")
    if chosen and len(chosen) < MIN_PASSWORD:
        fail(t("desk.error.weak_password", lang, min=MIN_PASSWORD))
    return (chosen, True) if chosen else (DEFAULT_PASSWORD, False)


def _print_demo(report: DemoReport, password: str, from_env: bool, lang: str) -> None:
    out = console()
    table = Table(title=t("desk_cli.demo.title", lang))
    table.add_column(t("desk_cli.demo.email", lang))
    table.add_column(t("desk_cli.demo.role", lang))
    table.add_column(t("desk_cli.demo.organization", lang))
    for login in report.logins:
        table.add_row(login.email, login.role, login.organization)
    out.print(table)
    if from_env:
        out.print(t("desk_cli.demo.password_env", lang))
    else:
        out.print(t("desk_cli.demo.password_default", lang, password=password))
    out.print(
        t(
            "desk_cli.demo.summary",
            lang,
            trips=report.trips,
            batches=report.batches,
            projects=len(report.projects),
            today=report.today.isoformat(),
            cases=sum(report.cases.values()),
            documents=sum(report.documents.values()),
            audit=report.audit_entries,
        )
    )
    states = ", ".join(f"{s} {report.cases[s]}" for s in STATES if report.cases.get(s))
    out.print(t("desk_cli.demo.states", lang, states=states))


def demo_cmd(
    reset: Annotated[bool, empty_first("--reset")] = False,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Run the desk once it is seeded.")
    ] = True,
    trips: Annotated[
        int,
        typer.Option("--trips", help=f"How many trips to file ({MIN_TRIPS} to {MAX_TRIPS})."),
    ] = DEFAULT_TRIPS,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the synthetic rows.", min=0)
    ] = DEMO_SEED,
    today: Annotated[
        str | None,
        typer.Option(
            "--today",
            help="Screening date (YYYY-MM-DD; default today): the demo's trips and "
            "timestamps follow it.",
        ),
    ] = None,
    host: Host = "127.0.0.1",
    port: Port = 8000,
    lang: Lang = None,
) -> None:
    """Seed a demo desk: users of every role, two sponsors, four projects, trips in every state.

    The people and companies are fictional. Every demo user has the same password:
    $VISADESK_DEMO_PASSWORD, else the published demo password (for your own machine only).
    Refuses a database that holds data, unless --reset.
    """
    code = resolve_lang(lang)
    given = parse_day(today, "--today", code)
    if not MIN_TRIPS <= trips <= MAX_TRIPS:
        fail(t("desk_cli.error.trips", code, trips=trips, min=MIN_TRIPS, max=MAX_TRIPS))
    password, from_env = _demo_password(code)
    from visadesk.desk import backup, demo  # noqa: PLC0415
    from visadesk.desk.runtime import build_desk  # noqa: PLC0415

    with desk_handled(code):
        chosen = settings()
        if serve_after and host in LOOPBACK and "VISADESK_SECURE_COOKIES" not in os.environ:
            # The demo is served over plain HTTP on this machine: the session cookie must
            # not be marked Secure or the browser would not send it back.
            chosen = replace(chosen, secure_cookies=False)
        # A date given is the running desk's today too; otherwise the desk keeps the real
        # calendar, so a demo served past midnight screens as of the new day.
        desk = build_desk(chosen, today=(lambda: given) if given else None)
    try:
        with desk_handled(code):
            if backup.has_data(desk.engine):
                if not reset:
                    fail(t("desk_cli.demo.has_data", code, database=shown(chosen.database_url)))
                backup.empty_database(desk.engine)
            report = demo.seed(desk, password=password, trips=trips, seed=seed, today=given)
        _print_demo(report, password, from_env, code)
        if serve_after:
            run_server(desk, host, port, code)
        else:
            typer.echo(t("desk_cli.demo.url", code, url=base_url(host, port)))
            typer.echo(t("desk_cli.notice", code))
    finally:
        desk.engine.dispose()


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
    app.command("demo")(demo_cmd)

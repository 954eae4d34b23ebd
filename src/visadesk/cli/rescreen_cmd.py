"""``visadesk rescreen``: screen the desk's stored trips again and show what changed."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from visadesk.cli.common import (
    AsOf,
    Lang,
    PolicySpec,
    handled,
    load,
    parse_day,
    resolve_lang,
    today,
)
from visadesk.desk import rescreen as stored
from visadesk.desk.config import Settings
from visadesk.desk.crypto import use_keys
from visadesk.desk.db import is_sqlite, make_engine, session_factory, upgrade
from visadesk.i18n import t

__all__ = ["register", "rescreen"]


def _statuses(side: dict[str, Any]) -> str:
    shown = [f"{cid}={status}" for cid, status in sorted((side.get("statuses") or {}).items())]
    return ", ".join(shown) or "-"


def _side(side: dict[str, Any]) -> str:
    return f"{side.get('policy') or '-'}: {_statuses(side)} → {side.get('recommended') or '-'}"


def rescreen(
    policy: PolicySpec = "baseline",
    as_of: AsOf = None,
    batch: Annotated[int | None, typer.Option("--batch", help="Only this batch's trips.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; store nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the changes as JSON.")] = False,
    lang: Lang = None,
) -> None:
    """Screen every stored trip again (after a rule change); list trips whose verdict changed.

    Each trip keeps every screening with the rule set version that produced it;
    the new one is stored unless --dry-run. Guidance, not legal advice.
    """
    lang = resolve_lang(lang)
    with handled(lang):
        rules = load(policy, lang)
        day = parse_day(as_of, "--as-of", lang) or today()
        settings = Settings.from_env()
        use_keys(settings.data_keys)
        engine = make_engine(settings.database_url)
        try:
            upgrade(engine)
            with session_factory(engine, settings.audit_keys)() as session:
                if is_sqlite(engine):
                    # A write transaction from its first read (see desk.db.write_session).
                    session.connection(execution_options={"sqlite_immediate": True})
                changes = stored.rescreen(session, None, rules, day, batch_id=batch)
                if dry_run:
                    session.rollback()
                else:
                    session.commit()
        finally:
            engine.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "policy": rules.version,
                    "as_of": day.isoformat(),
                    "dry_run": dry_run,
                    "changes": changes,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=t("rescreen.title", lang, policy=rules.version, day=day.isoformat()))
    for key in ("worker", "before", "after"):
        table.add_column(t(f"rescreen.header.{key}", lang))
    for change in changes:
        before, after = change["before"], change["after"]
        table.add_row(change["worker_id"], _side(before), _side(after))
    if changes:
        console.print(table)
    key = "rescreen.dry_run" if dry_run else "rescreen.done"
    typer.echo(t(key, lang, changed=len(changes)))
    typer.echo(rules.notice.get(lang))


def register(app: typer.Typer) -> None:
    app.command("rescreen")(rescreen)

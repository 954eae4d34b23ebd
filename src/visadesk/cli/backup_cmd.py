"""``backup`` and ``restore``: every table and document file in one archive, and back.

Personal data stays encrypted in the archive: restoring needs the same data keys
(``VISADESK_DATA_KEYS``), and the audit chain is verified after a restore.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from visadesk.cli.audit_cmd import verify_chain
from visadesk.cli.common import Lang, resolve_lang
from visadesk.cli.desk_common import desk_engine, desk_handled, empty_first, settings
from visadesk.i18n import t

__all__ = ["register"]


def backup_cmd(
    out: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
    lang: Lang = None,
) -> None:
    """Write every table and document file to one archive (personal data stays encrypted)."""
    from visadesk.desk.backup import backup  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        chosen = settings()
        with desk_engine(chosen) as engine:
            report = backup(engine, chosen.documents_dir, out)
    typer.echo(
        t(
            "desk_cli.backup.wrote",
            code,
            path=str(report.path),
            rows=sum(report.tables.values()),
            tables=len(report.tables),
            documents=report.documents,
            revision=report.revision,
        )
    )
    if report.missing:
        hashes = ", ".join(report.missing)
        typer.echo(
            t("desk_cli.backup.missing", code, count=len(report.missing), hashes=hashes), err=True
        )
    typer.echo(t("desk_cli.backup.keys_note", code))


def restore_cmd(
    archive: Annotated[Path, typer.Argument(help="The archive to restore (.tar.gz).")],
    force: Annotated[bool, empty_first("--force")] = False,
    lang: Lang = None,
) -> None:
    """Restore an archive into an empty database, then verify the audit chain.

    The archive is checked against its manifest first: a damaged one is refused
    and nothing is written.
    """
    from visadesk.desk.backup import restore  # noqa: PLC0415
    from visadesk.desk.db import read_session, session_factory  # noqa: PLC0415
    from visadesk.desk.keys import undecryptable  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        chosen = settings()
        with desk_engine(chosen) as engine:
            report = restore(engine, chosen.documents_dir, archive, force=force)
            typer.echo(
                t(
                    "desk_cli.restore.done",
                    code,
                    path=str(archive),
                    rows=sum(report.tables.values()),
                    tables=len(report.tables),
                    documents=report.documents,
                    created=report.created_at,
                    revision=report.revision,
                )
            )
            with read_session(session_factory(engine, chosen.audit_keys)) as session:
                unreadable = undecryptable(session, chosen.data_keys)
            if unreadable:
                typer.echo(t("desk_cli.restore.undecryptable", code, count=unreadable), err=True)
            intact = verify_chain(engine, chosen, code)
    if not intact:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)

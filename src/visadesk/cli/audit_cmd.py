"""The audit chain from the command line: ``audit verify`` and ``audit checkpoint``.

:func:`verify_chain` and :func:`problem_line` also serve ``restore`` (which verifies
the chain it restored) and ``keys rekey-audit`` (which refuses a broken chain).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from visadesk.cli.common import Lang, fail, resolve_lang
from visadesk.cli.desk_common import desk_engine, desk_handled, settings
from visadesk.i18n import t

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from visadesk.desk.audit import AuditProblem, AuditReport, Checkpoint
    from visadesk.desk.config import Settings

__all__ = ["problem_line", "register", "require_intact", "verify_chain"]

audit_app = typer.Typer(help="The keyed, hash-chained audit log.", no_args_is_help=True)


def problem_line(problem: AuditProblem, lang: str) -> str:
    """One problem the chain's check found, as the commands print it (the audit page shows
    the same words: :func:`visadesk.desk.audit_view.problem_message`)."""
    from visadesk.desk.audit_view import problem_message  # noqa: PLC0415

    return problem_message(problem, lang)


def require_intact(report: AuditReport, lang: str, refusal: str) -> None:
    """Nothing when the chain is intact; else each problem, the ``refusal`` and exit 1."""
    if report.intact:
        return
    for problem in report.problems:
        typer.echo(problem_line(problem, lang))
    typer.echo(t(refusal, lang, problems=len(report.problems)))
    raise typer.Exit(1)


def verify_chain(
    engine: Engine,
    chosen: Settings,
    lang: str,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
) -> bool:
    """Walk the chain (and hold it against the checkpoints) and report; whether it is intact."""
    from visadesk.desk.audit import AuditKeys, check  # noqa: PLC0415
    from visadesk.desk.db import read_session, session_factory  # noqa: PLC0415

    keys = AuditKeys(chosen.audit_keys)
    with read_session(session_factory(engine, chosen.audit_keys)) as session:
        report = check(session, keys, checkpoints)
    for problem in report.problems:
        typer.echo(problem_line(problem, lang))
    if report.legacy:
        typer.echo(t("audit.verify.legacy", lang, legacy=report.legacy, keyed=report.keyed))
    if checkpoints and not any(p.source for p in report.problems):
        typer.echo(t("audit.verify.checkpoints_ok", lang, count=len(checkpoints)))
    if report.intact:
        typer.echo(t("desk_cli.audit.intact", lang, count=report.checked))
        return True
    typer.echo(
        t("desk_cli.audit.broken", lang, count=report.checked, problems=len(report.problems))
    )
    return False


CheckpointFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--checkpoint",
        help="A checkpoint file (or an anchor log of JSON lines) the chain must still match; "
        "repeatable.",
    ),
]


@audit_app.command("verify")
def audit_verify(checkpoint: CheckpointFiles = None, lang: Lang = None) -> None:
    """Walk the audit chain with the audit keys: exit 0 if intact, 1 naming each entry that
    was altered (or each checkpoint the chain no longer matches), 2 on a usage error."""
    from visadesk.desk.audit import read_checkpoints  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        marks = [mark for path in checkpoint or () for mark in read_checkpoints(path)]
        chosen = settings()
        with desk_engine(chosen) as engine:
            intact = verify_chain(engine, chosen, code, marks)
    if not intact:
        raise typer.Exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Annotated[Path, typer.Argument(help="The checkpoint file to write (JSON); kept outside.")],
    lang: Lang = None,
) -> None:
    """Write a signed checkpoint of the chain's head (sequence number, hash, time, key id).

    The chain is verified first: a broken chain gets no checkpoint (exit 1). With
    $VISADESK_AUDIT_ANCHOR set, the checkpoint is also appended to that file. Keep
    checkpoints where the database's writers cannot change them; ``audit verify
    --checkpoint FILE`` then detects any rewrite of the history before them.
    """
    from visadesk.atomic import atomic_path  # noqa: PLC0415
    from visadesk.desk.audit import AuditKeys, append_anchor, check  # noqa: PLC0415
    from visadesk.desk.audit import checkpoint as make_checkpoint  # noqa: PLC0415
    from visadesk.desk.db import read_session, session_factory  # noqa: PLC0415

    code = resolve_lang(lang)
    if out.exists():
        fail(t("audit.checkpoint.exists", code, path=str(out)))
    with desk_handled(code):
        chosen = settings()
        keys = AuditKeys(chosen.audit_keys)
        with (
            desk_engine(chosen) as engine,
            read_session(session_factory(engine, chosen.audit_keys)) as session,
        ):
            report = check(session, keys)
            require_intact(report, code, "audit.checkpoint.refused")
            mark = make_checkpoint(session, keys, report)
        with atomic_path(out) as tmp:
            tmp.write_text(mark.to_json() + "\n", encoding="utf-8")
        typer.echo(
            t("audit.checkpoint.wrote", code, path=str(out), seq=mark.seq, key_id=mark.key_id)
        )
        if chosen.audit_anchor is not None:
            append_anchor(chosen.audit_anchor, mark)
            typer.echo(t("audit.checkpoint.anchored", code, path=str(chosen.audit_anchor)))


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")

"""The desk's keys from the command line: ``keys rotate | new | new-audit | rekey-audit``.

Data keys (``VISADESK_DATA_KEYS``) encrypt personal data at rest; audit keys
(``VISADESK_AUDIT_KEYS``) key the audit chain. Both lists are newest first: new
values use the first key, older keys still read what they wrote.
"""

from __future__ import annotations

import typer

from visadesk.cli.audit_cmd import require_intact
from visadesk.cli.common import Lang, resolve_lang
from visadesk.cli.desk_common import desk_engine, desk_handled, settings
from visadesk.i18n import t

__all__ = ["register"]

keys_app = typer.Typer(
    help="The keys that encrypt personal data (VISADESK_DATA_KEYS) and key the audit chain "
    "(VISADESK_AUDIT_KEYS).",
    no_args_is_help=True,
)


@keys_app.command("rotate")
def keys_rotate(lang: Lang = None) -> None:
    """Re-encrypt all personal data under the first key of VISADESK_DATA_KEYS, in one go."""
    from visadesk.desk.db import session_factory, write_session  # noqa: PLC0415
    from visadesk.desk.keys import rotate  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        chosen = settings()
        with (
            desk_engine(chosen) as engine,
            write_session(session_factory(engine, chosen.audit_keys)) as session,
        ):
            report = rotate(session, chosen.data_keys)
    rows = sum(report.rows.values())
    typer.echo(t("desk_cli.keys.rotated", code, values=report.values, rows=rows))
    if len(chosen.data_keys) == 1:
        typer.echo(t("desk_cli.keys.one_key", code), err=True)


@keys_app.command("new")
def keys_new(lang: Lang = None) -> None:
    """Print a new data key (on stdout) and how to put it in use (on stderr)."""
    from visadesk.desk.keys import new_key  # noqa: PLC0415

    code = resolve_lang(lang)
    typer.echo(new_key())
    typer.echo(t("desk_cli.keys.new_hint", code), err=True)


@keys_app.command("new-audit")
def keys_new_audit(lang: Lang = None) -> None:
    """Print a new audit chain key (on stdout) and how to put it in use (on stderr)."""
    from visadesk.desk.audit import key_id  # noqa: PLC0415
    from visadesk.desk.config import new_audit_key  # noqa: PLC0415

    code = resolve_lang(lang)
    key = new_audit_key()
    typer.echo(key)
    typer.echo(t("audit.keys.new_hint", code, key_id=key_id(key)), err=True)


@keys_app.command("rekey-audit")
def keys_rekey_audit(lang: Lang = None) -> None:
    """Re-hash the whole audit chain under the first key of VISADESK_AUDIT_KEYS.

    The chain is verified first with every configured key; a broken chain is
    refused (exit 1) and nothing changes. Afterwards the older audit keys can
    be dropped; checkpoints taken before no longer match: write a new one.
    """
    from visadesk.desk.audit import AuditKeys, check, rekey  # noqa: PLC0415
    from visadesk.desk.db import session_factory, write_session  # noqa: PLC0415

    code = resolve_lang(lang)
    with desk_handled(code):
        chosen = settings()
        keys = AuditKeys(chosen.audit_keys)
        with desk_engine(chosen) as engine:
            sessions = session_factory(engine, chosen.audit_keys)
            with write_session(sessions) as session:
                require_intact(check(session, keys), code, "audit.keys.rekey_refused")
                done = rekey(session, keys)
    typer.echo(
        t("audit.keys.rekeyed", code, entries=done.entries, legacy=done.legacy, key_id=done.key_id)
    )


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")

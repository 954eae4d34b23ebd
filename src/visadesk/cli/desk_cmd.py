"""Running the desk: ``db upgrade``, ``serve``, ``demo``, ``user add``, ``audit verify``,
``audit checkpoint``, ``keys rotate | new | new-audit | rekey-audit``, ``backup`` and
``restore``.

Every command reads its settings from the environment (``Settings.from_env``:
``VISADESK_DATABASE_URL``, ``VISADESK_DATA_DIR``, ``VISADESK_DATA_KEYS``,
``VISADESK_SECRET_KEY``, ``VISADESK_AUDIT_KEYS``, ``VISADESK_AUDIT_ANCHOR``). Exit
status: 0 done; 1 the audit chain is broken (or differs from a checkpoint);
2 bad input or a refused operation (the reason printed, nothing written).

The database, the web framework and the demo's data generator load on demand,
in the commands that use them: the screening commands need not pay for them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final, cast

import typer
from rich.console import Console
from rich.table import Table

from visadesk.cli.common import Lang, fail, handled, parse_day, resolve_lang
from visadesk.desk.workflow import ROLES, STATES, Role
from visadesk.i18n import t

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from visadesk.desk.api.state import Desk
    from visadesk.desk.audit import AuditProblem, Checkpoint
    from visadesk.desk.config import Settings
    from visadesk.desk.demo import DemoReport
    from visadesk.desk.models import Organization

__all__ = ["register", "reload_app"]

#: The demo's defaults (those of visadesk.desk.demo; a test keeps them equal).
DEMO_TODAY: Final = dt.date(2026, 11, 27)
DEMO_TRIPS: Final = 200
DEMO_SEED: Final = 2026
DEMO_MIN_TRIPS: Final = 20
DEMO_MAX_TRIPS: Final = 5_000

db_app = typer.Typer(help="The desk's database schema.", no_args_is_help=True)
user_app = typer.Typer(help="Desk user accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The keyed, hash-chained audit log.", no_args_is_help=True)
keys_app = typer.Typer(
    help="The keys that encrypt personal data (VISADESK_DATA_KEYS) and key the audit chain "
    "(VISADESK_AUDIT_KEYS).",
    no_args_is_help=True,
)

_LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


# -- shared -------------------------------------------------------------------------------


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def _desk_handled(lang: str) -> Iterator[None]:
    """The shared handling, plus the desk's errors: a clear message and exit status 2."""
    from sqlalchemy.exc import SQLAlchemyError  # noqa: PLC0415

    from visadesk.desk.backup import BackupError  # noqa: PLC0415
    from visadesk.desk.crypto import DataKeyError  # noqa: PLC0415
    from visadesk.desk.errors import DeskError  # noqa: PLC0415
    from visadesk.desk.proxies import ProxySettingError  # noqa: PLC0415

    with handled(lang):
        try:
            yield
        except DeskError as exc:
            fail(exc.message(lang))
        except BackupError as exc:
            fail(t(f"desk_cli.error.{exc.code}", lang, **exc.params))
        except DataKeyError as exc:
            fail(t("desk_cli.error.keys", lang, detail=str(exc)))
        except ProxySettingError as exc:
            fail(t("accounts.cli.bad_proxies", lang, value=exc.item))
        except SQLAlchemyError as exc:
            fail(t("desk_cli.error.database", lang, detail=_first_line(exc)))


def _settings() -> Settings:
    from visadesk.desk.config import Settings  # noqa: PLC0415

    return Settings.from_env()


def _shown(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    from visadesk.desk.db import make_engine  # noqa: PLC0415

    engine = make_engine(settings.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _base_url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True, width=max(100, Console().width))


# -- db upgrade ---------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(lang: Lang = None) -> None:
    """Migrate the database to the newest schema (creates the tables in an empty one)."""
    from visadesk.desk.db import current_revision, upgrade  # noqa: PLC0415

    code = resolve_lang(lang)
    with _desk_handled(code):
        settings = _settings()
        with _engine(settings) as engine:
            before = current_revision(engine)
            upgrade(engine)
            after = current_revision(engine)
    typer.echo(
        t(
            "desk_cli.db.upgraded",
            code,
            database=_shown(settings.database_url),
            revision=after or "-",
            before=before or "-",
        )
    )


# -- serve --------------------------------------------------------------------------------


def reload_app() -> FastAPI:
    """The application factory ``serve --reload`` hands to uvicorn (settings from the env)."""
    from visadesk.desk.api.app import build_desk, create_app  # noqa: PLC0415

    return create_app(build_desk(_settings()))


def _run(desk: Desk, host: str, port: int, lang: str) -> None:
    import uvicorn  # noqa: PLC0415

    from visadesk.desk.api.app import create_app  # noqa: PLC0415

    typer.echo(t("desk_cli.serve.where", lang, url=_base_url(host, port)))
    typer.echo(t("desk_cli.notice", lang))
    uvicorn.run(create_app(desk), host=host, port=port)


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

        typer.echo(t("desk_cli.serve.where", code, url=_base_url(host, port)))
        typer.echo(t("desk_cli.notice", code))
        uvicorn.run(
            "visadesk.cli.desk_cmd:reload_app", factory=True, host=host, port=port, reload=True
        )
        return
    from visadesk.desk.api.app import build_desk  # noqa: PLC0415

    with _desk_handled(code):
        desk = build_desk(_settings())
    try:
        _run(desk, host, port, code)
    finally:
        desk.engine.dispose()


# -- demo ---------------------------------------------------------------------------------


def _demo_password(lang: str) -> tuple[str, bool]:
    """The demo password and whether it came from the environment."""
    from visadesk.desk.accounts import MIN_PASSWORD  # noqa: PLC0415
    from visadesk.desk.demo import DEFAULT_PASSWORD  # noqa: PLC0415

    chosen = os.environ.get("VISADESK_DEMO_PASSWORD")
    if chosen and len(chosen) < MIN_PASSWORD:
        fail(t("desk.error.weak_password", lang, min=MIN_PASSWORD))
    return (chosen, True) if chosen else (DEFAULT_PASSWORD, False)


def _print_demo(report: DemoReport, password: str, from_env: bool, lang: str) -> None:
    console = _console()
    table = Table(title=t("desk_cli.demo.title", lang))
    table.add_column(t("desk_cli.demo.email", lang))
    table.add_column(t("desk_cli.demo.role", lang))
    table.add_column(t("desk_cli.demo.organization", lang))
    for login in report.logins:
        table.add_row(login.email, login.role, login.organization)
    console.print(table)
    if from_env:
        console.print(t("desk_cli.demo.password_env", lang))
    else:
        console.print(t("desk_cli.demo.password_default", lang, password=password))
    console.print(
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
    console.print(t("desk_cli.demo.states", lang, states=states))


def demo_cmd(
    reset: Annotated[
        bool, typer.Option("--reset", help="Empty the database first (deletes everything in it).")
    ] = False,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Run the desk once it is seeded.")
    ] = True,
    trips: Annotated[
        int,
        typer.Option(
            "--trips", help=f"How many trips to file ({DEMO_MIN_TRIPS} to {DEMO_MAX_TRIPS})."
        ),
    ] = DEMO_TRIPS,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the synthetic rows.", min=0)
    ] = DEMO_SEED,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", help=f"Screening date (YYYY-MM-DD; default {DEMO_TODAY.isoformat()})."
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
    day = parse_day(today, "--today", code) or DEMO_TODAY
    if not DEMO_MIN_TRIPS <= trips <= DEMO_MAX_TRIPS:
        fail(t("desk_cli.error.trips", code, trips=trips, min=DEMO_MIN_TRIPS, max=DEMO_MAX_TRIPS))
    password, from_env = _demo_password(code)
    from visadesk.desk import backup, demo  # noqa: PLC0415
    from visadesk.desk.api.app import build_desk  # noqa: PLC0415

    with _desk_handled(code):
        settings = _settings()
        if serve_after and host in _LOOPBACK and "VISADESK_SECURE_COOKIES" not in os.environ:
            # The demo is served over plain HTTP on this machine: the session cookie must
            # not be marked Secure or the browser would not send it back.
            settings = replace(settings, secure_cookies=False)
        desk = build_desk(settings, today=lambda: day)
    try:
        with _desk_handled(code):
            if backup.has_data(desk.engine):
                if not reset:
                    fail(t("desk_cli.demo.has_data", code, database=_shown(settings.database_url)))
                backup.empty_database(desk.engine)
            report = demo.seed(desk, password=password, trips=trips, seed=seed, today=day)
        _print_demo(report, password, from_env, code)
        if serve_after:
            _run(desk, host, port, code)
        else:
            typer.echo(t("desk_cli.demo.url", code, url=_base_url(host, port)))
            typer.echo(t("desk_cli.notice", code))
    finally:
        desk.engine.dispose()


# -- user add -----------------------------------------------------------------------------


def _password(email: str, lang: str) -> str:
    given = os.environ.get("VISADESK_NEW_PASSWORD")
    if given is not None:
        return given
    entered: str = typer.prompt(
        t("desk_cli.user.password", lang, email=email),
        hide_input=True,
        confirmation_prompt=t("desk_cli.user.password_again", lang),
    )
    return entered


def _organization(session: Session, name: str, role: str, create: bool, lang: str) -> Organization:
    """The organization named ``name`` (any case), or a new one when ``create``."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from visadesk.desk.accounts import create_org  # noqa: PLC0415
    from visadesk.desk.authz import ROLE_ORG_KIND  # noqa: PLC0415
    from visadesk.desk.models import Organization  # noqa: PLC0415

    found = session.scalar(
        select(Organization).where(func.lower(Organization.name) == name.lower())
    )
    if found is not None:
        return found
    if not create:
        known = ", ".join(session.scalars(select(Organization.name).order_by(Organization.name)))
        fail(t("desk_cli.error.no_org", lang, org=name, known=known or "-"))
    kind = ROLE_ORG_KIND[cast(Role, role)]  # the role is one of ROLES
    if kind == "subcontractor":
        fail(t("desk_cli.error.subcontractor_org", lang))
    created = create_org(session, None, kind=kind, name=name)
    typer.echo(t("desk_cli.user.created_org", lang, org=name, kind=kind))
    return created


@user_app.command("add")
def user_add(
    org: Annotated[str, typer.Option("--org", help="The organization's name.")],
    email: Annotated[str, typer.Option("--email", help="The user's e-mail (their login).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    name: Annotated[
        str | None, typer.Option("--name", help="Full name (default: the e-mail's local part).")
    ] = None,
    create_org: Annotated[
        bool,
        typer.Option(
            "--create-org",
            help="Create the organization (desk or sponsor, by the role) if it does not exist.",
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            help="The user's language, en or ko; also this command's "
            "(default: $VISADESK_LANG or en).",
        ),
    ] = None,
) -> None:
    """Add a user. The password is asked twice, or read from $VISADESK_NEW_PASSWORD."""
    code = resolve_lang(lang)
    if role not in ROLES:
        fail(
            t(
                "desk.error.invalid_choice",
                code,
                field="--role",
                value=role,
                choices=", ".join(ROLES),
            )
        )
    from visadesk.desk.accounts import add_user  # noqa: PLC0415
    from visadesk.desk.db import session_factory, upgrade, write_session  # noqa: PLC0415

    password = _password(email, code)
    with _desk_handled(code):
        settings = _settings()
        with _engine(settings) as engine:
            upgrade(engine)
            with write_session(session_factory(engine, settings.audit_keys)) as session:
                found = _organization(session, org.strip(), role, create_org, code)
                user = add_user(
                    session,
                    None,
                    org_id=found.id,
                    email=email,
                    name=name or email.split("@")[0],
                    role=role,
                    password=password,
                    lang=code,
                )
                added, org_name = user.email, found.name
    typer.echo(t("desk_cli.user.added", code, email=added, role=role, org=org_name))


# -- user disable | enable | reset | passwd ---------------------------------------------

Email = Annotated[str, typer.Option("--email", help="The user's e-mail (their login).")]


def _user_command(email: str, lang: str | None, action: Callable[[Session, int], str]) -> None:
    """Find the user by e-mail and run ``action`` in one write transaction; print its line."""
    code = resolve_lang(lang)
    from sqlalchemy import select  # noqa: PLC0415

    from visadesk.desk.db import session_factory, upgrade, write_session  # noqa: PLC0415
    from visadesk.desk.models import User  # noqa: PLC0415

    with _desk_handled(code):
        settings = _settings()
        with _engine(settings) as engine:
            upgrade(engine)
            with write_session(session_factory(engine, settings.audit_keys)) as session:
                address = email.strip().lower()
                user_id = session.scalar(select(User.id).where(User.email == address))
                if user_id is None:
                    fail(t("accounts.cli.no_user", code, email=address))
                line = action(session, user_id)
    typer.echo(line)


@user_app.command("disable")
def user_disable(email: Email, lang: Lang = None) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    from visadesk.desk.accounts import set_active  # noqa: PLC0415
    from visadesk.desk.models import ApiToken  # noqa: PLC0415

    code = resolve_lang(lang)

    def act(session: Session, user_id: int) -> str:
        from sqlalchemy import func, select  # noqa: PLC0415

        live = session.scalar(
            select(func.count()).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
        )
        user = set_active(session, None, user_id, False)
        return t("accounts.cli.disabled", code, email=user.email, revoked=live or 0)

    _user_command(email, lang, act)


@user_app.command("enable")
def user_enable(email: Email, lang: Lang = None) -> None:
    """Enable a disabled user again."""
    from visadesk.desk.accounts import set_active  # noqa: PLC0415

    code = resolve_lang(lang)

    def act(session: Session, user_id: int) -> str:
        user = set_active(session, None, user_id, True)
        return t("accounts.cli.enabled", code, email=user.email)

    _user_command(email, lang, act)


@user_app.command("reset")
def user_reset(email: Email, lang: Lang = None) -> None:
    """Issue a single-use reset link (valid 24 hours), shown once."""
    from visadesk.desk.accounts import issue_reset  # noqa: PLC0415

    code = resolve_lang(lang)

    def act(session: Session, user_id: int) -> str:
        issued = issue_reset(session, None, user_id)
        expires = issued.expires_at.isoformat(timespec="minutes")
        path = f"/reset/{issued.token}"
        return t(
            "accounts.cli.reset_issued", code, email=issued.user.email, expires=expires, path=path
        )

    _user_command(email, lang, act)


@user_app.command("passwd")
def user_passwd(email: Email, lang: Lang = None) -> None:
    """Set a user's password (asked twice, or $VISADESK_NEW_PASSWORD); revokes their tokens."""
    from visadesk.desk.accounts import set_password  # noqa: PLC0415
    from visadesk.desk.models import ApiToken  # noqa: PLC0415

    code = resolve_lang(lang)
    password = _password(email, code)

    def act(session: Session, user_id: int) -> str:
        from sqlalchemy import func, select  # noqa: PLC0415

        live = session.scalar(
            select(func.count()).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
        )
        user = set_password(session, None, user_id, password)
        return t("accounts.cli.password_set", code, email=user.email, revoked=live or 0)

    _user_command(email, lang, act)


# -- audit verify -------------------------------------------------------------------------


_PROBLEMS: Final[dict[str, Callable[[str, int], str]]] = {
    "edited": lambda lang, seq: t("desk_cli.audit.edited", lang, seq=seq),
    "deleted": lambda lang, seq: t("desk_cli.audit.deleted", lang, seq=seq),
    "inserted": lambda lang, seq: t("desk_cli.audit.inserted", lang, seq=seq),
    "truncated": lambda lang, seq: t("desk_cli.audit.truncated", lang, seq=seq),
}


def _problem_line(problem: AuditProblem, lang: str) -> str:
    if problem.source:  # a checkpoint's problem
        return t(
            f"audit.verify.checkpoint_{problem.kind}", lang, seq=problem.seq, source=problem.source
        )
    if problem.kind in _PROBLEMS:
        return _PROBLEMS[problem.kind](lang, problem.seq)
    return t(f"audit.verify.{problem.kind}", lang, seq=problem.seq, detail=problem.detail)


def _verify(
    engine: Engine,
    settings: Settings,
    lang: str,
    checkpoints: Sequence[tuple[str, Checkpoint]] = (),
) -> bool:
    """Walk the chain (and hold it against the checkpoints) and report; whether it is intact."""
    from visadesk.desk.audit import AuditKeys, check  # noqa: PLC0415
    from visadesk.desk.db import read_session, session_factory  # noqa: PLC0415

    keys = AuditKeys(settings.audit_keys)
    with read_session(session_factory(engine, settings.audit_keys)) as session:
        report = check(session, keys, checkpoints)
    for problem in report.problems:
        typer.echo(_problem_line(problem, lang))
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
    with _desk_handled(code):
        marks = [mark for path in checkpoint or () for mark in read_checkpoints(path)]
        settings = _settings()
        with _engine(settings) as engine:
            intact = _verify(engine, settings, code, marks)
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
    with _desk_handled(code):
        settings = _settings()
        keys = AuditKeys(settings.audit_keys)
        with (
            _engine(settings) as engine,
            read_session(session_factory(engine, settings.audit_keys)) as session,
        ):
            report = check(session, keys)
            if not report.intact:
                for problem in report.problems:
                    typer.echo(_problem_line(problem, code))
                typer.echo(t("audit.checkpoint.refused", code, problems=len(report.problems)))
                raise typer.Exit(1)
            mark = make_checkpoint(session, keys, report)
        with atomic_path(out) as tmp:
            tmp.write_text(mark.to_json() + "\n", encoding="utf-8")
        typer.echo(
            t("audit.checkpoint.wrote", code, path=str(out), seq=mark.seq, key_id=mark.key_id)
        )
        if settings.audit_anchor is not None:
            append_anchor(settings.audit_anchor, mark)
            typer.echo(t("audit.checkpoint.anchored", code, path=str(settings.audit_anchor)))


# -- keys ---------------------------------------------------------------------------------


@keys_app.command("rotate")
def keys_rotate(lang: Lang = None) -> None:
    """Re-encrypt all personal data under the first key of VISADESK_DATA_KEYS, in one go."""
    from visadesk.desk.db import session_factory, write_session  # noqa: PLC0415
    from visadesk.desk.keys import rotate  # noqa: PLC0415

    code = resolve_lang(lang)
    with _desk_handled(code):
        settings = _settings()
        with (
            _engine(settings) as engine,
            write_session(session_factory(engine, settings.audit_keys)) as session,
        ):
            report = rotate(session, settings.data_keys)
    rows = sum(report.rows.values())
    typer.echo(t("desk_cli.keys.rotated", code, values=report.values, rows=rows))
    if len(settings.data_keys) == 1:
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
    with _desk_handled(code):
        settings = _settings()
        keys = AuditKeys(settings.audit_keys)
        with _engine(settings) as engine:
            sessions = session_factory(engine, settings.audit_keys)
            with write_session(sessions) as session:
                report = check(session, keys)
                if not report.intact:
                    for problem in report.problems:
                        typer.echo(_problem_line(problem, code))
                    typer.echo(t("audit.keys.rekey_refused", code, problems=len(report.problems)))
                    raise typer.Exit(1)
                done = rekey(session, keys)
    typer.echo(
        t("audit.keys.rekeyed", code, entries=done.entries, legacy=done.legacy, key_id=done.key_id)
    )


# -- backup and restore -------------------------------------------------------------------


def backup_cmd(
    out: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
    lang: Lang = None,
) -> None:
    """Write every table and document file to one archive (personal data stays encrypted)."""
    from visadesk.desk.backup import backup  # noqa: PLC0415

    code = resolve_lang(lang)
    with _desk_handled(code):
        settings = _settings()
        with _engine(settings) as engine:
            report = backup(engine, settings.documents_dir, out)
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
    force: Annotated[
        bool,
        typer.Option("--force", help="Empty the database first (deletes everything in it)."),
    ] = False,
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
    with _desk_handled(code):
        settings = _settings()
        with _engine(settings) as engine:
            report = restore(engine, settings.documents_dir, archive, force=force)
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
            with read_session(session_factory(engine, settings.audit_keys)) as session:
                unreadable = undecryptable(session, settings.data_keys)
            if unreadable:
                typer.echo(t("desk_cli.restore.undecryptable", code, count=unreadable), err=True)
            intact = _verify(engine, settings, code)
    if not intact:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("serve")(serve)
    app.command("demo")(demo_cmd)
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
    app.add_typer(keys_app, name="keys")
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)

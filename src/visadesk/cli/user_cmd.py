"""Desk user accounts from the command line: ``user add | disable | enable | reset | passwd``.

Each command runs in one write transaction on the database of the environment's
settings (migrated to the newest schema first); ``actor`` is ``None`` in the desk's
operations: the command line may manage anyone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, cast

import typer

from visadesk.cli.common import Lang, fail, resolve_lang
from visadesk.cli.desk_common import desk_engine, desk_handled, settings
from visadesk.desk.workflow import ROLES, Role
from visadesk.i18n import t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from visadesk.desk.models import Organization

__all__ = ["register"]

user_app = typer.Typer(help="Desk user accounts.", no_args_is_help=True)

Email = Annotated[str, typer.Option("--email", help="The user's e-mail (their login).")]


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

    from visadesk.desk.authz import ROLE_ORG_KIND  # noqa: PLC0415
    from visadesk.desk.directory import create_org  # noqa: PLC0415
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
    email: Email,
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
    from visadesk.desk.db import session_factory, upgrade, write_session  # noqa: PLC0415
    from visadesk.desk.directory import add_user  # noqa: PLC0415

    password = _password(email, code)
    with desk_handled(code):
        chosen = settings()
        with desk_engine(chosen) as engine:
            upgrade(engine)
            with write_session(session_factory(engine, chosen.audit_keys)) as session:
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


def _user_command(email: str, lang: str | None, action: Callable[[Session, int], str]) -> None:
    """Find the user by e-mail and run ``action`` in one write transaction; print its line."""
    code = resolve_lang(lang)
    from sqlalchemy import select  # noqa: PLC0415

    from visadesk.desk.db import session_factory, upgrade, write_session  # noqa: PLC0415
    from visadesk.desk.models import User  # noqa: PLC0415

    with desk_handled(code):
        chosen = settings()
        with desk_engine(chosen) as engine:
            upgrade(engine)
            with write_session(session_factory(engine, chosen.audit_keys)) as session:
                address = email.strip().lower()
                user_id = session.scalar(select(User.id).where(User.email == address))
                if user_id is None:
                    fail(t("accounts.cli.no_user", code, email=address))
                line = action(session, user_id)
    typer.echo(line)


def _live_tokens(session: Session, user_id: int) -> int:
    """How many of the user's tokens still work (those a disable or a new password ends)."""
    from sqlalchemy import func, select  # noqa: PLC0415

    from visadesk.desk.models import ApiToken  # noqa: PLC0415

    live = session.scalar(
        select(func.count()).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
    )
    return live or 0


@user_app.command("disable")
def user_disable(email: Email, lang: Lang = None) -> None:
    """Disable a user: their sessions and tokens stop working at once."""
    from visadesk.desk.lifecycle import set_active  # noqa: PLC0415

    code = resolve_lang(lang)

    def act(session: Session, user_id: int) -> str:
        live = _live_tokens(session, user_id)
        user = set_active(session, None, user_id, False)
        return t("accounts.cli.disabled", code, email=user.email, revoked=live)

    _user_command(email, lang, act)


@user_app.command("enable")
def user_enable(email: Email, lang: Lang = None) -> None:
    """Enable a disabled user again."""
    from visadesk.desk.lifecycle import set_active  # noqa: PLC0415

    code = resolve_lang(lang)

    def act(session: Session, user_id: int) -> str:
        user = set_active(session, None, user_id, True)
        return t("accounts.cli.enabled", code, email=user.email)

    _user_command(email, lang, act)


@user_app.command("reset")
def user_reset(email: Email, lang: Lang = None) -> None:
    """Issue a single-use reset link (valid 24 hours), shown once."""
    from visadesk.desk.lifecycle import issue_reset  # noqa: PLC0415

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
    from visadesk.desk.lifecycle import set_password  # noqa: PLC0415

    code = resolve_lang(lang)
    password = _password(email, code)

    def act(session: Session, user_id: int) -> str:
        live = _live_tokens(session, user_id)
        user = set_password(session, None, user_id, password)
        return t("accounts.cli.password_set", code, email=user.email, revoked=live)

    _user_command(email, lang, act)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")

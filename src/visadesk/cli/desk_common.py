"""What the desk commands share: their settings, the database engine, the server run,
the handling of the desk's errors and the console they print tables on.

Every desk command reads its settings from the environment (``Settings.from_env``:
``VISADESK_DATABASE_URL``, ``VISADESK_DATA_DIR``, ``VISADESK_DATA_KEYS``,
``VISADESK_SECRET_KEY``, ``VISADESK_AUDIT_KEYS``, ``VISADESK_AUDIT_ANCHOR``). Exit
status: 0 done; 1 the audit chain is broken (or differs from a checkpoint);
2 bad input or a refused operation (the reason printed, nothing written).

The database, the web framework and the demo's data generator load on demand,
in the commands that use them: the screening commands need not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, Final

import typer

from visadesk.cli.common import fail, handled
from visadesk.i18n import t

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from visadesk.desk.config import Settings
    from visadesk.desk.runtime import Desk

__all__ = [
    "LOOPBACK",
    "Host",
    "Port",
    "announce",
    "base_url",
    "desk_engine",
    "desk_handled",
    "empty_first",
    "run_server",
    "settings",
    "shown",
]

LOOPBACK: Final = frozenset({"127.0.0.1", "localhost", "::1"})
Host = Annotated[str, typer.Option("--host", help="Address to listen on.")]
Port = Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)]


def empty_first(flag: str) -> Any:
    """The option of a command that may empty the database before it writes (``flag``)."""
    return typer.Option(flag, help="Empty the database first (deletes everything in it).")


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def desk_handled(lang: str) -> Iterator[None]:
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


def settings() -> Settings:
    from visadesk.desk.config import Settings  # noqa: PLC0415

    return Settings.from_env()


def shown(url: str) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def desk_engine(chosen: Settings) -> Iterator[Engine]:
    """The database engine of ``chosen``, disposed of afterwards."""
    from visadesk.desk.db import make_engine  # noqa: PLC0415

    engine = make_engine(chosen.database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def base_url(host: str, port: int) -> str:
    where = f"[{host}]" if ":" in host else host
    return f"http://{where}:{port}/"


def announce(host: str, port: int, lang: str) -> None:
    """Where the desk is served, and that it is guidance, not legal advice."""
    typer.echo(t("desk_cli.serve.where", lang, url=base_url(host, port)))
    typer.echo(t("desk_cli.notice", lang))


def run_server(desk: Desk, host: str, port: int, lang: str) -> None:
    """Serve ``desk``'s web app with uvicorn until stopped."""
    import uvicorn  # noqa: PLC0415

    from visadesk.server import create_app  # noqa: PLC0415

    announce(host, port, lang)
    uvicorn.run(create_app(desk), host=host, port=port)

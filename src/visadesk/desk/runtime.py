"""A running desk: its settings, database, rule set and checklist, built once at start.

:func:`build_desk` is what every way of running the desk (the web service, the CLI,
the demo, the benchmark, the tests) starts from; both front doors then reach the
:class:`Desk` through the request (:mod:`visadesk.serve.request`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from visadesk.desk.audit import AuditKeys
from visadesk.desk.config import Settings
from visadesk.desk.crypto import use_keys
from visadesk.desk.db import make_engine, session_factory, upgrade
from visadesk.desk.deadlines import seoul_today
from visadesk.policy.documents import Checklist, load_checklist
from visadesk.policy.load import load_policy
from visadesk.policy.model import Policy

__all__ = ["Desk", "build_desk", "engine_options"]


@dataclass
class Desk:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    checklist: Checklist
    #: The screening date and the queue's "today": the date in Seoul, where the desk
    #: works (not the server's own zone); a test or a demo may pin it.
    today: Callable[[], dt.date] = field(default=seoul_today)


def engine_options(settings: Settings) -> dict[str, Any]:
    """Pool sizes for :func:`visadesk.desk.db.make_engine`, from ``max_concurrency``.

    A request may hold two connections at once (the caller's lookup and its own
    session), so the pool has twice the gate's width (the gate and the threadpool:
    :mod:`visadesk.serve.middleware`); a connection not free within
    ``queue_timeout`` raises SQLAlchemy's ``TimeoutError`` (503).
    """
    url = make_url(settings.database_url)
    if url.drivername.startswith("sqlite") and url.database in {None, "", ":memory:"}:
        return {}  # one connection per thread: no queue pool to size
    return {
        "pool_size": settings.max_concurrency,
        "max_overflow": settings.max_concurrency,
        "pool_timeout": settings.queue_timeout,
    }


def build_desk(
    settings: Settings,
    *,
    policy_spec: str = "baseline",
    migrate: bool = True,
    today: Callable[[], dt.date] | None = None,
) -> Desk:
    """The desk for ``settings``: keys checked, database migrated (unless not), rules loaded."""
    use_keys(settings.data_keys)
    AuditKeys(settings.audit_keys)  # unusable audit keys stop the desk before it starts
    engine = make_engine(
        settings.database_url, lock_timeout=settings.db_lock_timeout, **engine_options(settings)
    )
    if migrate:
        upgrade(engine)
    policy = load_policy(policy_spec)
    sessions = session_factory(engine, settings.audit_keys)
    desk = Desk(settings, engine, sessions, policy, load_checklist(policy))
    if today is not None:
        desk.today = today
    return desk

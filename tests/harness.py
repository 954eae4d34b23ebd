"""The tests' small seeded desk, and a desk served in a thread for the tests that need a
real server (browser, rate limits, bursts).

Organizations (two sponsors, three subcontractors, the desk), one user per
role (``<key>@example.test``) and the two projects of the bundled sample
roster (``visadesk/data/sample/roster.csv``), and nothing else: each test
files its own batches. The full demo desk people try out is
:mod:`visadesk.desk.demo` (``visadesk demo``); this is test seeding, kept out of
the package. ``bench/batch_page.py`` seeds its desk with it too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Final

from visadesk.desk import directory, tokens
from visadesk.desk.authz import Principal
from visadesk.desk.db import write_session
from visadesk.desk.projects import create_project
from visadesk.desk.runtime import Desk

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoWorld", "seed_demo", "serve"]

DEMO_PASSWORD: Final = "correct horse battery"  # noqa: S105 - demo users only
#: key, organization key, role
DEMO_USERS: Final = (
    ("admin", "desk", "desk_admin"),
    ("supervisor", "desk", "desk_supervisor"),
    ("officer", "desk", "desk_officer"),
    ("auditor", "desk", "auditor"),
    ("hanbit_admin", "hanbit", "sponsor_admin"),
    ("hanbit_staff", "hanbit", "sponsor_staff"),
    ("haeon_admin", "haeon", "sponsor_admin"),
    ("sejin_staff", "sejin", "subcontractor_staff"),
    ("daeseong_staff", "daeseong", "subcontractor_staff"),
    ("kukje_staff", "kukje", "subcontractor_staff"),
)


@dataclass
class DemoWorld:
    orgs: dict[str, int]
    projects: dict[str, int]
    users: dict[str, Principal] = field(default_factory=dict)

    @staticmethod
    def email(key: str) -> str:
        return f"{key}@example.test"


def seed_demo(desk: Desk, password: str = DEMO_PASSWORD) -> DemoWorld:
    """Two sponsors: Hanbit (subcontractors Sejin and Daeseong) and Haeon (Kukje)."""
    with write_session(desk.sessions) as s:
        orgs = {"desk": directory.create_org(s, None, kind="desk", name="KIT Desk Seoul").id}
        for key, name, name_ko in (
            ("hanbit", "Hanbit Energy Solutions", "한빛에너지솔루션"),
            ("haeon", "Haeon Marine Industries", "해온해양산업"),
        ):
            orgs[key] = directory.create_org(s, None, kind="sponsor", name=name, name_ko=name_ko).id
        for key, name, sponsor in (
            ("sejin", "Sejin Plant Engineering & Construction", "hanbit"),
            ("daeseong", "Daeseong Precision Machinery", "hanbit"),
            ("kukje", "Kukje Marine Electric", "haeon"),
        ):
            orgs[key] = directory.create_org(
                s, None, kind="subcontractor", name=name, sponsor_id=orgs[sponsor]
            ).id
        users = {}
        for key, org, role in DEMO_USERS:
            user = directory.add_user(
                s,
                None,
                org_id=orgs[org],
                email=DemoWorld.email(key),
                name=key.replace("_", " ").title(),
                role=role,
                password=password,
            )
            users[key] = tokens.principal_of(user)
        projects = {
            "hanbit": create_project(
                s,
                users["hanbit_admin"],
                name="Hanbit GA Cell Plant",
                worksite="Hanbit-GA Battery Plant, Bryan County, GA",
                state="GA",
                sector="batteries",
                investment_usd=4_300_000_000,
            ).id,
            "haeon": create_project(
                s,
                users["haeon_admin"],
                name="Haeon Philadelphia Shipyard Modernization",
                worksite="Philadelphia, PA",
                state="PA",
                sector="shipbuilding",
            ).id,
        }
    return DemoWorld(orgs, projects, users)


@contextmanager
def serve(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a background thread; yields the base URL."""
    import uvicorn  # noqa: PLC0415 - only the tests that need a real server load it

    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off", ws="none"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="visadesk-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)

"""The two applications the desk benchmark serves with uvicorn (``--factory``).

``desk_app``  the real desk (``visadesk.server.create_app``), configured from
              the environment as a deployment is (``Settings.from_env``), on a
              database the benchmark has already migrated and seeded; the
              screening date is pinned by ``VISADESK_BENCH_TODAY`` (ISO date).
``bare_app``  a bare FastAPI application with one endpoint, ``GET /bare``, the
              baseline: the same framework, server and client, no work.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from fastapi import FastAPI

__all__ = ["bare_app", "desk_app"]


def desk_app() -> FastAPI:
    # Imported here, so that the bare application's process does not load the desk.
    from visadesk.desk.config import Settings  # noqa: PLC0415
    from visadesk.desk.runtime import build_desk  # noqa: PLC0415
    from visadesk.server import create_app  # noqa: PLC0415

    pinned = os.environ.get("VISADESK_BENCH_TODAY")
    today: Callable[[], dt.date] | None = None
    if pinned:
        day = dt.date.fromisoformat(pinned)

        def today() -> dt.date:
            return day

    return create_app(build_desk(Settings.from_env(), migrate=False, today=today))


def bare_app() -> FastAPI:
    app = FastAPI(openapi_url=None)

    # A plain ``def``, as the desk's endpoints are: both run in the same thread pool.
    @app.get("/bare")
    def bare() -> dict[str, bool]:
        return {"ok": True}

    return app

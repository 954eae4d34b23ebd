"""The composition root: the desk's one app, with the API and the web pages on it.

:func:`create_app` puts on one FastAPI app, for one running desk
(:func:`visadesk.desk.runtime.build_desk`): the API's routers
(:mod:`visadesk.api`, under ``/api/v1``, its description at
``/openapi.json``), the web pages and their static files (:mod:`visadesk.web`),
one answer to every error (:mod:`visadesk.serve.errors`: JSON on the API, a page
elsewhere) and the serving middleware (:mod:`visadesk.serve.middleware`).
Neither front door imports the other, nor this module.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response

from visadesk import __version__
from visadesk.api.app import DESCRIPTION, ROUTERS
from visadesk.desk import bounded
from visadesk.desk.runtime import Desk
from visadesk.serve import errors, middleware
from visadesk.serve.request import is_page
from visadesk.web import app as web
from visadesk.web.templating import LoginRequired

__all__ = ["create_app"]


def create_app(desk: Desk) -> FastAPI:
    """The desk's app: API, pages, error answers and middleware, serving ``desk``."""
    app = FastAPI(
        title="visadesk", version=__version__, description=DESCRIPTION, openapi_url="/openapi.json"
    )
    app.state.desk = desk
    bounded.warm()  # the roster worker's server, started before the first upload needs it
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", web.static_files(), name="static")
    for router in web.ROUTERS:
        app.include_router(router)

    async def answer(request: Request, exc: Any) -> Response:
        failure = errors.failure(request, exc)
        if is_page(request.url.path):
            return web.error_page(request, failure)
        return errors.json_response(failure)

    for kind in errors.HANDLED:
        app.add_exception_handler(kind, answer)
    app.add_exception_handler(LoginRequired, web.login_required)
    app.add_middleware(web.PageHeaders)
    middleware.install(app, desk.settings)
    return app

"""The API's part of the desk's app: its routers under /api/v1, /healthz, its description.

:mod:`visadesk.server` puts these on the one app with the web pages; errors are
answered by :mod:`visadesk.serve.errors` as JSON ``{"error": {"code", "message",
"details"}}`` with a stable code and the message in the request's language
(``?lang=``, the language cookie, or Accept-Language).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request

from visadesk.api.accounts_routes import router as accounts_router
from visadesk.api.audit_routes import router as audit_router
from visadesk.api.cases_routes import router as cases_router
from visadesk.api.decisions_routes import router as decisions_router
from visadesk.api.docreq_routes import router as docreq_router
from visadesk.api.queue_routes import router as queue_router
from visadesk.api.routes import router
from visadesk.api.workbook_routes import router as workbook_router
from visadesk.serve.request import get_desk

__all__ = ["DESCRIPTION", "ROUTERS"]

DESCRIPTION: Final = (
    "The visa desk's API: batches, screening, cases, documents, decisions. "
    "Screening results are guidance, not legal advice."
)

service = APIRouter()


# Async and without dependencies: it needs no worker thread and no database, so it
# answers during a burst.
@service.get("/healthz", tags=["service"])
async def health(request: Request) -> dict[str, str]:
    return {"status": "ok", "policy": get_desk(request).policy.version}


#: The API's routers, in the order they are put on the app.
# The queue's routes before the cases': /cases/export and /cases/bulk are not case ids.
ROUTERS: Final = (
    service,
    router,
    queue_router,
    cases_router,
    accounts_router,
    workbook_router,
    audit_router,
    decisions_router,
    docreq_router,
)

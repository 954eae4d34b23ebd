"""Serving under load: body limits, a concurrency gate, 503 with Retry-After, headers.

Pure ASGI middleware, outermost first:

- :class:`SecurityHeaders` adds ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy: no-referrer`` and ``X-Frame-Options: DENY`` to every
  response that does not set them already (the web pages set their own
  Content-Security-Policy and Referrer-Policy, which are kept).
- :class:`BodyLimit` refuses a request body over its limit with 413: at once
  by ``Content-Length``, and while streaming (a chunked body is counted as it
  arrives and cut at the limit), before multipart parsing spools anything to
  disk and before authentication.
- :class:`DatabaseGate` lets ``max_concurrency`` requests use the database at
  once and ``queue_size`` more wait up to ``queue_timeout`` seconds for their
  turn; beyond that, or after that, 503 with ``Retry-After``. ``/healthz``,
  static files and the API description pass outside it.

The database pool and the threadpool are sized from the same setting
(:func:`visadesk.desk.runtime.engine_options`, :func:`threadpool_size`), so that
a request that holds the SQLite write lock always finds a thread to finish on. A
pooled connection not free within ``queue_timeout`` (SQLAlchemy's ``TimeoutError``)
and SQLite's "database is locked" are answered 503 with ``Retry-After`` too
(:mod:`visadesk.serve.errors`), never 500 after half a minute.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from visadesk.desk.config import Settings
from visadesk.desk.documents import MAX_DOCUMENT_BYTES
from visadesk.i18n import t
from visadesk.serve.errors import Failure, busy, json_response
from visadesk.serve.request import request_lang

__all__ = [
    "MULTIPART_SLACK",
    "BodyLimit",
    "DatabaseGate",
    "SecurityHeaders",
    "install",
    "threadpool_size",
]

log = logging.getLogger("visadesk.desk")

#: Room for the multipart boundaries and part headers around an upload's bytes.
MULTIPART_SLACK: Final = 64 * 1024
#: Paths that never wait for the database gate.
_UNGATED: Final = ("/healthz", "/static/", "/openapi.json", "/docs", "/redoc")
_DOCUMENT_UPLOAD: Final = re.compile(r"/cases/[^/]+/documents/?$")
_DEFAULT_HEADERS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def threadpool_size(settings: Settings) -> int:
    """Worker threads for sync endpoints: every admitted request plus room to finish."""
    return 2 * settings.max_concurrency + 8


def _lang(scope: Scope) -> str:
    return request_lang(Request(scope))


def too_large_response(lang: str, limit: int) -> JSONResponse:
    message = t("serving.error.body_too_large", lang, limit=limit)
    failure = Failure(413, "body_too_large", message, ({"limit": limit},))
    # The rest of the body is not read: the connection is closed after the answer.
    return json_response(failure, {"Connection": "close"})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


class SecurityHeaders:
    """Adds the default security headers a response does not already carry."""

    def __init__(self, app: ASGIApp, headers: Iterable[tuple[bytes, bytes]] = _DEFAULT_HEADERS):
        self.app = app
        self.headers = tuple(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """413 for a body over its limit, by Content-Length at once, else as it streams in.

    Limits: a multipart document upload (``.../cases/<id>/documents``) the document
    limit, any other multipart body ``max_upload_bytes``, both plus
    :data:`MULTIPART_SLACK`; every other body ``max_body_bytes``.
    """

    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int, max_document: int):
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.max_document = max_document

    def limit_for(self, scope: Scope) -> int:
        content_type = (_header(scope, b"content-type") or "").lower()
        if content_type.startswith("multipart/"):
            if _DOCUMENT_UPLOAD.search(scope.get("path", "")):
                return self.max_document + MULTIPART_SLACK
            return self.max_upload + MULTIPART_SLACK
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await too_large_response(_lang(scope), limit)(scope, receive, send)
            return

        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await too_large_response(_lang(scope), limit)(scope, receive, send)
                    # The application sees a client that went away: it stops reading.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; whatever the application says is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            # The application tripped over the cut-off body; the client has its 413.
            log.info("body over %d bytes refused on %s", limit, scope.get("path"))


@dataclass
class _Slots:
    semaphore: asyncio.Semaphore
    waiting: int = 0


class DatabaseGate:
    """At most ``limit`` requests at once, ``queue`` more waiting ``wait`` seconds; else 503."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        queue: int,
        wait: float,
        retry_after: int,
        threads: int,
    ) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.wait = wait
        self.retry_after = retry_after
        self.threads = threads
        # One set of slots per event loop (a test client runs its own loop).
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Slots] = (
            weakref.WeakKeyDictionary()
        )

    def slots(self) -> _Slots:
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = _Slots(asyncio.Semaphore(self.limit))
            limiter = anyio.to_thread.current_default_thread_limiter()
            limiter.total_tokens = max(limiter.total_tokens, self.threads)
        return slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(_UNGATED):
            await self.app(scope, receive, send)
            return
        slots = self.slots()
        if not await self._admit(slots):
            log.warning("busy: 503 for %s %s", scope.get("method"), scope.get("path"))
            await json_response(busy(_lang(scope), self.retry_after))(scope, receive, send)
            return
        try:
            await self.app(scope, receive, self._with_retry_after(send))
        finally:
            slots.semaphore.release()

    async def _admit(self, slots: _Slots) -> bool:
        if not slots.semaphore.locked():
            await slots.semaphore.acquire()
            return True
        if slots.waiting >= self.queue:
            return False
        slots.waiting += 1
        try:
            async with asyncio.timeout(self.wait):
                await slots.semaphore.acquire()
            return True
        except TimeoutError:
            return False
        finally:
            slots.waiting -= 1

    def _with_retry_after(self, send: Send) -> Send:
        """A 503 from further in (a page, say) gets ``Retry-After`` if it has none."""
        retry_after = str(self.retry_after).encode()

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 503:
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"retry-after" for k, _ in headers):
                    headers.append((b"retry-after", retry_after))
                message["headers"] = headers
            await send(message)

        return sending


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware to ``app``, after the web pages' own (so: outside it).

    Added last = outermost: headers on every answer, sizes checked before waiting a turn.
    """
    app.add_middleware(
        DatabaseGate,
        limit=settings.max_concurrency,
        queue=settings.queue_size,
        wait=settings.queue_timeout,
        retry_after=settings.retry_after,
        threads=threadpool_size(settings),
    )
    app.add_middleware(
        BodyLimit,
        max_body=settings.max_body_bytes,
        max_upload=settings.max_upload_bytes,
        max_document=MAX_DOCUMENT_BYTES,
    )
    app.add_middleware(SecurityHeaders)

"""The audit page: the log filtered and paged, the chain verified, the filtered log exported.

- ``GET /audit``: the filter (days, actor, action or family, object) and one page of
  entries, newest first, actors masked; for the roles with ``audit.log`` (the auditor
  and the desk admin).
- ``POST /audit/verify`` (CSRF): walks the chain as ``visadesk audit verify`` does and
  shows what it found on the answer, above the same filtered page.
- ``GET /audit/export?format=csv|jsonl``: the filtered log as a download.

Every operation is :mod:`visadesk.desk.audit_view`'s; this module parses, calls and renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from visadesk.desk import audit_view
from visadesk.desk.authz import Principal, require
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.web.forms import Csrf, submit
from visadesk.web.templating import desk_of, lang_of, render, require_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Text = Annotated[str, Query(max_length=254)]
FormText = Annotated[str, Form(max_length=254)]
FIELDS: Final = ("since", "until", "actor", "action", "entity", "entity_id")


def _typed(request: Request, source: dict[str, str] | None = None) -> dict[str, str]:
    given = source if source is not None else dict(request.query_params)
    return {name: str(given.get(name, ""))[:254] for name in FIELDS}


def _page(
    request: Request,
    me: Principal,
    typed: dict[str, str],
    *,
    page: int = 1,
    verification: audit_view.Verification | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    require(me, "audit.log")
    lang = lang_of(request)
    problems: list[Mapping[str, Any]] = []
    found: audit_view.AuditPage | None = None
    with read_session(desk_of(request).sessions) as session:
        lists = audit_view.choices(session, me)
        try:
            f = audit_view.parse_filter(**typed, lang=lang)
            found = audit_view.entries(session, me, f, page=page)
        except DeskError as refused:
            if refused.code != "audit_filter":
                raise
            problems, status = list(refused.details), refused.status
            f = audit_view.AuditFilter()
    kept = f.as_params()

    def page_url(n: int) -> str:
        return "/audit?" + urlencode({**kept, "page": n})

    def export_url(kind: str) -> str:
        return "/audit/export?" + urlencode({**kept, "format": kind})

    return render(
        request,
        "audit.html",
        status_code=status,
        canonical_url="/audit?" + urlencode(kept) if kept else "/audit",
        typed=typed,
        found=found,
        lists=lists,
        problems=problems,
        page_url=page_url,
        export_url=export_url,
        verification=verification,
        error=error,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> Response:
    return _page(request, require_user(request), _typed(request), page=page)


@router.post("/audit/verify", response_class=HTMLResponse)
def verify(  # noqa: PLR0917 - the filter's fields, kept on the answer
    request: Request,
    csrf_token: Csrf = "",
    since: FormText = "",
    until: FormText = "",
    actor: FormText = "",
    action: FormText = "",
    entity: FormText = "",
    entity_id: FormText = "",
) -> Response:
    """The verification is shown on this answer, above the filtered page it was asked from."""
    typed = _typed(
        request,
        {
            "since": since,
            "until": until,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
        },
    )
    desk = desk_of(request)
    lang = lang_of(request)
    return submit(
        request,
        csrf_token,
        lambda session, me: (me, audit_view.verify(session, me, desk.settings, lang)),
        lambda done: _page(request, done[0], typed, verification=done[1]),
        lambda me, error, status: _page(request, me, typed, error=error, status=status),
    )


@router.get("/audit/export")
def export(request: Request, format: Text = "csv") -> Response:
    me = require_user(request)
    lang = lang_of(request)
    with read_session(desk_of(request).sessions) as session:
        f = audit_view.parse_filter(**_typed(request), lang=lang)
        made = audit_view.export(session, me, f, format, lang)
    disposition = f'attachment; filename="{made.filename}"'
    return Response(
        made.body, media_type=made.media_type, headers={"Content-Disposition": disposition}
    )

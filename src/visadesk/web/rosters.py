"""Uploading a roster into a batch from the batch's page, and fixing a refused one.

The upload is the desk's (:func:`visadesk.desk.uploads.file_roster`: refused early
if the user may not file into the batch, read and screened within limits before
the write transaction, stored all or nothing). A roster refused for its
contents shows its problems, and, when the file could be read as a grid, the
grid to correct in place: the corrected grid is uploaded again as CSV.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Final

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from visadesk.desk import rostertemplate, uploads
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.integrity import RowsRefusedError
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.roster.model import RosterError
from visadesk.web import rostergrid
from visadesk.web.batches import batch_context, batch_page
from visadesk.web.forms import Csrf
from visadesk.web.templating import check_csrf, desk_of, lang_of, render, require_user

__all__ = ["MAX_PROBLEMS", "router"]

router = APIRouter(include_in_schema=False)

#: The most problems the problems table lists (the count says how many more).
MAX_PROBLEMS: Final = 500


def _pending(desk: Desk) -> rostergrid.PendingStore:
    return rostergrid.PendingStore(desk.settings.data_dir / "web-pending")


def _upload(
    request: Request,
    user: Principal,
    batch_id: int,
    roster: uploads.RosterFile,
    *,
    skip_refused: bool = False,
) -> Response:
    """File the roster; success shows the batch with the report, refusal the problems."""
    desk = desk_of(request)
    try:
        report = uploads.file_roster(desk, user, batch_id, roster, skip_refused=skip_refused)
    except RosterError as refused:
        return _problems_page(request, user, batch_id=batch_id, refused=refused, roster=roster)
    except RowsRefusedError as error:
        return _refused_page(request, user, batch_id=batch_id, error=error, roster=roster)
    except DeskError as error:
        message = error.message(lang_of(request))
        return batch_page(request, user, batch_id, error=message, status=error.status)
    return batch_page(request, user, batch_id, report=report)


def _problems_page(
    request: Request,
    user: Principal,
    *,
    batch_id: int,
    refused: RosterError,
    roster: uploads.RosterFile,
) -> Response:
    desk = desk_of(request)
    lang = lang_of(request)
    # A file refused for its size is not parsed again to show it.
    over = "limit_exceeded" in refused.codes
    grid = None if over else rostergrid.read_grid(roster.data, roster.filename)
    if grid is not None:  # a required column it lacks is added, to be filled in
        grid = rostergrid.with_missing_columns(grid, refused.problems)
    view = rostergrid.grid_view(grid, refused.problems, lang) if grid else None
    pending_id = (
        _pending(desk).save(grid, user_id=user.user_id, batch_id=batch_id, filename=roster.filename)
        if grid is not None and view is not None
        else ""
    )
    problems = [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "message": p.message(lang),
        }
        for p in refused.problems[:MAX_PROBLEMS]
    ]
    with read_session(desk.sessions) as session:
        context = batch_context(session, desk, user, batch_id)
        return render(
            request,
            "roster_errors.html",
            status_code=422,
            canonical_url=f"/batches/{batch_id}",
            problems=problems,
            more=max(0, len(refused.problems) - MAX_PROBLEMS),
            total=len(refused.problems),
            filename=PurePath(roster.filename.replace("\\", "/")).name,
            grid=view,
            pending_id=pending_id,
            **context,
        )


@router.get("/roster-template.xlsx")
def roster_template(request: Request) -> Response:
    """The roster template (XLSX) in ``?lang=``, else the page's language."""
    require_user(request)
    template = rostertemplate.roster_template(lang_of(request))
    disposition = f'attachment; filename="{template.filename}"'
    return Response(
        template.data, media_type=template.media_type, headers={"Content-Disposition": disposition}
    )


def _refused_page(
    request: Request,
    user: Principal,
    *,
    batch_id: int,
    error: RowsRefusedError,
    roster: uploads.RosterFile,
) -> Response:
    """Rows that do not belong in the batch: each with its reason, nothing filed."""
    desk = desk_of(request)
    with read_session(desk.sessions) as session:
        context = batch_context(session, desk, user, batch_id)
        return render(
            request,
            "roster_refused.html",
            status_code=error.status,
            canonical_url=f"/batches/{batch_id}",
            message=error.message(lang_of(request)),
            refusals=error.refusals[:MAX_PROBLEMS],
            filename=PurePath(roster.filename.replace("\\", "/")).name,
            **context,
        )


@router.post("/batches/{batch_id}/roster", response_class=HTMLResponse)
def upload_roster(
    request: Request,
    batch_id: int,
    file: Annotated[UploadFile | None, File()] = None,
    csrf_token: Csrf = "",
    skip_refused: Annotated[bool, Form()] = False,
) -> Response:
    user = require_user(request)
    check_csrf(request, csrf_token)
    try:
        if file is None or not file.filename:
            raise DeskError("empty_file", 422)
        data = uploads.read_upload(file.file, desk_of(request).settings.max_upload_bytes)
    except DeskError as error:
        message = error.message(lang_of(request))
        return batch_page(request, user, batch_id, error=message, status=error.status)
    roster = uploads.RosterFile(data, file.filename)
    return _upload(request, user, batch_id, roster, skip_refused=skip_refused)


@router.post("/batches/{batch_id}/roster/fix", response_class=HTMLResponse)
async def fix_roster(request: Request, batch_id: int) -> Response:
    """The corrected grid: rebuild the whole roster as CSV and upload it again."""
    form = await request.form(max_files=0, max_fields=20_000)
    fields = rostergrid.form_fields(form.multi_items())
    return await run_in_threadpool(_fix_roster, request, batch_id, fields)


def _fix_roster(request: Request, batch_id: int, fields: dict[str, str]) -> Response:
    user = require_user(request)
    check_csrf(request, fields.get("csrf_token", ""))
    store = _pending(desk_of(request))
    pending_id = fields.get("pending", "")
    found = store.load(pending_id, user_id=user.user_id, batch_id=batch_id)
    if found is None:
        message = t("web.grid.expired", lang_of(request))
        return batch_page(request, user, batch_id, error=message, status=410)
    grid, filename = found
    corrected = rostergrid.to_csv(rostergrid.apply_edits(grid, fields))
    name = f"{PurePath(filename).stem or 'roster'}.csv"
    response = _upload(request, user, batch_id, uploads.RosterFile(corrected, name))
    store.drop(pending_id)
    return response

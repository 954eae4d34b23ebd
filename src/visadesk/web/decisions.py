"""Confirmation steps for final actions (issue #12): a batch's submit step, and a
case's confirm page for a move that cannot be undone (with the refusal form).

Both work without JavaScript: a GET page that says what will happen, and a POST form
on it. The desk refuses an unconfirmed final move whichever door it came through
(:mod:`visadesk.desk.decisions`, :mod:`visadesk.desk.submission`); these pages only
ask, parse and render.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from visadesk.desk import cases, documents, submission, transitions
from visadesk.desk import projects as desk_projects
from visadesk.desk.authz import Principal, require
from visadesk.desk.db import read_session
from visadesk.desk.decisions import Refusal
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import FINAL_STATES
from visadesk.policy.refusals import bundled_refusal_grounds
from visadesk.web import views
from visadesk.web.forms import Page, submit
from visadesk.web.templating import desk_of, lang_of, render, require_user

__all__ = [
    "ConfirmField",
    "GroundField",
    "ItemsField",
    "OtherItemsField",
    "again_confirm",
    "confirm_page",
    "refusal_from_form",
    "router",
]

router = APIRouter(include_in_schema=False)

#: Rows shown per group on the submit step (a batch may hold tens of thousands).
SHOWN_PER_GROUP: Final = 500


# -- the batch's submit step --------------------------------------------------------------


def _submit_page(
    request: Request,
    user: Principal,
    batch_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    chosen: dict[str, str] | None = None,
) -> Response:
    desk = desk_of(request)
    lang = lang_of(request)
    with read_session(desk.sessions) as session:
        batch = desk_projects.get_batch(session, user, batch_id)
        require(user, "batch.submit")
        shown = submission.preview(session, user, batch.id, desk.policy)
        groups = [
            (outcome, rows[:SHOWN_PER_GROUP], len(rows))
            for outcome in ("case", "decide", "covered", "not_filed")
            if (rows := shown.of(outcome))
        ]
        return render(
            request,
            "submit_batch.html",
            status_code=status,
            canonical_url=f"/batches/{batch.id}/submit",
            error=error,
            batch=batch,
            project=batch.project,
            counts=shown.counts,
            groups=groups,
            can_submit=batch.state == "open" and user.org_id == batch.sponsor_id,
            explain=lambda r: submission.explain(r, desk.policy, lang),
            short_category=views.short_category,
            chosen=chosen or {},
        )


@router.get("/batches/{batch_id}/submit", response_class=HTMLResponse)
def submit_step(request: Request, batch_id: int) -> Response:
    """What submitting does to each person, the decisions about amber rows, and the
    confirmation (a POST form)."""
    return _submit_page(request, require_user(request), batch_id)


def _choice(value: str) -> Any:
    return value if value in submission.AMBER_CHOICES else None


@router.post("/batches/{batch_id}/submit", response_class=HTMLResponse)
async def submit_batch(request: Request, batch_id: int) -> Response:
    """Submit with the sponsor's decisions: ``confirm=yes``, ``amber`` (for all) and
    ``amber_<trip id>`` (for one person)."""
    form = await request.form()
    fields = {k: v[:200] for k, v in form.items() if isinstance(v, str)}
    per_trip: dict[int, Any] = {}
    for key, value in fields.items():
        if key.startswith("amber_") and key[6:].isdigit() and _choice(value):
            per_trip[int(key[6:])] = value
    choice = submission.SubmitChoice(
        confirmed=fields.get("confirm") == "yes",
        amber_default=_choice(fields.get("amber", "")),
        amber=per_trip,
    )
    desk = desk_of(request)

    def again(user: Principal, error: str, status: int) -> Response:
        return _submit_page(request, user, batch_id, error=error, status=status, chosen=fields)

    # The form is read asynchronously (its fields are per person); the write runs in a
    # worker thread like every other form's.
    return await run_in_threadpool(
        submit,
        request,
        fields.get("csrf_token", ""),
        lambda session, user: transitions.submit_batch(session, user, batch_id, desk, choice),
        f"/batches/{batch_id}?done=submitted",
        again,
    )


# -- a case's final move -------------------------------------------------------------------


def refusal_from_form(ground: str, sub_ground: str, items: list[str], other_items: str) -> Refusal:
    """The refusal fields of the confirm page's form (typed items one a line)."""
    typed = tuple(line.strip() for line in other_items.splitlines() if line.strip())
    return Refusal(ground.strip(), sub_ground.strip(), tuple(items), typed)


def _confirm_context(
    session: Session, user: Principal, case_id: int, target: str, *, lang: str, desk: Desk
) -> dict[str, Any]:
    detail = cases.case_detail(session, user, case_id)
    case, trip = detail.case, detail.trip
    if target not in FINAL_STATES or target not in detail.next_states:
        raise DeskError("illegal_transition", 409, source=case.state, target=target)
    checklist = documents.checklist_with_uploads(session, case, desk.checklist, lang)
    grounds = bundled_refusal_grounds().grounds
    return {
        "case": case,
        "trip": trip,
        "person_name": f"{trip.person.family_name} {trip.person.given_name}".strip(),
        "name_ko": trip.person.name_ko,
        "target": target,
        "category_label": views.category_label(desk.policy, case.category, lang),
        "checklist": checklist,
        "grounds": [
            {
                "id": g.id,
                "label": g.label(lang),
                "citation": str(g.citation),
                "verify": g.verify,
                "requires_items": g.requires_items,
                "subs": [
                    {"id": s.id, "label": s.label(lang), "citation": str(s.citation)}
                    for s in g.sub_grounds
                ],
            }
            for g in grounds
        ],
    }


def confirm_page(
    request: Request,
    user: Principal,
    case_id: int,
    target: str,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    """The confirm page of a final move (``target``), with the refusal form for a refusal."""
    desk = desk_of(request)
    lang = lang_of(request)
    with read_session(desk.sessions) as session:
        context = _confirm_context(session, user, case_id, target, lang=lang, desk=desk)
        return render(
            request,
            "confirm_transition.html",
            status_code=status,
            canonical_url=f"/cases/{case_id}/confirm?to={target}",
            error=error,
            form=form or {},
            **context,
        )


@router.get("/cases/{case_id}/confirm", response_class=HTMLResponse)
def confirm_step(request: Request, case_id: int, to: str = "") -> Response:
    return confirm_page(request, require_user(request), case_id, to[:40])


def again_confirm(request: Request, case_id: int, target: str, form: dict[str, Any]) -> Page:
    """The confirm page again, with the reason its form was refused."""
    return lambda user, error, status: confirm_page(
        request, user, case_id, target, error=error, status=status, form=form
    )


# The form fields of the confirm page, for the transition handler (web.casework).
GroundField = Annotated[str, Form(max_length=32), SINGLE_LINE]
ItemsField = Annotated[list[str], Form(max_length=64)]
OtherItemsField = Annotated[str, Form(max_length=4000), MULTI_LINE]
ConfirmField = Annotated[str, Form(max_length=8), SINGLE_LINE]

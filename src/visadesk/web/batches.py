"""A batch's page (its people, a page at a time, by light), inviting a subcontractor,
submitting the batch whole, and one person's screening.

Who may upload a roster into the batch is the desk's one rule
(:func:`visadesk.desk.projects.may_file`); the upload itself is
:mod:`visadesk.web.rosters`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from visadesk.desk import projects as desk_projects
from visadesk.desk import screenings, uploads
from visadesk.desk.authz import Principal, scope_cases, scope_trips
from visadesk.desk.db import read_session
from visadesk.desk.models import Case, Screening, SponsorLink, Trip
from visadesk.desk.runtime import Desk
from visadesk.web import verdicts, views
from visadesk.web.forms import Csrf, Page, submit
from visadesk.web.templating import desk_of, is_htmx, lang_of, render, require_user

__all__ = ["PEOPLE_PER_PAGE", "batch_context", "batch_page", "router", "trip_page_for"]

router = APIRouter(include_in_schema=False)

#: People per page of a batch.
PEOPLE_PER_PAGE: Final = 100


def _people(
    session: Session, desk: Desk, user: Principal, batch_id: int, *, light: str, page: int
) -> dict[str, Any]:
    """One page of the batch's people (of one light, if asked) and the counts by light."""
    # Counts by light for everyone visible, then the ids of one page: both in SQL, so a
    # batch of 45,000 trips costs two indexed queries, not 45,000 decoded rows.
    visible = (
        scope_trips(select(Trip.id, Trip.worker_id, views.light_sql().label("light")), user)
        .outerjoin(Screening, Screening.id == Trip.screening_id)
        .where(Trip.batch_id == batch_id)
        .subquery()
    )
    counts = dict.fromkeys(views.LIGHTS, 0)
    for value, count in session.execute(
        select(visible.c.light, func.count()).group_by(visible.c.light)
    ):
        counts[value] = count
    shown = counts[light] if light else sum(counts.values())
    pages = max(1, math.ceil(shown / PEOPLE_PER_PAGE))
    page = min(max(page, 1), pages)
    if light:
        wanted = select(visible.c.id).where(visible.c.light == light)
        wanted = wanted.order_by(visible.c.worker_id, visible.c.id)
    else:  # no light asked for: the trip table alone orders the page
        wanted = scope_trips(select(Trip.id), user).where(Trip.batch_id == batch_id)
        wanted = wanted.order_by(Trip.worker_id, Trip.id)
    ids = list(session.scalars(wanted.limit(PEOPLE_PER_PAGE).offset((page - 1) * PEOPLE_PER_PAGE)))
    position = {trip_id: n for n, trip_id in enumerate(ids)}
    trips = sorted(
        session.scalars(select(Trip).where(Trip.id.in_(ids))).all(),
        key=lambda t: position[t.id],
    )
    case_rows = session.execute(
        scope_cases(select(Case.trip_id, Case.id, Case.state, Case.category), user).where(
            Case.batch_id == batch_id, Case.trip_id.in_(ids)
        )
    ).all()
    by_trip = {r[0]: (r[1], r[2], r[3]) for r in case_rows}
    rows = [views.person_row(t, desk.policy, by_trip.get(t.id)) for t in trips]
    return {
        "rows": rows,
        "counts": counts,
        "shown": shown,
        "light": light,
        "page": page,
        "pages": pages,
    }


def batch_context(
    session: Session,
    desk: Desk,
    user: Principal,
    batch_id: int,
    *,
    light: str = "",
    page: int = 1,
) -> dict[str, Any]:
    """What the batch's page shows: the batch, its members, what the user may do, people."""
    batch = desk_projects.get_batch(session, user, batch_id)
    member_ids = desk_projects.batch_members(session, user, batch.id)
    open_and_own = batch.state == "open" and user.org_id == batch.sponsor_id
    can_invite = user.can("batch.invite") and open_and_own
    invitable: dict[int, str] = {}
    if can_invite:
        linked = session.scalars(
            select(SponsorLink.subcontractor_id).where(SponsorLink.sponsor_id == batch.sponsor_id)
        )
        invitable = views.names_of(session, [o for o in linked if o not in member_ids])
    drafts = session.scalar(
        select(func.count(Case.id)).where(Case.batch_id == batch.id, Case.state == "draft")
    )
    return {
        "batch": batch,
        "project": batch.project,
        "members": views.names_of(session, member_ids),
        "invitable": invitable,
        "can_invite": can_invite,
        "can_upload": batch.state == "open" and desk_projects.may_file(session, user, batch),
        "can_submit": user.can("batch.submit") and open_and_own,
        "drafts": drafts or 0,
        "sponsor": views.names_of(session, [batch.sponsor_id]).get(batch.sponsor_id, ""),
        **_people(session, desk, user, batch.id, light=light, page=page),
    }


def batch_page(
    request: Request,
    user: Principal,
    batch_id: int,
    *,
    error: str | None = None,
    report: uploads.UploadReport | None = None,
    status: int = 200,
    light: str = "",
    page: int = 1,
) -> Response:
    """The batch's page; after a form, with its error or the upload's report."""
    desk = desk_of(request)
    lang = lang_of(request)
    light = light if light in views.LIGHTS else ""
    with read_session(desk.sessions) as session:
        context = batch_context(session, desk, user, batch_id, light=light, page=page)
        return render(
            request,
            "batch.html",
            status_code=status,
            canonical_url=f"/batches/{batch_id}",
            error=error,
            report=report,
            short_category=views.short_category,
            category_label=lambda cid: views.category_label(desk.policy, cid, lang),
            fact_label=lambda name: views.fact_label(name, lang),
            question_facts=verdicts.row_questions,
            **context,
        )


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
def show_batch(request: Request, batch_id: int, light: str = "", page: int = 1) -> Response:
    """The batch; its people ``PEOPLE_PER_PAGE`` at a time, optionally of one light."""
    return batch_page(request, require_user(request), batch_id, light=light, page=page)


def _again(request: Request, batch_id: int) -> Page:
    """The batch's page again, with the reason a form on it was refused."""
    return lambda user, error, status: batch_page(
        request, user, batch_id, error=error, status=status
    )


@router.post("/batches/{batch_id}/invite", response_class=HTMLResponse)
def invite(
    request: Request,
    batch_id: int,
    org_id: Annotated[int, Form()],
    csrf_token: Csrf = "",
) -> Response:
    return submit(
        request,
        csrf_token,
        lambda session, user: desk_projects.invite(session, user, batch_id, org_id),
        f"/batches/{batch_id}?done=invited",
        _again(request, batch_id),
    )


# Submitting the batch: its confirmation step is web.decisions (GET and POST
# /batches/{batch_id}/submit).


def trip_page_for(
    request: Request,
    user: Principal,
    trip_id: int,
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    """A person's whole screening; after a refused form, with its reason."""
    desk = desk_of(request)
    lang = lang_of(request)
    with read_session(desk.sessions) as session:
        trip = screenings.get_trip(session, user, trip_id)
        case = screenings.case_of_trip(session, trip)
        shown = (case.id, case.state, case.category) if case else None
        compact = is_htmx(request)  # inside a row of the batch's table
        template = "partials/screening.html" if compact else "trip.html"
        return render(
            request,
            template,
            status_code=status,
            canonical_url=f"/trips/{trip_id}",
            error=error,
            form=form or {},
            row=views.person_row(trip, desk.policy, shown),
            trip=trip,
            batch=desk_projects.get_batch(session, user, trip.batch_id),
            facts=dict(trip.facts),
            fact_label=lambda name: views.fact_label(name, lang),
            **verdicts.verdict_context(session, desk, user, trip, lang, case=case, compact=compact),
        )


@router.get("/trips/{trip_id}", response_class=HTMLResponse)
def trip_page(request: Request, trip_id: int) -> Response:
    """A person's whole screening: every status with its reasons and citations."""
    return trip_page_for(request, require_user(request), trip_id)

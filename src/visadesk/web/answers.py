"""``POST /trips/{id}/facts``: one person's answers to the missing facts of the screening.

The form has one field per fact (:data:`visadesk.report.verdicts.ANSWERABLE`) and
``back`` (``trip`` or ``case``: the page it came from, and returns to). The answers
are the desk's :func:`visadesk.desk.answers.answer_facts`; refused, the page shows
again with every problem (column, value and what was expected).
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from visadesk.desk import answers, screenings
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.i18n import t
from visadesk.report.verdicts import ANSWERABLE
from visadesk.roster.model import RosterError
from visadesk.web import batches, casework
from visadesk.web.forms import redirect
from visadesk.web.templating import check_csrf, desk_of, lang_of, require_user
from visadesk.web.verdicts import BACK

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The longest answer a form field may hold.
MAX_ANSWER: Final = 200
#: The form's fields that are not answers.
_FORM_FIELDS: Final = frozenset({"csrf_token", "back"})


def _answer(request: Request, trip_id: int, form: dict[str, str], back: str) -> Response:
    desk = desk_of(request)
    lang = lang_of(request)
    user = require_user(request)
    check_csrf(request, form.get("csrf_token", ""))
    given: dict[str, object] = {k: v for k, v in form.items() if k in ANSWERABLE and v.strip()}
    # A field the form never had is refused by name, not dropped.
    given.update({k: v for k, v in form.items() if k not in ANSWERABLE and k not in _FORM_FIELDS})
    try:
        with write_session(desk.sessions) as session:
            done = answers.answer_facts(
                session, user, trip_id, given, policy=desk.policy, as_of=desk.today()
            )
    except DeskError as refused:
        return _again(request, user, trip_id, back, refused.message(lang), refused.status, form)
    except RosterError as refused:
        lines = "; ".join(p.message(lang) for p in refused.problems)
        error = f"{t('verdicts.problems', lang)} {lines}"
        return _again(request, user, trip_id, back, error, 422, form)
    if back == "case" and done.case_id is not None:
        return redirect(f"/cases/{done.case_id}?done=answered#verdict")
    return redirect(f"/trips/{trip_id}?done=answered#verdict")


def _again(  # noqa: PLR0917 - the refused form's page
    request: Request,
    user: Principal,
    trip_id: int,
    back: str,
    error: str,
    status: int,
    form: dict[str, str],
) -> Response:
    """The page the form came from, with the reason it was refused and the answers given."""
    if back == "case":
        with read_session(desk_of(request).sessions) as session:
            trip = screenings.get_trip(session, user, trip_id)
            case = screenings.case_of_trip(session, trip)
        if case is not None:
            return casework.case_page_for(
                request, user, case.id, error=error, status=status, form=form
            )
    return batches.trip_page_for(request, user, trip_id, error=error, status=status, form=form)


@router.post("/trips/{trip_id}/facts", response_class=HTMLResponse)
async def answer_facts(request: Request, trip_id: int) -> Response:
    """Answers to a person's missing facts; the trip is screened again."""
    raw = await request.form()
    form = {k: v[:MAX_ANSWER] for k, v in raw.items() if isinstance(v, str)}
    back = form.get("back", "trip")
    return await run_in_threadpool(
        _answer, request, trip_id, form, back if back in BACK else "trip"
    )

"""``GET /cases/{id}/traveller`` and ``/cases/{id}/traveller.pdf``: the bilingual
one-page traveller sheet (:mod:`visadesk.report.traveller`) of a case, its trip's
stored facts screened again today; a page saying why when the case has none."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from visadesk.desk import cases as desk_cases
from visadesk.desk import screenings
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.models import Trip
from visadesk.desk.runtime import Desk
from visadesk.engine import Screener
from visadesk.i18n import t
from visadesk.report.traveller import (
    SheetError,
    TravellerSheet,
    build_sheet,
    render_html,
    render_pdf,
)
from visadesk.web.reports.common import NO_STORE, attachment, known_id
from visadesk.web.reports.downloads import person_name
from visadesk.web.templating import desk_of, lang_of, render, require_user

__all__ = ["NoSheetError", "router", "traveller_sheet"]

router = APIRouter()


class NoSheetError(Exception):
    """No traveller sheet for this case; ``message(lang)`` says why."""

    def __init__(self, message: Callable[[str], str]) -> None:
        super().__init__(message("en"))
        self.message = message


def traveller_sheet(
    session: Session, principal: Principal, case_id: int, desk: Desk
) -> TravellerSheet:
    """The case's traveller sheet: its trip's stored facts screened again today, on the
    case's category. Raises :class:`NoSheetError` when the case cannot have one (a
    refused case, or a category today's screening does not find eligible)."""
    case = desk_cases.get_case(session, principal, known_id("case", case_id))
    trip = session.get_one(Trip, case.trip_id)
    if case.decision == "refused":
        case_id = case.id
        raise NoSheetError(lambda lang: t("reports.traveller.refused", lang, id=case_id))
    result = Screener(desk.policy, as_of=desk.today()).screen(
        screenings.facts_of(trip), row=trip.source_row
    )
    try:
        return build_sheet(
            result, desk.policy, case.category, person_name(trip), checklist=desk.checklist
        )
    except SheetError as error:
        raise NoSheetError(error.message) from error


def _sheet_or_error(
    request: Request, case_id: int
) -> tuple[TravellerSheet | None, str, Response | None]:
    desk = desk_of(request)
    principal = require_user(request, desk)
    lang = lang_of(request)
    with read_session(desk.sessions) as session:
        try:
            return traveller_sheet(session, principal, case_id, desk), lang, None
        except NoSheetError as error:
            reason = error.message(lang)
    page = render(
        request,
        "reports/traveller_unavailable.html",
        status_code=409,
        case_id=case_id,
        reason=reason,
        as_of=desk.today(),
        policy_version=desk.policy.version,
    )
    page.headers.update(NO_STORE)
    return None, lang, page


@router.get("/cases/{case_id}/traveller", response_class=HTMLResponse, name="reports_traveller")
def traveller_page(case_id: int, request: Request) -> Response:
    """The printable bilingual traveller sheet; ``?lang=`` picks the first language."""
    sheet, lang, error = _sheet_or_error(request, case_id)
    if sheet is None:
        assert error is not None
        return error
    return HTMLResponse(render_html(sheet, lang), headers=NO_STORE)


@router.get(
    "/cases/{case_id}/traveller.pdf",
    name="reports_traveller_pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def traveller_pdf(case_id: int, request: Request) -> Response:
    """The traveller sheet as a one-page A4 PDF; ``?lang=`` picks the first language."""
    sheet, lang, error = _sheet_or_error(request, case_id)
    if sheet is None:
        assert error is not None
        return error
    return Response(
        render_pdf(sheet, lang),
        media_type="application/pdf",
        headers=attachment(f"case-{case_id}-traveller.pdf", inline=True),
    )

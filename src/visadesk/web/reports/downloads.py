"""The downloads of the report pages.

- ``GET /batches/{id}/screening.xlsx``: the batch's trips the reader may see,
  screened again today, as the CLI's workbook in the reader's language
  (:func:`visadesk.desk.workbooks.screening_workbook`; ``?layout=codes``: the
  CSV's code headers);
- ``GET /cases/{id}/annotation.txt``: the B-1 annotation, English and Korean,
  once the case is approved.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from sqlalchemy.orm import Session

from visadesk.desk import cases as desk_cases
from visadesk.desk import workbooks
from visadesk.desk.authz import Principal
from visadesk.desk.db import read_session
from visadesk.desk.models import Case, Trip
from visadesk.desk.runtime import Desk
from visadesk.engine import ScreeningResult
from visadesk.i18n import t
from visadesk.web.reports.common import NO_STORE, XLSX, attachment, known_id
from visadesk.web.templating import desk_of, lang_of, require_user

__all__ = ["annotation_text", "person_name", "router", "screened_trips"]

router = APIRouter()


def screened_trips(
    session: Session, principal: Principal, batch_id: int, desk: Desk
) -> list[ScreeningResult]:
    """The batch's trips ``principal`` may see, their stored facts screened again today."""
    return workbooks.rescreened_batch(session, principal, batch_id, desk.policy, desk.today())


@router.get(
    "/batches/{batch_id}/screening.xlsx",
    name="reports_screening_xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def screening_workbook(batch_id: int, request: Request, layout: str | None = None) -> Response:
    """The batch's screening workbook in the reader's language, trips scoped to the reader;
    ``?layout=codes`` gives the CSV's code headers instead."""
    desk = desk_of(request)
    principal = require_user(request, desk)
    lang = lang_of(request)
    chosen = workbooks.layout_of(layout)
    with read_session(desk.sessions) as session:
        data = workbooks.screening_workbook(
            session,
            principal,
            known_id("batch", batch_id),
            policy=desk.policy,
            today=desk.today(),
            lang=lang,
            layout=chosen,
        )
    return Response(data, media_type=XLSX, headers=attachment(f"batch-{batch_id}-screening.xlsx"))


def person_name(trip: Trip) -> str:
    p = trip.person
    name = f"{p.family_name} {p.given_name}".strip() or trip.worker_id
    return f"{name} ({p.name_ko})" if p.name_ko else name


def annotation_text(case: Case, trip: Trip, notice: Any) -> str:
    """The annotation download: a heading, the English and Korean text, the notice."""
    params = {
        "id": case.id,
        "category": case.category,
        "worker_id": trip.worker_id,
        "name": person_name(trip),
    }
    lines = [
        t("reports.annotation.title", "en", **params),
        t("reports.annotation.title", "ko", **params),
        "",
        t("reports.annotation.english", "en"),
        case.annotation_en or "",
        "",
        t("reports.annotation.korean", "ko"),
        case.annotation_ko or "",
        "",
        "--",
        notice.en,
        notice.ko,
        "",
    ]
    return "\n".join(lines)


@router.get(
    "/cases/{case_id}/annotation.txt",
    name="reports_annotation_txt",
    response_class=PlainTextResponse,
)
def annotation_download(case_id: int, request: Request) -> Response:
    """The B-1 annotation (English and Korean) of an approved case; 404 before that."""
    desk = desk_of(request)
    principal = require_user(request, desk)
    lang = lang_of(request)
    with read_session(desk.sessions) as session:
        case = desk_cases.get_case(session, principal, known_id("case", case_id))
        trip = session.get_one(Trip, case.trip_id)
        if case.decision != "approved" or not case.annotation_en:
            message = t(
                "reports.annotation.none",
                lang,
                id=case.id,
                category=case.category,
                state=t(f"reports.state.{case.state}", lang),
            )
            return PlainTextResponse(message + "\n", status_code=404, headers=NO_STORE)
        text = annotation_text(case, trip, desk.policy.notice)
    return PlainTextResponse(
        text, headers=attachment(f"case-{case_id}-annotation.txt"), media_type="text/plain"
    )

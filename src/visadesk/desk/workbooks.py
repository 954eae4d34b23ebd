"""The screening workbook of a batch: one operation for the web download and the API.

:func:`screening_workbook` re-screens the stored facts of the batch's trips the
reader may see (a subcontractor: its own staff) with today's date and the rule
set in force, and writes the workbook (:func:`visadesk.report.tables.write_xlsx`)
in the reader's language, ``readable`` (for people) or ``codes`` (the CSV's
code headers, for programs). It holds names, not passport numbers or birth dates.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import projects, screenings
from visadesk.desk.authz import Principal, scope_trips
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Trip
from visadesk.engine import Screener, ScreeningResult
from visadesk.policy.model import Policy
from visadesk.report.tables import LAYOUTS, Layout, write_xlsx

__all__ = ["layout_of", "rescreened_batch", "screening_workbook"]


def layout_of(value: str | None) -> Layout:
    """The workbook layout asked for (default ``readable``); anything else is a 422."""
    for layout in LAYOUTS:
        if (value or "readable") == layout:
            return layout
    raise DeskError("invalid_choice", 422, field="layout", value=value, choices=", ".join(LAYOUTS))


def rescreened_batch(
    session: Session, principal: Principal, batch_id: int, policy: Policy, today: dt.date
) -> list[ScreeningResult]:
    """The batch's trips ``principal`` may see, their stored facts screened again ``today``."""
    projects.get_batch(session, principal, batch_id)
    trips = session.scalars(
        scope_trips(select(Trip), principal).where(Trip.batch_id == batch_id).order_by(Trip.id)
    ).all()
    screener = Screener(policy, as_of=today)
    return [screener.screen(screenings.facts_of(trip), row=trip.source_row) for trip in trips]


def screening_workbook(
    session: Session,
    principal: Principal,
    batch_id: int,
    *,
    policy: Policy,
    today: dt.date,
    lang: str,
    layout: Layout = "readable",
) -> bytes:
    """The batch's screening workbook (XLSX bytes) as ``principal`` may see it, in ``lang``."""
    results = rescreened_batch(session, principal, batch_id, policy, today)
    with tempfile.TemporaryDirectory(prefix="visadesk-xlsx-") as folder:
        path = Path(folder) / "screening.xlsx"
        write_xlsx(path, results, policy, lang, layout=layout)
        return path.read_bytes()

"""The queue as a file: the filtered queue, as the list shows it, as CSV or XLSX (issue #12).

The rows are the queue's own (:func:`visadesk.desk.cases.queue`: the same filters,
order and tenant scope as the page), every one of them up to :data:`EXPORT_LIMIT`
(more is refused: narrow the filters). The columns are the list's, headed in the
reader's language: personal data as the list shows it (worker id and names; never a
passport number or a birth date), the deadline marks of :mod:`visadesk.desk.deadlines`
on the given day, the assignee for desk readers. Each file ends with the notice that
this is guidance, not legal advice; the XLSX has a frozen, filtered header and the
notice on a sheet of its own too. Text that a spreadsheet could run as a formula is
kept as text (:mod:`visadesk.safecells`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Final, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.assignment import assignee_names
from visadesk.desk.authz import Principal
from visadesk.desk.cases import QueueFilter, queue
from visadesk.desk.deadlines import deadline
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Organization, Project
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.safecells import csv_row, neutralise_workbook

__all__ = ["COLUMNS", "EXPORT_LIMIT", "FORMATS", "QueueExport", "export_queue"]

#: The most rows one export holds.
EXPORT_LIMIT: Final = 10_000
Format = Literal["csv", "xlsx"]
FORMATS: Final[tuple[Format, ...]] = ("csv", "xlsx")
#: The columns, in order (headers: ``queue.export.col.<name>``); ``assignee`` for the desk.
COLUMNS: Final = (
    "case",
    "worker_id",
    "name",
    "name_ko",
    "category",
    "state",
    "sponsor",
    "project",
    "trip_start",
    "days_left",
    "start_by",
    "overdue_by",
    "in_hand_by",
    "late_by",
    "assignee",
)
Cell = str | int | dt.date | None


@dataclass(frozen=True)
class QueueExport:
    """An export's bytes, its media type and a file name."""

    data: bytes
    media_type: str
    filename: str


def _rows(
    session: Session,
    actor: Principal,
    f: QueueFilter,
    *,
    sort: str,
    today: dt.date,
    policy: Policy,
    lang: str,
) -> tuple[list[str], list[list[Cell]]]:
    found = queue(session, actor, f, sort=sort, page=1, per_page=EXPORT_LIMIT)
    if found.total > EXPORT_LIMIT:
        raise DeskError("export_too_large", 422, count=found.total, limit=EXPORT_LIMIT)
    cases = [i.case for i in found.items]
    orgs = dict(
        session.execute(
            select(Organization.id, Organization.name).where(
                Organization.id.in_({c.sponsor_id for c in cases})
            )
        ).all()
    )
    projects = dict(
        session.execute(
            select(Project.id, Project.name).where(Project.id.in_({c.project_id for c in cases}))
        ).all()
    )
    people = assignee_names(session, actor, [c.assignee_id for c in cases])
    columns = [c for c in COLUMNS if c != "assignee" or actor.is_desk]
    header = [t(f"queue.export.col.{c}", lang) for c in columns]
    rows: list[list[Cell]] = []
    for item in found.items:
        case, person = item.case, item.trip.person
        due = deadline(case, today)
        category = policy.categories.get(case.category)
        values: dict[str, Cell] = {
            "case": case.id,
            "worker_id": item.trip.worker_id,
            "name": f"{person.family_name} {person.given_name}".strip(),
            "name_ko": person.name_ko or "",
            "category": category.title.get(lang) if category else case.category,
            "state": t(f"web.state.{case.state}", lang),
            "sponsor": orgs.get(case.sponsor_id, ""),
            "project": projects.get(case.project_id, ""),
            "trip_start": case.trip_start,
            "days_left": due.days_left,
            "start_by": case.urgency_date,
            "overdue_by": due.overdue_by,
            "in_hand_by": case.ready_by,
            "late_by": due.late_by,
            "assignee": people.get(case.assignee_id, "") if case.assignee_id else "",
        }
        rows.append([values[c] for c in columns])
    return header, rows


def _notice(policy: Policy, lang: str, today: dt.date) -> list[str]:
    return [
        t("queue.export.as_of", lang, date=today.isoformat()),
        policy.notice.get(lang),
    ]


def _csv(header: list[str], rows: list[list[Cell]], notice: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            csv_row(
                "" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row
            )
        )
    writer.writerow([])
    for line in notice:
        writer.writerow(csv_row([line]))
    # A BOM: spreadsheet programs then read the Korean as UTF-8.
    return out.getvalue().encode("utf-8-sig")


def _xlsx(header: list[str], rows: list[list[Cell]], notice: list[str], lang: str) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t("queue.export.sheet", lang)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    last = get_column_letter(len(header))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    for i, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(name) + 4))
        for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.append([])
    for line in notice:
        sheet.append([line])
    about = book.create_sheet(t("queue.export.notice_sheet", lang))
    for line in notice:
        about.append([line])
    about.column_dimensions["A"].width = 120
    neutralise_workbook(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_queue(
    session: Session,
    actor: Principal,
    f: QueueFilter,
    fmt: str,
    *,
    sort: str = "urgency",
    today: dt.date,
    policy: Policy,
    lang: str,
) -> QueueExport:
    """The queue ``actor`` sees through ``f``, whole, as ``fmt`` ("csv" or "xlsx")."""
    if fmt not in FORMATS:
        raise DeskError(
            "invalid_choice", 422, field="format", value=fmt, choices=", ".join(FORMATS)
        )
    header, rows = _rows(session, actor, f, sort=sort, today=today, policy=policy, lang=lang)
    notice = _notice(policy, lang, today)
    name = f"queue-{today.isoformat()}.{fmt}"
    if fmt == "csv":
        return QueueExport(_csv(header, rows, notice), "text/csv; charset=utf-8", name)
    media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return QueueExport(_xlsx(header, rows, notice, lang), media, name)

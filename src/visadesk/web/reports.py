"""The dashboard, the downloads and the traveller sheet pages of the web app.

- ``GET /dashboard``: the case figures the reader may see (stacked bars of
  cases by sector and category, decisions per month, processing days, the
  open backlog), with filters, and the batches whose screening workbook the
  reader may download;
- ``GET /batches/{id}/screening.xlsx``: the batch's trips the reader may see,
  screened again today, as the CLI's workbook (same sheets, reasons in English
  and Korean, the notice);
- ``GET /cases/{id}/annotation.txt``: the B-1 annotation, English and Korean,
  once the case is approved;
- ``GET /cases/{id}/traveller`` and ``/cases/{id}/traveller.pdf``: the
  bilingual one-page traveller sheet (:mod:`visadesk.report.traveller`).

Every read goes through the desk's tenant scopes (``scope_*``, ``get_case``,
``get_batch``): another tenant's id is a 404, exactly like an id that does
not exist. Nothing here shows a passport number or a birth date.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from babel.dates import format_skeleton
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from visadesk.desk import cases as desk_cases
from visadesk.desk import projects, screenings
from visadesk.desk.api.deps import request_lang
from visadesk.desk.api.state import Desk
from visadesk.desk.authz import Principal, scope_batches, scope_projects, scope_trips
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Batch, Case, Organization, Project, Trip
from visadesk.desk.workflow import STATES
from visadesk.engine import Screener, ScreeningResult
from visadesk.i18n import normalize_lang, t
from visadesk.report.tables import write_xlsx
from visadesk.report.traveller import (
    SheetError,
    TravellerSheet,
    build_sheet,
    render_html,
    render_pdf,
)
from visadesk.roster.schema import SECTORS
from visadesk.web import charts
from visadesk.web.templating import format_number, render, require_user

__all__ = [
    "XLSX",
    "DashboardFilter",
    "DashboardView",
    "NoSheetError",
    "annotation_text",
    "dashboard_charts",
    "dashboard_view",
    "router",
    "screened_trips",
    "traveller_sheet",
]

router = APIRouter()

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Downloads carry personal data: no cache keeps a copy.
NO_STORE: Final = {"Cache-Control": "no-store"}
#: The most batches the dashboard's download list shows (newest first).
MAX_BATCHES: Final = 100


def _desk(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def _lang(request: Request) -> str:
    """The reader's language, as every page has it (:func:`~visadesk.web.templating.render`)."""
    return request_lang(request)


def _attachment(filename: str, *, inline: bool = False) -> dict[str, str]:
    kind = "inline" if inline else "attachment"
    return {**NO_STORE, "Content-Disposition": f'{kind}; filename="{filename}"'}


# -- dashboard ----------------------------------------------------------------------


#: Ids are 32-bit integers on PostgreSQL: a larger one in a URL is no id, not an error.
MAX_ID: Final = 2**31 - 1


def _known(entity: str, value: int) -> int:
    """``value`` as an id, or 404 when it cannot be one (a database would refuse it)."""
    if not 1 <= value <= MAX_ID:
        raise DeskError("not_found", 404, entity=entity, id=value)
    return value


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if number <= MAX_ID else None


@dataclass(frozen=True)
class DashboardFilter:
    """The dashboard's filters, as read from the query string (unknown values are ignored)."""

    sponsor_id: int | None = None
    project_id: int | None = None
    sector: str | None = None
    category: str | None = None

    @classmethod
    def parse(
        cls, params: Mapping[str, str], principal: Principal, categories: Sequence[str]
    ) -> DashboardFilter:
        sector = params.get("sector") or None
        category = params.get("category") or None
        return cls(
            # Only the desk chooses a sponsor; everyone else is scoped to their own already.
            sponsor_id=_int(params.get("sponsor_id")) if principal.is_desk else None,
            project_id=_int(params.get("project_id")),
            sector=sector if sector in SECTORS else None,
            category=category if category in categories else None,
        )

    def queue_filter(self) -> desk_cases.QueueFilter:
        return desk_cases.QueueFilter(
            sponsor_id=self.sponsor_id,
            project_id=self.project_id,
            sector=self.sector,
            category=self.category,
        )

    @property
    def active(self) -> bool:
        return any(
            v is not None for v in (self.sponsor_id, self.project_id, self.sector, self.category)
        )


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class BatchRow:
    id: int
    name: str
    project: str
    state: str
    trips: int


@dataclass
class DashboardView:
    """Everything the dashboard shows; the template only lays it out."""

    filters: DashboardFilter
    stats: dict[str, Any]
    sponsors: list[Option]
    projects: list[Option]
    sectors: list[str]
    categories: list[str]
    batches: list[BatchRow]
    org_name: str
    as_of: dt.date
    policy_version: str
    charts: list[charts.Chart] = field(default_factory=list)

    @property
    def decided(self) -> dict[str, int]:
        out = {"approved": 0, "refused": 0}
        for month in self.stats["decisions_by_month"]:
            out["approved"] += month["approved"]
            out["refused"] += month["refused"]
        return out

    @property
    def open_cases(self) -> int:
        return sum(self.stats["backlog"].values())


def categories_of(desk: Desk) -> list[str]:
    """The categories a case can be filed for (no visa is applied for under the VWP)."""
    return [c for c in desk.policy.categories if c not in screenings.NO_CASE]


def dashboard_view(
    session: Session, principal: Principal, f: DashboardFilter, desk: Desk
) -> DashboardView:
    """The figures (:func:`visadesk.desk.cases.stats`, scoped to ``principal``), filter
    choices and downloadable batches."""
    stats = desk_cases.stats(session, principal, f.queue_filter())
    sponsors: list[Option] = []
    if principal.is_desk:
        rows = session.execute(
            select(Organization.id, Organization.name)
            .where(Organization.kind == "sponsor")
            .order_by(Organization.name)
        )
        sponsors = [Option(str(i), name) for i, name in rows]
    projects_stmt = scope_projects(select(Project.id, Project.name), principal)
    if f.sponsor_id is not None:
        projects_stmt = projects_stmt.where(Project.sponsor_id == f.sponsor_id)
    projects = [
        Option(str(i), name) for i, name in session.execute(projects_stmt.order_by(Project.name))
    ]
    batches_stmt = scope_batches(select(Batch), principal)
    if f.sponsor_id is not None:
        batches_stmt = batches_stmt.where(Batch.sponsor_id == f.sponsor_id)
    if f.project_id is not None:
        batches_stmt = batches_stmt.where(Batch.project_id == f.project_id)
    batches = session.scalars(batches_stmt.order_by(Batch.id.desc()).limit(MAX_BATCHES)).all()
    counts = dict(
        session.execute(
            scope_trips(select(Trip.batch_id, func.count(Trip.id)), principal)
            .where(Trip.batch_id.in_([b.id for b in batches]))
            .group_by(Trip.batch_id)
        ).all()
    )
    org_name = session.scalar(select(Organization.name).where(Organization.id == principal.org_id))
    return DashboardView(
        filters=f,
        stats=stats,
        sponsors=sponsors,
        projects=projects,
        sectors=list(SECTORS),
        categories=categories_of(desk),
        batches=[
            BatchRow(b.id, b.name, b.project.name, b.state, int(counts.get(b.id, 0)))
            for b in batches
        ],
        org_name=org_name or "",
        as_of=desk.today(),
        policy_version=desk.policy.version,
    )


def _months(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` from ``first`` to ``last``: a month without decisions shows as 0."""
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _bin_labels(histogram: Sequence[Mapping[str, Any]], lang: str, fmt: charts.Number) -> list[str]:
    """``0–7``, ``7–14``, ... ``over 90``: each bin holds the days above its lower bound
    up to and including its upper one (:func:`visadesk.desk.cases.stats`)."""
    labels, low = [], 0
    for b in histogram:
        high = b["up_to_days"]
        if high is None:
            labels.append(t("reports.bin.over", lang, low=fmt(low)))
        else:
            labels.append(f"{fmt(low)}\u2013{fmt(high)}")
            low = high
    return labels


def dashboard_charts(
    view: DashboardView,
    desk: Desk,
    lang: str,
    number: charts.Number | None = None,
) -> list[charts.Chart]:
    """The dashboard's four charts, in ``lang``."""
    stats = view.stats
    fmt = number or (lambda value: format_number(value, lang))
    out = []

    # Cases by sector (rows) and category (series).
    cells = {(r["sector"], r["category"]): r["count"] for r in stats["by_sector_category"]}
    sectors = [s for s in SECTORS if any(k[0] == s for k in cells)]
    sectors += sorted({s for s, _ in cells} - set(sectors))
    order = list(desk.policy.categories)
    cats = sorted({c for _, c in cells}, key=lambda c: (order.index(c) if c in order else 99, c))
    series = [
        charts.Series(
            c,
            _category_label(desk, c, lang),
            tuple(float(cells.get((s, c), 0)) for s in sectors),
        )
        for c in cats
    ]
    out.append(
        charts.stacked_bar_chart(
            "sector-category",
            t("reports.chart.sector_category.title", lang),
            t(
                "reports.chart.sector_category.desc",
                lang,
                total=fmt(stats["total"]),
                sectors=fmt(len(sectors)),
            ),
            [t(f"reports.sector.{s}", lang) for s in sectors],
            series,
            lang=lang,
            label_header=t("reports.col.sector", lang),
            number=fmt,
        )
    )

    # Decisions per month.
    by_month = {m["month"]: m for m in stats["decisions_by_month"]}
    months = _months(min(by_month), max(by_month)) if by_month else []
    decided = view.decided
    out.append(
        charts.column_chart(
            "decisions",
            t("reports.chart.decisions.title", lang),
            t(
                "reports.chart.decisions.desc",
                lang,
                approved=fmt(decided["approved"]),
                refused=fmt(decided["refused"]),
                months=fmt(len(months)),
            ),
            [_month_label(m, lang) for m in months],
            [
                charts.Series(
                    d,
                    t(f"reports.decision.{d}", lang),
                    tuple(float(by_month.get(m, {}).get(d, 0)) for m in months),
                    color,
                )
                for d, color in (("approved", charts.PALETTE[2]), ("refused", charts.PALETTE[5]))
            ],
            lang=lang,
            label_header=t("reports.col.month", lang),
            number=fmt,
            line_label=t("reports.decision.all", lang),
        )
    )

    # Processing days, submission to decision.
    processing = stats["processing_days"]
    histogram = processing["histogram"]
    none = t("reports.summary.none", lang)
    out.append(
        charts.histogram(
            "processing",
            t("reports.chart.processing.title", lang),
            t(
                "reports.chart.processing.desc",
                lang,
                count=fmt(processing["count"]),
                median=none if processing["median"] is None else fmt(processing["median"]),
                p90=none if processing["p90"] is None else fmt(processing["p90"]),
            ),
            list(
                zip(
                    _bin_labels(histogram, lang, fmt),
                    (float(b["count"]) for b in histogram),
                    strict=True,
                )
            ),
            lang=lang,
            label_header=t("reports.col.days", lang),
            value_header=t("reports.col.cases", lang),
            number=fmt,
            axis_label=t("reports.chart.processing.axis", lang),
        )
    )

    # The open backlog, in workflow order.
    backlog = stats["backlog"]
    out.append(
        charts.bar_chart(
            "backlog",
            t("reports.chart.backlog.title", lang),
            t("reports.chart.backlog.desc", lang, total=fmt(sum(backlog.values()))),
            [(t(f"reports.state.{s}", lang), float(backlog[s])) for s in STATES if s in backlog],
            lang=lang,
            label_header=t("reports.col.state", lang),
            value_header=t("reports.col.cases", lang),
            number=fmt,
        )
    )
    return out


def _category_label(desk: Desk, cid: str, lang: str) -> str:
    category = desk.policy.categories.get(cid)
    return category.title.get(lang) if category is not None else cid


def _month_label(month: str, lang: str) -> str:
    day = dt.date(int(month[:4]), int(month[5:7]), 1)
    return str(format_skeleton("yMMM", day, locale=normalize_lang(lang)))


@router.get("/dashboard", response_class=HTMLResponse, name="reports_dashboard")
def dashboard(request: Request) -> Response:
    """The case figures the reader may see, filtered, and the batch downloads."""
    desk = _desk(request)
    principal = require_user(request, desk)
    lang = _lang(request)
    f = DashboardFilter.parse(request.query_params, principal, categories_of(desk))
    with read_session(desk.sessions) as session:
        view = dashboard_view(session, principal, f, desk)
    view.charts = dashboard_charts(view, desk, lang)
    return render(
        request,
        "reports/dashboard.html",
        view=view,
        categories=desk.policy.categories,
    )


# -- downloads ----------------------------------------------------------------------


def screened_trips(
    session: Session, principal: Principal, batch_id: int, desk: Desk
) -> list[ScreeningResult]:
    """The batch's trips ``principal`` may see, their stored facts screened again today."""
    projects.get_batch(session, principal, batch_id)
    trips = session.scalars(
        scope_trips(select(Trip), principal).where(Trip.batch_id == batch_id).order_by(Trip.id)
    ).all()
    screener = Screener(desk.policy, as_of=desk.today())
    return [screener.screen(screenings.facts_of(trip), row=trip.source_row) for trip in trips]


@router.get(
    "/batches/{batch_id}/screening.xlsx",
    name="reports_screening_xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
def screening_workbook(batch_id: int, request: Request) -> Response:
    """The batch's screening workbook (the CLI's sheets), trips scoped to the reader."""
    desk = _desk(request)
    principal = require_user(request, desk)
    lang = _lang(request)
    with read_session(desk.sessions) as session:
        results = screened_trips(session, principal, _known("batch", batch_id), desk)
    with tempfile.TemporaryDirectory(prefix="visadesk-xlsx-") as folder:
        path = Path(folder) / "screening.xlsx"
        write_xlsx(path, results, desk.policy, lang)
        data = path.read_bytes()
    return Response(data, media_type=XLSX, headers=_attachment(f"batch-{batch_id}-screening.xlsx"))


def _person_name(trip: Trip) -> str:
    p = trip.person
    name = f"{p.family_name} {p.given_name}".strip() or trip.worker_id
    return f"{name} ({p.name_ko})" if p.name_ko else name


def annotation_text(case: Case, trip: Trip, notice: Any) -> str:
    """The annotation download: a heading, the English and Korean text, the notice."""
    params = {
        "id": case.id,
        "category": case.category,
        "worker_id": trip.worker_id,
        "name": _person_name(trip),
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
    desk = _desk(request)
    principal = require_user(request, desk)
    lang = _lang(request)
    with read_session(desk.sessions) as session:
        case = desk_cases.get_case(session, principal, _known("case", case_id))
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
        text, headers=_attachment(f"case-{case_id}-annotation.txt"), media_type="text/plain"
    )


# -- traveller sheet ----------------------------------------------------------------


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
    case = desk_cases.get_case(session, principal, _known("case", case_id))
    trip = session.get_one(Trip, case.trip_id)
    if case.decision == "refused":
        case_id = case.id
        raise NoSheetError(lambda lang: t("reports.traveller.refused", lang, id=case_id))
    result = Screener(desk.policy, as_of=desk.today()).screen(
        screenings.facts_of(trip), row=trip.source_row
    )
    try:
        return build_sheet(
            result, desk.policy, case.category, _person_name(trip), checklist=desk.checklist
        )
    except SheetError as error:
        raise NoSheetError(error.message) from error


def _sheet_or_error(
    request: Request, case_id: int
) -> tuple[TravellerSheet | None, str, Response | None]:
    desk = _desk(request)
    principal = require_user(request, desk)
    lang = _lang(request)
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
        headers=_attachment(f"case-{case_id}-traveller.pdf", inline=True),
    )

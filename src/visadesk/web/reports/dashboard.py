"""``GET /dashboard``: the case figures the reader may see, and the batches whose
screening workbook the reader may download.

The figures are :func:`visadesk.desk.cases.stats`, scoped to the reader, drawn as
four charts (:mod:`visadesk.web.charts`): stacked bars of cases by sector and
category, decisions per month, processing days and the open backlog; the
filters (sponsor, project, sector, category) come from the query string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from babel.dates import format_skeleton
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from visadesk.desk import cases as desk_cases
from visadesk.desk import screenings
from visadesk.desk.authz import Principal, scope_batches, scope_projects, scope_trips
from visadesk.desk.db import read_session
from visadesk.desk.inputs import MAX_ID
from visadesk.desk.models import Batch, Organization, Project, Trip
from visadesk.desk.runtime import Desk
from visadesk.desk.workflow import STATES
from visadesk.i18n import normalize_lang, t
from visadesk.roster.schema import SECTORS
from visadesk.web import charts
from visadesk.web.templating import desk_of, format_number, lang_of, render, require_user

__all__ = ["DashboardFilter", "DashboardView", "dashboard_charts", "dashboard_view", "router"]

router = APIRouter()

#: The most batches the dashboard's download list shows (newest first).
MAX_BATCHES: Final = 100


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
    desk = desk_of(request)
    principal = require_user(request, desk)
    lang = lang_of(request)
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

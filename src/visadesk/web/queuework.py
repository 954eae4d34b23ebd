"""The desk queue page and its work (issue #12): filters, deadlines, assignment, bulk
actions on ticked rows, and the filtered queue as CSV or XLSX.

The queue is :func:`visadesk.desk.cases.queue` (most urgent first, scoped to what
the user may see). With no state chosen it shows the reader's open work (the
states its role can act on); "All states" shows every case. Its filter form works
as a plain GET form and, with htmx, refreshes only the results. The bulk form is a
CSRF-protected POST; the rows' checkboxes belong to it by their ``form`` attribute,
so the results can be refreshed without losing the form. Each operation is one
desk function (:mod:`visadesk.desk.assignment`, :mod:`visadesk.desk.queue_export`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any, Final
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import assignment, cases, deadlines, queue_export
from visadesk.desk.authz import Principal, scope_organizations, scope_projects
from visadesk.desk.db import read_session, write_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MULTI_LINE, SINGLE_LINE
from visadesk.desk.models import Case, Organization, Project, Trip
from visadesk.desk.workflow import STATES, bulk_targets
from visadesk.i18n import t
from visadesk.roster.schema import SECTORS
from visadesk.web import views
from visadesk.web.forms import Csrf, redirect
from visadesk.web.templating import (
    check_csrf,
    desk_of,
    is_htmx,
    lang_of,
    render,
    require_user,
)

__all__ = ["QueueParams", "case_extras", "router"]

router = APIRouter(include_in_schema=False)

PER_PAGE: Final = 25
#: Sort orders offered in the queue (a subset of ``cases.SORTS``).
QUEUE_SORTS: Final = ("urgency", "trip_start", "-updated", "id")
#: The state filter's first two choices: the reader's open work (the default), every state.
ALL_STATES: Final = "all"


def _int_or_none(value: str | None) -> int | None:
    if not value or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


@dataclass(frozen=True)
class QueueParams:
    """The queue page's filters, cleaned (an unknown value is dropped, as a link may be old)."""

    q: str = ""
    sponsor: str = ""
    project: str = ""
    sector: str = ""
    category: str = ""
    state: str = ""
    assignee: str = ""
    sort: str = "urgency"

    @classmethod
    def clean(cls, request: Request, **given: str) -> QueueParams:
        categories = desk_of(request).policy.categories
        state = given.get("state", "")
        assignee = given.get("assignee", "")
        sort = given.get("sort", "urgency")
        return cls(
            q=given.get("q", "").strip()[:100],
            sponsor=given.get("sponsor", "") if _int_or_none(given.get("sponsor")) else "",
            project=given.get("project", "") if _int_or_none(given.get("project")) else "",
            sector=s if (s := given.get("sector", "")) in SECTORS else "",
            category=c if (c := given.get("category", "")) in categories else "",
            state=state if state in STATES or state == ALL_STATES else "",
            assignee=assignee if assignee in {"me", "none"} or _int_or_none(assignee) else "",
            sort=sort if sort in QUEUE_SORTS else "urgency",
        )

    def filter(self) -> cases.QueueFilter:
        chosen = self.state if self.state in STATES else ""
        return cases.QueueFilter(
            sponsor_id=_int_or_none(self.sponsor),
            project_id=_int_or_none(self.project),
            sector=self.sector or None,
            category=self.category or None,
            state=(chosen,) if chosen else (),
            q=self.q or None,
            view="all" if self.state == ALL_STATES else "open",
            assignee=self.assignee or None,
        )

    def kept(self) -> dict[str, str]:
        """The filters that differ from the defaults, for links."""
        given = {k: str(v) for k, v in vars(self).items()}
        return {k: v for k, v in given.items() if v and not (k == "sort" and v == "urgency")}

    def url(self, path: str = "/queue", **extra: object) -> str:
        query = urlencode({**self.kept(), **{k: str(v) for k, v in extra.items()}})
        return f"{path}?{query}" if query else path


def _params(request: Request) -> QueueParams:
    fields = ("q", "sponsor", "project", "sector", "category", "state", "assignee", "sort")
    return QueueParams.clean(request, **{k: request.query_params.get(k, "") for k in fields})


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    return max(1, min(int(raw), 100_000)) if raw.isdigit() and len(raw) < 7 else 1


def _bulk_choices(session: Session, user: Principal, lang: str) -> list[tuple[str, str]]:
    """The bulk form's actions for ``user``, as (value, label in ``lang``): take, assign to
    each desk user or to nobody (supervisors), move to each state that may be bulk."""
    choices: list[tuple[str, str]] = []
    if user.can("case.take"):
        choices.append(("take", t("queue.bulk.take", lang)))
    if user.can("case.assign"):
        for uid, name in assignment.assignees(session, user).items():
            choices.append((f"assign:{uid}", t("queue.bulk.assign_to", lang, name=name)))
        choices.append(("unassign", t("queue.bulk.unassign", lang)))
    for target in bulk_targets(user.role):
        state = t(f"web.state.{target}", lang)
        choices.append((f"move:{target}", t("queue.bulk.move_to", lang, state=state)))
    return choices


def _queue_context(
    session: Session, request: Request, user: Principal, params: QueueParams, page: int
) -> dict[str, Any]:
    desk = desk_of(request)
    lang = lang_of(request)
    found = cases.queue(
        session, user, params.filter(), sort=params.sort, page=page, per_page=PER_PAGE
    )
    sponsors = dict(
        session.execute(
            scope_organizations(select(Organization.id, Organization.name), user)
            .where(Organization.kind == "sponsor")
            .order_by(Organization.name)
        ).all()
    )
    projects = dict(
        session.execute(
            scope_projects(select(Project.id, Project.name), user).order_by(Project.name)
        ).all()
    )
    org_names = views.names_of(session, [i.case.sponsor_id for i in found.items])
    people = assignment.assignee_names(session, user, [i.case.assignee_id for i in found.items])
    today = desk.today()
    items = [
        {
            "case": i.case,
            "worker_id": i.trip.worker_id,
            "name": f"{i.trip.person.family_name} {i.trip.person.given_name}",
            "name_ko": i.trip.person.name_ko,
            "sponsor": org_names.get(i.case.sponsor_id, ""),
            "project": projects.get(i.case.project_id, ""),
            "due": deadlines.deadline(i.case, today),
            "assignee": people.get(i.case.assignee_id or 0, ""),
        }
        for i in found.items
    ]
    pages = max(1, math.ceil(found.total / PER_PAGE))
    return {
        "items": items,
        "total": found.total,
        "page": page,
        "pages": pages,
        "page_url": lambda n: params.url(page=n),
        "filters": vars(params),
        "sponsors": sponsors,
        "projects": projects,
        "sectors": SECTORS,
        "categories": [
            (cid, views.category_label(desk.policy, cid, lang)) for cid in desk.policy.categories
        ],
        "states": STATES,
        "sorts": QUEUE_SORTS,
        "short_category": views.short_category,
        "assignees": assignment.assignees(session, user),
        "bulk_choices": _bulk_choices(session, user, lang),
        "export_csv": params.url("/queue/export.csv"),
        "export_xlsx": params.url("/queue/export.xlsx"),
        "back": urlencode(params.kept()),
        "today": today,
    }


def _queue_page(
    request: Request,
    user: Principal,
    *,
    refused: list[str] | None = None,
    error: str = "",
    status: int = 200,
    params: QueueParams | None = None,
) -> Response:
    desk = desk_of(request)
    params = params or _params(request)
    with read_session(desk.sessions) as session:
        context = _queue_context(session, request, user, params, _page_number(request))
        hx_target = request.headers.get("hx-target", "")
        template = (
            "partials/queue_results.html"
            if is_htmx(request) and hx_target == "queue-results"
            else "queue.html"
        )
        return render(
            request,
            template,
            status_code=status,
            canonical_url=params.url(),
            error=error or None,
            refused=refused or [],
            **context,
        )


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request) -> Response:
    return _queue_page(request, require_user(request))


# -- bulk -----------------------------------------------------------------------------------


def _bulk_action(value: str, comment: str) -> assignment.BulkAction:
    kind, _, arg = value.partition(":")
    if kind == "take":
        return assignment.BulkAction("take")
    if kind == "unassign":
        return assignment.BulkAction("assign", None)
    if kind == "assign" and _int_or_none(arg):
        return assignment.BulkAction("assign", _int_or_none(arg))
    if kind == "move" and arg:
        return assignment.BulkAction("transition", target=arg, comment=comment)
    raise DeskError(
        "invalid_choice", 422, field="action", value=value, choices="take, assign, move"
    )


def _refused_lines(session: Session, error: DeskError, lang: str) -> list[str]:
    """Each refused case of a bulk request, in ``lang``, with its worker id."""
    ids = [int(d["case_id"]) for d in error.details]
    workers = dict(session.execute(select(Case.id, Case.trip_id).where(Case.id.in_(ids))).all())
    trip_ids = list(workers.values())
    worker_of = dict(
        session.execute(select(Trip.id, Trip.worker_id).where(Trip.id.in_(trip_ids))).all()
    )
    lines = []
    for d in error.details:
        reason = DeskError(str(d["code"]), **dict(d["params"])).message(lang)
        worker = worker_of.get(workers.get(int(d["case_id"]), 0), "")
        lines.append(
            t("queue.bulk.refused", lang, case=d["case_id"], worker=worker, message=reason)
        )
    return lines


@router.post("/queue/bulk", response_class=HTMLResponse)
def bulk(  # noqa: PLR0917 - the form's fields
    request: Request,
    action: Annotated[str, Form(max_length=40), SINGLE_LINE] = "",
    case: Annotated[list[str] | None, Form()] = None,
    comment: Annotated[str, Form(max_length=2000), MULTI_LINE] = "",
    back: Annotated[str, Form(max_length=1000), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    """Take one action for every ticked case, all or nothing; refused, the queue again
    with each refused case and why."""
    user = require_user(request)
    check_csrf(request, csrf_token)
    desk = desk_of(request)
    lang = lang_of(request)
    params = QueueParams.clean(request, **dict(parse_qsl(back)))
    ids = [int(c) for c in case or [] if c.isdigit() and len(c) < 12]
    try:
        with write_session(desk.sessions) as session:
            assignment.bulk(session, user, ids, _bulk_action(action, comment.strip()), desk)
    except DeskError as error:
        with read_session(desk.sessions) as session:
            lines = _refused_lines(session, error, lang) if error.details else []
        return _queue_page(
            request,
            user,
            error=error.message(lang),
            refused=lines,
            status=error.status,
            params=params,
        )
    return redirect(params.url(done="bulk_done"))


# -- export ---------------------------------------------------------------------------------


@router.get("/queue/export.{fmt}")
def export(request: Request, fmt: str) -> Response:
    """The queue as the page filters it, whole, as CSV or XLSX in the reader's language."""
    user = require_user(request)
    desk = desk_of(request)
    params = _params(request)
    with read_session(desk.sessions) as session:
        out = queue_export.export_queue(
            session,
            user,
            params.filter(),
            fmt,
            sort=params.sort,
            today=desk.today(),
            policy=desk.policy,
            lang=lang_of(request),
        )
    headers = {
        "Content-Disposition": f'attachment; filename="{out.filename}"',
        "Cache-Control": "no-store",
    }
    return Response(out.data, media_type=out.media_type, headers=headers)


# -- the case page's part -------------------------------------------------------------------


def case_extras(session: Session, user: Principal, case: Case, today: Any) -> dict[str, Any]:
    """What the case page's deadline and assignment card shows (partials/deadline.html)."""
    names = assignment.assignee_names(session, user, [case.assignee_id])
    return {
        "due": deadlines.deadline(case, today),
        "assignee_name": names.get(case.assignee_id or 0, ""),
        "assignees": assignment.assignees(session, user) if user.can("case.assign") else {},
        "can_take": user.can("case.take"),
    }

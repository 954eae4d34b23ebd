"""The projects pages: the projects a user sees, one project with its batches, and the
forms that create a project and a batch (:mod:`visadesk.desk.projects`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from visadesk.desk import projects as desk_projects
from visadesk.desk.authz import Principal, scope_batches, scope_trips
from visadesk.desk.db import read_session
from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import SINGLE_LINE
from visadesk.desk.models import Batch, Trip
from visadesk.roster.schema import SECTORS
from visadesk.web import views
from visadesk.web.forms import Csrf, submit
from visadesk.web.templating import desk_of, render, require_user

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Field = Annotated[str, Form(max_length=40), SINGLE_LINE]


def _projects_page(
    request: Request,
    user: Principal,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    with read_session(desk_of(request).sessions) as session:
        projects = desk_projects.list_projects(session, user)
        batch_counts = dict(
            session.execute(
                scope_batches(select(Batch.project_id, func.count(Batch.id)), user).group_by(
                    Batch.project_id
                )
            ).all()
        )
        sponsors = views.names_of(session, [p.sponsor_id for p in projects])
        return render(
            request,
            "projects.html",
            status_code=status,
            canonical_url="/projects",
            projects=projects,
            batch_counts=batch_counts,
            sponsors=sponsors,
            sectors=SECTORS,
            can_create=user.can("project.write"),
            form=form or {},
            error=error,
        )


@router.get("/projects", response_class=HTMLResponse)
def projects(request: Request) -> Response:
    return _projects_page(request, require_user(request))


def _optional_date(value: str, field: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DeskError("invalid_value", 422, field=field, value=value) from None


def _optional_int(value: str, field: str) -> int | None:
    cleaned = value.replace(",", "").replace("_", "").strip()
    if not cleaned:
        return None
    try:
        number = int(cleaned)
    except ValueError:
        raise DeskError("invalid_value", 422, field=field, value=value) from None
    if number < 0:
        raise DeskError("invalid_value", 422, field=field, value=value)
    return number


def _required(value: str, field: str) -> str:
    if not value.strip():
        raise DeskError("invalid_value", 422, field=field, value=value)
    return value.strip()


@router.post("/projects", response_class=HTMLResponse)
def create_project(  # noqa: PLR0917 - the form's fields
    request: Request,
    name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
    worksite: Annotated[str, Form(max_length=300), SINGLE_LINE] = "",
    state: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    sector: Field = "",
    investment_usd: Field = "",
    start_date: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    end_date: Annotated[str, Form(max_length=20), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    form = {
        "name": name,
        "worksite": worksite,
        "state": state,
        "sector": sector,
        "investment_usd": investment_usd,
        "start_date": start_date,
        "end_date": end_date,
    }

    def create(session: Session, user: Principal) -> int:
        return desk_projects.create_project(
            session,
            user,
            name=_required(name, "name"),
            worksite=_required(worksite, "worksite"),
            state=state,
            sector=sector,
            investment_usd=_optional_int(investment_usd, "investment_usd"),
            start_date=_optional_date(start_date, "start_date"),
            end_date=_optional_date(end_date, "end_date"),
        ).id

    return submit(
        request,
        csrf_token,
        create,
        lambda project_id: f"/projects/{project_id}?done=project_created",
        lambda user, error, status: _projects_page(request, user, error, status, form),
    )


def _project_page(
    request: Request,
    user: Principal,
    project_id: int,
    error: str | None = None,
    status: int = 200,
) -> Response:
    with read_session(desk_of(request).sessions) as session:
        project = desk_projects.get_project(session, user, project_id)
        batches = desk_projects.list_batches(session, user, project_id=project.id)
        trip_counts = dict(
            session.execute(
                scope_trips(select(Trip.batch_id, func.count(Trip.id)), user)
                .where(Trip.project_id == project.id)
                .group_by(Trip.batch_id)
            ).all()
        )
        sponsor = views.names_of(session, [project.sponsor_id]).get(project.sponsor_id, "")
        return render(
            request,
            "project.html",
            status_code=status,
            canonical_url=f"/projects/{project_id}",
            project=project,
            sponsor=sponsor,
            batches=batches,
            trip_counts=trip_counts,
            can_create=user.can("batch.create") and user.org_id == project.sponsor_id,
            error=error,
        )


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: int) -> Response:
    return _project_page(request, require_user(request), project_id)


@router.post("/projects/{project_id}/batches", response_class=HTMLResponse)
def create_batch(
    request: Request,
    project_id: int,
    name: Annotated[str, Form(max_length=200), SINGLE_LINE] = "",
    csrf_token: Csrf = "",
) -> Response:
    def create(session: Session, user: Principal) -> int:
        name_given = _required(name, "name")
        return desk_projects.create_batch(session, user, project_id=project_id, name=name_given).id

    return submit(
        request,
        csrf_token,
        create,
        lambda batch_id: f"/batches/{batch_id}?done=batch_created",
        lambda user, error, status: _project_page(request, user, project_id, error, status),
    )

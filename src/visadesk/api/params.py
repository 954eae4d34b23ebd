"""What the API's routers share: the parameters they take and the errors they document."""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from fastapi import Depends, Path, Query

from visadesk.api.schemas import ErrorOut
from visadesk.desk.cases import QueueFilter
from visadesk.desk.inputs import MAX_ID

__all__ = [
    "ERRORS",
    "PREFIX",
    "Page",
    "PathId",
    "PerPage",
    "QueryId",
    "QueueAssignee",
    "QueueQuery",
    "QueueView",
    "queue_filter",
]

PREFIX: Final = "/api/v1"
#: The error statuses every endpoint may answer, each with the error body.
ERRORS: Final[dict[int | str, dict[str, Any]]] = {
    code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 415, 422, 429)
}

Page = Annotated[int, Query(ge=1, le=100_000)]
PerPage = Annotated[int, Query(ge=1, le=200)]
#: A row id in the path: out of range is 422, never a database error.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
#: A row id filtering a list.
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
#: The queue's view: the caller's open work, or every state (issue #12).
QueueView = Annotated[Literal["open", "all"], Query()]
#: The queue's assignee filter: "me", "none" (nobody) or a user id.
QueueAssignee = Annotated[str | None, Query(max_length=12, pattern=r"^(me|none|[1-9][0-9]{0,9})$")]


def queue_filter(
    sponsor_id: QueryId = None,
    project_id: QueryId = None,
    batch_id: QueryId = None,
    sector: str | None = None,
    category: str | None = None,
    state: Annotated[list[str] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    view: QueueView = "open",
    assignee: QueueAssignee = None,
) -> QueueFilter:
    """The queue's filters, the same for the list (``GET /cases``) and its export."""
    return QueueFilter(
        sponsor_id, project_id, batch_id, sector, category, tuple(state or ()), q, view, assignee
    )


#: The queue's filters as one parameter (:func:`queue_filter`).
QueueQuery = Annotated[QueueFilter, Depends(queue_filter)]

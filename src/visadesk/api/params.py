"""What the API's routers share: the parameters they take and the errors they document."""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import Path, Query

from visadesk.api.schemas import ErrorOut
from visadesk.desk.inputs import MAX_ID

__all__ = ["ERRORS", "PREFIX", "Page", "PathId", "PerPage", "QueryId"]

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

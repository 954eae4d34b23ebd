"""What the report pages share: the desk and language of a request, ids from a URL,
and the headers of a download (personal data: never cached)."""

from __future__ import annotations

from typing import Final

from fastapi import Request

from visadesk.desk.errors import DeskError
from visadesk.desk.runtime import Desk
from visadesk.serve.request import request_lang

__all__ = ["MAX_ID", "NO_STORE", "XLSX", "attachment", "desk_of", "known_id", "lang_of"]

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Downloads carry personal data: no cache keeps a copy.
NO_STORE: Final = {"Cache-Control": "no-store"}


def desk_of(request: Request) -> Desk:
    desk: Desk = request.app.state.desk
    return desk


def lang_of(request: Request) -> str:
    """The reader's language, as every page has it (:func:`~visadesk.web.templating.render`)."""
    return request_lang(request)


def attachment(filename: str, *, inline: bool = False) -> dict[str, str]:
    kind = "inline" if inline else "attachment"
    return {**NO_STORE, "Content-Disposition": f'{kind}; filename="{filename}"'}


#: Ids are 32-bit integers on PostgreSQL: a larger one in a URL is no id, not an error.
MAX_ID: Final = 2**31 - 1


def known_id(entity: str, value: int) -> int:
    """``value`` as an id, or 404 when it cannot be one (a database would refuse it)."""
    if not 1 <= value <= MAX_ID:
        raise DeskError("not_found", 404, entity=entity, id=value)
    return value

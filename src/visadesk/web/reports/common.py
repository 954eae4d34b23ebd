"""What the report pages share: ids from a URL and the headers of a download
(personal data: never cached). The desk and language of a request are the web
app's (:mod:`visadesk.web.templating`)."""

from __future__ import annotations

from typing import Final

from visadesk.desk.errors import DeskError
from visadesk.desk.inputs import MAX_ID

__all__ = ["NO_STORE", "XLSX", "attachment", "known_id"]

XLSX: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Downloads carry personal data: no cache keeps a copy.
NO_STORE: Final = {"Cache-Control": "no-store"}


def attachment(filename: str, *, inline: bool = False) -> dict[str, str]:
    kind = "inline" if inline else "attachment"
    return {**NO_STORE, "Content-Disposition": f'{kind}; filename="{filename}"'}


def known_id(entity: str, value: int) -> int:
    """``value`` as an id, or 404 when it cannot be one (a database would refuse it)."""
    if not 1 <= value <= MAX_ID:
        raise DeskError("not_found", 404, entity=entity, id=value)
    return value

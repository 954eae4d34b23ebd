"""What a request may give the desk, whichever door it comes by: row ids, clean text.

The API's bodies (:mod:`visadesk.api.schemas`) and the web app's forms mark
their text fields with :data:`SINGLE_LINE` or :data:`MULTI_LINE`; a control
character there is a ``control_character`` validation error, which
:func:`control_problem` puts in words (the 422 of :mod:`visadesk.serve.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from visadesk.i18n import t
from visadesk.safetext import codepoint, control_character

__all__ = [
    "MAX_ID",
    "MULTI_LINE",
    "SINGLE_LINE",
    "control_problem",
    "multi_line",
    "refuse_controls",
    "single_line",
]

#: The largest row id (the id columns are 32-bit integers on every database).
MAX_ID: Final = 2**31 - 1


def refuse_controls(value: str, *, multiline: bool) -> str:
    """``value``, or a ``control_character`` validation error."""
    found = control_character(value, multiline=multiline)
    if found is not None:
        # The 422 handlers render this error type in the reader's language, naming the field.
        raise PydanticCustomError(
            "control_character",
            "contains a control character ({char}) at position {position}",
            {"char": codepoint(found[1]), "position": found[0]},
        )
    return value


def single_line(value: str) -> str:
    """``value``, or a ``control_character`` validation error (no tab or line break either)."""
    return refuse_controls(value, multiline=False)


def multi_line(value: str) -> str:
    """``value``, or a ``control_character`` validation error (tab and line breaks allowed)."""
    return refuse_controls(value, multiline=True)


def control_problem(error: Mapping[str, Any], lang: str) -> str | None:
    """A ``control_character`` validation error in words, naming its field; else ``None``."""
    if error.get("type") != "control_character":
        return None
    location = [str(x) for x in error.get("loc", ()) if not isinstance(x, int)]
    field = location[-1] if location else "?"
    return t("safety.control_character", lang, field=field, **error.get("ctx", {}))


#: Markers for ``Annotated`` text fields (API bodies and web forms).
SINGLE_LINE: Final = AfterValidator(single_line)
MULTI_LINE: Final = AfterValidator(multi_line)

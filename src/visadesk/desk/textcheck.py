"""The desk's check on text it stores: no NUL, no control characters (``visadesk.safetext``)."""

from __future__ import annotations

from visadesk.desk.errors import DeskError
from visadesk.safetext import codepoint, control_character

__all__ = ["require_clean_text"]


def require_clean_text(field: str, text: str, *, multiline: bool = False) -> str:
    """``text`` unchanged, or a 422 ``control_character`` :class:`DeskError` naming ``field``."""
    found = control_character(text, multiline=multiline)
    if found is not None:
        position, char = found
        raise DeskError(
            "control_character", 422, field=field, char=codepoint(char), position=position
        )
    return text

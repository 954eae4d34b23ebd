"""Text that people type or upload holds no NUL and no control characters.

A NUL stored on SQLite cannot be restored into PostgreSQL (which refuses it in
text), and control characters in names or file names hide text, break
terminals and logs, and serve no one. Every text input (API bodies, web forms,
uploaded file names, roster cells) passes through :func:`control_character`:

- single-line text refuses every C0 control (U+0000-U+001F, tab and line
  breaks included), DEL (U+007F) and every C1 control (U+0080-U+009F);
- multi-line text (a comment, a roster cell, which Excel lets hold line breaks)
  also allows tab, line feed and carriage return.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MULTILINE_FORBIDDEN",
    "ControlCharacterError",
    "check_text",
    "codepoint",
    "control_character",
    "escaped",
]

#: The characters multi-line text refuses, as a pattern Python and Polars (Rust) both read.
MULTILINE_FORBIDDEN: Final = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_SINGLE_LINE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MULTI_LINE: Final = re.compile(MULTILINE_FORBIDDEN)


class ControlCharacterError(ValueError):
    """A text holds a control character: ``field`` names the input, ``char`` the character."""

    def __init__(self, field: str, char: str, position: int) -> None:
        self.field = field
        self.char = char
        self.position = position
        super().__init__(f"{field}: control character {codepoint(char)} at position {position}")


def codepoint(char: str) -> str:
    """``U+0000`` for a character."""
    return f"U+{ord(char):04X}"


def control_character(text: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The first forbidden character of ``text`` as (position from 1, character), or ``None``."""
    found = (_MULTI_LINE if multiline else _SINGLE_LINE).search(text)
    return None if found is None else (found.start() + 1, found.group())


def check_text(field: str, text: str, *, multiline: bool = False) -> str:
    """``text`` unchanged, or :class:`ControlCharacterError` naming ``field``."""
    found = control_character(text, multiline=multiline)
    if found is not None:
        raise ControlCharacterError(field, found[1], found[0])
    return text


def escaped(text: str, *, limit: int = 80) -> str:
    """``text`` with each control character shown as ``\\x00``, safe to print, shortened."""
    shown = "".join(f"\\x{ord(c):02x}" if _SINGLE_LINE.fullmatch(c) else c for c in text)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"

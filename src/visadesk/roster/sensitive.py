"""Sensitive values: Korean resident registration numbers and masked display.

A Korean resident registration number (주민등록번호, RRN) is ``YYMMDD-GNNNNNN``:
six digits of birth date, a hyphen (often left out), a gender/century digit
``G`` from 1 to 8, and six more digits. visadesk never needs one and must never
hold one, so a roster that carries one is refused as a whole. Everything that
might echo a cell back to a person (problem messages, exception text, reprs)
goes through :func:`scrub`, which keeps at most the first six digits:
``900101-*******``.

The other sensitive columns of the contract (``passport_number``,
``birth_date``) are shown masked by :func:`mask_value`: ``M1234****``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Final

__all__ = [
    "RRN_MASK",
    "compress_rows",
    "find_rrn",
    "header_key",
    "is_rrn_header",
    "mask_value",
    "scrub",
]

#: What replaces the last seven digits of a resident registration number.
RRN_MASK: Final = "-*******"

# YYMMDD (a plausible month and day), an optional hyphen or dash (possibly with
# spaces around it), G in 1-8, six digits; not part of a longer digit run nor
# the fraction of a decimal number (8.9209063335839).
_RRN: Final = re.compile(
    r"(?<!\d)(?<!\d[.,])"
    r"(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))"
    r"[ \t]*[-‐‑‒–—―－]?[ \t]*"
    r"[1-8]\d{6}"
    r"(?!\d)"
)

# Normalised header names (see header_key) that are resident registration numbers.
_RRN_HEADERS: Final = frozenset(
    {
        "rrn",
        "rrnno",
        "rrnnumber",
        "jumin",
        "juminno",
        "juminbunho",
        "juminbeonho",
        "residentno",
        "residentnumber",
        "residentid",
        "residentregistrationno",
        "residentregistrationnumber",
        "koreanresidentregistrationnumber",
        "주민",
        "주민no",
    }
)
_RRN_HEADER_PARTS: Final = ("주민등록", "주민번호", "residentregistration", "주민등번")


def header_key(text: str) -> str:
    """A header reduced for matching: NFKC, case-folded, only letters and digits.

    ``"Worker ID"``, ``"worker_id"`` and ``" WORKER-ID "`` all become ``"workerid"``;
    Hangul is kept (``"입국 일"`` becomes ``"입국일"``).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", folded)


def is_rrn_header(header: str) -> bool:
    """Whether a column header names resident registration numbers."""
    key = header_key(header)
    if not key:
        return False
    if key in _RRN_HEADERS or key.startswith("rrn"):
        return True
    return any(part in key for part in _RRN_HEADER_PARTS)


def _candidates(cell: object) -> list[str]:
    """The texts of a cell worth scanning for a resident registration number."""
    if isinstance(cell, float):
        # Only a whole number can be a registration number that lost its hyphen.
        cell = int(cell) if math.isfinite(cell) and cell.is_integer() else None
    if cell is None or isinstance(cell, bool):
        texts: list[str] = []
    elif isinstance(cell, int):
        text = str(cell)
        # A number cell drops the leading zero of people born in the 2000s.
        texts = [text, text.zfill(13)] if len(text) == 12 else [text]
    elif isinstance(cell, list | tuple | set | frozenset):
        texts = [text for item in cell for text in _candidates(item)]
    elif isinstance(cell, dict):
        texts = [text for item in cell.values() for text in _candidates(item)]
    else:
        texts = [unicodedata.normalize("NFKC", str(cell))]
    return texts


def find_rrn(cell: object) -> str | None:
    """The masked first resident registration number in a cell, if it holds one.

    Finds numbers anywhere in text (``"RRN: 900101-1234567"``), with or without
    the hyphen, also in full-width digits and in number cells. Returns only the
    masked form (``"900101-*******"``), never the number itself.
    """
    for text in _candidates(cell):
        match = _RRN.search(text)
        if match is not None:
            return match.group(1) + RRN_MASK
    return None


def scrub(text: str) -> str:
    """``text`` with every resident registration number in it masked."""
    normalized = unicodedata.normalize("NFKC", text)
    if _RRN.search(normalized) is None:
        return text
    return _RRN.sub(lambda m: m.group(1) + RRN_MASK, normalized)


def mask_value(text: str) -> str:
    """A sensitive value shown partly: at most the first five characters, at most half.

    ``"M12345678"`` becomes ``"M1234****"``; ``"1990-01-01"`` becomes ``"1990-*****"``.
    """
    text = scrub(text)
    keep = min(5, (len(text) + 1) // 2)
    return text[:keep] + "*" * (len(text) - keep)


def compress_rows(rows: Iterable[int]) -> str:
    """Row numbers as short ranges: ``[2, 3, 4, 7]`` becomes ``"2-4, 7"``."""
    ordered = sorted(set(rows))
    parts: list[str] = []
    start: int | None = None
    previous: int | None = None
    for row in [*ordered, None]:
        if start is not None and previous is not None and row == previous + 1:
            previous = row
            continue
        if start is not None and previous is not None:
            parts.append(str(start) if start == previous else f"{start}-{previous}")
        start = previous = row
    return ", ".join(parts)

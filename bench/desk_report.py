"""The desk benchmark's block in docs/benchmarks.md, between two markers.

``bench.desk`` rewrites what lies between :data:`BEGIN` and :data:`END`;
``bench.run`` regenerates the rest of the file from its template and carries
the block over (:func:`carry`), so that either benchmark can run alone.
"""

from __future__ import annotations

from typing import Final

__all__ = ["BEGIN", "END", "carry", "extract", "replace"]

BEGIN: Final = "<!-- desk:begin -->"
END: Final = "<!-- desk:end -->"


def extract(text: str) -> str | None:
    """The block's content (between the markers), or None when the markers are absent."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(BEGIN) : end]


def replace(text: str, content: str) -> str:
    """``text`` with the block's content replaced (the block appended when absent)."""
    block = f"{BEGIN}\n{content.strip()}\n{END}"
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return f"{text.rstrip()}\n\n{block}\n"
    return text[:start] + block + text[end + len(END) :]


def carry(old: str, new: str) -> str:
    """``new`` with the block ``old`` had (if it had one): regenerating keeps the desk figures."""
    content = extract(old)
    return new if content is None else replace(new, content)

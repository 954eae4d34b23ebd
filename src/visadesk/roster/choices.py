"""The values an enumerated roster column accepts: its codes and the labels the app shows.

A clerk types what the app itself shows: ``설비 설치·시운전`` for an activity,
``기술자`` for a role, ``본사`` for who pays. Every enumerated column names the
catalog entries (:mod:`visadesk.i18n`) that label its codes; the same entries are
what the pages, the documents and the roster template display, so a label and
the value the reader accepts can never drift apart. Output always uses the codes.

Matching is forgiving the way people type: Unicode NFKC, case-insensitive, and
blind to spaces, ``_``, ``-``, parentheses, apostrophes and the middle-dot
variants (``·`` ``・`` ``‧`` ``ㆍ`` ``•`` and ``.``), so ``설비설치.시운전``,
``Install Equipment`` and ``install-equipment`` all read as ``install_equipment``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Final

from visadesk.i18n import LANGUAGES, catalog, normalize_lang
from visadesk.roster.schema import ACTIVITY_CODES, COLUMN_BY_NAME, ColumnType

__all__ = [
    "BOOL_CODES",
    "LABEL_KEYS",
    "allowed_text",
    "choice_key",
    "choice_label",
    "codes_of",
    "enumerated",
    "lookup",
]

#: Catalog key templates that label each enumerated column's codes, the one the app
#: displays first; later ones are other labels the app shows for the same code.
LABEL_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "activities": ("activity.{code}",),
    "sector": ("web.sector.{code}", "reports.sector.{code}"),
    "role": ("roster_input.choice.role.{code}",),
    "paid_by": ("roster_input.choice.paid_by.{code}",),
    "degree": ("roster_input.choice.degree.{code}",),
    "h1b_petition_kind": ("roster_input.choice.h1b_petition_kind.{code}",),
}
#: Yes/no columns: their two codes and the labels the app shows for them.
BOOL_CODES: Final = ("yes", "no")
_BOOL_KEYS: Final = ("explain.{code}",)

# What typing varies and matching ignores: spaces, _ - . , ' ( ) and the middle dots
# (NFKC turns the Hangul keyboard's U+318D into U+119E).
_DOTS: Final = "\u00b7\u30fb\u2027\u318d\u119e\u2022\u2219\u22c5\uff65"
_IGNORED: Final = re.compile(rf"[\s_\-.,'’(){_DOTS}]+")


def choice_key(text: str) -> str:
    """``text`` reduced for matching: ``"설비 설치 · 시운전"`` and ``"설비설치.시운전"`` agree."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text).casefold())


def enumerated(column: str) -> bool:
    """Whether ``column`` takes values from a fixed list (yes/no included)."""
    spec = COLUMN_BY_NAME.get(column)
    return column in LABEL_KEYS or (spec is not None and spec.type is ColumnType.BOOL)


def codes_of(column: str) -> tuple[str, ...]:
    """The codes ``column`` accepts, in contract order."""
    if column == "activities":
        return ACTIVITY_CODES
    spec = COLUMN_BY_NAME[column]
    return BOOL_CODES if spec.type is ColumnType.BOOL else spec.choices


def _keys(column: str) -> tuple[str, ...]:
    return LABEL_KEYS.get(column, _BOOL_KEYS)


def choice_label(column: str, code: str, lang: str) -> str:
    """The label the app shows for ``code`` of ``column`` in ``lang``."""
    key = _keys(column)[0].format(code=code)
    return catalog(normalize_lang(lang)).get(key, code)


@cache
def _index(column: str) -> dict[str, str]:
    """Every accepted spelling (as :func:`choice_key`) of ``column``'s codes -> code."""
    index: dict[str, str] = {}
    for code in codes_of(column):
        spellings = [code]
        for lang in LANGUAGES:
            messages = catalog(lang)
            keys = (template.format(code=code) for template in _keys(column))
            spellings += [messages[key] for key in keys if key in messages]
        for spelling in spellings:
            key = choice_key(spelling)
            if key and index.setdefault(key, code) != code:
                raise ValueError(f"{column}: {spelling!r} names both {index[key]} and {code}")
    return index


def lookup(column: str, text: str) -> str | None:
    """The code ``text`` names for ``column`` (a code or any label), or ``None``."""
    key = choice_key(text)
    return _index(column).get(key) if key else None


def allowed_text(column: str, lang: str) -> str | None:
    """The allowed values of ``column`` as the reader reads them: ``기술자 (technician), ...``.

    ``None`` when ``column`` is not enumerated. Activities are separated by ``;`` (their
    English labels hold commas).
    """
    if column not in LABEL_KEYS:
        return None
    separator = "; " if column == "activities" else ", "
    return separator.join(
        f"{choice_label(column, code, lang)} ({code})" for code in codes_of(column)
    )

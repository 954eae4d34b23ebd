"""Countries (ISO 3166-1) and US states, with the names people write for them.

The tables are data files shipped in the package:

- ``data/countries.csv``: all 249 ISO 3166-1 entries with alpha-2 and alpha-3
  codes, an English and a Korean name, and other common spellings
  (``aliases``, separated by ``|``). Kosovo (``XK``) is not an ISO 3166-1
  entry and is not accepted.
- ``data/us_states.csv``: the 50 states, the District of Columbia and the five
  inhabited territories with USPS codes, English and Korean names.

Lookups ignore case, spaces and punctuation: ``"kor"``, ``"KR"``,
``"Korea, Republic of"``, ``"대한민국"`` and ``"한국"`` all give ``KR``;
``"ga"``, ``"Georgia"`` and ``"조지아주"`` give the state ``GA``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from visadesk.roster.sensitive import header_key

__all__ = [
    "Country",
    "UsState",
    "countries",
    "country_code",
    "state_code",
    "us_states",
]


@dataclass(frozen=True, slots=True)
class Country:
    """One ISO 3166-1 entry."""

    alpha2: str
    alpha3: str
    name_en: str
    name_ko: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UsState:
    """A US state, the District of Columbia or an inhabited territory."""

    code: str
    name_en: str
    name_ko: str
    aliases: tuple[str, ...]


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("visadesk.roster") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _aliases(field: str) -> tuple[str, ...]:
    return tuple(alias.strip() for alias in field.split("|") if alias.strip())


@cache
def countries() -> tuple[Country, ...]:
    """Every ISO 3166-1 country, in alpha-2 order."""
    return tuple(
        Country(r["alpha2"], r["alpha3"], r["name_en"], r["name_ko"], _aliases(r["aliases"]))
        for r in _rows("countries.csv")
    )


@cache
def us_states() -> tuple[UsState, ...]:
    """The US states, DC and territories a worksite may be in."""
    return tuple(
        UsState(r["code"], r["name_en"], r["name_ko"], _aliases(r["aliases"]))
        for r in _rows("us_states.csv")
    )


def _index(entries: list[tuple[str, tuple[str, ...]]], what: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, names in entries:
        for name in names:
            key = header_key(name)
            if index.setdefault(key, code) != code:
                raise ValueError(f"{what} name {name!r} is ambiguous: {index[key]} or {code}")
    return index


@cache
def _country_index() -> dict[str, str]:
    return _index(
        [(c.alpha2, (c.alpha2, c.alpha3, c.name_en, c.name_ko, *c.aliases)) for c in countries()],
        "country",
    )


@cache
def _state_index() -> dict[str, str]:
    return _index(
        [(s.code, (s.code, s.name_en, s.name_ko, *s.aliases)) for s in us_states()],
        "state",
    )


def country_code(text: str) -> str | None:
    """The ISO alpha-2 code of a country written as a code or a name, or ``None``."""
    return _country_index().get(header_key(text))


def state_code(text: str) -> str | None:
    """The two-letter code of a US state written as a code or a name, or ``None``.

    A Korean name may end in 주 (state): ``"텍사스주"`` is ``TX``.
    """
    key = header_key(text)
    index = _state_index()
    found = index.get(key)
    if found is None and len(key) > 1 and key.endswith("주"):
        found = index.get(key[:-1])
    return found

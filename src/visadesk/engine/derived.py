"""Facts the engine derives from roster columns: each defined once, for both engines.

A derived fact is data (which columns it counts between, and how it counts). The
per-case interpreter computes it for one row (:func:`derive_facts`), the batch
engine for whole columns (:func:`derived_columns`); each way of counting is
written here twice, side by side, once in Python and once in Polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

from visadesk.roster.schema import FactValue

__all__ = [
    "DERIVED",
    "DERIVED_FACTS",
    "DERIVED_SOURCES",
    "HELD_VISA",
    "DerivedFact",
    "derive_facts",
    "derived_columns",
    "source_fact",
    "whole_years",
]

Counting = Literal["days_inclusive", "whole_years"]


@dataclass(frozen=True, slots=True)
class DerivedFact:
    """A fact counted from ``since`` to ``until``; ``source`` is asked for when it is unknown."""

    name: str
    description: str
    counting: Counting
    since: str
    until: str
    source: str | None = None


#: Facts the engine computes from roster columns; rule files may read them.
DERIVED: Final = (
    DerivedFact(
        "trip_days",
        "days in the US, counting the first and the last day (trip_end - trip_start + 1)",
        "days_inclusive",
        "trip_start",
        "trip_end",
    ),
    DerivedFact(
        "years_since_overstay_departure",
        "whole years from overstay_departure to trip_start (a 29 February departure"
        " comes round on 1 March)",
        "whole_years",
        "overstay_departure",
        "trip_start",
        source="overstay_departure",
    ),
)
DERIVED_FACTS: Final[Mapping[str, str]] = {d.name: d.description for d in DERIVED}
#: The roster column a derived fact comes from, named in ``missing`` when it is blank.
DERIVED_SOURCES: Final[Mapping[str, str]] = {d.name: d.source for d in DERIVED if d.source}
#: The held-visa column, compared as a code: upper case, no spaces, blank is unknown.
HELD_VISA: Final = "holds_visa"


def source_fact(name: str) -> str:
    """The roster column to ask for when ``name`` is unknown."""
    return DERIVED_SOURCES.get(name, name)


def whole_years(since: dt.date, until: dt.date) -> int:
    """Whole years from ``since`` to ``until`` (negative when ``until`` is earlier)."""
    return until.year - since.year - ((until.month, until.day) < (since.month, since.day))


def _days_inclusive(since: dt.date, until: dt.date) -> int:
    return (until - since).days + 1


def _days_inclusive_column(since: pl.Expr, until: pl.Expr) -> pl.Expr:
    return (until - since).dt.total_days() + 1


def _whole_years_column(since: pl.Expr, until: pl.Expr) -> pl.Expr:
    # Month and day are Int8 in Polars: widen before arithmetic (2 * 100 overflows Int8).
    def month_day(d: pl.Expr) -> pl.Expr:
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before = month_day(until) < month_day(since)
    return until.dt.year().cast(pl.Int64) - since.dt.year().cast(pl.Int64) - before.cast(pl.Int64)


#: Each way of counting, for one row and for whole columns (null when either date is).
_COUNTINGS: Final[
    Mapping[
        Counting,
        tuple[Callable[[dt.date, dt.date], int], Callable[[pl.Expr, pl.Expr], pl.Expr]],
    ]
] = {
    "days_inclusive": (_days_inclusive, _days_inclusive_column),
    "whole_years": (whole_years, _whole_years_column),
}


def _held_visa(value: str) -> str | None:
    return value.strip().upper().replace(" ", "") or None


def _held_visa_column(value: pl.Expr) -> pl.Expr:
    code = value.str.to_uppercase().str.replace_all(" ", "", literal=True)
    return pl.when(code == "").then(None).otherwise(code)


def derive_facts(raw: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """Roster facts plus derived ones, with the held-visa code normalised."""
    facts = dict(raw)
    for derived in DERIVED:
        since, until = facts.get(derived.since), facts.get(derived.until)
        count = _COUNTINGS[derived.counting][0]
        facts[derived.name] = (
            count(since, until)
            if isinstance(since, dt.date) and isinstance(until, dt.date)
            else None
        )
    held = facts.get(HELD_VISA)
    if isinstance(held, str):
        facts[HELD_VISA] = _held_visa(held)
    return facts


def derived_columns() -> list[pl.Expr]:
    """The same facts as :func:`derive_facts`, as Polars expressions over roster columns."""
    columns = [
        _COUNTINGS[d.counting][1](pl.col(d.since), pl.col(d.until)).alias(d.name) for d in DERIVED
    ]
    return [*columns, _held_visa_column(pl.col(HELD_VISA)).alias(HELD_VISA)]

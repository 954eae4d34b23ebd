"""Round trip: random valid rosters written in every format read back unchanged."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.strategies import examples
from visadesk.roster import COLUMNS, Column, ColumnType, Facts, FactValue, read_roster, write_roster
from visadesk.roster.places import countries, us_states
from visadesk.roster.schema import ACTIVITY_CODES

# Latin, Hangul, digits and the punctuation that tests CSV quoting and
# spreadsheet formulas. At most 12 characters, so never a 13-digit RRN.
ALPHABET = list("ABCXYZabcxyz0123456789 -.,;'\"=#/&") + list(
    "가김나다라박이최정강조윤장임한오서신권황안송류홍민수지현"
)
TEXT = st.text(alphabet=ALPHABET, min_size=1, max_size=12).map(str.strip).filter(bool)
EDGE_DATES = [
    dt.date(1, 1, 1),
    dt.date(1899, 12, 31),
    dt.date(1900, 1, 1),
    dt.date(1900, 2, 28),
    dt.date(1900, 3, 1),
    dt.date(2000, 2, 29),
    dt.date(2024, 2, 29),
    dt.date(2026, 12, 31),
    dt.date(2027, 1, 1),
    dt.date(9999, 12, 31),
]
DATES = st.one_of(st.sampled_from(EDGE_DATES), st.dates(min_value=dt.date(1, 1, 1)))
ACTIVITIES = st.sets(st.sampled_from(ACTIVITY_CODES), min_size=1).map(
    lambda chosen: tuple(code for code in ACTIVITY_CODES if code in chosen)
)


def _strategy(column: Column) -> st.SearchStrategy[FactValue]:
    kinds: dict[ColumnType, st.SearchStrategy[FactValue]] = {
        ColumnType.TEXT: TEXT,
        ColumnType.DATE: DATES,
        ColumnType.BOOL: st.booleans(),
        ColumnType.INT: st.integers(int(column.minimum or 0), int(column.maximum or 1000)),
        # Excel number cells keep 15 significant digits, so the XLSX trip does too.
        ColumnType.NUMBER: st.floats(column.minimum, column.maximum).map(
            lambda x: float(f"{x:.15g}")
        ),
        ColumnType.COUNTRY: st.sampled_from([c.alpha2 for c in countries()]),
        ColumnType.ENUM: st.sampled_from(column.choices),
        ColumnType.ACTIVITIES: ACTIVITIES,
        ColumnType.COUNTRIES: st.sets(
            st.sampled_from([c.alpha2 for c in countries()]), min_size=1, max_size=3
        ).map(lambda codes: ";".join(sorted(codes))),
    }
    special: dict[str, st.SearchStrategy[FactValue]] = {
        "site_state": st.sampled_from([s.code for s in us_states()]),
        "passport_number": st.from_regex(r"[A-Z][0-9]{8}", fullmatch=True),
    }
    strategy = special.get(column.name, kinds[column.type])
    return strategy if column.required else st.none() | strategy


def _facts(values: Facts, trip: tuple[dt.date, dt.date]) -> Facts:
    return {**values, "trip_start": min(trip), "trip_end": max(trip)}


FACTS = st.builds(
    _facts,
    st.fixed_dictionaries({column.name: _strategy(column) for column in COLUMNS}),
    st.tuples(DATES, DATES),
)
ROSTERS = st.lists(FACTS, min_size=1, max_size=4, unique_by=lambda facts: facts["worker_id"])


def _round_trip(
    rows: list[Facts], suffix: str, *, korean_headers: bool, encoding: str = "utf-8-sig"
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"roster{suffix}"
        write_roster(rows, path, korean_headers=korean_headers, encoding=encoding)
        roster = read_roster(path)
    assert [r.row for r in roster.rows] == list(range(2, len(rows) + 2))
    assert [r.facts for r in roster.rows] == rows
    assert all(list(r.facts) == [c.name for c in COLUMNS] for r in roster.rows)
    assert roster.ignored_columns == ()


@settings(max_examples=examples(40), deadline=None)
@given(ROSTERS, st.booleans(), st.sampled_from(["utf-8-sig", "cp949"]))
def test_csv_round_trip(rows: list[Facts], korean_headers: bool, encoding: str) -> None:
    _round_trip(rows, ".csv", korean_headers=korean_headers, encoding=encoding)


@settings(max_examples=examples(40), deadline=None)
@given(ROSTERS, st.booleans())
def test_xlsx_round_trip(rows: list[Facts], korean_headers: bool) -> None:
    _round_trip(rows, ".xlsx", korean_headers=korean_headers)


@settings(max_examples=examples(40), deadline=None)
@given(ROSTERS, st.booleans())
def test_parquet_round_trip(rows: list[Facts], korean_headers: bool) -> None:
    _round_trip(rows, ".parquet", korean_headers=korean_headers)


@settings(max_examples=examples(40), deadline=None)
@given(ROSTERS, st.booleans())
def test_json_round_trip(rows: list[Facts], korean_headers: bool) -> None:
    _round_trip(rows, ".json", korean_headers=korean_headers)

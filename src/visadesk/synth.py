"""Synthetic rosters with realistic distributions, for benchmarks and demos.

``synthesize(n, seed)`` builds a :mod:`polars` frame holding every roster
column of :data:`visadesk.roster.schema.COLUMNS`, in contract order, typed as
the contract says (:data:`SCHEMA`): dates ``pl.Date``, yes/no nullable
``pl.Boolean``, integers ``pl.Int64``, numbers ``pl.Float64``, activities one
``;``-joined string in contract order, the rest ``pl.String``. Every value
passes the roster validator.

Everything is drawn column by column with numpy and assembled with polars: no
Python loop runs per row, so a million rows take under two seconds and ten million
are written chunk by chunk (:func:`iter_synthesize`, :func:`write_synthetic`)
without holding them all in memory.

Determinism: the random numbers come in fixed blocks of :data:`BLOCK_ROWS`
rows, block ``b`` drawn from a generator seeded with ``(seed, b)``. Row ``i`` is
therefore the same whatever the chunk size and however many rows are asked
for: ``synthesize(n, s)`` is the first ``n`` rows of ``synthesize(m, s)`` for
``m >= n``, and the chunks of ``iter_synthesize`` concatenate to it.

The people, companies and projects are fictional: a dozen Korean investors
(no real company names) with projects in plausible US states for their sector,
their subcontractors and a few German and Japanese equipment vendors. Passport
numbers are made up (``M`` and eight digits for Korean passports) and no value
ever has the shape of a Korean resident registration number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from visadesk._synth_world import (
    _AGE,
    _BLANK,
    _DEGREE_P,
    _DURATION_P,
    _ESSENTIAL_P,
    _FOREIGN_EQUIPMENT_P,
    _GROUP,
    _HOLDS_VISA,
    _KR,
    _LONG_TRIP_DAYS,
    _NATIONALITIES,
    _NATIONALITY_P,
    _PAID_BY_P,
    _PASSPORT_DIGITS,
    _PASSPORT_PREFIXES,
    _PROFILES,
    _ROLE_P,
    _SERVICE_CLAUSE_P,
    _SPECIALIZED_P,
    _SPONSOR,
    _TEMPORARY_P,
    _VENDOR,
    _VENDOR_HOME_SHARE,
    _VISA_P,
    _VISAS,
    Bools,
    Floats,
    Ints,
    _build_world,
    _cumulative,
    _name_pools,
)
from visadesk.atomic import atomic_path
from visadesk.roster.schema import ACTIVITY_CODES, COLUMNS, DEGREES, PAID_BY, ROLES, ColumnType

__all__ = [
    "BLOCK_ROWS",
    "DEFAULT_START",
    "FIRST_START",
    "FORMATS",
    "LAST_START",
    "SCHEMA",
    "XLSX_MAX_ROWS",
    "iter_synthesize",
    "synthesize",
    "write_synthetic",
]


#: The first day trips may start (a Monday).
DEFAULT_START: Final = dt.date(2027, 1, 4)
#: The range ``start`` may take (birth dates and visa expiries stay well inside
#: what every format holds).
FIRST_START: Final = dt.date(2000, 1, 1)
LAST_START: Final = dt.date(2999, 12, 31)
#: Rows per block of random numbers; block ``b`` is seeded with ``(seed, b)``.
BLOCK_ROWS: Final = 16_384
#: Data rows an .xlsx sheet holds below its header row.
XLSX_MAX_ROWS: Final = 1_048_575
#: The file extensions :func:`write_synthetic` writes.
FORMATS: Final = (".csv", ".parquet", ".xlsx")

_DTYPES: Final[dict[ColumnType, pl.DataType]] = {
    ColumnType.DATE: pl.Date(),
    ColumnType.BOOL: pl.Boolean(),
    ColumnType.INT: pl.Int64(),
    ColumnType.NUMBER: pl.Float64(),
}
#: The polars schema of a synthetic roster: every contract column, in order.
SCHEMA: Final = pl.Schema({c.name: _DTYPES.get(c.type, pl.String()) for c in COLUMNS})

_EPOCH: Final = dt.date(1970, 1, 1)

# --------------------------------------------------------------------------- drawing


class _Draws:
    """Uniform numbers for rows ``[first, first + n)``, drawn in seeded blocks.

    Each call to :meth:`uniform` takes the next :data:`BLOCK_ROWS` numbers of
    every block's own generator (seeded with ``(seed, block)``), so row ``i``
    gets the same numbers whatever ``first`` and ``n`` are.
    """

    def __init__(self, seed: int, first: int, n: int) -> None:
        first_block = first // BLOCK_ROWS
        last_block = (first + n - 1) // BLOCK_ROWS
        self._generators = [
            np.random.default_rng([seed, block]) for block in range(first_block, last_block + 1)
        ]
        self._skip = first - first_block * BLOCK_ROWS
        self._n = n

    def uniform(self) -> Floats:
        parts = [g.random(BLOCK_ROWS) for g in self._generators]
        whole = parts[0] if len(parts) == 1 else np.concatenate(parts)
        return whole[self._skip : self._skip + self._n]


def _pick(u: Floats, cum: Floats) -> Ints:
    """Categorical draw: the index whose cumulative weight first exceeds ``u``."""
    picked = np.searchsorted(cum, u, side="right").astype(np.int64)
    return np.minimum(picked, len(cum) - 1)


def _pick_by(u: Floats, group: Ints, probabilities: Floats) -> Ints:
    """Categorical draw with the probabilities of each row's ``group`` (a table row)."""
    out = np.zeros(len(u), dtype=np.int64)
    for g, row in enumerate(probabilities):
        mask = group == g
        if row.sum() > 0 and mask.any():
            out[mask] = _pick(u[mask], _cumulative(row))
    return out


_ALMOST_ONE: Final = float(np.nextafter(1.0, 0.0))


def _split(u: Floats, blank: float) -> tuple[Bools, Floats]:
    """Cells left blank (``u < blank``) and a fresh uniform for the others."""
    return u < blank, np.clip((u - blank) / (1.0 - blank), 0.0, _ALMOST_ONE)


def _lookup(values: Sequence[str | None], index: Ints, name: str) -> pl.Series:
    return pl.Series(name, values, dtype=pl.String).gather(index)


def _masked(series: pl.Series, blank: Bools) -> pl.Series:
    return series.set(pl.Series(blank), None) if blank.any() else series


def _dates(name: str, days: Ints) -> pl.Series:
    return pl.Series(name, days.astype(np.int32)).cast(pl.Date)


def _profile_text(text: str) -> str:
    """Activity codes as a roster cell: joined with ``;`` in contract order."""
    codes = text.split()
    unknown = set(codes) - set(ACTIVITY_CODES)
    if unknown or not 1 <= len(codes) <= 3:
        raise ValueError(f"bad activity profile {text!r}")
    return ";".join(code for code in ACTIVITY_CODES if code in codes)


_WORLD: Final = _build_world()
_FAMILIES, _GIVEN = _name_pools()
_PROFILE_TEXT: Final = tuple(_profile_text(text) for group in _PROFILES for text, _ in group)
_PROFILE_START: Final = np.cumsum([0] + [len(group) for group in _PROFILES[:-1]])
_PROFILE_CUM: Final = tuple(_cumulative([w for _, w in group]) for group in _PROFILES)


def _pick_pooled(u: Floats, owner: Ints, cums: Sequence[Floats], start: Ints) -> Ints:
    """A draw from the owner's own slice of a pooled table."""
    out = np.zeros(len(u), dtype=np.int64)
    for k, cum in enumerate(cums):
        mask = owner == k
        if mask.any():
            out[mask] = start[k] + _pick(u[mask], cum)
    return out


def _fact(d: _Draws, name: str, p_yes: Floats | float) -> pl.Series:
    """A yes/no fact that is "yes" with chance ``p_yes`` (per row or for all), or blank."""
    blank, u = _split(d.uniform(), _BLANK[name])
    return _masked(pl.Series(name, u < p_yes), blank)


def _concat(*parts: pl.Series) -> pl.Series:
    """Texts joined row by row; blank where any part is blank."""
    return pl.select(pl.concat_str(list(parts))).to_series()


@dataclass(frozen=True, slots=True)
class _Trips:
    """Who travels where and when: one array element per row."""

    slot: Ints
    kind: Ints
    project: Ints
    employer: Ints
    role: Ints
    group: Ints
    nationality: Ints
    home: Ints  # nationality of the employer's owners
    start: Ints  # days since 1970-01-01
    end: Ints
    long: Ints  # 1 for trips over _LONG_TRIP_DAYS


def _trips(d: _Draws, start: dt.date) -> _Trips:
    w = _WORLD
    slot = _pick(d.uniform(), w.slot_cum)
    kind, project, employer = w.slot_kind[slot], w.slot_project[slot], w.slot_employer[slot]
    role = _pick_by(d.uniform(), kind, _ROLE_P)
    group = _GROUP[kind, role]
    # executives and most vendor staff share their employer's nationality
    u = d.uniform()
    home = w.employer_nationality[employer]
    nat = _pick_by(u, kind, _NATIONALITY_P)
    nat = np.where((kind == _VENDOR) & (u < _VENDOR_HOME_SHARE), home, nat)
    nat = np.where(role == ROLES.index("executive"), home, nat)
    # a start in the first 26 weeks, mostly on a Monday, and a length by activity group
    week = np.floor(d.uniform() * 26).astype(np.int64)
    u = d.uniform()
    weekday = np.minimum(np.where(u < 0.8, 0, np.floor((u - 0.8) / 0.2 * 5)), 4).astype(np.int64)
    first_day = (start - _EPOCH).days + 7 * week + weekday
    length_kind = _pick_by(d.uniform(), group, _DURATION_P)
    u = d.uniform()
    length = np.select(
        [length_kind == 0, length_kind == 1],
        [2 + np.floor(u * 12), 7 * (1 + np.floor(u * 12)) - 2],
        91 + np.floor(u * u * 458),
    ).astype(np.int64)
    return _Trips(
        slot=slot,
        kind=kind,
        project=project,
        employer=employer,
        role=role,
        group=group,
        nationality=nat,
        home=home,
        start=first_day,
        end=first_day + length - 1,
        long=(length > _LONG_TRIP_DAYS).astype(np.int64),
    )


def _people(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    nat, role = trips.nationality, trips.role
    family = _pick_pooled(d.uniform(), nat, _FAMILIES.cum, _FAMILIES.start)
    given = _pick_pooled(d.uniform(), nat, _GIVEN.cum, _GIVEN.start)
    blank_birth, u = _split(d.uniform(), _BLANK["birth_date"])
    low, high = _AGE[role, 0], _AGE[role, 1]
    birth = trips.start - np.floor((low + u * (high - low)) * 365.25).astype(np.int64)
    blank_passport, u = _split(d.uniform(), _BLANK["passport_number"])
    scale = (10 ** _PASSPORT_DIGITS[nat]).astype(np.float64)
    number = (scale + np.floor(u * scale)).astype(np.int64)  # a leading 1 keeps the zeros
    passport = _concat(
        _lookup(_PASSPORT_PREFIXES, nat, "prefix"),
        pl.Series(number).cast(pl.String).str.slice(1),
    )
    return {
        "family_name": _lookup(_FAMILIES.latin, family, "family_name"),
        "given_name": _lookup(_GIVEN.latin, given, "given_name"),
        "name_ko": _concat(
            _lookup(_FAMILIES.hangul, family, "f"), _lookup(_GIVEN.hangul, given, "g")
        ),
        "birth_date": _masked(_dates("birth_date", birth), blank_birth),
        "passport_number": _masked(passport, blank_passport),
        "nationality": _lookup(_NATIONALITIES, nat, "nationality"),
    }


def _places(trips: _Trips) -> dict[str, pl.Series]:
    w, project = _WORLD, trips.project
    return {
        "employer": _lookup(w.employer_names, trips.employer, "employer"),
        "employer_nationality": _lookup(_NATIONALITIES, trips.home, "employer_nationality"),
        "sponsor": _lookup(w.project_sponsor, project, "sponsor"),
        "project": _lookup(w.project_names, project, "project"),
        "site_state": _lookup(w.project_state, project, "site_state"),
        "worksite": _lookup(w.project_worksite, project, "worksite"),
        "sector": _lookup(w.project_sector, project, "sector"),
        "trip_start": _dates("trip_start", trips.start),
        "trip_end": _dates("trip_end", trips.end),
        "role": _lookup(ROLES, trips.role, "role"),
        "us_entity": _lookup(w.project_us_entity, project, "us_entity"),
    }


def _work(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    zeros = np.zeros(len(_PROFILES), dtype=np.int64)
    activities = _PROFILE_START[trips.group] + _pick_pooled(
        d.uniform(), trips.group, _PROFILE_CUM, zeros
    )
    paid_by = _pick_by(d.uniform(), trips.long, _PAID_BY_P)
    blank_degree, u = _split(d.uniform(), _BLANK["degree"])
    degree = _pick_by(u, trips.role, _DEGREE_P)
    blank_pct, _ = _split(d.uniform(), _BLANK["us_entity_treaty_ownership_pct"])
    korean_pct = _WORLD.project_korean_pct[trips.project]
    pct = np.where(trips.nationality == _KR, korean_pct, 0.0)
    blank_months, u = _split(d.uniform(), _BLANK["months_with_employer_last_3y"])
    months = np.where(u < 0.62, 36, 1 + np.floor((u - 0.62) / 0.38 * 35)).astype(np.int64)
    return {
        "activities": _lookup(_PROFILE_TEXT, activities, "activities"),
        "paid_by": _lookup(PAID_BY, paid_by, "paid_by"),
        "degree": _masked(_lookup(DEGREES, degree, "degree"), blank_degree),
        "us_entity_treaty_ownership_pct": _masked(pl.Series(pct), blank_pct),
        "months_with_employer_last_3y": _masked(pl.Series(months), blank_months),
    }


def _history(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    """Visas held (with expiries around the trip) and days already spent in the US."""
    u = d.uniform()
    holds = u < _HOLDS_VISA
    visa = _pick_by(np.minimum(u / _HOLDS_VISA, _ALMOST_ONE), trips.long, _VISA_P)
    resident = holds & (visa >= _VISAS.index("E2"))
    expiry = trips.start - 90 + np.floor(d.uniform() * (4 * 365 + 90)).astype(np.int64)
    blank_days, u = _split(d.uniform(), _BLANK["days_in_us_last_365"])
    zero = u < np.where(resident, 0.2, 0.72)
    v = np.clip((u - 0.72) / 0.28, 0.0, _ALMOST_ONE)
    tail = np.where(
        resident,
        120 + np.floor(np.clip(u / 0.2 - 1, 0, _ALMOST_ONE) * 230),
        1 + np.floor(-np.log1p(-v) * 25),
    )
    days_in_us = np.where(zero, 0, np.minimum(tail, 365)).astype(np.int64)
    return {
        "holds_visa": _masked(_lookup(_VISAS, visa, "holds_visa"), ~holds),
        "visa_expiry": _masked(_dates("visa_expiry", expiry), ~holds),
        "days_in_us_last_365": _masked(pl.Series(days_in_us), blank_days),
    }


def _facts(d: _Draws, trips: _Trips) -> dict[str, pl.Series]:
    """The yes/no facts, each blank now and then."""
    group, kind = trips.group, trips.kind
    chances: dict[str, Floats | float] = {
        "specialized_knowledge": _SPECIALIZED_P[group],
        "essential_skills": _ESSENTIAL_P[group],
        "equipment_from_abroad": _FOREIGN_EQUIPMENT_P[kind],
        "contract_requires_service": _SERVICE_CLAUSE_P[kind],
    }
    facts = {name: _fact(d, name, chance) for name, chance in chances.items()}
    known: dict[str, Bools] = {
        "us_entity_e2_registered": _WORLD.project_e2[trips.project],
        "us_entity_affiliated": kind == _SPONSOR,
        "blanket_l": _WORLD.slot_blanket_l[trips.slot],
    }
    for name, value in known.items():
        blank, _ = _split(d.uniform(), _BLANK[name])
        facts[name] = _masked(pl.Series(name, value), blank)
    chances = {
        "prior_visa_refusal": np.where(trips.nationality == _KR, 0.02, 0.05),
        "prior_esta_denial": 0.01,
        "prior_overstay": 0.008,
        "visited_restricted_country": 0.01,
        "temporary_need": _TEMPORARY_P[group],
    }
    facts.update((name, _fact(d, name, chance)) for name, chance in chances.items())
    return facts


def _frame(seed: int, first: int, n: int, start: dt.date) -> pl.DataFrame:
    """Rows ``[first, first + n)`` of the synthetic roster of ``seed``."""
    d = _Draws(seed, first, n)
    trips = _trips(d, start)
    ids = pl.Series(np.arange(first + 1, first + n + 1, dtype=np.int64)).cast(pl.String)
    columns = {
        "worker_id": _concat(pl.Series(["SYN-"]), ids.str.zfill(7)),
        **_people(d, trips),
        **_places(trips),
        **_work(d, trips),
        **_history(d, trips),
        **_facts(d, trips),
    }
    # Issue #11's optional facts (overstay details, the L-1 job abroad and managerial
    # questions, new office, H-1B cap exemption and petition kind) are left blank: a
    # roster from before them, screened as such.
    for name in SCHEMA.names():
        if name not in columns:
            columns[name] = pl.Series(name, [None] * n, dtype=SCHEMA[name])
    frame = pl.DataFrame([columns[name].alias(name) for name in SCHEMA.names()])
    if frame.schema != SCHEMA:  # pragma: no cover - a programming error
        raise AssertionError(f"synthetic frame has schema {frame.schema}")
    return frame


def _check(n: int, seed: int, start: dt.date) -> None:
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, not {seed}")
    if not FIRST_START <= start <= LAST_START:
        raise ValueError(f"start must be from {FIRST_START} to {LAST_START}, not {start}")


def synthesize(n: int, seed: int, start: dt.date = DEFAULT_START) -> pl.DataFrame:
    """``n`` synthetic roster rows for ``seed``, trips starting on ``start`` or later.

    The frame has every contract column in order with the types of
    :data:`SCHEMA`; the same ``n``, ``seed`` and ``start`` give the same frame.
    """
    _check(n, seed, start)
    if n == 0:
        return SCHEMA.to_frame()
    return _frame(seed, 0, n, start)


def iter_synthesize(
    n: int, seed: int, chunk_rows: int = 1_000_000, start: dt.date = DEFAULT_START
) -> Iterator[pl.DataFrame]:
    """The rows of ``synthesize(n, seed, start)`` as frames of at most ``chunk_rows`` rows.

    Only one chunk is in memory at a time; the chunks concatenate to exactly
    ``synthesize(n, seed, start)`` whatever ``chunk_rows`` is.
    """
    _check(n, seed, start)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be 1 or more, not {chunk_rows}")
    for first in range(0, n, chunk_rows):
        yield _frame(seed, first, min(chunk_rows, n - first), start)


# --------------------------------------------------------------------------- writing


def _yes_no(frame: pl.DataFrame) -> pl.DataFrame:
    """Yes/no columns as the texts ``yes`` and ``no`` (blank stays blank)."""
    return frame.with_columns(
        pl.when(pl.col(name))
        .then(pl.lit("yes"))
        .when(pl.col(name).not_())
        .then(pl.lit("no"))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.Boolean
    )


def _write_csv(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    with path.open("wb") as fh:
        for number, chunk in enumerate(chunks):
            first = number == 0
            _yes_no(chunk).write_csv(fh, include_bom=first, include_header=first)


def _write_parquet(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    # polars streams the chunks into one file, one at a time.
    from polars.io.plugins import register_io_source  # noqa: PLC0415

    schema = pl.Schema({**SCHEMA, "activities": pl.List(pl.String())})

    def source(
        with_columns: list[str] | None,
        predicate: pl.Expr | None,
        n_rows: int | None,
        batch_size: int | None,
    ) -> Iterator[pl.DataFrame]:
        left = n_rows
        for chunk in chunks:
            frame = chunk.with_columns(pl.col("activities").str.split(";"))
            if with_columns is not None:
                frame = frame.select(with_columns)
            if predicate is not None:
                frame = frame.filter(predicate)
            if left is not None:
                frame = frame.head(left)
                left -= frame.height
            yield frame
            if left is not None and left <= 0:
                return

    register_io_source(source, schema=schema).sink_parquet(path)


def _write_xlsx(chunks: Iterator[pl.DataFrame], path: Path) -> None:
    # openpyxl loads on demand; its write-only mode streams rows to disk.
    from openpyxl import Workbook  # noqa: PLC0415

    book = Workbook(write_only=True)
    sheet = book.create_sheet("roster")
    sheet.freeze_panes = "A2"
    sheet.append(SCHEMA.names())
    for chunk in chunks:
        for row in _yes_no(chunk).iter_rows():
            sheet.append(row)  # dates become date cells (yyyy-mm-dd), numbers number cells
    book.save(path)


_WRITERS: Final = {".csv": _write_csv, ".parquet": _write_parquet, ".xlsx": _write_xlsx}


def write_synthetic(
    path: Path,
    n: int,
    seed: int,
    *,
    chunk_rows: int = 1_000_000,
    start: dt.date = DEFAULT_START,
) -> Path:
    """Write ``synthesize(n, seed, start)`` to ``path``, whole or not at all.

    The extension picks the format (:data:`FORMATS`): ``.csv`` is UTF-8 with
    BOM, ISO dates, ``yes``/``no``, ``;`` between activities; ``.parquet`` has
    typed columns (activities a list of codes); ``.xlsx`` at most
    :data:`XLSX_MAX_ROWS` rows. Rows are generated and written
    ``chunk_rows`` at a time into a temporary file beside ``path`` that
    replaces it at the end. Raises ``ValueError`` for another extension, too
    many rows for .xlsx, or a negative count or seed.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _WRITERS:
        raise ValueError(f"{path}: can write {', '.join(FORMATS)}, not {suffix or path.name!r}")
    if suffix == ".xlsx" and n > XLSX_MAX_ROWS:
        raise ValueError(f"{path}: an .xlsx sheet holds at most {XLSX_MAX_ROWS} rows, not {n}")
    chunks = iter_synthesize(n, seed, chunk_rows, start)
    if n == 0:
        chunks = iter([SCHEMA.to_frame()])
    with atomic_path(path) as tmp:
        _WRITERS[suffix](chunks, tmp)
    return path

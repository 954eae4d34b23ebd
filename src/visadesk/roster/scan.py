"""The fast path for large rosters: read and check a CSV or Parquet file column-wise with Polars.

The per-row reader (:func:`visadesk.roster.read_roster`) is the authority on
what a roster means and on how problems are reported. This module accepts a
strict subset of what it accepts — canonical spellings that Polars can parse
column by column — and gives the same facts for them (a property test holds
the two readers together). Whenever a file strays from that subset or holds a
problem, :func:`load_roster_frame` hands it to the per-row reader, which
either reads it or reports every problem exactly as it always does.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import polars as pl

from visadesk.roster.parse import FALSE_WORDS, TRUE_WORDS
from visadesk.roster.places import _country_index, _state_index
from visadesk.roster.read import _delimiter
from visadesk.roster.schema import ACTIVITY_CODES, COLUMNS, ColumnType
from visadesk.roster.validate import canonical_column

__all__ = ["FastRoster", "fast_roster"]

# A superset of what the per-row reader calls a resident registration number: any hit
# sends the file to that reader, which decides and refuses with its own message.
_RRN_LIKE: Final = r"\d{6}[ \t]*[-‐‑‒–—―－]?[ \t]*\d{7}"
_DATE: Final = r"^\d{4}([-./])\d{1,2}([-./])\d{1,2}$"
_INTEGER: Final = r"^[+-]?\d+(?:\.0*)?$"
_NUMBER: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_ASCII_WORD: Final = r"^[\x20-\x7e]*$"


@dataclass(frozen=True)
class FastRoster:
    """A typed lazy roster frame (every contract column) plus its ``row`` numbers."""

    frame: pl.LazyFrame
    source: str


@cache
def _key_frame(which: str) -> pl.DataFrame:
    index = _country_index() if which == "country" else _state_index()
    return pl.DataFrame({"key": list(index), "code": list(index.values())})


def _key(text: pl.Expr) -> pl.Expr:
    """The places index key (letters and digits, lower case) for ASCII text."""
    return text.str.to_lowercase().str.replace_all(r"[\W_]+", "")


def _lookup(text: pl.Expr, which: str) -> pl.Expr:
    frame = _key_frame(which)
    return _key(text).replace_strict(
        frame["key"], frame["code"], default=None, return_dtype=pl.String
    )


def _word(text: pl.Expr) -> pl.Expr:
    return text.str.to_lowercase().str.replace_all(r"[\s\-]+", "_")


def _parse(name: str, kind: ColumnType, choices: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr]:
    """The parsed column and a flag for cells the fast path cannot take."""
    raw = pl.col(name).str.strip_chars()
    raw = pl.when(raw == "").then(None).otherwise(raw)
    ascii_ = raw.str.contains(_ASCII_WORD)
    if kind is ColumnType.DATE:
        ok = raw.str.contains(_DATE) & (raw.str.extract(_DATE, 1) == raw.str.extract(_DATE, 2))
        iso = raw.str.replace_all(r"[./]", "-")
        value = iso.str.to_date("%Y-%m-%d", strict=False)
        value = pl.when(ok).then(value)
    elif kind is ColumnType.BOOL:
        word = raw.str.to_lowercase()
        mapping = dict.fromkeys(TRUE_WORDS, True) | dict.fromkeys(FALSE_WORDS, False)
        value = word.replace_strict(mapping, default=None, return_dtype=pl.Boolean)
    elif kind is ColumnType.INT:
        value = pl.when(raw.str.contains(_INTEGER)).then(
            raw.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
        )
    elif kind is ColumnType.NUMBER:
        value = pl.when(raw.str.contains(_NUMBER)).then(raw.cast(pl.Float64, strict=False))
    elif kind is ColumnType.COUNTRY:
        value = pl.when(ascii_).then(_lookup(raw, "country"))
    elif kind is ColumnType.ENUM:
        word = _word(raw)
        value = pl.when(ascii_ & word.is_in(pl.Series(choices, dtype=pl.String).implode())).then(
            word
        )
    elif kind is ColumnType.ACTIVITIES:
        tokens = raw.str.replace_all(r"[;,\n\r]+", ";").str.split(";")
        words = tokens.list.eval(_word(pl.element().str.strip_chars())).list.filter(
            pl.element() != ""
        )
        known = words.list.eval(pl.element().is_in(pl.Series(ACTIVITY_CODES).implode())).list.all()
        codes = [pl.when(words.list.contains(pl.lit(c))).then(pl.lit(c)) for c in ACTIVITY_CODES]
        ordered = pl.concat_list(codes).list.drop_nulls()
        value = pl.when(ascii_ & known & (words.list.len() > 0)).then(ordered)
    elif name == "site_state":
        value = pl.when(ascii_).then(_lookup(raw, "state"))
    else:
        value = raw.str.normalize("NFC")
    return value.alias(name), (raw.is_not_null() & value.is_null()).alias(f"__bad_{name}")


def _headers(path: Path, fmt: str) -> tuple[list[str], str] | None:
    """The file's headers and CSV delimiter, or None when the fast path cannot read it."""
    if fmt == "parquet":
        return list(pl.read_parquet_schema(path)), ","
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the block's end
            return None
        text = head[: error.start].decode("utf-8-sig")
    delimiter = _delimiter(text)
    first = text.splitlines()[0] if text.strip() else ""
    return [h.strip().strip('"') for h in first.split(delimiter)], delimiter


def fast_roster(path: Path) -> FastRoster | None:  # noqa: PLR0911 - each None hands over
    """A typed lazy frame when the file is plain enough for the fast path, else None.

    None never means "bad": it means "let the per-row reader look". A returned
    frame has been checked: every cell parsed, required cells present, dates in
    order, worker ids unique, nothing shaped like a registration number.
    """
    fmt = {".csv": "csv", ".parquet": "parquet"}.get(path.suffix.lower())
    if fmt is None or not path.is_file():
        return None
    found = _headers(path, fmt)
    if found is None:
        return None
    headers, delimiter = found
    mapping = {h: canonical_column(h) for h in headers}
    names = [n for n in mapping.values() if n]
    if len(set(names)) != len(names) or any(n is None for n in mapping.values()):
        return None  # duplicate or unknown columns: the per-row reader explains
    if not all(c.name in names for c in COLUMNS if c.required):
        return None
    if fmt == "csv":
        lf = pl.scan_csv(path, separator=delimiter, infer_schema=False, encoding="utf8")
    else:
        lf = pl.scan_parquet(path)
        lf = lf.with_columns(_as_text(name, dtype) for name, dtype in lf.collect_schema().items())
    lf = lf.rename({h: str(n) for h, n in mapping.items() if n and h != n})
    lf = lf.with_columns(
        pl.lit(None, dtype=pl.String).alias(c.name) for c in COLUMNS if c.name not in names
    )
    rrn = pl.any_horizontal(
        pl.col(c.name).str.contains(_RRN_LIKE).fill_null(False) for c in COLUMNS
    )
    parsed = [_parse(c.name, c.type, c.choices) for c in COLUMNS]
    typed = lf.with_row_index("row", offset=2).with_columns(rrn.alias("__rrn"))
    typed = typed.with_columns(*(v for v, _ in parsed), *(b for _, b in parsed))
    try:
        if not _clean(typed):
            return None
    except pl.exceptions.PolarsError:
        return None  # a file Polars cannot parse: the per-row reader says why
    return FastRoster(typed.select("row", *(c.name for c in COLUMNS)), str(path))


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.List):
        return col.cast(pl.List(pl.String)).list.join(";")
    if dtype == pl.Boolean:
        return col.replace_strict({True: "yes", False: "no"}, return_dtype=pl.String)
    if dtype == pl.Date:
        return col.dt.strftime("%Y-%m-%d")
    return col.cast(pl.String)


def _clean(typed: pl.LazyFrame) -> bool:
    """One streaming pass: no cell the fast path refused, nothing a validator would report."""
    bad = [pl.col(f"__bad_{c.name}").any() for c in COLUMNS]
    required = [pl.col(c.name).is_null().any() for c in COLUMNS if c.required]
    ranges = [
        ((pl.col(c.name) < c.minimum) | (pl.col(c.name) > c.maximum)).any()
        for c in COLUMNS
        if c.minimum is not None and c.maximum is not None
    ]
    checks = typed.select(
        pl.any_horizontal(*bad, *required, *ranges).alias("bad"),
        pl.col("__rrn").any().alias("rrn"),
        (pl.col("trip_end") < pl.col("trip_start")).any().alias("order"),
        (pl.col("worker_id").n_unique() < pl.len()).alias("duplicates"),
        (pl.len() == 0).alias("empty"),
    ).collect(engine="streaming")
    return not any(checks.row(0))

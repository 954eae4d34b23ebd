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
import contextlib
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import polars as pl

from visadesk.i18n import LANGUAGES
from visadesk.roster.choices import choice_label
from visadesk.roster.parse import FALSE_WORDS, TRUE_WORDS, CellError, parse_bool, parse_enum
from visadesk.roster.places import countries, country_code, state_code, us_states
from visadesk.roster.read import _delimiter
from visadesk.roster.schema import ACTIVITY_CODES, COLUMNS, ColumnType
from visadesk.roster.validate import canonical_column
from visadesk.safetext import MULTILINE_FORBIDDEN

__all__ = ["ACTIVITY_MASK", "FastRoster", "fast_roster"]

# A superset of what the per-row reader calls a resident registration number: any hit
# sends the file to that reader, which decides and refuses with its own message.
_RRN_LIKE: Final = r"\d{6}[ \t]*[-‐‑‒–—―－]?[ \t]*\d{7}"
_CANONICAL_ACTIVITIES: Final = r"^[a-z_]+(?:;[a-z_]+)*$"
_DATE_SHAPE: Final = r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}$"
_INTEGER: Final = r"^[+-]?\d+(?:\.0*)?$"
_NUMBER: Final = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"


@dataclass(frozen=True)
class FastRoster:
    """A typed lazy roster frame (every contract column) plus its ``row`` numbers."""

    frame: pl.LazyFrame
    source: str
    rows: int


@cache
def _spellings(which: str) -> dict[str, str]:
    """Exact spellings of countries or states (codes in both cases, names, aliases) -> code.

    Every spelling is looked up through the per-row reader's own function, so the
    fast path can only agree with it; other spellings fall back to that reader.
    """
    lookup = country_code if which == "country" else state_code
    names: set[str] = set()
    if which == "country":
        for c in countries():
            names.update((c.alpha2, c.alpha3, c.name_en, c.name_ko, *c.aliases))
    else:
        for s in us_states():
            names.update((s.code, s.name_en, s.name_ko, *s.aliases))
    spellings = {n for name in names for n in (name, name.lower(), name.upper()) if n.strip() == n}
    return {n: code for n in sorted(spellings) if (code := lookup(n)) is not None}


@cache
def _choices(choices: tuple[str, ...], column: str | None = None) -> dict[str, str]:
    """Common spellings of enum values (cases, spaces or hyphens for ``_``, and the labels
    the app shows for them as written), each checked through the per-row reader."""
    out: dict[str, str] = {}
    for choice in choices:
        forms = [choice, choice.replace("_", " "), choice.replace("_", "-")]
        if column is not None:
            forms += [choice_label(column, choice, lang) for lang in LANGUAGES]
        for form in forms:
            for variant in (form, form.upper(), form.title(), form.capitalize()):
                with contextlib.suppress(CellError):
                    if parse_enum(variant, choices, column) == choice:
                        out[variant] = choice
    return out


@cache
def _yes_no() -> dict[str, bool]:
    """Yes/no spellings in every letter case, as the per-row reader reads them."""
    out: dict[str, bool] = {}
    for words, value in ((TRUE_WORDS, True), (FALSE_WORDS, False)):
        for word in words:
            for variant in map(
                "".join, itertools.product(*({ch.lower(), ch.upper()} for ch in word))
            ):
                with contextlib.suppress(CellError):
                    if parse_bool(variant) is value:
                        out[variant] = value
    return out


def _parse(
    name: str,
    kind: ColumnType,
    choices: tuple[str, ...],
    *,
    iso_only: bool = False,
    streaming: bool = True,
) -> tuple[pl.Expr, pl.Expr]:
    """The parsed column and a flag for cells the fast path cannot take.

    ``iso_only``: the column holds no ``.`` or ``/`` (seen in a first pass), so only
    ISO dates need trying.
    """
    raw = pl.col(name)  # as written (blank cells are null): padded values fail and fall back
    value: pl.Expr
    ascii_ = raw.str.len_bytes() == raw.str.len_chars()
    if kind is ColumnType.DATE:
        # One separator throughout: a mixed "2026.03/02" matches none of the formats.
        formats = ("%Y-%m-%d",) if iso_only else ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d")
        parsed = pl.coalesce(raw.str.to_date(f, strict=False) for f in formats)
        value = pl.when(raw.str.contains(_DATE_SHAPE)).then(parsed)
    elif kind is ColumnType.BOOL:
        value = (
            _lookup_small(raw, {k: ("yes" if v else "no") for k, v in _yes_no().items()}) == "yes"
        )
    elif kind is ColumnType.INT:
        value = pl.when(raw.str.contains(_INTEGER)).then(
            raw.str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
        )
    elif kind is ColumnType.NUMBER:
        value = pl.when(raw.str.contains(_NUMBER)).then(raw.cast(pl.Float64, strict=False))
    elif kind is ColumnType.COUNTRY:
        value = pl.col(_code(name)) if streaming else _replace(raw, _spellings("country"))
    elif kind is ColumnType.ENUM:
        value = _lookup_small(raw, _choices(choices, name))
    elif kind is ColumnType.COUNTRIES:
        # Only the canonical form (known ISO codes, sorted, each once, joined by ";") is
        # taken here; any other spelling hands the file to the per-row reader.
        codes = raw.str.split(";")
        known = codes.list.eval(pl.element().is_in(_alpha2())).list.all()
        canonical = codes.list.unique().list.sort().list.join(";") == raw
        shaped = raw.str.contains(r"^[A-Z]{2}(?:;[A-Z]{2})*$")
        value = pl.when(shaped & canonical & known).then(raw)
    elif kind is ColumnType.ACTIVITIES:
        # Codes separated by ; , or new lines, any order, any case; each code once. The value
        # is the canonical string (codes in contract order, joined by ;) — the batch engine
        # reads it as is, and rows are turned into lists only when expanded for output.
        # No code is a substring of another, so a literal search finds which codes occur;
        # when as many distinct codes occur as there are tokens and the canonical string is
        # as long as the words, every token is exactly one code (no "xmeetings", no repeats).
        words = pl.col(_WORDS)
        if streaming:  # looked up by a join: see _join_lookups
            canonical, length = pl.col("__act_text"), pl.col("__act_length")
            codes = pl.col("__act_codes")
        else:
            table, mask = _activity_table(), pl.col(ACTIVITY_MASK)
            canonical = mask.replace_strict(table["mask"], table["text"], return_dtype=pl.String)
            length = mask.replace_strict(table["mask"], table["length"], return_dtype=pl.UInt32)
            codes = mask.replace_strict(table["mask"], table["codes"], return_dtype=pl.UInt32)
        tokens = words.str.count_matches(";", literal=True) + 1
        exact = (codes == tokens) & (length == words.str.len_bytes())
        value = pl.when(ascii_ & exact & (words != "")).then(canonical)
    elif name == "site_state":
        value = pl.col(_code(name)) if streaming else _replace(raw, _spellings("state"))
    else:
        raise ValueError(f"{name}: text columns are trimmed, not parsed")
    return value.alias(name), (raw.is_not_null() & value.is_null()).alias(f"__bad_{name}")


@cache
def _alpha2() -> pl.Series:
    return pl.Series([c.alpha2 for c in countries()], dtype=pl.String)


def _lookup_small(raw: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """``mapping[raw]`` or null, for a handful of targets, in a form Polars can stream.

    (``replace_strict`` and ``is_in`` make the streaming engine hold the whole column.)
    The spellings become an Enum whose categories are grouped by target, so the
    category index tells the target by ranges.
    """
    targets = sorted(set(mapping.values()))
    spellings = sorted(mapping, key=lambda k: (targets.index(mapping[k]), k))
    index = raw.cast(pl.Enum(spellings), strict=False).to_physical()
    expr: Any = None
    end = 0
    for target in targets:
        end += sum(1 for k in spellings if mapping[k] == target)
        condition = index < end
        expr = (
            pl.when(condition).then(pl.lit(target))
            if expr is None
            else expr.when(condition).then(pl.lit(target))
        )
    return (
        expr.otherwise(pl.lit(None, dtype=pl.String))
        if expr is not None
        else pl.lit(None, dtype=pl.String)
    )


def _replace(raw: pl.Expr, mapping: dict[str, str]) -> pl.Expr:
    """In memory, a dictionary lookup is cheaper than a join (which copies the frame)."""
    return raw.replace_strict(mapping, default=None, return_dtype=pl.String)


def _code(name: str) -> str:
    return f"__code_{name}"


def _join_lookups(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Countries, the state and the activity sets looked up by joins, which Polars streams."""
    for name, which in (
        ("nationality", "country"),
        ("employer_nationality", "country"),
        ("site_state", "state"),
    ):
        table = pl.LazyFrame(
            {"__key": list(_spellings(which)), _code(name): list(_spellings(which).values())},
            schema={"__key": pl.String, _code(name): pl.String},
        )
        frame = frame.join(table, left_on=name, right_on="__key", how="left", maintain_order="left")
    activities = (
        _activity_table()
        .lazy()
        .rename(
            {
                "mask": ACTIVITY_MASK,
                "text": "__act_text",
                "length": "__act_length",
                "codes": "__act_codes",
            }
        )
    )
    return frame.join(activities, on=ACTIVITY_MASK, how="left", maintain_order="left")


_WORDS: Final = "__activity_words"
#: The fast reader's column of activity bitmasks, which the batch engine reads directly.
ACTIVITY_MASK: Final = "__activity_mask"
_IN_MEMORY_BYTES: Final = 512 << 20
_KEPT: Final = ("row", *(c.name for c in COLUMNS), ACTIVITY_MASK)


@cache
def _activity_table() -> pl.DataFrame:
    """Every set of activity codes as a bitmask, its canonical text, length and size."""
    masks = range(1 << len(ACTIVITY_CODES))
    texts = [";".join(c for i, c in enumerate(ACTIVITY_CODES) if m >> i & 1) for m in masks]
    return pl.DataFrame(
        {
            "mask": pl.Series(masks, dtype=pl.UInt16),
            "text": texts,
            "length": pl.Series([len(t) for t in texts], dtype=pl.UInt32),
            "codes": pl.Series([m.bit_count() for m in masks], dtype=pl.UInt32),
        }
    )


def _trimmed(name: str, *, nfc: bool) -> pl.Expr:
    """Text as the per-row reader gives it: trimmed, NFC, blank as null."""
    text = pl.col(name).str.strip_chars()
    if nfc:
        text = text.str.normalize("NFC")
    return pl.when(text == "").then(None).otherwise(text).alias(name)


def _activity_words(frame: pl.LazyFrame, *, canonical: bool = False) -> pl.LazyFrame:
    """Activities lower-cased, separators as ``;``, spaces and hyphens in a code as ``_``;
    and the bitmask of the codes found in them (bit i: ``ACTIVITY_CODES[i]``).

    ``canonical``: every cell already looks like ``code;code`` (seen in a first pass).
    """
    words = (
        pl.col("activities")
        if canonical
        else pl.col("activities")
        .str.to_lowercase()
        .str.replace_all(r"\s*[;,\n\r]+\s*", ";")
        .str.replace_all(r"[\s\-]+", "_")
        .str.strip_chars(";")
    )
    frame = frame.with_columns(words.alias(_WORDS))
    mask = pl.sum_horizontal(
        pl.col(_WORDS).str.contains(code, literal=True).cast(pl.UInt16) * (1 << i)
        for i, code in enumerate(ACTIVITY_CODES)
    )
    return frame.with_columns(mask.alias(ACTIVITY_MASK))


assert not any(a != b and a in b for a in ACTIVITY_CODES for b in ACTIVITY_CODES), (
    "the fast activity check relies on no code being part of another"
)


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


def fast_roster(  # noqa: PLR0911 - each None hands over
    path: Path, *, rule_facts: frozenset[str] | None = None, in_memory: bool | None = None
) -> FastRoster | None:
    """A typed lazy frame when the file is plain enough for the fast path, else None.

    None never means "bad": it means "let the per-row reader look". A returned
    frame has been checked: every cell parsed, required cells present, dates in
    order, worker ids unique, nothing shaped like a registration number.

    Text columns that no rule reads (``rule_facts``; by default none are read) are
    left as written: :func:`visadesk.engine.frame.frame_facts` trims and normalises
    them per row when results are expanded, as the per-row reader would. With
    ``in_memory`` (default: files under 512 MiB) the file is parsed once and kept;
    otherwise it is read twice, streaming, once to check and once to screen.
    """
    if in_memory is None:
        in_memory = path.is_file() and path.stat().st_size < _IN_MEMORY_BYTES
    deferred = {
        c.name
        for c in COLUMNS
        if c.type is ColumnType.TEXT and c.name != "worker_id" and c.name not in (rule_facts or ())
    }
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
    text = [c.name for c in COLUMNS if c.type is ColumnType.TEXT]
    try:
        non_ascii = set(text)
        dates = [c.name for c in COLUMNS if c.type is ColumnType.DATE]
        iso_only: set[str] = set()
        canonical = False
        if in_memory:
            lf = lf.collect().lazy()
            # A first look at the whole file picks the cheapest exact plan: only columns
            # holding non-ASCII text can change under NFC; dates without . or / are ISO or
            # bad; activities already written as code;code need no normalising.
            flags = lf.select(
                *(
                    (pl.col(n).str.len_bytes() != pl.col(n).str.len_chars()).any().alias(n)
                    for n in text
                ),
                *(pl.col(n).str.contains(r"[./]").any().alias(n) for n in dates),
                pl.col("activities").str.contains(_CANONICAL_ACTIVITIES).all().alias("activities"),
            ).collect()
            non_ascii = {n for n in text if flags[n][0]}
            iso_only = {n for n in dates if not flags[n][0]}
            canonical = bool(flags["activities"][0])
        # Typed cells are parsed untrimmed: a padded " yes" fails here and the per-row
        # reader (which trims) takes the file. Text, which never fails, is trimmed.
        typed = lf.with_row_index("row", offset=2).with_columns(
            pl.any_horizontal(
                pl.col(n).str.contains(_RRN_LIKE).fill_null(False) for n in text
            ).alias("__rrn"),
            pl.any_horizontal(
                pl.col(n).str.contains(MULTILINE_FORBIDDEN).fill_null(False) for n in text
            ).alias("__control"),
            *(_trimmed(n, nfc=n in non_ascii) for n in text if n not in deferred),
        )
        typed = _activity_words(typed, canonical=canonical)
        if not in_memory:
            typed = _join_lookups(typed)
        parsed = [
            _parse(c.name, c.type, c.choices, iso_only=c.name in iso_only, streaming=not in_memory)
            for c in COLUMNS
            if c.type is not ColumnType.TEXT
        ]
        typed = typed.with_columns(
            *(v for v, _ in parsed),
            *(b for _, b in parsed),
            *(_blank(n).alias(f"__blank_{n}") for n in text if n in deferred),
        )
        if in_memory:
            # Keep only what screening reads; the checks are computed in the same pass.
            data, checks = pl.collect_all([typed.select(*_KEPT), _checks(typed, deferred)])
            rows = _verdict(checks)
            return None if rows is None else FastRoster(data.lazy(), str(path), rows)
        rows = _verdict(_checks(typed, deferred).collect(engine="streaming"))
        if rows is None:
            return None
    except pl.exceptions.PolarsError:
        return None  # a file Polars cannot parse: the per-row reader says why
    return FastRoster(typed.select(*_KEPT), str(path), rows)


def _blank(name: str) -> pl.Expr:
    return ~pl.col(name).str.contains(r"\S").fill_null(False)


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.List):
        return col.cast(pl.List(pl.String)).list.join(";")
    if dtype == pl.Boolean:
        return pl.when(col).then(pl.lit("yes")).when(~col).then(pl.lit("no"))
    if dtype == pl.Date:
        return col.dt.strftime("%Y-%m-%d")
    return col.cast(pl.String)


def _checks(typed: pl.LazyFrame, deferred: set[str]) -> pl.LazyFrame:
    """One row of checks: any cell refused, any required fact blank, ..., and the row count."""
    bad = [pl.col(f"__bad_{c.name}").any() for c in COLUMNS if c.type is not ColumnType.TEXT]
    required = [
        pl.col(f"__blank_{c.name}").any() if c.name in deferred else pl.col(c.name).is_null().any()
        for c in COLUMNS
        if c.required
    ]
    ranges = [
        ((pl.col(c.name) < c.minimum) | (pl.col(c.name) > c.maximum)).any()
        for c in COLUMNS
        if c.minimum is not None and c.maximum is not None
    ]
    return typed.select(
        pl.any_horizontal(*bad, *required, *ranges).alias("bad"),
        pl.col("__rrn").any().alias("rrn"),
        pl.col("__control").any().alias("control"),
        (pl.col("trip_end") < pl.col("trip_start")).any().alias("order"),
        (pl.col("worker_id").n_unique() < pl.len()).alias("duplicates"),
        (pl.len() == 0).alias("empty"),
        pl.len().alias("rows"),
    )


def _verdict(checks: pl.DataFrame) -> int | None:
    """The number of rows when nothing is wrong, else None (the per-row reader explains)."""
    *problems, rows = checks.row(0)
    return None if any(problems) else int(rows)

"""Roster facts as a typed Polars frame, and back: the batch engine's input shape."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import polars as pl

from visadesk.roster.parse import parse_text
from visadesk.roster.schema import COLUMNS, ColumnType, FactValue

__all__ = ["FRAME_SCHEMA", "facts_frame", "frame_facts"]

_DTYPES: Final[dict[ColumnType, pl.DataType]] = {
    ColumnType.TEXT: pl.String(),
    ColumnType.COUNTRY: pl.String(),
    ColumnType.COUNTRIES: pl.String(),
    ColumnType.ENUM: pl.String(),
    ColumnType.DATE: pl.Date(),
    ColumnType.BOOL: pl.Boolean(),
    ColumnType.INT: pl.Int64(),
    ColumnType.NUMBER: pl.Float64(),
    ColumnType.ACTIVITIES: pl.List(pl.String()),
}
#: Column name -> Polars type for every roster column.
FRAME_SCHEMA: Final = pl.Schema({c.name: _DTYPES[c.type] for c in COLUMNS})


def facts_frame(rows: Sequence[Mapping[str, FactValue]]) -> pl.DataFrame:
    """A typed frame with every roster column, from per-row facts."""
    data = {
        c.name: [list(v) if isinstance(v := r.get(c.name), tuple) else v for r in rows]
        for c in COLUMNS
    }
    return pl.DataFrame(data, schema=FRAME_SCHEMA)


def frame_facts(frame: pl.DataFrame) -> Iterator[dict[str, FactValue]]:
    """Per-row facts from a roster frame, exactly as the per-row reader gives them.

    Activities come back as tuples (from a list, or from the fast reader's canonical
    ``;``-joined string); text is trimmed and NFC-normalised here, since the fast reader
    leaves text that no rule reads as written.
    """
    names = [c.name for c in COLUMNS]
    text = [c.name for c in COLUMNS if c.type is ColumnType.TEXT]
    for record in frame.select(names).iter_rows(named=True):
        activities = record.get("activities")
        if isinstance(activities, str):
            record["activities"] = tuple(activities.split(";"))
        else:
            record["activities"] = tuple(activities) if activities is not None else None
        for name in text:
            record[name] = parse_text(record[name])
        yield record

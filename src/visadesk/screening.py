"""Screening a roster file end to end, choosing the engine by size.

Small rosters, and any roster the fast reader will not take, go through the
per-row reader and the per-case interpreter. Large plain CSV or Parquet rosters
go through the fast reader and the batch (Polars) engine. Both give identical
results; the choice only changes speed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal

import polars as pl

from visadesk.atomic import atomic_path
from visadesk.engine import Screener, ScreeningResult, Status
from visadesk.engine.batch import BatchScreener, prepare
from visadesk.engine.frame import facts_frame, frame_facts
from visadesk.policy.model import Policy
from visadesk.report.summary import Summary, summarize
from visadesk.roster import read_roster
from visadesk.roster.scan import fast_roster
from visadesk.roster.schema import COLUMNS

__all__ = ["BATCH_THRESHOLD", "Engine", "ScreenedRoster", "screen_roster"]

Engine = Literal["auto", "case", "batch"]
#: From this many rows on, ``auto`` uses the batch engine.
BATCH_THRESHOLD: Final = 2_000
Progress = Callable[[int], None]


@dataclass
class ScreenedRoster:
    """A screened roster: verdicts computed, expanded for people only on demand."""

    policy: Policy
    as_of: dt.date
    start_date: dt.date
    engine: Literal["case", "batch"]
    source: str
    rows: int
    _results: list[ScreeningResult] = field(default_factory=list)
    _batch: BatchScreener | None = None
    _frame: pl.LazyFrame | None = None

    def results(self, progress: Progress | None = None) -> Iterator[ScreeningResult]:
        """Every row's result (the batch engine's compact rows expanded one chunk at a time)."""
        if self.engine == "case":
            yield from self._results
            return
        assert self._batch is not None and self._frame is not None
        verdicts = self._verdicts()
        done = 0
        for offset in range(0, self.rows, 50_000):
            chunk = verdicts.slice(offset, 50_000).collect()
            facts = list(frame_facts(chunk))
            yield from self._batch.results(chunk, facts, chunk["row"].to_list())
            done += chunk.height
            if progress is not None:
                progress(done)

    def _verdicts(self) -> pl.LazyFrame:
        assert self._batch is not None and self._frame is not None
        return self._batch.screen(prepare(self._frame)).select(
            "row", *(c.name for c in COLUMNS), *self._batch.output_columns()
        )

    def compact(self) -> pl.LazyFrame:
        """Compact verdicts, the same from either engine: statuses, rule ids, flags, dates."""
        if self.engine == "case":
            return _case_frame(self._results, self.categories).lazy()
        assert self._batch is not None
        columns = [c for c in self._batch.output_columns() if c != "ready_in_time"]
        return (
            self._verdicts()
            .select("worker_id", "row", *columns, "ready_in_time")
            .with_columns(self._batch.rule_id_columns())
        )

    def trip_starts(self) -> pl.LazyFrame:
        """``row`` and ``trip_start`` of every trip (for period counts)."""
        if self.engine == "case":
            return pl.LazyFrame(
                {
                    "row": [r.row for r in self._results],
                    "trip_start": [r.trip_start for r in self._results],
                },
                schema={"row": pl.UInt32, "trip_start": pl.Date},
            )
        assert self._frame is not None
        return self._frame.select(pl.col("row").cast(pl.UInt32), "trip_start")

    @property
    def categories(self) -> list[str]:
        return [c.id for c in self.policy.categories_at(self.as_of)]

    def write_parquet(self, path: Path) -> None:
        """Compact verdicts to Parquet, streamed, written whole or not at all."""
        with atomic_path(path) as tmp:
            if self.engine == "batch":
                self.compact().sink_parquet(tmp, engine="streaming")
            else:
                self.compact().collect().write_parquet(tmp)

    def summary(self) -> Summary:
        if self.engine == "case":
            return summarize(self._results)
        return _batch_summary(self.compact(), self.categories)


def _case_frame(results: list[ScreeningResult], categories: list[str]) -> pl.DataFrame:
    """The per-case results in the compact shape the batch engine writes."""
    schema: dict[str, pl.DataType] = {
        "worker_id": pl.String(),
        "row": pl.UInt32(),
        "recommended": pl.String(),
        "ready_by": pl.Date(),
    }
    for cid in categories:
        schema |= {
            f"status_{cid}": pl.String(),
            f"reasons_{cid}": pl.List(pl.String()),
            f"missing_{cid}": pl.List(pl.String()),
            f"basis_{cid}": pl.List(pl.String()),
            f"stay_covers_{cid}": pl.Boolean(),
            f"in_hand_{cid}": pl.Boolean(),
            f"ready_by_{cid}": pl.Date(),
        }
    schema |= {
        "flags": pl.List(pl.String()),
        "missing": pl.List(pl.String()),
        "ready_in_time": pl.Boolean(),
    }
    rows = []
    for r in results:
        row: dict[str, object] = {
            "worker_id": r.worker_id,
            "row": r.row,
            "recommended": r.recommended,
        }
        row["ready_by"], row["ready_in_time"] = r.ready_by, r.ready_in_time
        for cid, v in r.verdicts.items():
            row[f"status_{cid}"] = v.status.value
            row[f"reasons_{cid}"] = [c.rule for c in v.deciding()]
            row[f"missing_{cid}"] = list(v.missing)
            row[f"basis_{cid}"] = list(v.basis)
            row[f"stay_covers_{cid}"] = v.stay_covers
            row[f"in_hand_{cid}"] = v.in_hand
            row[f"ready_by_{cid}"] = v.ready_by
        row["flags"] = [f.code for f in r.flags]
        row["missing"] = list(r.missing)
        rows.append(row)
    return pl.DataFrame(rows, schema=schema)


def _batch_summary(compact: pl.LazyFrame, categories: list[str]) -> Summary:
    statuses = [s.value for s in Status]
    counts = compact.select(
        pl.len().alias("rows"),
        *(
            (pl.col(f"status_{c}") == s).sum().alias(f"{c}|{s}")
            for c in categories
            for s in statuses
        ),
        pl.col("recommended").is_null().sum().alias("none"),
        (pl.col("ready_in_time") == False).sum().alias("late"),  # noqa: E712 - a column, not a bool
    ).collect(engine="streaming")
    first = counts.row(0, named=True)
    summary = Summary(rows=first["rows"], late=first["late"], no_status=first["none"])
    for c in categories:
        summary.by_category[c] = Counter({Status(s): first[f"{c}|{s}"] for s in statuses})
    recommended = compact.group_by("recommended").len().collect(engine="streaming")
    summary.recommended = Counter({(r or "-"): n for r, n in recommended.iter_rows()})
    flags = (
        compact.select(pl.col("flags").explode(empty_as_null=False))
        .drop_nulls()
        .group_by("flags")
        .len()
        .collect(engine="streaming")
    )
    summary.flags = Counter(dict(flags.iter_rows()))
    return summary


def screen_roster(
    path: Path,
    policy: Policy,
    *,
    as_of: dt.date,
    start_date: dt.date | None = None,
    engine: Engine = "auto",
    sheet: str | None = None,
) -> ScreenedRoster:
    """Read and screen a roster file; raise RosterError (every problem) for bad input."""
    start = start_date or as_of
    fast = fast_roster(path) if engine != "case" and sheet is None else None
    rows = fast.frame.select(pl.len()).collect().item() if fast is not None else 0
    if fast is not None and (engine == "batch" or rows >= BATCH_THRESHOLD):
        return ScreenedRoster(
            policy,
            as_of,
            start,
            "batch",
            str(path),
            rows,
            _batch=BatchScreener(policy, as_of=as_of, start_date=start),
            _frame=fast.frame,
        )
    roster = read_roster(path, sheet=sheet)
    if engine == "batch":
        frame = facts_frame([r.facts for r in roster.rows]).lazy()
        frame = frame.with_columns(pl.Series("row", [r.row for r in roster.rows], dtype=pl.UInt32))
        return ScreenedRoster(
            policy,
            as_of,
            start,
            "batch",
            str(path),
            len(roster.rows),
            _batch=BatchScreener(policy, as_of=as_of, start_date=start),
            _frame=frame,
        )
    screener = Screener(policy, as_of=as_of, start_date=start)
    results = [screener.screen(r.facts, row=r.row) for r in roster.rows]
    return ScreenedRoster(policy, as_of, start, "case", str(path), len(results), _results=results)

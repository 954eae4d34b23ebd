"""Screening a roster file end to end, choosing the engine by size.

Small rosters, and any roster the fast reader will not take, go through the
per-row reader and the per-case interpreter. Large plain CSV or Parquet rosters
go through the fast reader and the batch (Polars) engine. Both give identical
results; the choice only changes speed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol, TypedDict

import polars as pl

from visadesk.atomic import atomic_path
from visadesk.engine import Screener, ScreeningResult
from visadesk.engine.batch import BatchScreener, prepare
from visadesk.engine.frame import facts_frame, frame_facts
from visadesk.engine.plan import STATUS_CODES, Legend, rule_plan
from visadesk.policy.model import Policy
from visadesk.report.summary import Summary, summarize
from visadesk.roster import read_roster
from visadesk.roster.limits import ROSTER_LIMITS, RosterLimits, check_file, limit_error
from visadesk.roster.read import FORMATS
from visadesk.roster.scan import fast_roster
from visadesk.roster.schema import COLUMNS

__all__ = ["BATCH_THRESHOLD", "Engine", "ScreenOptions", "ScreenedRoster", "screen_roster"]

Engine = Literal["auto", "case", "batch"]
#: From this many rows on, ``auto`` uses the batch engine.
BATCH_THRESHOLD: Final = 2_000
Progress = Callable[[int], None]


class ScreenOptions(TypedDict, total=False):
    """How to read and screen a roster, beyond the rule set and the date."""

    start_date: dt.date | None
    engine: Engine
    sheet: str | None


class _Verdicts(Protocol):
    """Where a screened roster's verdicts live: per-case results, or a batch frame."""

    engine: Literal["case", "batch"]

    def results(self, progress: Progress | None) -> Iterator[ScreeningResult]: ...

    def compact(self) -> pl.LazyFrame: ...

    def write_compact(self, path: Path, metadata: dict[str, str]) -> None: ...

    def summary(self, written: Path | None) -> Summary: ...

    def trip_starts(self, yes_no_facts: tuple[str, ...]) -> pl.LazyFrame: ...


@dataclass
class _CaseVerdicts:
    """Results of the per-case engine, all in memory."""

    screened: list[ScreeningResult]
    legend: Legend
    engine: Literal["case", "batch"] = "case"

    def results(self, progress: Progress | None) -> Iterator[ScreeningResult]:
        return iter(self.screened)

    def compact(self) -> pl.LazyFrame:
        return _case_frame(self.screened, self.legend).lazy()

    def write_compact(self, path: Path, metadata: dict[str, str]) -> None:
        self.compact().collect().write_parquet(path, metadata=metadata)

    def summary(self, written: Path | None) -> Summary:
        return summarize(self.screened)

    def trip_starts(self, yes_no_facts: tuple[str, ...]) -> pl.LazyFrame:
        columns: dict[str, list[object]] = {
            "row": [r.row for r in self.screened],
            "trip_start": [r.trip_start for r in self.screened],
        }
        for name in yes_no_facts:
            columns[name] = [r.facts.get(name) for r in self.screened]
        schema = {"row": pl.UInt32, "trip_start": pl.Date} | dict.fromkeys(yes_no_facts, pl.Boolean)
        return pl.LazyFrame(columns, schema=schema)


@dataclass
class _BatchVerdicts:
    """A roster frame and the batch engine: compact verdicts computed lazily, streamed."""

    batch: BatchScreener
    frame: pl.LazyFrame
    rows: int
    engine: Literal["case", "batch"] = "batch"

    def _screened(self) -> pl.LazyFrame:
        return self.batch.screen(prepare(self.frame))

    def results(self, progress: Progress | None) -> Iterator[ScreeningResult]:
        """Compact rows expanded one chunk at a time."""
        screened = self._screened().select(
            "row", *(c.name for c in COLUMNS), *self.batch.result_columns()
        )
        done = 0
        for offset in range(0, self.rows, 50_000):
            chunk = screened.slice(offset, 50_000).collect()
            facts = list(frame_facts(chunk))
            yield from self.batch.results(chunk, facts, chunk["row"].to_list())
            done += chunk.height
            if progress is not None:
                progress(done)

    def compact(self) -> pl.LazyFrame:
        return self._screened().select("worker_id", "row", *self.batch.output_columns())

    def write_compact(self, path: Path, metadata: dict[str, str]) -> None:
        self.compact().sink_parquet(path, metadata=metadata, engine="streaming")

    def summary(self, written: Path | None) -> Summary:
        # Counting from a Parquet file just written is cheaper than screening again.
        source = pl.scan_parquet(written) if written else self.compact()
        return _batch_summary(source, self.batch.legend)

    def trip_starts(self, yes_no_facts: tuple[str, ...]) -> pl.LazyFrame:
        facts = [pl.col(n).cast(pl.Boolean) for n in yes_no_facts]
        return self.frame.select(pl.col("row").cast(pl.UInt32), "trip_start", *facts)


@dataclass
class ScreenedRoster:
    """A screened roster: verdicts computed, expanded for people only on demand."""

    policy: Policy
    as_of: dt.date
    start_date: dt.date
    source: str
    rows: int
    verdicts: _Verdicts
    _written: Path | None = None

    @property
    def engine(self) -> Literal["case", "batch"]:
        """Which engine screened the roster."""
        return self.verdicts.engine

    def results(self, progress: Progress | None = None) -> Iterator[ScreeningResult]:
        """Every row's result (the batch engine's compact rows expanded one chunk at a time)."""
        return self.verdicts.results(progress)

    def compact(self) -> pl.LazyFrame:
        """Compact verdicts, the same from either engine: status codes and bitmasks (see legend)."""
        return self.verdicts.compact()

    @property
    def legend(self) -> Legend:
        """What each status code and bit of the compact columns means."""
        return rule_plan(self.policy, as_of=self.as_of, start_date=self.start_date).legend

    def write_parquet(self, path: Path) -> None:
        """Compact verdicts to Parquet, streamed, written whole or not at all.

        The file's key-value metadata ``visadesk`` holds the legend (JSON): the rule
        slot, fact, provision and flag behind every bit, the policy version and dates.
        """
        meta = {
            "policy": self.policy.version,
            "as_of": self.as_of.isoformat(),
            "start_date": self.start_date.isoformat(),
            "notice": self.policy.notice.en,
            **self.legend.as_json(),
        }
        metadata = {"visadesk": json.dumps(meta, ensure_ascii=False)}
        with atomic_path(path) as tmp:
            self.verdicts.write_compact(tmp, metadata)
        self._written = path

    def summary(self) -> Summary:
        return self.verdicts.summary(self._written)

    def trip_starts(self, *yes_no_facts: str) -> pl.LazyFrame:
        """``row`` and ``trip_start`` of every trip (for period counts), plus the yes/no
        facts named (e.g. a cap exemption), blank as null."""
        return self.verdicts.trip_starts(yes_no_facts)

    @property
    def categories(self) -> list[str]:
        return [c.id for c in self.policy.categories_at(self.as_of)]


def _case_frame(results: list[ScreeningResult], legend: Legend) -> pl.DataFrame:
    """The per-case results in the compact shape the batch engine writes."""
    codes = {status: i for i, status in enumerate(STATUS_CODES)}
    facts = {f: i for i, f in enumerate(legend.facts)}
    flags = {f: i for i, f in enumerate(legend.flags)}
    u64, date, boolean = pl.UInt64(), pl.Date(), pl.Boolean()
    schema: dict[str, pl.DataType] = {"worker_id": pl.String(), "row": pl.UInt32()}
    schema |= {"recommended": pl.String(), "ready_by": date, "ready_in_time": boolean}
    for cid in legend.categories:
        schema |= {f"status_{cid}": pl.UInt8(), f"reasons_{cid}": u64, f"missing_{cid}": u64}
        schema |= {f"basis_{cid}": u64, f"stay_covers_{cid}": boolean, f"in_hand_{cid}": boolean}
        schema[f"ready_by_{cid}"] = date
    schema |= {"flags": u64, "missing": u64}
    provisions = {cid: {p: i for i, p in enumerate(ps)} for cid, ps in legend.provisions.items()}
    slot_index = {
        cid: {(s.rule, s.activity, s.provision): i for i, s in enumerate(slots)}
        for cid, slots in legend.slots.items()
    }
    rows = []
    for r in results:
        row: dict[str, object] = {"worker_id": r.worker_id, "row": r.row}
        row |= {
            "recommended": r.recommended,
            "ready_by": r.ready_by,
            "ready_in_time": r.ready_in_time,
        }
        for cid, v in r.verdicts.items():
            deciding = [slot_index[cid][(c.rule, c.activity, c.provision)] for c in v.explaining()]
            row[f"status_{cid}"] = codes[v.status]
            row[f"reasons_{cid}"] = _bitmask(deciding)
            row[f"missing_{cid}"] = _bitmask(facts[f] for f in v.missing)
            row[f"basis_{cid}"] = _bitmask(provisions[cid][p] for p in v.basis)
            row |= {f"stay_covers_{cid}": v.stay_covers, f"in_hand_{cid}": v.in_hand}
            row[f"ready_by_{cid}"] = v.ready_by
        row["flags"] = _bitmask(flags[f.code] for f in r.flags)
        row["missing"] = _bitmask(facts[f] for f in r.missing)
        rows.append(row)
    return pl.DataFrame(rows, schema=schema)


def _bitmask(bits: Iterable[int]) -> int:
    mask = 0
    for bit in bits:
        mask |= 1 << bit
    return mask


def _batch_summary(compact: pl.LazyFrame, legend: Legend) -> Summary:
    counts = compact.select(
        pl.len().alias("rows"),
        *(
            (pl.col(f"status_{c}") == code).sum().alias(f"{c}|{code}")
            for c in legend.categories
            for code in range(len(STATUS_CODES))
        ),
        *(
            (pl.col("flags") & (1 << i)).gt(0).sum().alias(f"flag|{i}")
            for i in range(len(legend.flags))
        ),
        pl.col("recommended").is_null().sum().alias("none"),
        pl.col("ready_in_time").not_().sum().alias("late"),
    ).collect(engine="streaming")
    first = counts.row(0, named=True)
    summary = Summary(rows=first["rows"], late=first["late"] or 0, no_status=first["none"])
    for c in legend.categories:
        summary.by_category[c] = Counter(
            {status: first[f"{c}|{code}"] for code, status in enumerate(STATUS_CODES)}
        )
    recommended = compact.group_by("recommended").len().collect(engine="streaming")
    summary.recommended = Counter({(r or "-"): n for r, n in recommended.iter_rows()})
    summary.flags = Counter(
        {code: first[f"flag|{i}"] for i, code in enumerate(legend.flags) if first[f"flag|{i}"]}
    )
    return summary


def screen_roster(
    path: Path,
    policy: Policy,
    *,
    as_of: dt.date,
    start_date: dt.date | None = None,
    engine: Engine = "auto",
    sheet: str | None = None,
    limits: RosterLimits | None = None,
    source: str | None = None,
) -> ScreenedRoster:
    """Read and screen a roster file; raise RosterError (every problem) for bad input.

    ``source`` is the name messages show (the path by default). With ``limits``
    (the desk's), the file is checked against them before anything is parsed and
    the fast path's rows are bounded too; without, the per-row reader applies
    :data:`~visadesk.roster.limits.ROSTER_LIMITS` and the streaming fast path
    takes files of any size (the CLI's millions of rows).
    """
    source = str(path) if source is None else source
    if limits is not None:
        check_file(path, FORMATS.get(path.suffix.lower(), ""), source, limits)
    start = start_date or as_of
    batch = BatchScreener(policy, as_of=as_of, start_date=start) if engine != "case" else None
    fast = None
    if batch is not None and sheet is None:
        fast = fast_roster(path, rule_facts=frozenset(batch.legend.facts))
    rows = fast.rows if fast is not None else 0
    if limits is not None and rows > limits.rows:
        raise limit_error(source, "rows", rows, limits.rows)

    def screened(verdicts: _Verdicts, rows: int) -> ScreenedRoster:
        return ScreenedRoster(policy, as_of, start, source, rows, verdicts)

    if batch is not None and fast is not None and (engine == "batch" or rows >= BATCH_THRESHOLD):
        return screened(_BatchVerdicts(batch, fast.frame, rows), rows)
    roster = read_roster(path, sheet=sheet, limits=limits or ROSTER_LIMITS, source=source)
    rows = len(roster.rows)
    if batch is not None and engine == "batch":
        frame = facts_frame([r.facts for r in roster.rows]).lazy()
        frame = frame.with_columns(pl.Series("row", [r.row for r in roster.rows], dtype=pl.UInt32))
        return screened(_BatchVerdicts(batch, frame, rows), rows)
    screener = Screener(policy, as_of=as_of, start_date=start)
    results = [screener.screen(r.facts, row=r.row) for r in roster.rows]
    return screened(_CaseVerdicts(results, screener.plan.legend), rows)

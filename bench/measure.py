"""One measurement in a fresh process, so that its peak memory is its own.

    python -m bench.measure KIND ROSTER.csv [--as-of DATE] [--out OUT.parquet]

Prints one JSON object: the seconds of each phase (imports and set-up excluded)
and the rows handled. ``bench.run`` starts this and reads the peak RSS of the
process from the operating system.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import polars as pl

from visadesk.engine import Screener
from visadesk.engine.batch import BatchScreener, prepare
from visadesk.policy.load import load_policy
from visadesk.roster import read_roster
from visadesk.roster.scan import fast_roster
from visadesk.screening import screen_roster

KINDS = ("floor", "floor_scan", "batch_e2e", "batch_eval", "batch_status", "case", "peer")


def _floor(path: Path) -> dict[str, float]:
    started = time.perf_counter()
    frame = pl.read_csv(path, infer_schema=False)
    return {"read": time.perf_counter() - started, "rows": frame.height}


def _floor_scan(path: Path) -> dict[str, float]:
    """Streaming read of a file too large to hold: count rows, nothing else."""
    started = time.perf_counter()
    frame = pl.scan_csv(path, infer_schema=False)
    # Touch every cell (a bare row count would let Polars skip parsing).
    total = frame.select(pl.all().str.len_bytes().sum()).collect(engine="streaming")
    rows = pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()
    assert total.width > 0
    return {"read": time.perf_counter() - started, "rows": rows}


def _batch_e2e(path: Path, as_of: dt.date, out: Path) -> dict[str, float]:
    policy = load_policy("baseline")
    started = time.perf_counter()
    screened = screen_roster(path, policy, as_of=as_of, engine="batch")
    screened.write_parquet(out)
    return {"total": time.perf_counter() - started, "rows": screened.rows}


def _typed(path: Path, as_of: dt.date) -> tuple[pl.DataFrame, BatchScreener]:
    """The roster read and checked into memory, and the batch engine (neither timed)."""
    fast = fast_roster(path)
    assert fast is not None, "benchmark rosters are plain CSV"
    return fast.frame.collect(), BatchScreener(load_policy("baseline"), as_of=as_of)


def _batch_eval(path: Path, as_of: dt.date) -> dict[str, float]:
    """Rule evaluation alone: the typed frame is in memory before the clock starts."""
    frame, batch = _typed(path, as_of)
    started = time.perf_counter()
    verdicts = batch.screen(prepare(frame.lazy())).select(batch.output_columns()).collect()
    return {"evaluate": time.perf_counter() - started, "rows": verdicts.height}


def _batch_status(path: Path, as_of: dt.date) -> dict[str, float]:
    """Statuses only (what the OpenFisca peer computes), on a typed frame in memory."""
    frame, batch = _typed(path, as_of)
    started = time.perf_counter()
    statuses = batch.statuses(prepare(frame.lazy())).collect()
    return {"evaluate": time.perf_counter() - started, "rows": statuses.height}


def _case(path: Path, as_of: dt.date) -> dict[str, float]:
    screener = Screener(load_policy("baseline"), as_of=as_of)
    started = time.perf_counter()
    roster = read_roster(path)
    read = time.perf_counter() - started
    started = time.perf_counter()
    for row in roster.rows:
        screener.screen(row.facts, row=row.row)
    return {"read": read, "evaluate": time.perf_counter() - started, "rows": len(roster.rows)}


def _peer(path: Path, as_of: dt.date) -> dict[str, float]:
    from bench.openfisca_peer.run import run_peer, system  # noqa: PLC0415 - only this kind needs it

    system()
    run = run_peer(path, as_of)
    return {**run.timings, "rows": run.count}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("roster", type=Path)
    parser.add_argument("--as-of", default="2026-11-27")
    parser.add_argument("--out", type=Path, default=Path("var/bench/verdicts.parquet"))
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    if args.kind == "floor":
        result = _floor(args.roster)
    elif args.kind == "floor_scan":
        result = _floor_scan(args.roster)
    elif args.kind == "batch_e2e":
        result = _batch_e2e(args.roster, as_of, args.out)
    elif args.kind == "batch_eval":
        result = _batch_eval(args.roster, as_of)
    elif args.kind == "batch_status":
        result = _batch_status(args.roster, as_of)
    elif args.kind == "case":
        result = _case(args.roster, as_of)
    else:
        result = _peer(args.roster, as_of)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

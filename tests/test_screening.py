"""Screening a file end to end: engine choice, compact verdicts, Parquet with its legend."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from visadesk.policy.load import load_policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster import RosterError
from visadesk.screening import BATCH_THRESHOLD, screen_roster
from visadesk.synth import write_synthetic

AS_OF = dt.date(2026, 11, 27)
POLICY = load_policy("baseline")


def test_auto_uses_the_per_row_engine_for_small_rosters(sample_csv: Path) -> None:
    assert screen_roster(sample_csv, POLICY, as_of=AS_OF).engine == "case"


def test_auto_uses_the_batch_engine_for_large_plain_rosters(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path / "big.csv", BATCH_THRESHOLD, 3)
    screened = screen_roster(path, POLICY, as_of=AS_OF)
    assert (screened.engine, screened.rows) == ("batch", BATCH_THRESHOLD)


def test_korean_xlsx_goes_through_the_per_row_reader_even_for_batch(
    sample_xlsx: Path, sample_csv: Path
) -> None:
    renderer = ResultRenderer(POLICY, AS_OF)
    xlsx = screen_roster(sample_xlsx, POLICY, as_of=AS_OF, engine="batch")
    text = screen_roster(sample_csv, POLICY, as_of=AS_OF, engine="case")
    assert xlsx.engine == "batch"
    assert [renderer.row(r) for r in xlsx.results()] == [renderer.row(r) for r in text.results()]


def test_compact_verdicts_and_summary_are_the_same_from_both_engines(sample_csv: Path) -> None:
    case = screen_roster(sample_csv, POLICY, as_of=AS_OF, engine="case")
    batch = screen_roster(sample_csv, POLICY, as_of=AS_OF, engine="batch")
    assert case.compact().collect().equals(batch.compact().collect())
    assert case.summary() == batch.summary()


@pytest.mark.parametrize("engine", ["case", "batch"])
def test_parquet_carries_its_legend(sample_csv: Path, tmp_path: Path, engine: str) -> None:
    out = tmp_path / "verdicts.parquet"
    screened = screen_roster(sample_csv, POLICY, as_of=AS_OF, engine=engine)  # type: ignore[arg-type]
    screened.write_parquet(out)
    legend = json.loads(pl.read_parquet_metadata(out)["visadesk"])
    assert legend["policy"] == POLICY.version and "not legal advice" in legend["notice"]
    frame = pl.read_parquet(out)
    row = frame.filter(pl.col("worker_id") == "SJ-0001").row(0, named=True)
    assert legend["status"][row["status_B1"]] == "ineligible"
    rules = {legend["reasons"]["B1"][i][0] for i in range(64) if row["reasons_B1"] >> i & 1}
    assert "B1.construction_excluded" in rules
    flags = {legend["flags"][i] for i in range(len(legend["flags"])) if row["flags"] >> i & 1}
    assert "visitor_status_work" in flags


def test_bad_rows_in_a_large_file_are_reported_by_the_per_row_reader(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path / "big.csv", BATCH_THRESHOLD + 10, 4)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[5][rows[0].index("trip_start")] = "2027-02-30"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    with pytest.raises(RosterError) as info:
        screen_roster(path, POLICY, as_of=AS_OF, engine="batch")
    assert [(p.row, p.column, p.code) for p in info.value.problems] == [
        (6, "trip_start", "impossible_date")
    ]


def test_a_csv_polars_cannot_parse_is_explained_by_the_per_row_reader(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path / "big.csv", BATCH_THRESHOLD, 5)
    text = path.read_text(encoding="utf-8-sig").splitlines()
    text[3] = text[3] + ',"unterminated'
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(RosterError):
        screen_roster(path, POLICY, as_of=AS_OF, engine="batch")

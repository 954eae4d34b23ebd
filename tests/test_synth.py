"""Synthetic rosters: deterministic, typed as the contract, realistic, and valid."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from visadesk.cli import app
from visadesk.roster import read_roster
from visadesk.roster.schema import (
    ACTIVITY_CODES,
    COLUMNS,
    DEGREES,
    PAID_BY,
    ROLES,
    SECTORS,
    ColumnType,
    FactValue,
)
from visadesk.roster.sensitive import find_rrn
from visadesk.synth import (
    DEFAULT_START,
    SCHEMA,
    XLSX_MAX_ROWS,
    iter_synthesize,
    synthesize,
    write_synthetic,
)

runner = CliRunner()

DTYPES: dict[ColumnType, pl.DataType] = {
    ColumnType.DATE: pl.Date(),
    ColumnType.BOOL: pl.Boolean(),
    ColumnType.INT: pl.Int64(),
    ColumnType.NUMBER: pl.Float64(),
}
#: Optional facts of issue #11 the generator leaves blank (a roster from before them).
BLANK_COLUMNS = (
    "overstay_on_held_visa",
    "unlawful_presence_days",
    "overstay_departure",
    "qualifying_job_abroad",
    "primarily_managerial",
    "us_entity_new_office",
    "h1b_cap_exempt",
    "h1b_petition_kind",
    # law3
    "other_nationalities",
    "vwp_duty_exception",
    "esta_approved_until",
    "e_passport",
    "return_ticket",
    "employer_is_seller",
    "project_end",
)
BOOLEAN_COLUMNS = [
    c.name for c in COLUMNS if c.type is ColumnType.BOOL and c.name not in BLANK_COLUMNS
]


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def big() -> pl.DataFrame:
    return synthesize(20_000, 1)


def share(mask: pl.Series) -> float:
    """The share of true values in a boolean series without blanks."""
    return float(np.mean(mask.to_numpy()))


def largest(values: pl.Series) -> int:
    return int(np.max(values.to_numpy()))


# --------------------------------------------------------------------------- the frame


def test_same_seed_same_frame_other_seed_other_frame() -> None:
    first = synthesize(3_000, 7)
    assert first.equals(synthesize(3_000, 7))
    assert not first.equals(synthesize(3_000, 8))
    assert not first.equals(synthesize(3_000, 7, start=dt.date(2027, 6, 7)))


def test_columns_and_types_are_the_contract() -> None:
    frame = synthesize(500, 2)
    assert frame.columns == [c.name for c in COLUMNS]
    assert frame.schema == SCHEMA
    for column in COLUMNS:
        assert frame.schema[column.name] == DTYPES.get(column.type, pl.String()), column.name
    assert synthesize(0, 2).schema == SCHEMA
    assert synthesize(0, 2).height == 0


def test_rows_do_not_depend_on_chunking_or_count() -> None:
    whole = synthesize(5_000, 9)
    assert synthesize(1_000, 9).equals(whole.head(1_000))
    for chunk_rows in (1_234, 5_000, 20_000):
        chunks = list(iter_synthesize(5_000, 9, chunk_rows=chunk_rows))
        assert [c.height for c in chunks[:-1]] == [chunk_rows] * (len(chunks) - 1)
        assert pl.concat(chunks).equals(whole)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="n must be"):
        synthesize(-1, 1)
    with pytest.raises(ValueError, match="seed must be"):
        synthesize(10, -1)
    with pytest.raises(ValueError, match="chunk_rows must be"):
        list(iter_synthesize(10, 1, chunk_rows=0))
    with pytest.raises(ValueError, match="start must be"):
        synthesize(10, 1, start=dt.date(1999, 1, 1))


def test_identities_are_unique_fictional_and_never_rrn_shaped(big: pl.DataFrame) -> None:
    ids = big["worker_id"]
    assert ids.n_unique() == big.height
    assert ids[0] == "SYN-0000001" and ids[-1] == "SYN-0020000"
    passports = big.filter(pl.col("passport_number").is_not_null())
    assert passports["passport_number"].str.contains(r"^[A-Z]{1,2}[0-9]{7,8}$").all()
    korean = passports.filter(pl.col("nationality") == "KR")["passport_number"]
    assert korean.str.contains(r"^M[0-9]{8}$").all()
    assert (big["name_ko"].is_null() == (big["nationality"] != "KR")).all()
    # every cell of every row, as text, one row a line: not a single registration number
    text = big.select(
        pl.concat_str(pl.all().cast(pl.String), separator="|", ignore_nulls=True)
    ).to_series()
    assert find_rrn("\n".join(text)) is None


def test_people_and_projects_are_distributed_as_intended(big: pl.DataFrame) -> None:
    assert 0.75 <= share(big["nationality"] == "KR") <= 0.9
    assert set(big["nationality"]) >= {"VN", "PH", "IN", "ID", "UZ", "TH", "DE", "JP"}
    sectors = big["sector"].value_counts(normalize=True)
    by_sector = dict(sectors.iter_rows())
    assert set(by_sector) == set(SECTORS)
    leading = {"batteries", "semiconductors", "shipbuilding", "energy", "automotive"}
    assert all(by_sector[s] > by_sector["pharmaceuticals"] for s in leading)
    assert big["sponsor"].n_unique() >= 12
    roles = dict(big["role"].value_counts().iter_rows())
    assert set(roles) == set(ROLES)
    assert min(roles["technician"], roles["specialist"]) > roles["manager"] > roles["executive"]
    assert roles["laborer"] > roles["executive"]
    assert set(big["paid_by"]) == set(PAID_BY)
    assert share(big["paid_by"] == "home_employer") > 0.7
    assert set(big["degree"].drop_nulls()) == set(DEGREES)
    laborers = big.filter(pl.col("role") == "laborer")["degree"].drop_nulls()
    executives = big.filter(pl.col("role") == "executive")["degree"].drop_nulls()
    assert share(laborers == "none") > 0.6 and share(executives == "none") == 0.0


def test_activities_are_codes_in_contract_order(big: pl.DataFrame) -> None:
    lists = big["activities"].str.split(";")
    assert lists.list.len().is_between(1, 3).all()
    seen: set[str] = set()
    for codes in lists.unique().to_list():
        assert codes == [c for c in ACTIVITY_CODES if c in codes]
        seen.update(codes)
    assert seen == set(ACTIVITY_CODES)
    laborers = big.filter(pl.col("role") == "laborer")["activities"]
    assert share(laborers.str.contains("construction_work|production_work")) > 0.95


def test_trips_and_history_are_plausible(big: pl.DataFrame) -> None:
    days = (big["trip_end"] - big["trip_start"]).dt.total_days() + 1
    assert (big["trip_start"] >= DEFAULT_START).all() and (days >= 1).all()
    assert share(days.is_between(7, 84)) > 0.5 and largest(days) == 548
    assert 0.2 <= share(big["holds_visa"].is_not_null()) <= 0.3
    assert (big["holds_visa"].is_null() == big["visa_expiry"].is_null()).all()
    assert set(big["holds_visa"].drop_nulls()) == {"B1/B2", "B1", "E2", "L1"}
    in_us = big["days_in_us_last_365"].drop_nulls()
    assert share(in_us == 0) > 0.6 and 200 < largest(in_us) <= 365
    months = big["months_with_employer_last_3y"].drop_nulls()
    assert months.is_between(0, 36).all()
    assert big["us_entity_treaty_ownership_pct"].drop_nulls().is_between(0, 100).all()
    for name in BOOLEAN_COLUMNS:
        assert 0.05 <= share(big[name].is_null()) <= 0.15, name
    for name in BLANK_COLUMNS:
        assert big[name].is_null().all(), name
    for bar in ("prior_overstay", "visited_restricted_country", "prior_esta_denial"):
        assert 0.002 <= share(big[bar].fill_null(value=False)) <= 0.02, bar


# --------------------------------------------------------------------------- the command


def facts_of(frame: pl.DataFrame) -> list[dict[str, FactValue]]:
    """The facts ``read_roster`` should find for each row of ``frame``."""
    rows: list[dict[str, FactValue]] = []
    for row in frame.rows(named=True):
        activities = row["activities"]
        rows.append({**row, "activities": tuple(activities.split(";"))})
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".xlsx"])
def test_cli_writes_a_roster_that_reads_back_without_problems(tmp_path: Path, suffix: str) -> None:
    rows = 300 if suffix == ".xlsx" else 2_000
    out = tmp_path / "out" / f"synthetic{suffix}"
    code, stdout, stderr = run("synth", str(rows), "--seed", "3", "--out", str(out))
    assert code == 0, stderr
    assert f"{rows:,}" in stdout and str(out) in stdout
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind
    roster = read_roster(out)  # raises on any problem
    assert len(roster) == rows
    assert [r.facts for r in roster.rows] == facts_of(synthesize(rows, 3))


def test_csv_is_utf8_with_bom_yes_no_and_iso_dates(tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    write_synthetic(out, 50, 4)
    data = out.read_bytes()
    assert data.startswith(codecs.BOM_UTF8)
    header, first = data.decode("utf-8-sig").splitlines()[:2]
    assert header.split(",") == [c.name for c in COLUMNS]
    assert re.search(r",(yes|no),", first) and re.search(r",2027-\d\d-\d\d,", first)
    assert "true" not in data.decode("utf-8-sig")


def test_chunked_writes_give_the_same_file(tmp_path: Path) -> None:
    for suffix in (".csv", ".parquet"):
        one, many = tmp_path / f"one{suffix}", tmp_path / f"many{suffix}"
        assert run("synth", "2500", "--seed", "5", "--out", str(one))[0] == 0
        args = ("synth", "2500", "--seed", "5", "--out", str(many), "--chunk-rows", "700")
        assert run(*args)[0] == 0
        if suffix == ".csv":
            assert one.read_bytes() == many.read_bytes()
        else:
            assert pl.read_parquet(one).equals(pl.read_parquet(many))
            assert pl.read_parquet(many).height == 2500


def test_xlsx_beyond_the_sheet_limit_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "big.xlsx"
    code, _, stderr = run("synth", str(XLSX_MAX_ROWS + 1), "--out", str(out))
    assert code == 2 and "1,048,575" in stderr and ".parquet" in stderr
    code, _, stderr = run("synth", str(XLSX_MAX_ROWS + 1), "--out", str(out), "--lang", "ko")
    assert code == 2 and "1,048,575행" in stderr
    assert not out.exists()
    with pytest.raises(ValueError, match="xlsx"):
        write_synthetic(out, XLSX_MAX_ROWS + 1, 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("0", "--out", "r.csv"), "must be 1 or more, not 0"),
        (("10", "--out", "r.json"), ".csv, .parquet, .xlsx"),
        (("10", "--out", "r.csv", "--seed", "-1"), "--seed must be 0 or more"),
        (("10", "--out", "r.csv", "--chunk-rows", "0"), "--chunk-rows must be 1 or more"),
        (("10", "--out", "r.csv", "--start", "1990-01-01"), "--start must be a day from"),
        (("10", "--out", "r.csv", "--start", "soon"), "is not a date"),
    ],
)
def test_bad_requests_are_refused_and_nothing_is_written(
    tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    args = tuple(str(tmp_path / a) if a.startswith("r.") else a for a in args)
    code, _, stderr = run("synth", *args)
    assert code == 2 and expected in stderr
    assert list(tmp_path.iterdir()) == []


def test_refusals_read_in_korean(tmp_path: Path) -> None:
    code, _, stderr = run("synth", "0", "--out", str(tmp_path / "r.csv"), "--lang", "ko")
    assert code == 2 and "행 수는 1 이상" in stderr

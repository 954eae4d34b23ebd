"""A roster written as CSV, XLSX, Parquet and JSON gives identical verdicts."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.strategies import examples, rosters
from visadesk.engine import Screener
from visadesk.policy.load import load_policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster import read_roster, write_roster
from visadesk.roster.schema import FactValue

POLICY = load_policy("baseline+e4")
AS_OF = dt.date(2026, 1, 15)


def verdicts(path: Path) -> list[dict[str, Any]]:
    screener = Screener(POLICY, as_of=AS_OF)
    renderer = ResultRenderer(POLICY, AS_OF)
    return [renderer.row(screener.screen(r.facts, row=r.row)) for r in read_roster(path).rows]


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rosters())
def test_every_format_gives_the_same_verdicts(rows: list[dict[str, FactValue]]) -> None:
    screener = Screener(POLICY, as_of=AS_OF)
    renderer = ResultRenderer(POLICY, AS_OF)
    expected = [renderer.row(screener.screen(facts, row=i + 2)) for i, facts in enumerate(rows)]
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".csv", ".xlsx", ".parquet", ".json"):
            path = Path(folder) / f"roster{suffix}"
            write_roster(rows, path)
            assert verdicts(path) == expected, f"{suffix} gives other verdicts"


def test_korean_headers_and_cp949_give_the_same_verdicts(sample_csv: Path, tmp_path: Path) -> None:
    baseline = verdicts(sample_csv)
    facts = [r.facts for r in read_roster(sample_csv).rows]
    xlsx = tmp_path / "ko.xlsx"
    write_roster(facts, xlsx, korean_headers=True)
    assert verdicts(xlsx) == baseline
    cp949 = tmp_path / "ko.csv"
    write_roster(facts, cp949, korean_headers=True, encoding="cp949")
    assert verdicts(cp949) == baseline


def test_bundled_xlsx_and_csv_samples_agree(sample_csv: Path, sample_xlsx: Path) -> None:
    assert verdicts(sample_xlsx) == verdicts(sample_csv)

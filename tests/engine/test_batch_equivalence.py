"""The batch (Polars) engine and the per-case interpreter give identical results.

Every field of the output contract is compared: statuses, reasons (rule ids,
citations, messages, activities, missing facts), basis, missing facts, flags,
recommended, ready_by, in_hand, stay coverage, the B-1 annotation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import examples, rosters
from visadesk.engine import Screener
from visadesk.engine.batch import BatchScreener, prepare
from visadesk.engine.frame import facts_frame
from visadesk.engine.screen import whole_years
from visadesk.policy.load import load_policy
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.roster import read_roster
from visadesk.roster.schema import FactValue

POLICIES = {spec: load_policy(spec) for spec in ("baseline", "baseline+e4")}
DAYS = (dt.date(2025, 11, 1), dt.date(2025, 12, 4), dt.date(2026, 11, 27))


def both(
    policy: Policy, facts: Sequence[Mapping[str, FactValue]], as_of: dt.date, start: dt.date
) -> tuple[list[Any], list[Any]]:
    renderer = ResultRenderer(policy, as_of)
    screener = Screener(policy, as_of=as_of, start_date=start)
    expected = [renderer.row(screener.screen(f, row=i + 2)) for i, f in enumerate(facts)]
    batch = BatchScreener(policy, as_of=as_of, start_date=start)
    frame = (
        batch.screen(prepare(facts_frame(facts).lazy())).select(batch.output_columns()).collect()
    )
    got = [renderer.row(r) for r in batch.results(frame, facts, [i + 2 for i in range(len(facts))])]
    return expected, got


@settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    rows=rosters(max_rows=25),
    spec=st.sampled_from(sorted(POLICIES)),
    as_of=st.sampled_from(DAYS),
    start=st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 1)),
)
def test_random_rosters_give_identical_results(
    rows: list[dict[str, FactValue]], spec: str, as_of: dt.date, start: dt.date
) -> None:
    expected, got = both(POLICIES[spec], rows, as_of, start)
    for e, g in zip(expected, got, strict=True):
        assert g == e


@pytest.mark.parametrize("as_of", DAYS)
def test_sample_roster_gives_identical_results(sample_csv: Path, as_of: dt.date) -> None:
    facts = [r.facts for r in read_roster(sample_csv).rows]
    expected, got = both(POLICIES["baseline+e4"], facts, as_of, as_of)
    assert got == expected


@pytest.mark.parametrize(
    ("departed", "start"),
    [
        (dt.date(2017, 1, 1), dt.date(2027, 2, 1)),  # month * 100 overflowed Int8 once
        (dt.date(2016, 12, 31), dt.date(2026, 12, 30)),
        (dt.date(2020, 2, 29), dt.date(2023, 3, 1)),
        (dt.date(2020, 2, 29), dt.date(2023, 2, 28)),
    ],
)
def test_whole_years_since_an_overstay_agree(departed: dt.date, start: dt.date) -> None:
    facts = {"trip_start": start, "trip_end": start, "overstay_departure": departed}
    frame = prepare(facts_frame([facts]).lazy()).collect()
    assert frame["years_since_overstay_departure"][0] == whole_years(departed, start)

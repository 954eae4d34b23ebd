"""The batch (Polars) engine and the per-case interpreter give identical results.

Every field of :class:`~visadesk.engine.result.ScreeningResult` is compared, not
rendered rows: per category the status and every check of the trace (outcome,
facts read, missing facts, activity, provision, superseded), basis, missing
facts, stay coverage, visa in hand, ready_by and the lead-time note; per row the
recommendation, flags, missing facts and derived facts. The compact verdicts
(status codes and bitmasks) are compared too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strategies import examples, rosters
from visadesk.engine import Screener
from visadesk.engine.batch import BatchScreener, prepare
from visadesk.engine.derived import whole_years
from visadesk.engine.frame import facts_frame
from visadesk.policy.load import load_policy
from visadesk.policy.model import Policy
from visadesk.roster import read_roster
from visadesk.roster.schema import FactValue
from visadesk.screening import _case_frame

POLICIES = {spec: load_policy(spec) for spec in ("baseline", "baseline+e4")}
DAYS = (dt.date(2025, 11, 1), dt.date(2025, 12, 4), dt.date(2026, 11, 27))


def assert_identical(
    policy: Policy, facts: Sequence[Mapping[str, FactValue]], as_of: dt.date, start: dt.date
) -> None:
    """Both engines give equal results, and equal compact verdicts."""
    screener = Screener(policy, as_of=as_of, start_date=start)
    rows = [i + 2 for i in range(len(facts))]
    expected = [screener.screen(f, row=row) for f, row in zip(facts, rows, strict=True)]
    batch = BatchScreener(policy, as_of=as_of, start_date=start)
    screened = (
        batch.screen(prepare(facts_frame(facts).lazy())).select(batch.result_columns()).collect()
    )
    got = list(batch.results(screened, facts, rows))
    assert len(got) == len(expected)
    for e, g in zip(expected, got, strict=True):
        for cid, verdict in e.verdicts.items():
            # Field by field first, for a readable failure; then the whole result.
            assert g.verdicts[cid].checks == verdict.checks, cid
            assert g.verdicts[cid].lead_time_note == verdict.lead_time_note, cid
            assert g.verdicts[cid] == verdict, cid
        assert g == e
    compact = screened.select(batch.output_columns())
    case = _case_frame(expected, batch.legend).select(compact.columns)
    assert compact.equals(case)


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
    assert_identical(POLICIES[spec], rows, as_of, start)


@pytest.mark.parametrize("as_of", DAYS)
def test_sample_roster_gives_identical_results(sample_csv: Path, as_of: dt.date) -> None:
    facts = [r.facts for r in read_roster(sample_csv).rows]
    assert_identical(POLICIES["baseline+e4"], facts, as_of, as_of)


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

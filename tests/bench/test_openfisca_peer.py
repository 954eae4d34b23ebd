"""The OpenFisca peer (bench/openfisca_peer) agrees with visadesk's per-case engine.

For every row and every category, the peer's status equals ``Screener.screen``'s,
on the bundled sample roster and on a few hundred seeded random rows, on dates
either side of the rule changes the parameters and dated formulas encode.
Skipped where the ``bench`` dependency group (openfisca-core, pandas) is absent.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

pytest.importorskip("openfisca_core")
pytest.importorskip("pandas")

from bench.openfisca_peer.model import CATEGORY_VARIABLES
from bench.openfisca_peer.run import PHASES, main, run_peer, system

from visadesk.engine import Screener
from visadesk.policy.model import Policy
from visadesk.roster import read_roster, write_roster
from visadesk.roster.schema import ACTIVITY_CODES, DEGREES, PAID_BY, ROLES, FactValue

#: Before the 2023 VWP additions; Qatar listed, Romania listed (2025-01-09 to 2025-03-24);
#: before and after the specialized trainer (2025-12-04).
DATES = (
    dt.date(2023, 1, 1),
    dt.date(2024, 12, 15),
    dt.date(2025, 2, 1),
    dt.date(2025, 11, 1),
    dt.date(2026, 1, 1),
    dt.date(2026, 11, 27),
)


def _disagreements(path: Path, policy: Policy, as_of: dt.date) -> list[str]:
    roster = read_roster(path)
    peer = run_peer(path, as_of)
    assert peer.count == len(roster.rows)
    screener = Screener(policy, as_of=as_of)
    found: list[str] = []
    for index, row in enumerate(roster.rows):
        assert peer.worker_ids[index] == row.facts["worker_id"]
        result = screener.screen(row.facts)
        assert set(result.verdicts) == set(CATEGORY_VARIABLES)
        for category, verdict in result.verdicts.items():
            theirs = str(peer.statuses[category][index])
            if theirs != verdict.status.value:
                found.append(
                    f"{as_of} row {row.row} {row.facts['worker_id']} {category}: "
                    f"visadesk {verdict.status.value}, peer {theirs}"
                )
    return found


# -- random rows -------------------------------------------------------------------
NATIONALITIES = ("KR", "KR", "KR", "KR", "JP", "DE", "NO", "HR", "PL", "QA", "RO", "VN", "PH", None)
EMPLOYER_NATIONALITIES = ("KR", "KR", "KR", "JP", "DE", None)
TRIP_LENGTHS = (0, 4, 13, 29, 88, 89, 90, 91, 179, 180, 364, 365, 366, 800)


def _maybe_bool(rng: random.Random, p_true: float, p_blank: float = 0.2) -> bool | None:
    draw = rng.random()
    if draw < p_blank:
        return None
    return draw < p_blank + (1 - p_blank) * p_true


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (28 February for a 29th that did not exist)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _random_row(rng: random.Random, index: int) -> dict[str, FactValue]:
    start = dt.date(2024, 6, 1) + dt.timedelta(days=rng.randrange(1200))
    length = rng.choice(TRIP_LENGTHS) if rng.random() < 0.5 else rng.randrange(120)
    activities = set(
        rng.sample(ACTIVITY_CODES, rng.choice((1, 1, 1, 2, 2, 3)))
        if rng.random() < 0.5
        else rng.sample(ACTIVITY_CODES[:8], rng.choice((1, 2)))  # visitor-friendly plans
    )
    return {
        "worker_id": f"R-{index:04d}",
        "family_name": "KIM",
        "given_name": "MINSU",
        "nationality": rng.choice(NATIONALITIES),
        "employer": "Hanbit Energy Solutions",
        "employer_nationality": rng.choice(EMPLOYER_NATIONALITIES),
        "trip_start": start,
        "trip_end": start + dt.timedelta(days=length),
        "activities": tuple(a for a in ACTIVITY_CODES if a in activities),
        "role": rng.choice(ROLES),
        "paid_by": rng.choice((*PAID_BY, "home_employer", "home_employer")),
        "degree": rng.choice((*DEGREES, None)),
        "specialized_knowledge": _maybe_bool(rng, 0.7),
        "essential_skills": _maybe_bool(rng, 0.5),
        "equipment_from_abroad": _maybe_bool(rng, 0.7),
        "contract_requires_service": _maybe_bool(rng, 0.5),
        "us_entity_treaty_ownership_pct": rng.choice((0.0, 49.9, 50.0, 100.0, 100.0, None)),
        "us_entity_e2_registered": _maybe_bool(rng, 0.7),
        "us_entity_affiliated": _maybe_bool(rng, 0.7),
        "months_with_employer_last_3y": rng.choice((None, 0, 11, 12, 13, 36, rng.randrange(37))),
        "prior_esta_denial": _maybe_bool(rng, 0.05, 0.1),
        "prior_overstay": _maybe_bool(rng, 0.3, 0.1),
        "visited_restricted_country": _maybe_bool(rng, 0.05, 0.1),
        "temporary_need": _maybe_bool(rng, 0.5),
        # Issue #11: the facts the second reading of the law asks for.
        "qualifying_job_abroad": _maybe_bool(rng, 0.7),
        "primarily_managerial": _maybe_bool(rng, 0.6),
        "employer_is_seller": _maybe_bool(rng, 0.7),
        "e_passport": _maybe_bool(rng, 0.7, 0.4),
        "return_ticket": _maybe_bool(rng, 0.7, 0.4),
        "vwp_duty_exception": _maybe_bool(rng, 0.2, 0.6),
        "other_nationalities": rng.choice((None, None, None, None, "JP", "IR", "CU;US", "SY")),
        "unlawful_presence_days": rng.choice((None, 0, 179, 180, 181, 364, 365, 366, 900)),
        "overstay_departure": rng.choice(
            (
                None,
                start - dt.timedelta(days=rng.randrange(4800)),
                _years_before(start, rng.choice((3, 10)))
                + dt.timedelta(days=rng.choice((-1, 0, 1))),
                dt.date(2016, 2, 29),
            )
        ),
    }


@pytest.fixture(scope="module")
def random_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(20261127)  # noqa: S311 - seeded test data, not secrets
    path = tmp_path_factory.mktemp("peer") / "random.csv"
    write_roster([_random_row(rng, i) for i in range(400)], path)
    return path


# -- tests -------------------------------------------------------------------------
@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_sample_roster_agrees(sample_csv: Path, baseline: Policy, as_of: dt.date) -> None:
    assert _disagreements(sample_csv, baseline, as_of) == []


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_random_rows_agree(random_csv: Path, baseline: Policy, as_of: dt.date) -> None:
    assert _disagreements(random_csv, baseline, as_of) == []


def test_random_rows_reach_every_status(random_csv: Path) -> None:
    """The random rows are no trivial agreement: each category gets every status."""
    seen: dict[str, set[str]] = {c: set() for c in CATEGORY_VARIABLES}
    for as_of in DATES:
        for category, statuses in run_peer(random_csv, as_of).statuses.items():
            seen[category] |= set(statuses.tolist())
    assert all(s == {"eligible", "ineligible", "needs_info"} for s in seen.values()), seen


def test_dates_change_verdicts(random_csv: Path) -> None:
    """The specialized trainer (from 2025-12-04) and the 2023 VWP countries take effect."""
    before = run_peer(random_csv, dt.date(2025, 11, 1)).statuses
    after = run_peer(random_csv, dt.date(2026, 1, 1)).statuses
    assert (before["B1"] != after["B1"]).any()
    old = run_peer(random_csv, dt.date(2023, 1, 1)).statuses
    assert (old["VWP"] != before["VWP"]).any()


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_parameters_match_the_rule_files(baseline: Policy, as_of: dt.date) -> None:
    ours = system().get_parameters_at_instant(as_of.isoformat())
    pairs = {
        "vwp_countries": ours.vwp.countries,
        "vwp_max_stay_days": ours.vwp.max_stay_days,
        "b1_max_admission_days": ours.b1.max_admission_days,
        "e2_treaty_countries": ours.e2.treaty_countries,
        "e2_min_treaty_ownership_pct": ours.e2.min_treaty_ownership_pct,
        "l1_min_months": ours.l1.min_months,
        "h1b_degrees": ours.h1b.degrees,
        "h2b_countries": ours.h2b.countries,
        "vwp_barred_dual_nationalities": ours.vwp.barred_dual_nationalities,
        "unlawful_presence_bar_min_days": ours.unlawful_presence.bar_min_days,
        "unlawful_presence_10y_min_days": ours.unlawful_presence.ten_year_min_days,
        "unlawful_presence_3y_bar_years": ours.unlawful_presence.three_year_bar_years,
        "unlawful_presence_10y_bar_years": ours.unlawful_presence.ten_year_bar_years,
    }
    for name, value in pairs.items():
        expected = baseline.param(name, as_of)
        got = tuple(value) if isinstance(value, list) else value
        assert got == expected, name


@pytest.mark.xfail(
    reason="OpenFisca float variables are float32: 49.9999999 % is stored as 50.0",
    strict=True,
)
def test_ownership_just_below_threshold(tmp_path: Path, baseline: Policy) -> None:
    rng = random.Random(1)  # noqa: S311 - seeded test data, not secrets
    row = _random_row(rng, 0) | {
        "nationality": "KR",
        "employer_nationality": "KR",
        "us_entity_treaty_ownership_pct": 49.9999999,
        "us_entity_e2_registered": True,
        "us_entity_affiliated": True,
        "role": "manager",
    }
    path = tmp_path / "edge.csv"
    write_roster([row], path)
    assert _disagreements(path, baseline, dt.date(2026, 11, 27)) == []


def test_cli_prints_timings_and_counts(
    sample_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main([str(sample_csv), "--as-of", "2026-11-27"])
    out = capsys.readouterr().out
    assert "75 trips as of 2026-11-27" in out
    for word in (*PHASES, *CATEGORY_VARIABLES):
        assert word in out

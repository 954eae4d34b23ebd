"""The interpreter's mechanics: combining rules, alternatives, dates, recommendation.

The law itself is tested case by case in tests/cases/ (see test_rule_cases.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest

from tests.conftest import FactsFactory
from visadesk.engine import (
    IncompleteTripError,
    RulesNotInForceError,
    Screener,
    ScreeningResult,
    Status,
    derive_facts,
)
from visadesk.engine.result import Outcome
from visadesk.policy.model import Policy
from visadesk.roster.schema import FactValue

AS_OF = dt.date(2026, 1, 5)


def screen(
    policy: Policy,
    facts: Mapping[str, FactValue],
    as_of: dt.date = AS_OF,
    start: dt.date | None = None,
) -> ScreeningResult:
    return Screener(policy, as_of=as_of, start_date=start).screen(facts)


def test_trip_days_counts_first_and_last_day(facts: FactsFactory) -> None:
    derived = derive_facts(
        facts(trip_start=dt.date(2026, 3, 1), trip_end=dt.date(2026, 3, 1), holds_visa=" b1/b2 ")
    )
    assert derived["trip_days"] == 1
    assert derived["holds_visa"] == "B1/B2"


def test_alternative_provision_is_kept_in_the_trace_but_does_not_decide(
    baseline: Policy, facts: FactsFactory
) -> None:
    """A trainer without a contract clause: (E)(1) fails, (E)(2) holds, the verdict cites (E)(2)."""
    result = screen(
        baseline, facts(activities=("train_us_workers",), contract_requires_service=False)
    )
    b1 = result.verdicts["B1"]
    assert b1.status is Status.ELIGIBLE
    assert b1.basis == ("B1.specialized_trainer",)
    superseded = {c.rule for c in b1.checks if c.superseded}
    assert "B1.ciw.contract_requires_service" in superseded
    assert "B1.ciw.contract_requires_service" not in {c.rule for c in b1.deciding()}


def test_unknown_alternative_gives_needs_info_with_only_its_missing_facts(
    baseline: Policy, facts: FactsFactory
) -> None:
    """Before 4 Dec 2025 only (E)(1) exists: a blank clause leaves B-1 open, asking for it."""
    result = screen(
        baseline,
        facts(activities=("train_us_workers",), contract_requires_service=None),
        as_of=dt.date(2025, 11, 1),
    )
    b1 = result.verdicts["B1"]
    assert b1.status is Status.NEEDS_INFO
    assert b1.missing == ("contract_requires_service",)
    assert [c.rule for c in b1.deciding()] == [
        "B1.commercial_industrial_worker",
        "B1.ciw.contract_requires_service",
    ]


def test_ineligible_categories_list_no_missing_facts(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(
        baseline, facts(activities=("construction_work",), contract_requires_service=None)
    )
    assert result.verdicts["B1"].status is Status.INELIGIBLE
    assert result.verdicts["B1"].missing == ()
    assert result.verdicts["B1"].ready_by is None


def test_row_missing_is_the_union_of_open_categories(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(
        baseline,
        facts(
            role="manager",
            paid_by="us_entity",
            us_entity_treaty_ownership_pct=None,
            temporary_need=None,
        ),
    )
    assert result.verdicts["E2"].missing == ("us_entity_treaty_ownership_pct",)
    assert result.verdicts["H2B"].missing == ("temporary_need",)
    assert set(result.missing) == {"us_entity_treaty_ownership_pct", "temporary_need"}


def test_ready_by_counts_business_days_from_the_start_date(
    baseline: Policy, facts: FactsFactory
) -> None:
    start = dt.date(2026, 1, 5)  # Monday
    result = screen(baseline, facts(), start=start)
    # B-1: 10 business days of interview wait + 5 of issuance, no holidays in between except
    # Martin Luther King Day (Mon 19 Jan 2026): 15 business days from 5 Jan -> Tue 27 Jan.
    assert result.verdicts["B1"].ready_by == dt.date(2026, 1, 27)
    # ESTA: three calendar days.
    assert result.verdicts["VWP"].ready_by == dt.date(2026, 1, 8)
    assert result.recommended == "VWP"


def test_held_valid_visa_counts_as_in_hand(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(
        baseline,
        facts(
            nationality="VN",
            employer_nationality="KR",
            holds_visa="B1/B2",
            visa_expiry=dt.date(2030, 1, 1),
        ),
    )
    assert result.verdicts["VWP"].status is Status.INELIGIBLE
    assert result.verdicts["B1"].in_hand is True
    assert result.verdicts["B1"].ready_by == AS_OF
    assert result.recommended == "B1"


def test_visa_expired_before_the_trip_is_not_in_hand(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(baseline, facts(holds_visa="B1/B2", visa_expiry=dt.date(2026, 3, 1)))
    assert result.verdicts["B1"].in_hand is False


def test_blanket_l_takes_the_consular_path(baseline: Policy, facts: FactsFactory) -> None:
    with_blanket = screen(baseline, facts(role="manager", blanket_l=True)).verdicts["L1A"]
    without = screen(baseline, facts(role="manager", blanket_l=False)).verdicts["L1A"]
    assert with_blanket.ready_by is not None and without.ready_by is not None
    assert without.ready_by > with_blanket.ready_by


def test_h1b_waits_for_the_cap_start(baseline: Policy, facts: FactsFactory) -> None:
    f = facts(activities=("professional_work",), paid_by="us_entity")
    assert screen(baseline, f, start=dt.date(2026, 1, 5)).verdicts["H1B"].ready_by == dt.date(
        2026, 10, 1
    )
    assert screen(baseline, f, start=dt.date(2026, 4, 1)).verdicts["H1B"].ready_by == dt.date(
        2027, 10, 1
    )


def test_stay_not_covered_is_never_recommended(baseline: Policy, facts: FactsFactory) -> None:
    """A 400-day trip: B-1 is eligible but one admission (a year) does not cover it (extensions
    are discretionary, issue #11); E-2 covers it (extensions without limit)."""
    result = screen(baseline, facts(trip_end=dt.date(2027, 4, 5), role="manager"))
    assert result.verdicts["B1"].status is Status.ELIGIBLE
    assert result.verdicts["B1"].stay_covers is False
    assert "stay_exceeds_b1_admission" in {f.code for f in result.flags}
    assert result.verdicts["L1A"].stay_covers is True
    assert result.recommended in {"E2", "L1A"}


def test_nothing_eligible_recommends_nothing(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(
        baseline,
        facts(
            activities=("production_work",),
            nationality="VN",
            us_entity_affiliated=False,
            temporary_need=False,
        ),
    )
    assert all(v.status is not Status.ELIGIBLE for v in result.verdicts.values())
    assert result.recommended is None and result.ready_by is None and result.ready_in_time is None


def test_each_check_records_the_facts_it_read(baseline: Policy, facts: FactsFactory) -> None:
    result = screen(baseline, facts(trip_end=dt.date(2026, 6, 30)))
    check = next(c for c in result.verdicts["VWP"].checks if c.rule == "VWP.stay_limit")
    assert check.outcome is Outcome.FAIL
    assert check.facts == (("trip_days", 121),)


def test_proposed_category_only_with_the_layer(
    baseline: Policy, with_e4: Policy, facts: FactsFactory
) -> None:
    f = facts(activities=("professional_work",), paid_by="us_entity")
    assert "E4" not in screen(baseline, f).verdicts
    assert screen(with_e4, f).verdicts["E4"].status is Status.ELIGIBLE


def test_a_trip_without_required_facts_is_refused(baseline: Policy, facts: FactsFactory) -> None:
    """Roster validation requires these; the engine refuses rather than guess."""
    with pytest.raises(IncompleteTripError) as info:
        screen(baseline, facts(activities=None, trip_end=None))
    assert info.value.missing == ("trip_end", "activities")


def test_a_date_the_rules_do_not_cover_is_refused(baseline: Policy) -> None:
    """Korea joined the Visa Waiver Program on 17 Nov 2008; the list starts that day."""
    with pytest.raises(RulesNotInForceError) as info:
        Screener(baseline, as_of=dt.date(2008, 11, 16))
    assert info.value.parameter in {
        "vwp_countries",
        "vwp_max_stay_days",
        "vwp_barred_dual_nationalities",
    }
    assert info.value.first == dt.date(2008, 11, 17)
    Screener(baseline, as_of=dt.date(2008, 11, 17))

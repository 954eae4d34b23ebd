"""Hypothesis strategies for roster rows: valid, sometimes blank, edge dates, every activity;
the example count of a property test under the loaded profile."""

from __future__ import annotations

import datetime as dt

from hypothesis import settings
from hypothesis import strategies as st

from visadesk.roster.schema import (
    ACTIVITY_CODES,
    DEGREES,
    H1B_PETITION_KINDS,
    PAID_BY,
    ROLES,
    SECTORS,
    FactValue,
)

COUNTRIES = ("KR", "VN", "PH", "IN", "JP", "DE", "NO", "UZ")
VISAS = ("B1/B2", "E2", "L1", "H1B", "H2B")


def examples(full: int) -> int:
    """A property test's example count: ``full``, capped by the loaded Hypothesis
    profile's ``max_examples`` (100 under ``full``, 10 under ``fast``: tests/conftest.py)."""
    loaded = settings.default
    assert loaded is not None, "tests/conftest.py loads a profile"
    return min(full, loaded.max_examples)


def maybe(strategy: st.SearchStrategy[FactValue]) -> st.SearchStrategy[FactValue]:
    return st.one_of(st.none(), strategy)


yes_no = maybe(st.booleans())
dates = st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2028, 12, 31))
activities = st.lists(st.sampled_from(ACTIVITY_CODES), min_size=1, max_size=4, unique=True).map(
    lambda xs: tuple(a for a in ACTIVITY_CODES if a in xs)
)


@st.composite
def roster_row(draw: st.DrawFn, index: int = 0) -> dict[str, FactValue]:
    start = draw(dates)
    length = draw(
        st.one_of(
            st.integers(0, 120), st.sampled_from([89, 90, 91, 179, 180, 181, 364, 365, 366, 800])
        )
    )
    employer = draw(st.sampled_from(["Hanbit Energy", "Daeseong Machinery", "세진 플랜트"]))
    return {
        "worker_id": f"W-{index:05d}",
        "family_name": draw(st.sampled_from(["KIM", "LEE", "NGUYEN", "O'BRIEN"])),
        "given_name": draw(st.sampled_from(["MINSU", "JI-HO", "AN"])),
        "name_ko": draw(maybe(st.sampled_from(["김민수", "이지호"]))),
        "birth_date": draw(maybe(st.dates(dt.date(1955, 1, 1), dt.date(2004, 12, 31)))),
        "passport_number": draw(maybe(st.sampled_from(["M12345678", "M87654321"]))),
        "nationality": draw(maybe(st.sampled_from(COUNTRIES))),
        "employer": employer,
        "employer_nationality": draw(maybe(st.sampled_from(COUNTRIES))),
        "sponsor": draw(st.sampled_from(["Hanbit Energy", employer])),
        "project": "GA Cell Plant",
        "site_state": draw(maybe(st.sampled_from(["GA", "TX", "PA"]))),
        "worksite": draw(maybe(st.just("Bryan County, GA"))),
        "sector": draw(maybe(st.sampled_from(SECTORS))),
        "trip_start": start,
        "trip_end": start + dt.timedelta(days=length),
        "activities": draw(activities),
        "role": draw(st.sampled_from(ROLES)),
        "paid_by": draw(st.sampled_from(PAID_BY)),
        "degree": draw(maybe(st.sampled_from(DEGREES))),
        "specialized_knowledge": draw(yes_no),
        "essential_skills": draw(yes_no),
        "equipment_from_abroad": draw(yes_no),
        "contract_requires_service": draw(yes_no),
        "us_entity": draw(maybe(st.just("Hanbit Battery Georgia LLC"))),
        "us_entity_treaty_ownership_pct": draw(maybe(st.sampled_from([0.0, 49.9, 50.0, 100.0]))),
        "us_entity_e2_registered": draw(yes_no),
        "us_entity_affiliated": draw(yes_no),
        "blanket_l": draw(yes_no),
        "months_with_employer_last_3y": draw(maybe(st.integers(0, 36))),
        "prior_visa_refusal": draw(yes_no),
        "prior_esta_denial": draw(yes_no),
        "prior_overstay": draw(yes_no),
        "visited_restricted_country": draw(yes_no),
        "temporary_need": draw(yes_no),
        "holds_visa": draw(maybe(st.sampled_from(VISAS))),
        "visa_expiry": draw(maybe(dates)),
        "days_in_us_last_365": draw(maybe(st.integers(0, 365))),
        # law2 (issue #11)
        "qualifying_job_abroad": draw(yes_no),
        "primarily_managerial": draw(yes_no),
        "us_entity_new_office": draw(yes_no),
        "h1b_cap_exempt": draw(yes_no),
        "h1b_petition_kind": draw(maybe(st.sampled_from(H1B_PETITION_KINDS))),
        # Issue #11 (law1): overstay facts, around the 180-day and 1-year edges.
        "overstay_on_held_visa": draw(yes_no),
        "unlawful_presence_days": draw(maybe(st.sampled_from([0, 180, 181, 364, 365, 900]))),
        "overstay_departure": draw(maybe(st.dates(dt.date(2012, 1, 1), dt.date(2028, 12, 31)))),
        # Issue #11 (law3): other nationalities (canonical: sorted codes joined by ";").
        "other_nationalities": draw(maybe(st.sampled_from(["IR", "JP", "CU;KR", "IQ;SY", "US"]))),
        "vwp_duty_exception": draw(yes_no),
        "esta_approved_until": draw(maybe(dates)),
        "e_passport": draw(yes_no),
        "return_ticket": draw(yes_no),
        "employer_is_seller": draw(yes_no),
        "project_end": draw(maybe(dates)),
    }


@st.composite
def rosters(draw: st.DrawFn, max_rows: int = 6) -> list[dict[str, FactValue]]:
    count = draw(st.integers(1, max_rows))
    return [draw(roster_row(i)) for i in range(count)]

"""Shared fixtures and settings: the tiers' markers, Hypothesis profiles, cheap password
hashing, the bundled rule sets, a base trip, the sample roster."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Final

import pytest
from argon2 import PasswordHasher, profiles
from hypothesis import settings

from visadesk.desk import accounts
from visadesk.policy.load import load_policy
from visadesk.policy.model import Policy
from visadesk.roster.schema import COLUMNS, FactValue

#: The desk fixtures (database per backend, desk, client, world) for every directory.
pytest_plugins = ("tests.desk.fixtures",)

FactsFactory = Callable[..., dict[str, FactValue]]

#: Test files that are slow by nature: a killed server, fuzzing, load bursts, benchmarks.
SLOW_FILES: Final = (
    "tests/desk/test_crash.py",
    "tests/desk/test_schemathesis.py",
    "tests/desk/test_burst.py",
    "tests/bench/",
)


#: Hypothesis profiles: ``full`` (``make test``: each property test's own example count)
#: and ``fast`` (``make test-fast``: at most 10 examples each, no deadline, as the tier
#: runs on every core at once). Chosen by ``HYPOTHESIS_PROFILE``; property tests ask
#: :func:`tests.strategies.examples` for their count so that the cap applies to them.
settings.register_profile("full")
settings.register_profile("fast", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with its tier, from what it uses, so that new tests need no marker.

    ``postgres``: a desk fixture parametrized onto PostgreSQL; ``browser``: the
    Playwright browser fixture; ``slow``: a file in :data:`SLOW_FILES` or a test
    marked so by hand. ``make test-fast`` runs ``-m "not postgres and not browser
    and not slow"``.
    """
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        path = item.nodeid.split("::", 1)[0]
        if any(path.startswith(prefix) for prefix in SLOW_FILES):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at its cheapest parameters for the tests' many hashes and logins.

    Production keeps its strong defaults (``tests/desk/test_auth.py`` proves them);
    a hash records its own parameters, so a slow hash made on purpose still verifies.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_HASHER", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture(scope="session")
def baseline() -> Policy:
    return load_policy("baseline")


@pytest.fixture(scope="session")
def with_e4() -> Policy:
    return load_policy("baseline+e4")


def base_facts(**overrides: FactValue) -> dict[str, FactValue]:
    """A clean, fully known Korean business visitor on a two-week trip."""
    facts: dict[str, FactValue] = {c.name: None for c in COLUMNS}
    facts.update(
        worker_id="T-0001",
        family_name="KIM",
        given_name="MINSU",
        nationality="KR",
        employer="Hanbit Energy Solutions",
        employer_nationality="KR",
        sponsor="Hanbit Energy Solutions",
        project="Hanbit GA Cell Plant",
        worksite="Bryan County, GA",
        trip_start=dt.date(2026, 3, 2),
        trip_end=dt.date(2026, 3, 15),
        activities=("meetings",),
        role="specialist",
        paid_by="home_employer",
        degree="bachelor",
        specialized_knowledge=True,
        essential_skills=False,
        equipment_from_abroad=True,
        contract_requires_service=True,
        us_entity_treaty_ownership_pct=100.0,
        us_entity_e2_registered=True,
        us_entity_affiliated=True,
        blanket_l=True,
        months_with_employer_last_3y=36,
        prior_visa_refusal=False,
        prior_esta_denial=False,
        prior_overstay=False,
        visited_restricted_country=False,
        temporary_need=False,
        days_in_us_last_365=0,
        # law2 (issue #11): L-1 and H-1B facts
        qualifying_job_abroad=True,
        primarily_managerial=True,
        us_entity_new_office=False,
        h1b_cap_exempt=False,
        h1b_petition_kind="new",
        # law3 (issue #11): installers work for the seller
        employer_is_seller=True,
    )
    facts.update(overrides)
    return facts


@pytest.fixture
def facts() -> FactsFactory:
    return base_facts


@pytest.fixture(scope="session")
def sample_csv() -> Path:
    return Path(str(resources.files("visadesk") / "data" / "sample" / "roster.csv"))


@pytest.fixture(scope="session")
def sample_xlsx() -> Path:
    return Path(str(resources.files("visadesk") / "data" / "sample" / "roster.xlsx"))

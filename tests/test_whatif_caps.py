"""Issue #11 caps in `visadesk whatif`: H-2B per fiscal half with supplemental visas, and
H-1B cap-exempt employers not counted against the cap. Both engines must agree."""

from __future__ import annotations

import datetime as dt
import shutil
from importlib import resources
from pathlib import Path

import pytest

from tests.conftest import base_facts
from visadesk.policy.load import load_policy
from visadesk.roster import write_roster
from visadesk.screening import Engine
from visadesk.whatif import what_if

AS_OF = dt.date(2026, 11, 27)


def rule_set(tmp_path: Path, *edits: tuple[str, str]) -> str:
    """A copy of the baseline with ``edits`` (old, new) applied to parameters.yaml."""
    folder = tmp_path / "rules"
    shutil.copytree(str(resources.files("visadesk") / "rules" / "baseline"), folder)
    params = folder / "parameters.yaml"
    text = params.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    params.write_text(text, encoding="utf-8")
    return str(folder)


def roster(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "roster.csv"
    write_roster(
        [base_facts(worker_id=f"W-{i}", **row) for i, row in enumerate(rows)],  # type: ignore[arg-type]
        path,
    )
    return path


def h2b_row(start: str) -> dict[str, object]:
    day = dt.date.fromisoformat(start)
    return {
        "trip_start": day,
        "trip_end": day + dt.timedelta(days=200),
        "activities": ("construction_work",),
        "temporary_need": True,
        "paid_by": "us_entity",
    }


@pytest.mark.parametrize("engine", ["case", "batch"])
def test_h2b_cap_per_fiscal_half_adds_the_supplemental_numbers(
    tmp_path: Path, engine: Engine
) -> None:
    rules = rule_set(
        tmp_path,
        ("        value: 33000\n", "        value: 2\n"),
        ("        value: {}\n", '        value: {"FY2027 H1": 1}\n'),
    )
    first_half = ["2026-12-01", "2027-01-04", "2027-02-01", "2027-03-01"]
    second_half = ["2027-04-05", "2027-05-03", "2027-06-01"]
    path = roster(tmp_path, [h2b_row(d) for d in first_half + second_half])
    policy = load_policy(rules)
    result = what_if(path, policy, policy, as_of=AS_OF, engine=engine)
    uses = {u.period: u for u in result.caps if u.category == "H2B" and u.demand == "eligible"}
    h1, h2 = uses["FY2027 H1"], uses["FY2027 H2"]
    # 2 a half year, plus 1 supplemental in FY2027 H1 only.
    assert (h1.cap, h1.used, h1.exhausted_on, h1.first_over_cap) == (
        3,
        3,
        dt.date(2027, 2, 1),
        "W-3",
    )
    assert (h2.cap, h2.used, h2.exhausted_on, h2.first_over_cap) == (
        2,
        2,
        dt.date(2027, 5, 3),
        "W-6",
    )


@pytest.mark.parametrize("engine", ["case", "batch"])
def test_h1b_cap_exempt_employers_are_not_counted(tmp_path: Path, engine: Engine) -> None:
    rules = rule_set(tmp_path, ("        value: 85000\n", "        value: 1\n"))
    pro = {
        "activities": ("professional_work",),
        "paid_by": "mixed",
        "degree": "master",
        "us_entity_affiliated": False,
    }
    starts = ["2026-12-01", "2027-01-04", "2027-02-01"]
    rows = [
        {**pro, "trip_start": dt.date.fromisoformat(d), "trip_end": dt.date.fromisoformat(d)}
        for d in starts
    ]
    rows[0]["h1b_cap_exempt"] = True  # a university: outside the cap
    rows[1]["h1b_cap_exempt"] = None  # not known: counted, as before the fact existed
    path = roster(tmp_path, rows)
    policy = load_policy(rules)
    result = what_if(path, policy, policy, as_of=AS_OF, engine=engine)
    fy27 = next(
        u for u in result.caps if (u.category, u.demand, u.period) == ("H1B", "eligible", "FY2027")
    )
    assert result.statuses["H1B"]["eligible"] == (3, 3)
    assert (fy27.cap, fy27.used, fy27.exhausted_on, fy27.first_over_cap) == (
        1,
        1,
        dt.date(2027, 1, 4),
        "W-2",
    )

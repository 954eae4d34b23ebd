"""report/verdicts.py: notes for counsel kept apart, missing facts as questions, and which
questions a trip is asked (issue #12, sections 3 and 4)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.conftest import base_facts
from visadesk.engine import Screener
from visadesk.i18n import catalog
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.report.verdicts import (
    ANSWERABLE,
    asked_facts,
    checklist_for_reader,
    counsel_notes,
    for_reader,
    open_questions,
    question,
)
from visadesk.roster.schema import COLUMN_BY_NAME, ColumnType

AS_OF = dt.date(2026, 1, 5)


def _row(policy: Policy, **facts: Any) -> dict[str, Any]:
    result = Screener(policy, as_of=AS_OF).screen(base_facts(**facts))
    return ResultRenderer(policy, AS_OF).row(result)


def test_notes_for_counsel_leave_the_readers_copy_and_stay_apart(baseline: Policy) -> None:
    row = _row(baseline)
    notes = counsel_notes(row)
    assert notes, "the baseline's reasons carry verify notes"
    assert len({n.rule for n in notes}) == len(notes)
    assert all(n.note and n.citation for n in notes)
    reader = for_reader(row, counsel=False)
    assert "'verify'" not in repr(reader) and counsel_notes(reader) == []
    assert counsel_notes(row) == notes, "the stored row is not changed"
    assert for_reader(row, counsel=True) == row


def test_a_checklist_keeps_its_desk_procedure_for_the_desk_only() -> None:
    items = [{"id": "passport", "verify": "Passport validity rules are not encoded"}]
    assert checklist_for_reader(items, counsel=False)[0]["verify"] is None
    assert checklist_for_reader(items, counsel=True) == items


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_answerable_fact_is_a_question_with_the_contracts_answers(lang: str) -> None:
    hangul = re.compile(r"[가-힣]")
    for fact in ANSWERABLE:
        q = question(fact, lang)
        assert f"verdicts.question.{fact}" in catalog(lang)
        assert q.text.endswith("?") and ("_" not in fact or fact not in q.text)
        assert (hangul.search(q.text) is not None) == (lang == "ko")
        column = COLUMN_BY_NAME[fact]
        if column.type is ColumnType.ENUM:
            assert [code for code, _ in q.choices] == list(column.choices)
            assert all(label != code for code, label in q.choices)
        elif column.type is ColumnType.BOOL:
            assert [code for code, _ in q.choices] == ["yes", "no"]
        else:
            assert q.choices == ()


def test_a_status_the_activities_rule_out_asks_nothing(baseline: Policy) -> None:
    """Construction work: H-1B does not allow it, so its degree question is not asked;
    H-2B does, so it asks whether the need is temporary."""
    row = _row(
        baseline,
        activities=("construction_work",),
        role="laborer",
        paid_by="us_entity",
        degree=None,
        temporary_need=None,
        specialized_knowledge=False,
        qualifying_job_abroad=False,
        primarily_managerial=False,
    )
    statuses = {cid: v["status"] for cid, v in row["categories"].items()}
    assert statuses["H1B"] == "ineligible" and statuses["H2B"] == "needs_info"
    assert row["recommended"] is None
    assert asked_facts(row) == {"temporary_need": ["H2B"]}
    [asked] = open_questions(row, "ko", lambda cid: cid)
    assert asked.fact == "temporary_need" and asked.categories == ("H2B",)


def test_a_recommended_trip_is_asked_nothing_up_front(baseline: Policy) -> None:
    """A visitor paid from Korea: H-2B is ruled out by who pays, not asked about; and with a
    status recommended the other statuses' missing facts wait with them."""
    row = _row(baseline, temporary_need=None, specialized_knowledge=None)
    assert row["recommended"] is not None
    assert row["categories"]["H2B"]["status"] == "ineligible"
    assert "temporary_need" not in str(row["categories"]["H2B"])
    assert asked_facts(row) == {}


def test_a_flags_note_for_counsel_comes_from_its_rule(baseline: Policy) -> None:
    row = _row(baseline, holds_visa="B1/B2", visa_expiry=dt.date(2026, 3, 10))
    flagged = [f["code"] for f in row["flags"]]
    noted = [c for c in flagged if baseline.rules[c].verify]
    assert noted, flagged
    with_policy = {n.rule for n in counsel_notes(row, baseline)}
    assert set(noted) <= with_policy
    assert not set(noted) & {n.rule for n in counsel_notes(row)}

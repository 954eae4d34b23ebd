"""Answering a trip's missing facts for one person, without uploading the roster again.

:func:`answer_facts` checks each answer as the roster reader checks a cell
(:func:`visadesk.roster.parse.parse_cell`, the column's bounds), every problem at
once; stores the answers in the trip's facts; screens the trip again and records the
screening (:func:`visadesk.desk.screenings.record_screening`), bringing its draft case
up to date as an upload would; and audits which facts were answered (not their values).

Who may answer: whoever may file rosters and sees the trip (the batch's sponsor, or the
subcontractor that filed the person), while the batch is open and the trip's case, if
any, is still a draft: after submission the facts are the desk's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk import audit
from visadesk.desk.authz import Principal, require
from visadesk.desk.errors import DeskError
from visadesk.desk.locking import locked
from visadesk.desk.models import Batch, Case, CaseEvent, Project, Screening, Trip, utcnow
from visadesk.desk.projects import ensure_open
from visadesk.desk.screenings import (
    NO_CASE,
    CaseHome,
    case_of_trip,
    case_row,
    facts_of,
    get_trip,
    record_screening,
    refresh_case,
    search_text,
)
from visadesk.desk.store import json_value
from visadesk.engine import Screener
from visadesk.policy.model import Policy
from visadesk.report.contract import ResultRenderer
from visadesk.report.verdicts import ANSWERABLE
from visadesk.roster.model import Problem, RosterError
from visadesk.roster.parse import CellError, cell_text, parse_cell
from visadesk.roster.schema import COLUMN_BY_NAME, FactValue
from visadesk.safetext import codepoint, control_character, escaped

__all__ = ["ANSWER_STATES", "Answered", "answer_facts", "check_answers"]

#: The case states in which a trip's facts may still change.
ANSWER_STATES: Final = frozenset({"draft"})


@dataclass(frozen=True)
class Answered:
    """What answering changed: the facts answered, the new screening, the draft case."""

    trip: Trip
    facts: tuple[str, ...]
    screening: Screening
    case_id: int | None


def _bounds(name: str, value: FactValue, raw: object) -> Problem | None:
    column = COLUMN_BY_NAME[name]
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    low, high = column.minimum, column.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        params = {
            "minimum": "" if low is None else f"{low:g}",
            "maximum": "" if high is None else f"{high:g}",
        }
        return Problem(code="out_of_range", column=name, value=cell_text(raw), params=params)
    return None


def check_answers(answers: Mapping[str, object]) -> dict[str, FactValue]:
    """The answers as facts, blank ones left out; a :class:`RosterError` naming column,
    value and what was expected for every answer that cannot be read.

    An answer names a column a person may answer (:data:`ANSWERABLE`); anything else is
    refused (``invalid_choice``).
    """
    unknown = sorted(name for name in answers if name not in ANSWERABLE)
    if unknown:
        raise DeskError(
            "invalid_choice",
            422,
            field="facts",
            value=", ".join(unknown)[:200],
            choices=", ".join(ANSWERABLE),
        )
    facts: dict[str, FactValue] = {}
    problems: list[Problem] = []
    for name, raw in answers.items():
        if isinstance(raw, str) and (found := control_character(raw, multiline=False)):
            params = {"char": codepoint(found[1]), "position": str(found[0])}
            problems.append(
                Problem(code="control_character", column=name, value=escaped(raw), params=params)
            )
            continue
        try:
            value = parse_cell(COLUMN_BY_NAME[name], raw)
        except CellError as error:
            for code, params in error.issues:
                problems.append(
                    Problem(code=code, column=name, value=cell_text(raw), params=params)
                )
            continue
        out_of_range = _bounds(name, value, raw)
        if out_of_range is not None:
            problems.append(out_of_range)
        elif value is not None:
            facts[name] = value
    if problems:
        raise RosterError(problems, source="answers")
    return facts


def answer_facts(
    session: Session,
    actor: Principal,
    trip_id: int,
    answers: Mapping[str, object],
    *,
    policy: Policy,
    as_of: dt.date,
) -> Answered:
    """Store one person's answers to missing facts and screen the trip again."""
    trip = get_trip(session, actor, trip_id)
    require(actor, "roster.upload")
    batch = session.scalar(locked(select(Batch).where(Batch.id == trip.batch_id), Batch))
    assert batch is not None  # a trip's batch exists (foreign key)
    ensure_open(batch)
    trip = session.scalar(locked(select(Trip).where(Trip.id == trip.id), Trip)) or trip
    case = case_of_trip(session, trip)
    if case is not None and case.state not in ANSWER_STATES:
        raise DeskError("facts_closed", 409, id=case.id, state=case.state)
    facts = check_answers(answers)
    if not facts:
        raise DeskError("no_answers", 422)
    trip.facts = {**trip.facts, **{name: json_value(v) for name, v in facts.items()}}
    result = Screener(policy, as_of=as_of).screen(facts_of(trip), row=trip.source_row)
    screening = record_screening(session, trip, result, ResultRenderer(policy, as_of, "en"))
    session.flush()
    target = result.recommended if result.recommended not in NO_CASE else None
    home = CaseHome.of(trip, session.get_one(Project, trip.project_id))
    if target is not None:
        row = case_row(trip.id, home, target, result, search=search_text(trip), now=utcnow())
        if case is not None:
            refresh_case(case, row)
        else:
            case = Case(**row)
            session.add(case)
            session.flush()
            session.add(
                CaseEvent(
                    case_id=case.id, from_state=None, to_state="draft", actor_id=actor.user_id
                )
            )
    audit.record(
        session,
        actor,
        "trip.answer_facts",
        "trip",
        trip.id,
        facts=sorted(facts),
        recommended=result.recommended,
    )
    return Answered(trip, tuple(sorted(facts)), screening, case.id if case is not None else None)

"""A person's verdict as the reader may see it.

:func:`verdict_context` is what the screening partial shows (case page, trip page):
what to do next and the recommended status with why first, the missing facts as
questions, the other statuses folded with their reasons and citations, and the notes
for counsel to desk roles only (:mod:`visadesk.report.verdicts` keeps them apart).
Answering the questions is :mod:`visadesk.web.answers`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Final

from sqlalchemy.orm import Session

from visadesk.desk import answers
from visadesk.desk.authz import Principal
from visadesk.desk.models import Case, Trip
from visadesk.desk.projects import get_batch
from visadesk.desk.runtime import Desk
from visadesk.i18n import t
from visadesk.report.verdicts import (
    ANSWERABLE,
    COUNSEL_KEY,
    CounselNote,
    Question,
    asked_facts,
    counsel_notes,
    open_questions,
    question,
)
from visadesk.web import views
from visadesk.web.templating import format_date

__all__ = ["BACK", "VerdictView", "may_answer", "row_questions", "verdict_context"]

#: Where the answer form came from, and so where it returns.
BACK: Final = ("trip", "case")


@dataclass(frozen=True)
class VerdictView:
    """The verdict of one trip for one reader."""

    lead: list[views.CategoryView]
    others: list[views.CategoryView]
    next_steps: list[str]
    questions: list[Question]
    missing: dict[str, list[Question]] = field(default_factory=dict)
    counsel: list[CounselNote] = field(default_factory=list)
    trip_id: int | None = None
    can_answer: bool = False
    closed: bool = False
    back: str = "trip"
    #: Shown inside a row of the batch's table: the questions link to the person's page.
    compact: bool = False


def _for_reader(view: views.CategoryView, lang: str) -> views.CategoryView:
    """A status's reasons without notes for counsel, each missing fact as its question."""
    reasons = []
    for reason in view.reasons:
        shown = {k: v for k, v in reason.items() if k != COUNSEL_KEY}
        shown["asks"] = [
            question(f, lang).text if f in ANSWERABLE else f for f in reason.get("missing", [])
        ]
        reasons.append(shown)
    return replace(view, reasons=reasons)


def _next_steps(
    explained: views.Explanation, ready_in_time: object, trip_start: dt.date, lang: str, label: Any
) -> list[str]:
    """What to do next, first: apply for the recommended status (and whether the visa can
    be in hand in time), or answer the questions, or change the plan."""
    steps: list[str] = []
    recommended = explained.recommended
    if recommended:
        steps.append(t("verdicts.next.recommended", lang, category=label(recommended)))
        if ready_in_time is False:
            steps.append(t("verdicts.next.late", lang, date=format_date(trip_start, lang)))
    elif any(c.status == "needs_info" for c in explained.categories):
        steps.append(t("verdicts.next.answer", lang))
    else:
        steps.append(t("verdicts.next.none", lang))
    return steps


def row_questions(row: views.PersonRow) -> list[str]:
    """The facts a batch's row asks (:func:`visadesk.report.verdicts.asked_facts` over the
    row's statuses): none when a status is recommended."""
    statuses = {
        cid: {"status": "needs_info", "missing": facts} for cid, facts in row.missing.items()
    }
    asked = asked_facts({"recommended": row.recommended, "categories": statuses})
    return [f for f in asked if f in ANSWERABLE]


def may_answer(
    session: Session, user: Principal, trip: Trip, case: Case | None
) -> tuple[bool, bool]:
    """Whether ``user`` may answer the trip's questions now, and whether the facts are closed
    (the batch submitted or the case past its draft)."""
    if user.is_desk or not user.can("roster.upload"):
        return False, False
    batch = get_batch(session, user, trip.batch_id)
    closed = batch.state != "open" or (case is not None and case.state not in answers.ANSWER_STATES)
    return not closed, closed


def verdict_context(
    session: Session,
    desk: Desk,
    user: Principal,
    trip: Trip,
    lang: str,
    *,
    case: Case | None = None,
    first: str | None = None,
    back: str = "trip",
    compact: bool = False,
) -> dict[str, Any]:
    """``explained`` (as :func:`views.explanation`, its reasons without notes for counsel,
    missing facts as questions) and ``verdict`` (:class:`VerdictView`: the notes for
    counsel in ``counsel``, for desk roles only)."""
    policy = desk.policy
    explained = views.explanation(trip.screening, policy, lang, first=first)
    if explained is None or trip.screening is None:
        return {"explained": None, "verdict": None}

    def label(cid: str) -> str:
        return views.category_label(policy, cid, lang)

    # Notes for counsel never sit among the reasons: a desk reader has them apart, under
    # their own label (``counsel``); anyone else never gets them.
    explained = replace(explained, categories=[_for_reader(c, lang) for c in explained.categories])
    row = dict(trip.screening.result)
    lead = [c for c in explained.categories if c.recommended or (first and c.id == first)]
    others = [c for c in explained.categories if c.id not in {x.id for x in lead}]
    can_answer, closed = may_answer(session, user, trip, case)
    missing = {
        c.id: [question(f, lang) for f in c.missing if f in ANSWERABLE]
        for c in explained.categories
        if c.status == "needs_info"
    }
    verdict = VerdictView(
        lead=lead,
        others=others,
        next_steps=_next_steps(explained, row.get("ready_in_time"), trip.trip_start, lang, label),
        questions=[q for q in open_questions(row, lang, label) if q.fact in ANSWERABLE],
        missing=missing,
        counsel=counsel_notes(row, policy) if user.is_desk else [],
        trip_id=trip.id,
        can_answer=can_answer,
        closed=closed,
        back=back if back in BACK else "trip",
        compact=compact,
    )
    return {"explained": explained, "verdict": verdict}

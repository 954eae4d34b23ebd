"""What submitting a batch does to each person, and the sponsor's decisions about it.

Issue #12: a batch of three was submitted with one case and the two amber people
were told they "need no visa". :func:`preview` says, for every person of the
batch, what submitting does, from the person's stored screening and case:

- ``case``: a draft case goes to the desk, for its category;
- ``covered``: no desk case, because the screening's recommended status is one the
  desk does not apply for (ESTA, the Visa Waiver Program) and its verdict is
  eligible with the stay covered -- the only row that may say no visa is applied for;
- ``decide``: no case and none recommended: the person needs information (amber), or
  is eligible for a status that does not cover the trip; the sponsor decides
  (:class:`SubmitChoice`): ``include`` opens a case for the status that needs the
  fewest facts (it goes to the desk needing information), ``hold`` keeps the person
  back (on the batch's list, no case, not sent);
- ``not_filed``: no case and no status fits (red), or not screened: not sent.

:func:`visadesk.desk.transitions.submit_batch` takes the :class:`SubmitChoice`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from visadesk.desk.authz import Principal, scope_trips
from visadesk.desk.errors import DeskError
from visadesk.desk.models import Case, Trip
from visadesk.desk.projects import get_batch
from visadesk.desk.screenings import NO_CASE
from visadesk.i18n import t
from visadesk.policy.model import Policy
from visadesk.roster.schema import COLUMN_BY_NAME

__all__ = [
    "AMBER_CHOICES",
    "AmberChoice",
    "Outcome",
    "PreviewRow",
    "SubmitChoice",
    "SubmitPreview",
    "check_choice",
    "explain",
    "preview",
]

AmberChoice = Literal["include", "hold"]
AMBER_CHOICES: Final[tuple[AmberChoice, ...]] = ("include", "hold")
Outcome = Literal["case", "covered", "decide", "not_filed"]
OUTCOMES: Final[tuple[Outcome, ...]] = ("case", "decide", "covered", "not_filed")


@dataclass(frozen=True)
class PreviewRow:
    """One person: what submitting does (``outcome``) and why (``reason``, a catalog key's
    last part), the category concerned and the facts still missing for it."""

    trip_id: int
    worker_id: str
    name: str
    name_ko: str | None
    light: str
    outcome: Outcome
    reason: str
    category: str | None = None
    missing: tuple[str, ...] = ()
    case_id: int | None = None
    in_hand: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "trip_id": self.trip_id,
            "worker_id": self.worker_id,
            "light": self.light,
            "outcome": self.outcome,
            "reason": self.reason,
            "category": self.category,
            "missing": list(self.missing),
            "case_id": self.case_id,
            "in_hand": self.in_hand,
        }


@dataclass(frozen=True)
class SubmitPreview:
    batch_id: int
    rows: tuple[PreviewRow, ...]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for row in self.rows:
            out[row.outcome] += 1
        return out

    def of(self, outcome: Outcome) -> tuple[PreviewRow, ...]:
        return tuple(r for r in self.rows if r.outcome == outcome)


@dataclass(frozen=True)
class SubmitChoice:
    """What the sponsor decided: that they confirm, and about each ``decide`` row
    (by trip id; ``amber_default`` for those not named)."""

    confirmed: bool = False
    amber_default: AmberChoice | None = None
    amber: Mapping[int, AmberChoice] = field(default_factory=dict)

    def for_trip(self, trip_id: int) -> AmberChoice | None:
        return self.amber.get(trip_id, self.amber_default)


def _light(statuses: Mapping[str, Any]) -> str:
    values = set(statuses.values())
    if "eligible" in values:
        return "green"
    if "needs_info" in values:
        return "amber"
    return "red"


def _include_category(categories: Mapping[str, Any], order: list[str]) -> str | None:
    """The status a held-back person's case would be for: eligible before needing
    information, then the fewest facts missing, then the rule set's order."""
    ranked = [
        (v.get("status") != "eligible", len(v.get("missing") or ()), order.index(cid), cid)
        for cid, v in categories.items()
        if cid not in NO_CASE and cid in order and v.get("status") in ("eligible", "needs_info")
    ]
    return min(ranked)[3] if ranked else None


def _row(trip: Trip, case: tuple[int, str] | None, order: list[str]) -> PreviewRow:
    p = trip.person
    base: dict[str, Any] = {
        "trip_id": trip.id,
        "worker_id": trip.worker_id,
        "name": f"{p.family_name} {p.given_name}".strip(),
        "name_ko": p.name_ko,
    }
    s = trip.screening
    if s is None:
        if case is not None:
            return PreviewRow(**base, light="grey", outcome="case", reason="case", case_id=case[0])
        return PreviewRow(**base, light="grey", outcome="not_filed", reason="not_screened")
    categories: Mapping[str, Any] = s.result.get("categories", {})
    light = _light(s.statuses)
    if case is not None:
        verdict = categories.get(case[1], {})
        chosen = "case" if case[1] == s.recommended else "case_chosen"
        return PreviewRow(
            **base,
            light=light,
            outcome="case",
            reason=chosen,
            category=case[1],
            missing=tuple(verdict.get("missing") or ()),
            case_id=case[0],
            in_hand=bool(verdict.get("in_hand")),
        )
    recommended = s.recommended
    if recommended in NO_CASE:
        verdict = categories.get(recommended, {})
        if verdict.get("status") == "eligible" and verdict.get("stay_covers_trip"):
            return PreviewRow(
                **base,
                light=light,
                outcome="covered",
                reason="covered",
                category=recommended,
                in_hand=bool(verdict.get("in_hand")),
            )
    if light == "red":
        return PreviewRow(**base, light=light, outcome="not_filed", reason="no_status")
    target = _include_category(categories, order)
    if light == "amber":
        reason = "needs_info"
    elif recommended is not None and recommended not in NO_CASE:
        reason = "no_draft"  # eligible and recommended, but no draft case was opened
    else:
        reason = "not_covered"  # eligible for a status that does not cover the trip
    missing = tuple(categories.get(target, {}).get("missing") or ()) if target else ()
    if target is None:
        reason = "cannot_include"
    return PreviewRow(
        **base, light=light, outcome="decide", reason=reason, category=target, missing=missing
    )


def preview(session: Session, actor: Principal, batch_id: int, policy: Policy) -> SubmitPreview:
    """What submitting the batch would do to each person the actor may see, by worker id."""
    batch = get_batch(session, actor, batch_id)
    trips = session.scalars(
        scope_trips(select(Trip), actor)
        .where(Trip.batch_id == batch.id)
        .order_by(Trip.worker_id, Trip.id)
    ).all()
    drafts = {
        trip_id: (case_id, category)
        for trip_id, case_id, category in session.execute(
            select(Case.trip_id, Case.id, Case.category).where(
                Case.batch_id == batch.id, Case.state == "draft"
            )
        )
    }
    order = list(policy.categories)
    return SubmitPreview(batch.id, tuple(_row(t, drafts.get(t.id), order) for t in trips))


def check_choice(shown: SubmitPreview, choice: SubmitChoice) -> dict[int, AmberChoice]:
    """Each ``decide`` row's decision; refuses a missing, impossible or stray one."""
    if not choice.confirmed:
        raise DeskError("confirm_required", 422, target="submitted")
    pending = {r.trip_id: r for r in shown.of("decide")}
    stray = sorted(set(choice.amber) - set(pending))
    if stray:
        raise DeskError("amber_not_pending", 422, trips=", ".join(str(x) for x in stray[:20]))
    for value in [choice.amber_default, *choice.amber.values()]:
        if value is not None and value not in AMBER_CHOICES:
            choices = ", ".join(AMBER_CHOICES)
            raise DeskError("invalid_choice", 422, field="amber", value=value, choices=choices)
    decided: dict[int, AmberChoice] = {}
    undecided: list[str] = []
    impossible: list[str] = []
    for trip_id, row in pending.items():
        wanted = choice.for_trip(trip_id)
        if wanted is None:
            undecided.append(row.worker_id)
        elif wanted == "include" and row.category is None:
            impossible.append(row.worker_id)
        else:
            decided[trip_id] = wanted
    if undecided:
        raise DeskError(
            "amber_undecided", 422, count=len(undecided), workers=", ".join(undecided[:20])
        )
    if impossible:
        raise DeskError("amber_cannot_include", 422, workers=", ".join(impossible[:20]))
    return decided


def _fact(name: str, lang: str) -> str:
    """A roster column as the reader knows it: its Korean header in Korean."""
    column = COLUMN_BY_NAME.get(name)
    if lang == "ko" and column is not None:
        korean = next((a for a in column.aliases if any("가" <= ch <= "힣" for ch in a)), None)
        if korean:
            return korean
    return name


def explain(row: PreviewRow, policy: Policy, lang: str) -> str:
    """Why ``row`` has its outcome, in ``lang``: only what its verdict supports."""
    category = policy.categories.get(row.category or "")
    label = category.title.get(lang) if category else (row.category or "")
    facts = ", ".join(_fact(f, lang) for f in row.missing)
    key = row.reason
    if row.outcome == "covered":
        key = "covered_in_hand" if row.in_hand else "covered_apply"
    parts = [t(f"decisions.preview.{key}", lang, category=label, facts=facts)]
    if row.outcome == "case" and row.in_hand:
        parts.append(t("decisions.preview.in_hand", lang))
    if row.outcome == "case" and row.missing:
        parts.append(t("decisions.preview.still_missing", lang, facts=facts))
    return " ".join(parts)

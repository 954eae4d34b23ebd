"""The per-case interpreter: one trip against one rule plan, recording every rule it applies.

Everything legal comes from the :class:`~visadesk.engine.plan.RulePlan` (the policy
compiled once for the date); the interpreter evaluates the plan's conditions on one
row's facts under Kleene logic (a failed rule rules a category out, an unknown fact
leaves it open) and lets the plan assemble the trace.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from visadesk.calendar import BusinessCalendar
from visadesk.engine.derived import derive_facts
from visadesk.engine.plan import (
    CategoryPlan,
    TripContext,
    first_path,
    planned_activities,
    rule_plan,
)
from visadesk.engine.result import CategoryVerdict, Check, FlagHit, ScreeningResult, Status
from visadesk.policy.expr import Expr, Tri, evaluate
from visadesk.policy.model import Policy, Rule
from visadesk.roster.schema import COLUMNS, FactValue

__all__ = ["IncompleteTripError", "Screener"]


class IncompleteTripError(ValueError):
    """A trip lacks a fact the roster contract requires (roster validation prevents this)."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(f"a trip needs these facts to be screened: {', '.join(missing)}")
        self.missing = missing


_REQUIRED: Final = tuple(c.name for c in COLUMNS if c.required)


def _status(value: Tri) -> Status:
    if value is None:
        return Status.NEEDS_INFO
    return Status.ELIGIBLE if value else Status.INELIGIBLE


class Screener:
    """Screens trips under one policy, as the rules stood on ``as_of``.

    ``start_date`` is the day work on a visa would begin, for ``ready_by``.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        as_of: dt.date,
        start_date: dt.date | None = None,
        calendar: BusinessCalendar | None = None,
    ) -> None:
        self.plan = rule_plan(policy, as_of=as_of, start_date=start_date, calendar=calendar)
        self.policy = policy
        self.as_of = as_of
        self.start_date = self.plan.start_date

    def context(self) -> TripContext:
        """A fresh lookup context (parameters in force) for evaluating single conditions."""
        return TripContext(self.policy, self.as_of)

    def _category(
        self, category: CategoryPlan, facts: Mapping[str, FactValue], ctx: TripContext
    ) -> CategoryVerdict:
        def check(rule: Rule, activity: str | None, provision: str | None) -> Check:
            assert rule.test is not None, f"{rule.id} has no test"
            value, missing = evaluate(rule.test, facts, ctx)
            return self.plan.check(
                rule, value, missing, facts, activity=activity, provision=provision
            )

        def holds(expr: Expr, context: TripContext = ctx) -> bool:
            return evaluate(expr, facts, context)[0] is True

        trace = self.plan.trace(category, planned_activities(facts), check)
        ctx.activity_outcomes[category.id] = trace.outcomes
        status = _status(trace.value)
        basis = trace.used if status is Status.ELIGIBLE else ()
        ctx.bases[category.id] = basis
        missing: tuple[str, ...] = ()
        if status is Status.NEEDS_INFO:
            missing = tuple(
                sorted({m for c in trace.checks if not c.superseded for m in c.missing})
            )
        # Whether a held visa may be void is asked afresh, not in the light of other verdicts.
        in_hand = holds(category.in_hand, self.context())
        ready_by: dt.date | None = None
        note: str | None = None
        if status is not Status.INELIGIBLE:
            if in_hand:
                ready_by = self.start_date
            else:
                path = category.lead[first_path(category.lead, holds)]
                ready_by, note = path.ready_by, path.note
        return CategoryVerdict(
            category=category.id,
            status=status,
            checks=trace.checks,
            basis=basis,
            missing=missing,
            stay_covers=holds(category.stay_covers),
            ready_by=ready_by,
            in_hand=in_hand,
            lead_time_note=note,
        )

    def screen(self, raw: Mapping[str, FactValue], *, row: int | None = None) -> ScreeningResult:
        """Screen one roster row (its facts keyed by column name)."""
        missing_required = tuple(name for name in _REQUIRED if raw.get(name) in (None, ()))
        if missing_required:
            raise IncompleteTripError(missing_required)
        facts = derive_facts(raw)
        ctx = self.context()
        verdicts = {c.id: self._category(c, facts, ctx) for c in self.plan.categories}
        order = list(verdicts)
        candidates = [
            v
            for v in verdicts.values()
            if v.status is Status.ELIGIBLE and v.stay_covers and v.ready_by
        ]
        recommended = (
            min(candidates, key=lambda v: (v.ready_by, order.index(v.category))).category
            if candidates
            else None
        )
        flags = tuple(
            FlagHit(f.code, f.severity)
            for f in self.plan.flags
            if evaluate(f.when, facts, ctx)[0] is True
        )
        missing = tuple(sorted({m for v in verdicts.values() for m in v.missing}))
        trip_start = facts.get("trip_start")
        assert isinstance(trip_start, dt.date), "roster validation guarantees trip_start"
        return ScreeningResult(
            worker_id=str(facts.get("worker_id") or ""),
            row=row,
            verdicts=verdicts,
            recommended=recommended,
            flags=flags,
            missing=missing,
            as_of=self.as_of,
            start_date=self.start_date,
            trip_start=trip_start,
            policy_version=self.policy.version,
            facts=facts,
        )

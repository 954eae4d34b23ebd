"""The per-case interpreter: one trip against one rule set, recording every rule it applies.

The interpreter reads everything legal from the :class:`~visadesk.policy.model.Policy`;
the only logic here is how rules combine (Kleene logic: a failed rule rules a
category out, an unknown fact leaves it open) and how dates are counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from visadesk.calendar import BusinessCalendar, default_calendar
from visadesk.engine.result import (
    CategoryVerdict,
    Check,
    FlagHit,
    Outcome,
    ScreeningResult,
    Status,
)
from visadesk.policy.expr import Tri, evaluate, facts_of, params_of
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, LeadTimePath, Policy, Provision, Rule
from visadesk.roster.schema import COLUMNS, FactValue

__all__ = [
    "DERIVED_FACTS",
    "DERIVED_SOURCES",
    "IncompleteTripError",
    "RulesNotInForceError",
    "Screener",
    "derive_facts",
    "source_fact",
    "whole_years",
]


class IncompleteTripError(ValueError):
    """A trip lacks a fact the roster contract requires (roster validation prevents this)."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(f"a trip needs these facts to be screened: {', '.join(missing)}")
        self.missing = missing


class RulesNotInForceError(ValueError):
    """The rule set has no value for a parameter on the date asked for."""

    def __init__(self, parameter: str, day: dt.date, first: dt.date | None) -> None:
        super().__init__(f"parameter {parameter} has no value on {day} (first value: {first})")
        self.parameter, self.day, self.first = parameter, day, first


_REQUIRED: Final = tuple(c.name for c in COLUMNS if c.required)

#: Facts the engine computes from roster columns; rule files may read them.
DERIVED_FACTS: Mapping[str, str] = {
    "trip_days": "days in the US, counting the first and the last day (trip_end - trip_start + 1)",
    "years_since_overstay_departure": (
        "whole years from overstay_departure to trip_start (a 29 February departure"
        " comes round on 1 March)"
    ),
}
#: The roster column a derived fact comes from, named in ``missing`` when it is blank.
DERIVED_SOURCES: Mapping[str, str] = {"years_since_overstay_departure": "overstay_departure"}


def source_fact(name: str) -> str:
    """The roster column to ask for when ``name`` is unknown."""
    return DERIVED_SOURCES.get(name, name)


def whole_years(since: dt.date, until: dt.date) -> int:
    """Whole years from ``since`` to ``until`` (negative when ``until`` is earlier)."""
    return until.year - since.year - ((until.month, until.day) < (since.month, since.day))


def derive_facts(raw: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """Roster facts plus derived ones, with the held-visa code normalised."""
    facts = dict(raw)
    start, end = facts.get("trip_start"), facts.get("trip_end")
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        facts["trip_days"] = (end - start).days + 1
    else:
        facts["trip_days"] = None
    departed = facts.get("overstay_departure")
    facts["years_since_overstay_departure"] = (
        whole_years(departed, start)
        if isinstance(departed, dt.date) and isinstance(start, dt.date)
        else None
    )
    held = facts.get("holds_visa")
    if isinstance(held, str):
        facts["holds_visa"] = held.strip().upper().replace(" ", "") or None
    return facts


def _kleene_and(values: Sequence[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _status(value: Tri) -> Status:
    if value is None:
        return Status.NEEDS_INFO
    return Status.ELIGIBLE if value else Status.INELIGIBLE


@dataclass
class _Context:
    """What conditions may look up: parameters in force, and verdicts so far."""

    policy: Policy
    as_of: dt.date
    activity_outcomes: dict[str, dict[str, Tri]] = field(default_factory=dict)
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def param(self, name: str) -> object:
        return self.policy.param(name, self.as_of)

    def activity_outcome(self, category: str, activity: str) -> Tri:
        return self.activity_outcomes.get(category, {}).get(activity)

    def basis(self, category: str) -> Sequence[str]:
        return self.bases.get(category, ())


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
        self.policy = policy
        self.as_of = as_of
        self.start_date = start_date or as_of
        self.calendar = calendar or default_calendar()
        self.categories = policy.categories_at(as_of)
        self._provisions = provision_index(policy)
        self._check_parameters()

    def _check_parameters(self) -> None:
        """Refuse a date for which a parameter the rules in force read has no value."""
        names: set[str] = set()
        rules: list[Rule] = [f.rule for f in self.policy.flags if self._in_force(f.rule)]
        for category in self.categories:
            names |= {category.stay.admission_param, category.stay.max_total_param or ""}
            names |= {
                n
                for p in category.lead_time
                for s in p.steps
                for n in (s.param, s.second_param or "")
            }
            rules += [r for r in category.requirements if self._in_force(r)]
            for code in category.activities:
                for pid in category.activities[code].allowed_by:
                    provision = self._provisions[pid]
                    if self._in_force(provision.rule):
                        rules += [r for r in provision.requirements if self._in_force(r)]
        exprs = [r.test for r in rules if r.test is not None]
        exprs += [f.when for f in self.policy.flags if self._in_force(f.rule)]
        exprs += [p.when for c in self.categories for p in c.lead_time if p.when is not None]
        for expr in exprs:
            names |= params_of(expr)
        for name in sorted(names - {""}):
            parameter = self.policy.parameters[name]
            if parameter.at(self.as_of) is None:
                first = min((v.start for v in parameter.values), default=None)
                raise RulesNotInForceError(name, self.as_of, first)

    def context(self) -> _Context:
        """A fresh lookup context (parameters in force) for evaluating single conditions."""
        return _Context(self.policy, self.as_of)

    # -- rules -----------------------------------------------------------------
    def _in_force(self, rule: Rule) -> bool:
        return rule.effective.contains(self.as_of)

    def _check(
        self,
        rule: Rule,
        facts: Mapping[str, FactValue],
        ctx: _Context,
        activity: str | None = None,
        provision: str | None = None,
    ) -> Check:
        assert rule.test is not None, f"{rule.id} has no test"
        value, missing = evaluate(rule.test, facts, ctx)
        used = tuple((f, facts.get(f)) for f in sorted(facts_of(rule.test)))
        asked = tuple(sorted({source_fact(m) for m in missing}))
        return Check(rule.id, Outcome.of(value), used, asked, activity, provision)

    def _provision(
        self, provision: Provision, activity: str, facts: Mapping[str, FactValue], ctx: _Context
    ) -> tuple[Tri, list[Check]]:
        checks = [
            self._check(r, facts, ctx, activity=activity, provision=provision.id)
            for r in provision.requirements
            if self._in_force(r)
        ]
        value = _kleene_and([_tri(c.outcome) for c in checks])
        head = Check(provision.id, Outcome.of(value), activity=activity, provision=provision.id)
        return value, [head, *checks]

    def _activity(
        self, category: Category, activity: str, facts: Mapping[str, FactValue], ctx: _Context
    ) -> tuple[Tri, list[Check], str | None]:
        """Whether ``category`` allows ``activity``; the checks; the provision relied on."""
        treatment = category.activities.get(activity)
        if treatment is None or treatment.prohibited_by:
            rule_id = treatment.prohibited_by if treatment else category.default_prohibition
            return False, [Check(str(rule_id), Outcome.FAIL, activity=activity)], None
        attempts: list[tuple[Tri, list[Check], str]] = []
        for provision_id in treatment.allowed_by:
            provision = self._provisions[provision_id]
            if not self._in_force(provision.rule):
                continue
            value, checks = self._provision(provision, activity, facts, ctx)
            if value is True:
                # The first provision that holds decides; earlier attempts are kept for the trace.
                earlier = [replace(c, superseded=True) for _, cs, _ in attempts for c in cs]
                return True, [*earlier, *checks], provision_id
            attempts.append((value, checks, provision_id))
        if not attempts:
            rule_id = category.default_prohibition
            return False, [Check(rule_id, Outcome.FAIL, activity=activity)], None
        if any(v is None for v, _, _ in attempts):
            out: list[Check] = []
            for value, checks, _ in attempts:
                out.extend(
                    checks if value is None else [replace(c, superseded=True) for c in checks]
                )
            return None, out, None
        return False, [c for _, cs, _ in attempts for c in cs], None

    # -- dates -------------------------------------------------------------------
    def _stay_covers(self, category: Category, trip_days: int) -> bool:
        stay = category.stay
        limit_param = stay.max_total_param if stay.extendable and stay.max_total_param else None
        if stay.extendable and limit_param is None:
            return True
        limit = self.policy.param(limit_param or stay.admission_param, self.as_of)
        return trip_days <= int(str(limit))

    def _lead_path(
        self, category: Category, facts: Mapping[str, FactValue], ctx: _Context
    ) -> LeadTimePath:
        for path in category.lead_time:
            if path.when is None or evaluate(path.when, facts, ctx)[0] is True:
                return path
        return category.lead_time[-1]

    def ready_by(self, path: LeadTimePath) -> dt.date:
        """The day a status reached by ``path`` can be in hand, starting on ``start_date``."""
        return self._ready_by(path)

    def _ready_by(self, path: LeadTimePath) -> dt.date:
        day = self.start_date
        for step in path.steps:
            value = self.policy.param(step.param, self.as_of)
            if step.kind == "calendar_days":
                day += dt.timedelta(days=int(str(value)))
            elif step.kind == "business_days":
                day = self.calendar.add_business_days(day, int(str(value)))
            else:
                start_md = str(self.policy.param(str(step.second_param), self.as_of))
                day = _next_cap_start(day, str(value), start_md)
        return day

    def _in_hand(self, category: Category, facts: Mapping[str, FactValue]) -> bool:
        held, expiry, start = (
            facts.get("holds_visa"),
            facts.get("visa_expiry"),
            facts.get("trip_start"),
        )
        valid = (
            isinstance(held, str)
            and held in category.held_visa_codes
            and isinstance(expiry, dt.date)
            and isinstance(start, dt.date)
            and expiry >= start
        )
        if valid and category.held_visa_void_when is not None:
            # A visa that may be void (true or not yet known) is not in hand.
            void, _ = evaluate(category.held_visa_void_when, facts, self.context())
            return void is False
        return valid

    # -- one trip ----------------------------------------------------------------
    def _category(
        self, category: Category, facts: Mapping[str, FactValue], ctx: _Context
    ) -> CategoryVerdict:
        checks = [self._check(r, facts, ctx) for r in category.requirements if self._in_force(r)]
        values: list[Tri] = [_tri(c.outcome) for c in checks]
        outcomes: dict[str, Tri] = {}
        used: list[str] = []
        for activity in _activities(facts):
            value, activity_checks, provision = self._activity(category, activity, facts, ctx)
            outcomes[activity] = value
            values.append(value)
            checks.extend(activity_checks)
            if provision and provision not in used:
                used.append(provision)
        ctx.activity_outcomes[category.id] = outcomes
        status = _status(_kleene_and(values))
        order = {p: i for i, p in enumerate(self._provisions)}
        basis = tuple(sorted(used, key=lambda p: order[p])) if status is Status.ELIGIBLE else ()
        ctx.bases[category.id] = basis
        missing: tuple[str, ...] = ()
        if status is Status.NEEDS_INFO:
            missing = tuple(sorted({m for c in checks if not c.superseded for m in c.missing}))
        trip_days = facts.get("trip_days")
        covers = isinstance(trip_days, int) and self._stay_covers(category, trip_days)
        in_hand = self._in_hand(category, facts)
        ready_by: dt.date | None = None
        note: str | None = None
        if status is not Status.INELIGIBLE:
            if in_hand:
                ready_by = self.start_date
            else:
                path = self._lead_path(category, facts, ctx)
                ready_by = self._ready_by(path)
                note = path.note.en if path.note else None
        return CategoryVerdict(
            category=category.id,
            status=status,
            checks=tuple(checks),
            basis=basis,
            missing=missing,
            stay_covers=covers,
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
        ctx = _Context(self.policy, self.as_of)
        verdicts = {c.id: self._category(c, facts, ctx) for c in self.categories}
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
            for f in self.policy.flags
            if self._in_force(f.rule) and evaluate(f.when, facts, ctx)[0] is True
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


def _tri(outcome: Outcome) -> Tri:
    return None if outcome is Outcome.UNKNOWN else outcome is Outcome.PASS


def _activities(facts: Mapping[str, FactValue]) -> tuple[str, ...]:
    value = facts.get("activities")
    if isinstance(value, str):
        return tuple(a for a in value.split(";") if a)
    return tuple(value) if isinstance(value, tuple) else ()


def _next_cap_start(day: dt.date, deadline_md: str, start_md: str) -> dt.date:
    """The first cap start date whose registration deadline is on or after ``day``."""
    d_month, d_day = (int(x) for x in deadline_md.split("-"))
    s_month, s_day = (int(x) for x in start_md.split("-"))
    year = day.year
    while dt.date(year, d_month, d_day) < day:
        year += 1
    start = dt.date(year, s_month, s_day)
    return start if start >= day else dt.date(year + 1, s_month, s_day)

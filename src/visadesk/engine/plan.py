"""One rule plan: a policy compiled once, for a date, into what both engines run.

The plan holds every piece of legal semantics the engines share, once: the rules
in force, each category's requirements, the provisions tried in turn for each
activity (the B-1 alternatives), stay coverage and visa in hand as conditions,
the lead-time paths with their dates and notes, the flags, and the compact
legend (slots, facts, provisions, flags). It also holds how a category's trace
is assembled from rule outcomes (:meth:`RulePlan.trace`): the per-case
interpreter feeds it outcomes it evaluated, the batch engine outcomes Polars
computed, so both return the same checks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from visadesk.calendar import BusinessCalendar, default_calendar
from visadesk.engine.derived import source_fact
from visadesk.engine.result import Check, Outcome, Status
from visadesk.policy.expr import (
    All,
    Compare,
    Const,
    Expr,
    Known,
    Not,
    Tri,
    facts_of,
    params_of,
)
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, FlagRule, LeadTimePath, Policy, Rule
from visadesk.roster.schema import ACTIVITY_CODES, FactValue

__all__ = [
    "STATUS_CODES",
    "ActivityPlan",
    "Attempt",
    "CategoryPlan",
    "LeadPath",
    "Legend",
    "RulePlan",
    "RulesNotInForceError",
    "Slot",
    "TripContext",
    "bits",
    "first_path",
    "kleene_and",
    "planned_activities",
    "rule_plan",
]

#: Status codes in the compact columns (``status_X``).
STATUS_CODES: Final = (Status.ELIGIBLE, Status.NEEDS_INFO, Status.INELIGIBLE)
#: Bits in one compact mask.
MASK_BITS: Final = 64


class RulesNotInForceError(ValueError):
    """The rule set has no value for a parameter on the date asked for."""

    def __init__(self, parameter: str, day: dt.date, first: dt.date | None) -> None:
        super().__init__(f"parameter {parameter} has no value on {day} (first value: {first})")
        self.parameter, self.day, self.first = parameter, day, first


@dataclass(frozen=True, slots=True)
class Slot:
    """One place a check can stand in a category's trace (a rule, maybe for one activity)."""

    rule: str
    activity: str | None = None
    provision: str | None = None


@dataclass(frozen=True)
class Legend:
    """What each bit of the compact columns means (stored with Parquet output)."""

    categories: tuple[str, ...]
    slots: Mapping[str, tuple[Slot, ...]]
    provisions: Mapping[str, tuple[str, ...]]
    facts: tuple[str, ...]
    flags: tuple[str, ...]

    def rules(self, category: str, mask: int) -> list[str]:
        """The rule ids a ``reasons_X`` mask names, each once, in trace order."""
        return list(dict.fromkeys(s.rule for s in bits(self.slots[category], mask)))

    def as_json(self) -> dict[str, Any]:
        return {
            "categories": list(self.categories),
            "reasons": {
                c: [[s.rule, s.activity, s.provision] for s in v] for c, v in self.slots.items()
            },
            "basis": {c: list(v) for c, v in self.provisions.items()},
            "missing": list(self.facts),
            "flags": list(self.flags),
            "status": [s.value for s in STATUS_CODES],
        }


def bits(items: Sequence[Any], mask: int | None) -> list[Any]:
    """The items whose bit is set in ``mask``."""
    return [item for i, item in enumerate(items) if mask and mask >> i & 1]


@dataclass(frozen=True, slots=True)
class Attempt:
    """A provision tried for an activity, with its requirements in force."""

    provision: str
    requirements: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class ActivityPlan:
    """How a category treats one activity: provisions tried in turn, or a prohibition.

    The first attempt that holds decides (earlier ones stay in the trace, superseded);
    with no attempt in force, ``prohibition`` rules the activity out.
    """

    code: str
    prohibition: str | None
    attempts: tuple[Attempt, ...]


@dataclass(frozen=True, slots=True)
class LeadPath:
    """A way to the status: taken when ``when`` holds (or always), in hand on ``ready_by``."""

    when: Expr | None
    ready_by: dt.date
    note: str | None


@dataclass(frozen=True)
class CategoryPlan:
    """One category as in force on the plan's date."""

    id: str
    requirements: tuple[Rule, ...]
    activities: Mapping[str, ActivityPlan]
    #: Provisions some activity may rest on, in the policy's order (the ``basis_X`` bits).
    provisions: tuple[str, ...]
    slots: tuple[Slot, ...]
    #: True when the stay the status allows covers the trip.
    stay_covers: Expr
    #: True when the traveller holds a valid visa of this status (unknown is not in hand).
    in_hand: Expr
    lead: tuple[LeadPath, ...]
    #: The rule that rules out an activity no treatment allows.
    default_prohibition: str

    def activity(self, code: str) -> ActivityPlan:
        """How the category treats ``code`` (an activity it does not list is prohibited)."""
        plan = self.activities.get(code)
        return plan if plan is not None else ActivityPlan(code, self.default_prohibition, ())


#: What the trace asks of a rule: its check on this trip, for an activity and provision.
CheckRule = Callable[[Rule, str | None, str | None], Check]


@dataclass(frozen=True, slots=True)
class Trace:
    """A category's checks on one trip, what they add up to, and the provisions relied on."""

    value: Tri
    checks: tuple[Check, ...]
    outcomes: Mapping[str, Tri]
    used: tuple[str, ...]


@dataclass(frozen=True)
class RulePlan:
    """A policy compiled for one date and one start date; see the module docstring."""

    policy: Policy
    as_of: dt.date
    start_date: dt.date
    categories: tuple[CategoryPlan, ...]
    flags: tuple[FlagRule, ...]
    #: Every rule with a test that some category applies, by id.
    rules: Mapping[str, Rule]
    #: The facts each of those rules reads, sorted.
    reads: Mapping[str, tuple[str, ...]]
    legend: Legend

    def check(
        self,
        rule: Rule,
        value: Tri,
        missing: frozenset[str],
        facts: Mapping[str, FactValue],
        *,
        activity: str | None = None,
        provision: str | None = None,
    ) -> Check:
        """A rule's check on a trip: its outcome, the facts it read, the columns to ask for."""
        used = tuple((f, facts.get(f)) for f in self.reads[rule.id])
        asked = tuple(sorted({source_fact(m) for m in missing}))
        return Check(rule.id, Outcome.of(value), used, asked, activity, provision)

    def trace(self, category: CategoryPlan, activities: Sequence[str], check: CheckRule) -> Trace:
        """The checks of ``category`` for a trip planning ``activities``, in trace order."""
        checks = [check(r, None, None) for r in category.requirements]
        values: list[Tri] = [_tri(c.outcome) for c in checks]
        outcomes: dict[str, Tri] = {}
        used: list[str] = []
        for code in activities:
            value, activity_checks, provision = _activity(category.activity(code), check)
            outcomes[code] = value
            values.append(value)
            checks.extend(activity_checks)
            if provision and provision not in used:
                used.append(provision)
        basis = tuple(p for p in category.provisions if p in used)
        return Trace(kleene_and(values), tuple(checks), outcomes, basis)


def _activity(plan: ActivityPlan, check: CheckRule) -> tuple[Tri, list[Check], str | None]:
    """Whether an activity is allowed; its checks; the provision relied on."""
    if not plan.attempts:
        assert plan.prohibition is not None
        return False, [Check(plan.prohibition, Outcome.FAIL, activity=plan.code)], None
    tried: list[tuple[Tri, list[Check]]] = []
    for attempt in plan.attempts:
        checks = [check(r, plan.code, attempt.provision) for r in attempt.requirements]
        value = kleene_and([_tri(c.outcome) for c in checks])
        head = Check(
            attempt.provision, Outcome.of(value), activity=plan.code, provision=attempt.provision
        )
        checks.insert(0, head)
        if value is True:
            # The first provision that holds decides; earlier attempts are kept for the trace.
            earlier = [replace(c, superseded=True) for _, cs in tried for c in cs]
            return True, [*earlier, *checks], attempt.provision
        tried.append((value, checks))
    if any(v is None for v, _ in tried):
        out: list[Check] = []
        for value, checks in tried:
            out.extend(checks if value is None else [replace(c, superseded=True) for c in checks])
        return None, out, None
    return False, [c for _, cs in tried for c in cs], None


def first_path(lead: Sequence[LeadPath], holds: Callable[[Expr], bool]) -> int:
    """The index of the first lead-time path whose condition holds (or has none), else the last."""
    for index, path in enumerate(lead):
        if path.when is None or holds(path.when):
            return index
    return len(lead) - 1


@dataclass
class TripContext:
    """What conditions may look up for one trip: parameters in force, and verdicts so far."""

    policy: Policy
    as_of: dt.date
    activity_outcomes: dict[str, Mapping[str, Tri]] = field(default_factory=dict)
    bases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def param(self, name: str) -> object:
        return self.policy.param(name, self.as_of)

    def activity_outcome(self, category: str, activity: str) -> Tri:
        return self.activity_outcomes.get(category, {}).get(activity)

    def basis(self, category: str) -> Sequence[str]:
        return self.bases.get(category, ())


def planned_activities(facts: Mapping[str, FactValue]) -> tuple[str, ...]:
    """The activity codes a trip plans, in the order the row gives them."""
    value = facts.get("activities")
    if isinstance(value, str):
        return tuple(a for a in value.split(";") if a)
    return tuple(value) if isinstance(value, tuple) else ()


def kleene_and(values: Sequence[Tri]) -> Tri:
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _tri(outcome: Outcome) -> Tri:
    return None if outcome is Outcome.UNKNOWN else outcome is Outcome.PASS


# -- compiling ----------------------------------------------------------------------


class _Compiler:
    def __init__(
        self, policy: Policy, as_of: dt.date, start_date: dt.date, calendar: BusinessCalendar
    ) -> None:
        self.policy, self.as_of, self.start_date = policy, as_of, start_date
        self.calendar = calendar
        self.provisions = provision_index(policy)
        self.order = {p: i for i, p in enumerate(self.provisions)}

    def in_force(self, rule: Rule) -> bool:
        return rule.effective.contains(self.as_of)

    def param(self, name: str) -> object:
        return self.policy.param(name, self.as_of)

    def plan(self) -> RulePlan:
        categories = self.policy.categories_at(self.as_of)
        flags = tuple(f for f in self.policy.flags if self.in_force(f.rule))
        self.check_parameters(categories, flags)
        activities = {c.id: self.activities(c) for c in categories}
        rules: dict[str, Rule] = {}
        for c in categories:
            rules |= {r.id: r for r in c.requirements if self.in_force(r)}
            for code in ACTIVITY_CODES:
                for attempt in activities[c.id][code].attempts:
                    rules |= {r.id: r for r in attempt.requirements}
        tested = {rid: r for rid, r in rules.items() if r.test is not None}
        reads = {rid: tuple(sorted(facts_of(r.test))) for rid, r in tested.items() if r.test}
        plans = tuple(self.category(c, activities[c.id]) for c in categories)
        legend = Legend(
            categories=tuple(c.id for c in plans),
            slots={c.id: c.slots for c in plans},
            provisions={c.id: c.provisions for c in plans},
            facts=tuple(sorted({source_fact(f) for fs in reads.values() for f in fs})),
            flags=tuple(f.code for f in flags),
        )
        for name, items in [
            *((f"{c} rule slots", v) for c, v in legend.slots.items()),
            ("facts", legend.facts),
            ("flags", legend.flags),
        ]:
            if len(items) > MASK_BITS:
                raise ValueError(f"{name}: {len(items)} do not fit a {MASK_BITS}-bit mask")
        return RulePlan(
            self.policy, self.as_of, self.start_date, plans, flags, tested, reads, legend
        )

    def activities(self, category: Category) -> dict[str, ActivityPlan]:
        out: dict[str, ActivityPlan] = {}
        for code in ACTIVITY_CODES:
            treatment = category.activities.get(code)
            if treatment is None or treatment.prohibited_by:
                rule = treatment.prohibited_by if treatment else None
                out[code] = ActivityPlan(code, rule or category.default_prohibition, ())
                continue
            attempts = tuple(
                Attempt(pid, tuple(r for r in provision.requirements if self.in_force(r)))
                for pid in treatment.allowed_by
                if self.in_force((provision := self.provisions[pid]).rule)
            )
            prohibition = None if attempts else category.default_prohibition
            out[code] = ActivityPlan(code, prohibition, attempts)
        return out

    def category(self, category: Category, activities: dict[str, ActivityPlan]) -> CategoryPlan:
        slots = [Slot(r.id) for r in category.requirements if self.in_force(r)]
        for code in ACTIVITY_CODES:
            plan = activities[code]
            if plan.prohibition is not None:
                slots.append(Slot(plan.prohibition, code))
            for attempt in plan.attempts:
                slots.append(Slot(attempt.provision, code, attempt.provision))
                slots.extend(Slot(r.id, code, attempt.provision) for r in attempt.requirements)
        used = {a.provision for p in activities.values() for a in p.attempts}
        return CategoryPlan(
            id=category.id,
            requirements=tuple(r for r in category.requirements if self.in_force(r)),
            activities=activities,
            provisions=tuple(sorted(used, key=self.order.__getitem__)),
            slots=tuple(slots),
            stay_covers=self.stay_covers(category),
            in_hand=self.in_hand(category),
            lead=tuple(
                LeadPath(p.when, self.ready_by(p), p.note.en if p.note else None)
                for p in category.lead_time
            ),
            default_prohibition=category.default_prohibition,
        )

    def stay_covers(self, category: Category) -> Expr:
        """The trip fits the stay: the admission, or the longest extended stay when extendable."""
        stay = category.stay
        if stay.extendable and stay.max_total_param is None:
            return Known("trip_days", expected=True)
        limit = stay.max_total_param if stay.extendable else stay.admission_param
        assert limit is not None
        return Compare("trip_days", "lte", Const(int(str(self.param(limit)))))

    def in_hand(self, category: Category) -> Expr:
        """A visa of this status, valid on the first day; one that may be void does not count."""
        parts: list[Expr] = [
            Compare("holds_visa", "in", Const(category.held_visa_codes)),
            Compare("visa_expiry", "gte_fact", "trip_start"),
        ]
        if category.held_visa_void_when is not None:
            parts.append(Not(category.held_visa_void_when))
        return All(tuple(parts))

    def ready_by(self, path: LeadTimePath) -> dt.date:
        """The day a status reached by ``path`` can be in hand, starting on ``start_date``."""
        day = self.start_date
        for step in path.steps:
            value = self.param(step.param)
            if step.kind == "calendar_days":
                day += dt.timedelta(days=int(str(value)))
            elif step.kind == "business_days":
                day = self.calendar.add_business_days(day, int(str(value)))
            else:
                start_md = str(self.param(str(step.second_param)))
                day = _next_cap_start(day, str(value), start_md)
        return day

    def check_parameters(
        self,
        categories: Sequence[Category],
        flags: Sequence[FlagRule],
    ) -> None:
        """Refuse a date for which a parameter the rules in force read has no value."""
        names: set[str] = set()
        exprs: list[Expr] = [f.when for f in flags]
        exprs += [f.rule.test for f in flags if f.rule.test is not None]
        for category in categories:
            names |= {category.stay.admission_param, category.stay.max_total_param or ""}
            for path in category.lead_time:
                names |= {n for s in path.steps for n in (s.param, s.second_param or "")}
                exprs += [path.when] if path.when is not None else []
            rules = [r for r in category.requirements if self.in_force(r)]
            for treatment in category.activities.values():
                for pid in treatment.allowed_by:
                    provision = self.provisions[pid]
                    if self.in_force(provision.rule):
                        rules += [r for r in provision.requirements if self.in_force(r)]
            exprs += [r.test for r in rules if r.test is not None]
        for expr in exprs:
            names |= params_of(expr)
        for name in sorted(names - {""}):
            parameter = self.policy.parameters[name]
            if parameter.at(self.as_of) is None:
                first = min((v.start for v in parameter.values), default=None)
                raise RulesNotInForceError(name, self.as_of, first)


def _next_cap_start(day: dt.date, deadline_md: str, start_md: str) -> dt.date:
    """The first cap start date whose registration deadline is on or after ``day``."""
    d_month, d_day = (int(x) for x in deadline_md.split("-"))
    s_month, s_day = (int(x) for x in start_md.split("-"))
    year = day.year
    while dt.date(year, d_month, d_day) < day:
        year += 1
    start = dt.date(year, s_month, s_day)
    return start if start >= day else dt.date(year + 1, s_month, s_day)


_CACHE: dict[tuple[int, dt.date, dt.date, int], tuple[Policy, BusinessCalendar, RulePlan]] = {}
_CACHE_SIZE: Final = 32


def rule_plan(
    policy: Policy,
    *,
    as_of: dt.date,
    start_date: dt.date | None = None,
    calendar: BusinessCalendar | None = None,
) -> RulePlan:
    """The plan of ``policy`` on ``as_of`` (compiled once per policy and dates, then cached)."""
    start = start_date or as_of
    calendar = calendar or default_calendar()
    key = (id(policy), as_of, start, id(calendar))
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is policy and cached[1] is calendar:
        return cached[2]
    plan = _Compiler(policy, as_of, start, calendar).plan()
    if len(_CACHE) >= _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    # The policy and calendar are held so that their ids are not reused while cached.
    _CACHE[key] = (policy, calendar, plan)
    return plan

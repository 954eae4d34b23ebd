"""``visadesk policy check``: the rule set is complete, cited, bilingual and reachable.

Run in CI so that a rule file edit that leaves a gap fails the build, not a traveller.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import assert_never

from visadesk.policy.expr import (
    ActivitiesOutside,
    All,
    AnyOf,
    BasisUsed,
    Compare,
    EvalContext,
    Expr,
    Known,
    Not,
    Param,
    Tri,
    evaluate,
    facts_of,
    params_of,
)
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, Effective, Policy, Rule
from visadesk.roster.schema import ACTIVITY_CODES, COLUMN_BY_NAME, ColumnType, FactValue

__all__ = ["PolicyProblem", "check_policy", "reachable"]

_DERIVED = {"trip_days", "years_since_overstay_departure"}


@dataclass(frozen=True, slots=True)
class PolicyProblem:
    code: str
    item: str
    detail: str

    def __str__(self) -> str:
        return f"{self.code}: {self.item}: {self.detail}"


def _boundaries(policy: Policy) -> list[dt.date]:
    days: set[dt.date] = set()
    for rule in policy.rules.values():
        days.update(rule.effective.boundaries())
    for category in policy.categories.values():
        days.update(category.effective.boundaries())
    for param in policy.parameters.values():
        days.update(v.start for v in param.values)
    return sorted(days)


def check_policy(policy: Policy) -> list[PolicyProblem]:
    """Every problem found; an empty list means the rule set passes."""
    problems: list[PolicyProblem] = []
    provisions = provision_index(policy)
    for rule in policy.rules.values():
        problems.extend(_check_rule(policy, rule))
    for category in policy.categories.values():
        problems.extend(_check_category(policy, category, provisions))
    problems.extend(_dead_provisions(policy))
    for name, param in policy.parameters.items():
        for value in param.values:
            if not value.source.strip():
                problems.append(
                    PolicyProblem("parameter", name, f"value from {value.start} has no source")
                )
    days = _boundaries(policy) or [dt.date.today()]
    for category in policy.categories.values():
        if not any(
            reachable(policy, category, day) for day in days if category.effective.contains(day)
        ):
            problems.append(
                PolicyProblem("unreachable", category.id, "no facts make it eligible on any date")
            )
    return problems


def _check_rule(policy: Policy, rule: Rule) -> Iterator[PolicyProblem]:
    c = rule.citation
    if not c.instrument.strip() or not c.pinpoint.strip():
        yield PolicyProblem("citation", rule.id, "needs an instrument and a pinpoint")
    for lang in ("en", "ko"):
        if not rule.message.get(lang).strip() or not rule.title.get(lang).strip():
            yield PolicyProblem("language", rule.id, f"no title or message in {lang}")
    exprs: list[Expr] = [rule.test] if rule.test else []
    exprs += [f.when for f in policy.flags if f.rule.id == rule.id]
    for expr in exprs:
        for fact in sorted(facts_of(expr)):
            if fact not in COLUMN_BY_NAME and fact not in _DERIVED:
                yield PolicyProblem("fact", rule.id, f"reads unknown fact {fact!r}")
        for name in sorted(params_of(expr)):
            if name not in policy.parameters:
                yield PolicyProblem("parameter", rule.id, f"reads unknown parameter {name!r}")


def _check_category(
    policy: Policy, category: Category, provisions: Mapping[str, object]
) -> list[PolicyProblem]:
    out: list[PolicyProblem] = []
    for code in ACTIVITY_CODES:
        treatment = category.activities.get(code)
        if treatment is None:
            out.append(
                PolicyProblem("treatment", category.id, f"no treatment for activity {code!r}")
            )
            continue
        if not treatment.allowed_by and not treatment.prohibited_by:
            out.append(
                PolicyProblem(
                    "treatment", category.id, f"{code!r} is neither allowed nor prohibited"
                )
            )
        for pid in treatment.allowed_by:
            if pid not in provisions:
                out.append(
                    PolicyProblem(
                        "treatment", category.id, f"{code!r} cites unknown provision {pid!r}"
                    )
                )
        if treatment.prohibited_by and treatment.prohibited_by not in policy.rules:
            out.append(
                PolicyProblem(
                    "treatment",
                    category.id,
                    f"{code!r} cites unknown rule {treatment.prohibited_by!r}",
                )
            )
    for code in category.activities:
        if code not in ACTIVITY_CODES:
            out.append(PolicyProblem("treatment", category.id, f"treats unknown activity {code!r}"))
    if category.default_prohibition not in policy.rules:
        out.append(PolicyProblem("treatment", category.id, "needs a default_prohibition rule"))
    params = [category.stay.admission_param, category.stay.max_total_param]
    params += [category.cap.param, category.cap.supplemental] if category.cap else []
    exempt = category.cap.exempt_fact if category.cap else None
    column = COLUMN_BY_NAME.get(exempt) if exempt else None
    if exempt and (column is None or column.type is not ColumnType.BOOL):
        what = f"cap exempt_fact {exempt!r} is not a yes/no fact"
        out.append(PolicyProblem("parameter", category.id, what))
    params += [s.param for p in category.lead_time for s in p.steps]
    params += [s.second_param for p in category.lead_time for s in p.steps]
    for name in params:
        if name and name not in policy.parameters:
            out.append(PolicyProblem("parameter", category.id, f"uses unknown parameter {name!r}"))
    return out


def _dead_provisions(policy: Policy) -> Iterator[PolicyProblem]:
    """Provisions no verdict can rest on: never cited by a treatment, or always shadowed."""
    cited: set[str] = set()
    for category in policy.categories.values():
        for code, treatment in category.activities.items():
            for index, pid in enumerate(treatment.allowed_by):
                cited.add(pid)
                earlier = [provision_index(policy).get(p) for p in treatment.allowed_by[:index]]
                blockers = [
                    p
                    for p in earlier
                    if p is not None and not p.requirements and p.rule.effective == Effective()
                ]
                if blockers:
                    yield PolicyProblem(
                        "shadowed",
                        pid,
                        f"{category.id}/{code}: {blockers[0].id} always holds first",
                    )
    for category in policy.categories.values():
        for provision in category.provisions:
            if provision.id not in cited:
                yield PolicyProblem("unused", provision.id, "no activity treatment cites it")


# -- reachability -----------------------------------------------------------------


class _SearchContext:
    def __init__(self, policy: Policy, day: dt.date) -> None:
        self.policy, self.day = policy, day

    def param(self, name: str) -> object:
        return self.policy.param(name, self.day)

    def activity_outcome(self, category: str, activity: str) -> Tri:
        return None

    def basis(self, category: str) -> tuple[str, ...]:
        return ()


def _candidates(fact: str, exprs: list[Expr], ctx: EvalContext) -> list[FactValue]:
    """Values worth trying for a fact: those the rules compare it to, and their neighbours."""
    column = COLUMN_BY_NAME.get(fact)
    if column is not None and column.type is ColumnType.BOOL:
        return [True, False]
    if column is not None and column.choices:
        return list(column.choices)
    values: list[FactValue] = []
    group = {fact}
    for expr in exprs:  # facts compared with each other share candidate values
        for node in _walk(expr):
            if (
                isinstance(node, Compare)
                and isinstance(node.operand, str)
                and fact in (node.fact, node.operand)
            ):
                group |= {node.fact, node.operand}
    for expr in exprs:
        for node in _walk(expr):
            if (
                isinstance(node, Compare)
                and node.fact in group
                and not isinstance(node.operand, str)
            ):
                raw = (
                    ctx.param(node.operand.name)
                    if isinstance(node.operand, Param)
                    else node.operand.value
                )
                items = raw if isinstance(raw, tuple) else (raw,)
                for item in items:
                    if isinstance(item, bool) or not isinstance(item, (int, float)):
                        values.append(item if isinstance(item, str) else str(item))
                    else:
                        values.extend([item - 1, item, item + 1])
    values.append("ZZ" if column is not None and column.type is ColumnType.COUNTRY else 1)
    return list(dict.fromkeys(values))


def _walk(expr: Expr) -> Iterator[Expr]:
    """``expr`` and every condition inside it."""
    yield expr
    match expr:
        case All(items) | AnyOf(items):
            for item in items:
                yield from _walk(item)
        case Not(item):
            yield from _walk(item)
        case Compare() | Known() | ActivitiesOutside() | BasisUsed():
            pass
        case _:
            assert_never(expr)


def reachable(policy: Policy, category: Category, day: dt.date) -> bool:
    """Whether some facts make ``category`` eligible on ``day`` (a bounded search).

    Tries each activity alone with the provisions that may allow it, and searches
    fact values with three-valued pruning: a partial assignment that already
    fails is abandoned.
    """
    ctx = _SearchContext(policy, day)
    try:
        return _reachable(policy, category, day, ctx)
    except LookupError:  # a parameter has no value in force that day
        return False


def _reachable(policy: Policy, category: Category, day: dt.date, ctx: EvalContext) -> bool:
    provisions = provision_index(policy)
    base = [r.test for r in category.requirements if r.test and r.effective.contains(day)]
    for code, treatment in category.activities.items():
        for pid in treatment.allowed_by:
            provision = provisions.get(pid)
            if provision is None or not provision.rule.effective.contains(day):
                continue
            exprs = base + [
                r.test for r in provision.requirements if r.test and r.effective.contains(day)
            ]
            goal: Expr = All(tuple(exprs)) if exprs else Known("activities", True)
            facts: dict[str, FactValue] = {"activities": (code,)}
            if _search(goal, exprs, sorted(facts_of(goal) - {"activities"}), facts, ctx):
                return True
    return False


def _search(
    goal: Expr, exprs: list[Expr], todo: list[str], facts: dict[str, FactValue], ctx: EvalContext
) -> bool:
    value, _ = evaluate(goal, facts, ctx)
    if value is not None or not todo:
        return value is True
    fact, rest = todo[0], todo[1:]
    for candidate in _candidates(fact, exprs, ctx):
        facts[fact] = candidate
        if _search(goal, exprs, rest, facts, ctx):
            return True
    del facts[fact]
    return False

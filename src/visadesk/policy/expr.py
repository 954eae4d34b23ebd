"""The condition language of rule files, and its three-valued evaluation.

A condition is a small YAML mapping, for example::

    {fact: paid_by, eq: home_employer}
    {fact: us_entity_treaty_ownership_pct, gte: {param: e2_min_treaty_ownership_pct}}
    {all: [{fact: specialized_knowledge, is: true}, {fact: equipment_from_abroad, is: true}]}

Facts may be unknown (blank in the roster), so every condition evaluates to
``True``, ``False`` or ``None`` (unknown) under Kleene logic, together with the
facts whose absence made it unknown. The engine never guesses: an unknown fact
never turns into ``False``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, TypeAlias, assert_never, cast, get_args

__all__ = [
    "COMPARATORS",
    "ActivitiesOutside",
    "All",
    "AnyOf",
    "BasisUsed",
    "Compare",
    "Const",
    "EvalContext",
    "Expr",
    "ExprError",
    "Known",
    "Not",
    "Param",
    "Tri",
    "evaluate",
    "facts_of",
    "params_of",
    "parse_expr",
]

Tri = bool | None


class ExprError(ValueError):
    """A condition in a rule file is malformed."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str


@dataclass(frozen=True, slots=True)
class Const:
    value: object


Operand = Param | Const

Op = Literal[
    "is",
    "eq",
    "ne",
    "in",
    "not_in",
    "gte",
    "gt",
    "lte",
    "lt",
    "has",
    "has_any",
    "has_none",
    "eq_fact",
    "ne_fact",
    "lt_fact",
    "gte_fact",
]
#: Every comparison a condition may use (``{fact: F, OP: operand}``).
COMPARATORS: Final = get_args(Op)


@dataclass(frozen=True, slots=True)
class Compare:
    """``{fact: F, OP: operand}``; the ``*_fact`` operators compare two facts."""

    fact: str
    op: Op
    operand: Operand | str


@dataclass(frozen=True, slots=True)
class Known:
    """``{fact: F, known: true}``: whether the fact was given (never unknown itself)."""

    fact: str
    expected: bool


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Expr


@dataclass(frozen=True, slots=True)
class ActivitiesOutside:
    """True when some planned activity is definitely not allowed in every listed category."""

    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BasisUsed:
    """True when a category's verdict rests on the given provision."""

    category: str
    provision: str


#: Every form a condition takes: a closed union, so that a visitor's ``match`` ending in
#: ``assert_never`` fails type checking when a new form is added and not handled.
Expr: TypeAlias = Compare | Known | All | AnyOf | Not | ActivitiesOutside | BasisUsed


def _operand(raw: object) -> Operand:
    if isinstance(raw, Mapping):
        if set(raw) != {"param"} or not isinstance(raw["param"], str):
            raise ExprError(f"an operand mapping must be {{param: NAME}}, got {dict(raw)!r}")
        return Param(raw["param"])
    if isinstance(raw, list):
        return Const(tuple(raw))
    return Const(raw)


def parse_expr(raw: object) -> Expr:  # noqa: PLR0911, PLR0912 - one branch per form
    """Parse one YAML condition; raise :class:`ExprError` naming what is wrong."""
    if not isinstance(raw, Mapping):
        raise ExprError(f"a condition must be a mapping, got {raw!r}")
    keys = set(raw)
    if keys in ({"all"}, {"any"}):
        key = next(iter(keys))
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ExprError(f"{key!r} needs a non-empty list of conditions")
        parsed = tuple(parse_expr(i) for i in items)
        return All(parsed) if key == "all" else AnyOf(parsed)
    if keys == {"not"}:
        return Not(parse_expr(raw["not"]))
    if keys == {"activities_outside"}:
        cats = raw["activities_outside"]
        if not isinstance(cats, list) or not all(isinstance(c, str) for c in cats):
            raise ExprError("'activities_outside' needs a list of category ids")
        return ActivitiesOutside(tuple(cats))
    if keys == {"basis_used"}:
        spec = raw["basis_used"]
        if not isinstance(spec, Mapping) or set(spec) != {"category", "provision"}:
            raise ExprError("'basis_used' needs {category: ID, provision: ID}")
        return BasisUsed(str(spec["category"]), str(spec["provision"]))
    if "fact" in keys and len(keys) == 2:
        fact = raw["fact"]
        if not isinstance(fact, str):
            raise ExprError(f"'fact' must name a fact, got {fact!r}")
        (op,) = keys - {"fact"}
        if op == "known":
            return Known(fact, bool(raw["known"]))
        if op not in COMPARATORS:
            raise ExprError(f"unknown comparison {op!r}; expected one of {', '.join(COMPARATORS)}")
        if op.endswith("_fact"):
            other = raw[op]
            if not isinstance(other, str):
                raise ExprError(f"{op!r} must name another fact")
            return Compare(fact, cast(Op, op), other)
        return Compare(fact, cast(Op, op), _operand(raw[op]))
    raise ExprError(f"cannot read condition {dict(raw)!r}")


class EvalContext(Protocol):
    """What a condition may look up beyond the facts."""

    def param(self, name: str) -> object: ...

    def activity_outcome(self, category: str, activity: str) -> Tri: ...

    def basis(self, category: str) -> Sequence[str]: ...


Result = tuple[Tri, frozenset[str]]
_NONE: Final[frozenset[str]] = frozenset()


def _value(operand: Operand, ctx: EvalContext) -> object:
    return ctx.param(operand.name) if isinstance(operand, Param) else operand.value


def _as_collection(value: object) -> tuple[object, ...]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return (value,)


def _members(value: object) -> tuple[object, ...]:
    """The items of a list fact; a text list fact (countries) is ``;``-separated."""
    if isinstance(value, str):
        return tuple(value.split(";"))
    return _as_collection(value)


def _ordered(a: object, b: object, cmp: Callable[[float, float], bool]) -> bool:
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return cmp(a.toordinal(), b.toordinal())
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return cmp(float(a), float(b))
    raise ExprError(f"cannot order {a!r} against {b!r}")


def _compare(op: Op, left: object, right: object) -> bool:  # noqa: PLR0911, PLR0912 - one branch per operator
    if op in {"is", "eq"}:
        return left == right
    if op == "ne":
        return left != right
    if op == "in":
        return left in _as_collection(right)
    if op == "not_in":
        return left not in _as_collection(right)
    if op == "has":
        return right in _members(left)
    if op == "has_any":
        return any(r in _members(left) for r in _as_collection(right))
    if op == "has_none":
        return not any(r in _members(left) for r in _as_collection(right))
    if op in ("gte", "gte_fact"):
        return _ordered(left, right, lambda a, b: a >= b)
    if op == "gt":
        return _ordered(left, right, lambda a, b: a > b)
    if op == "lte":
        return _ordered(left, right, lambda a, b: a <= b)
    if op in ("lt", "lt_fact"):
        return _ordered(left, right, lambda a, b: a < b)
    if op == "eq_fact":
        return left == right
    if op == "ne_fact":
        return left != right
    raise ExprError(f"unknown comparison {op!r}")


def _junction(
    items: tuple[Expr, ...], facts: Mapping[str, object], ctx: EvalContext, *, decisive: bool
) -> Result:
    """Kleene AND (``decisive`` false) or OR (true): the decisive value wins, then unknown,
    with every fact that left an item unknown."""
    unknown: set[str] = set()
    saw_unknown = False
    for item in items:
        value, missing = evaluate(item, facts, ctx)
        if value is decisive:
            return decisive, _NONE
        if value is None:
            saw_unknown = True
            unknown |= missing
    return (None, frozenset(unknown)) if saw_unknown else (not decisive, _NONE)


def _evaluate_compare(expr: Compare, facts: Mapping[str, object], ctx: EvalContext) -> Result:
    left = facts.get(expr.fact)
    if isinstance(expr.operand, str):
        right = facts.get(expr.operand)
        missing = frozenset(f for f, v in ((expr.fact, left), (expr.operand, right)) if v is None)
        if missing:
            return None, missing
    else:
        if left is None:
            return None, frozenset((expr.fact,))
        right = _value(expr.operand, ctx)
    return _compare(expr.op, left, right), _NONE


def evaluate(expr: Expr, facts: Mapping[str, object], ctx: EvalContext) -> Result:  # noqa: PLR0911 - one per form
    """Evaluate under Kleene logic; the set names the facts that made it unknown."""
    match expr:
        case Compare():
            return _evaluate_compare(expr, facts, ctx)
        case Known(fact, expected):
            return (facts.get(fact) is not None) == expected, _NONE
        case All(items):
            return _junction(items, facts, ctx, decisive=False)
        case AnyOf(items):
            return _junction(items, facts, ctx, decisive=True)
        case Not(item):
            value, missing = evaluate(item, facts, ctx)
            return (None if value is None else not value), missing
        case ActivitiesOutside(categories):
            for activity in _as_collection(facts.get("activities") or ()):
                outcomes = [ctx.activity_outcome(c, str(activity)) for c in categories]
                if all(o is False for o in outcomes):
                    return True, _NONE
            return False, _NONE
        case BasisUsed(category, provision):
            return provision in ctx.basis(category), _NONE
        case _:
            assert_never(expr)


def facts_of(expr: Expr) -> frozenset[str]:
    """Every fact a condition reads."""
    match expr:
        case Compare(fact, _, operand):
            return frozenset({fact, operand} if isinstance(operand, str) else {fact})
        case Known(fact, _):
            return frozenset({fact})
        case All(items) | AnyOf(items):
            return frozenset().union(*(facts_of(i) for i in items))
        case Not(item):
            return facts_of(item)
        case ActivitiesOutside():
            return frozenset({"activities"})
        case BasisUsed():
            return frozenset()
        case _:
            assert_never(expr)


def params_of(expr: Expr) -> frozenset[str]:
    """Every parameter a condition reads."""
    match expr:
        case Compare(_, _, Param(name)):
            return frozenset({name})
        case All(items) | AnyOf(items):
            return frozenset().union(*(params_of(i) for i in items))
        case Not(item):
            return params_of(item)
        case Compare() | Known() | ActivitiesOutside() | BasisUsed():
            return frozenset()
        case _:
            assert_never(expr)

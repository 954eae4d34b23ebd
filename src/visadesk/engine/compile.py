"""Rule conditions compiled to Polars expressions: the same rules, whole columns at a time.

Nothing here states a rule: it translates the condition language of the rule
files (``visadesk.policy.expr``) into Polars. Unknown is ``null`` and Polars'
boolean ``&``/``|``/``all_horizontal``/``any_horizontal`` follow Kleene logic,
exactly like the per-case interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import assert_never

import polars as pl

from visadesk.policy import expr as forms  # the forms of a condition, matched below
from visadesk.policy.expr import Expr
from visadesk.roster.schema import ACTIVITY_CODES

__all__ = ["CompileContext", "activity_column", "compile_expr", "missing_expr"]

NULL_BOOL = pl.lit(None, dtype=pl.Boolean)


def activity_column(code: str) -> str:
    """The boolean column that says whether a trip plans activity ``code``."""
    return f"__has_{code}"


@dataclass
class CompileContext:
    """Parameters in force, and (for flags) what categories decided, as expressions."""

    param: Callable[[str], object]
    activity_outcome: Mapping[tuple[str, str], pl.Expr] = field(default_factory=dict)
    basis_used: Mapping[tuple[str, str], pl.Expr] = field(default_factory=dict)


def _literal(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _operand(expr: forms.Compare, ctx: CompileContext) -> object:
    assert not isinstance(expr.operand, str)
    if isinstance(expr.operand, forms.Param):
        return _literal(ctx.param(expr.operand.name))
    return _literal(expr.operand.value)


def _codes(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    unknown = [v for v in items if v not in ACTIVITY_CODES]
    if unknown:
        raise ValueError(f"not activity codes: {unknown}")
    return [str(v) for v in items]


def _compare(expr: forms.Compare, ctx: CompileContext) -> pl.Expr:
    col = pl.col(expr.fact)
    op = expr.op
    if isinstance(expr.operand, str):
        other = pl.col(expr.operand)
        known = col.is_not_null() & other.is_not_null()
        result = {
            "eq_fact": col == other,
            "ne_fact": col != other,
            "lt_fact": col < other,
            "gte_fact": col >= other,
        }[op]
        return pl.when(known).then(result).otherwise(NULL_BOOL)
    value = _operand(expr, ctx)
    if op in ("has", "has_any", "has_none") and expr.fact == "activities":
        has = pl.any_horizontal([pl.col(activity_column(c)) for c in _codes(value)])
        return ~has if op == "has_none" else has
    if op in ("has", "has_any", "has_none"):
        # A text list fact (countries): codes joined by ";", blank is unknown.
        items = value if isinstance(value, list) else [value]
        member = (
            pl.any_horizontal(
                [col.str.contains(rf"(?:^|;){re.escape(str(v))}(?:;|$)") for v in items]
            )
            if items
            else pl.lit(False)
        )
        test = ~member if op == "has_none" else member
        return pl.when(col.is_null()).then(NULL_BOOL).otherwise(test)
    if op in ("in", "not_in"):
        # Equalities rather than is_in: the streaming engine can run them chunk by chunk.
        options = value if isinstance(value, list) else [value]
        member = (
            pl.any_horizontal([col == pl.lit(v) for v in options]) if options else pl.lit(False)
        )
        test = ~member if op == "not_in" else member
    else:
        right = pl.lit(value)
        test = {
            "is": col == right,
            "eq": col == right,
            "ne": col != right,
            "gte": col >= right,
            "gt": col > right,
            "lte": col <= right,
            "lt": col < right,
        }[op]
    return pl.when(col.is_null()).then(NULL_BOOL).otherwise(test)


def compile_expr(expr: Expr, ctx: CompileContext) -> pl.Expr:  # noqa: PLR0911 - one per form
    """A nullable Boolean expression: true, false, or null for unknown."""
    match expr:
        case forms.Compare():
            return _compare(expr, ctx)
        case forms.Known(fact, expected):
            known = pl.col(fact).is_not_null()
            return known if expected else ~known
        case forms.All(items):
            return pl.all_horizontal([compile_expr(i, ctx) for i in items])
        case forms.AnyOf(items):
            return pl.any_horizontal([compile_expr(i, ctx) for i in items])
        case forms.Not(item):
            return ~compile_expr(item, ctx)
        case forms.ActivitiesOutside(categories):
            outside = [
                pl.col(activity_column(code))
                & pl.all_horizontal(
                    [ctx.activity_outcome[(c, code)].eq_missing(pl.lit(False)) for c in categories]
                )
                for code in ACTIVITY_CODES
            ]
            return pl.any_horizontal(outside)
        case forms.BasisUsed(category, provision):
            return ctx.basis_used[(category, provision)]
        case _:
            assert_never(expr)


def missing_expr(expr: Expr, fact: str, ctx: CompileContext) -> pl.Expr:
    """Whether ``fact`` is among the facts that leave ``expr`` unknown (as the interpreter says)."""
    match expr:
        case forms.Compare():
            return pl.col(fact).is_null() if fact in forms.facts_of(expr) else pl.lit(False)
        case forms.All(items) | forms.AnyOf(items):
            parts = [compile_expr(i, ctx).is_null() & missing_expr(i, fact, ctx) for i in items]
            return compile_expr(expr, ctx).is_null() & pl.any_horizontal(parts)
        case forms.Not(item):
            return missing_expr(item, fact, ctx)
        case forms.Known() | forms.ActivitiesOutside() | forms.BasisUsed():
            # Never unknown.
            return pl.lit(False)
        case _:
            assert_never(expr)

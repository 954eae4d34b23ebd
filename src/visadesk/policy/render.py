"""Rules for people: ``policy show`` (readable rules) and ``policy diff`` (what changed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import assert_never

from visadesk.policy.expr import (
    ActivitiesOutside,
    All,
    AnyOf,
    BasisUsed,
    Compare,
    Expr,
    Known,
    Not,
    Param,
)
from visadesk.policy.model import Category, Policy, Rule

__all__ = ["describe", "diff_views", "policy_view", "show_category", "show_policy"]

_OPS = {
    "is": "is",
    "eq": "=",
    "ne": "≠",
    "in": "is one of",
    "not_in": "is none of",
    "gte": "≥",
    "gt": ">",
    "lte": "≤",
    "lt": "<",
    "has": "includes",
    "has_any": "includes any of",
    "has_none": "includes none of",
    "eq_fact": "=",
    "ne_fact": "≠",
    "lt_fact": "<",
    "gte_fact": "≥",
}


def _operand(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return "[" + ", ".join(_operand(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_operand(v)}" for k, v in value.items()) + "}"
    return str(value)


def _compared(expr: Compare, policy: Policy | None, day: dt.date | None) -> str:
    if isinstance(expr.operand, str):
        right = expr.operand
    elif isinstance(expr.operand, Param):
        right = expr.operand.name
        if policy is not None and day is not None:
            value = policy.parameters[expr.operand.name].at(day)
            if value is not None:
                right += f" ({_operand(value.value)})"
    else:
        right = _operand(expr.operand.value)
    return f"{expr.fact} {_OPS[expr.op]} {right}"


def describe(expr: Expr, policy: Policy | None = None, day: dt.date | None = None) -> str:  # noqa: PLR0911 - one per form
    """A condition in plain words; parameters show their value on ``day`` when given."""
    match expr:
        case Compare():
            return _compared(expr, policy, day)
        case Known(fact, expected):
            return f"{fact} is {'given' if expected else 'blank'}"
        case All(items):
            return "(" + " and ".join(describe(i, policy, day) for i in items) + ")"
        case AnyOf(items):
            return "(" + " or ".join(describe(i, policy, day) for i in items) + ")"
        case Not(item):
            return "not " + describe(item, policy, day)
        case ActivitiesOutside(categories):
            return "some activity is allowed in none of " + ", ".join(categories)
        case BasisUsed(category, provision):
            return f"{category} rests on {provision}"
        case _:
            assert_never(expr)


def _rule_lines(rule: Rule, policy: Policy, day: dt.date, lang: str, indent: str) -> Iterator[str]:
    yield f"{indent}{rule.id}: {rule.title.get(lang)}"
    yield f"{indent}    {policy.format(rule.message, lang, day)}"
    if rule.test is not None:
        yield f"{indent}    test: {describe(rule.test, policy, day)}"
    cite = f"{rule.citation} (as of {rule.citation.as_of})"
    if rule.citation.url:
        cite += f" {rule.citation.url}"
    yield f"{indent}    source: {cite}"
    if rule.effective.start or rule.effective.end:
        yield f"{indent}    in force: {rule.effective.start or '…'} to {rule.effective.end or '…'}"
    if rule.verify:
        yield f"{indent}    VERIFY: {rule.verify}"


def show_category(policy: Policy, category: Category, day: dt.date, lang: str = "en") -> str:
    lines = [f"{category.id}: {category.title.get(lang)}  [{category.citation}]"]
    if category.proposed:
        lines.append("    PROPOSED - not law; evaluated only in what-if runs")
    stay = category.stay
    admission = policy.parameters[stay.admission_param].at(day)
    text = f"    stay: {stay.admission_param} = {admission.value if admission else '?'} days"
    if stay.max_total_param:
        total = policy.parameters[stay.max_total_param].at(day)
        text += f", at most {stay.max_total_param} = {total.value if total else '?'} days in all"
    lines.append(text + ("; extendable" if stay.extendable else "; not extendable"))
    for path in category.lead_time:
        steps = " + ".join(f"{s.kind}:{s.param}" for s in path.steps)
        when = f" when {describe(path.when)}" if path.when else ""
        note = f" ({path.note.get(lang)})" if path.note else ""
        lines.append(f"    lead time{when}: {steps}{note}")
    if category.held_visa_void_when is not None:
        void = describe(category.held_visa_void_when)
        lines.append(f"    held visa not in hand when: {void} (or not known)")
    lines.append("  requirements:")
    for rule in category.requirements:
        lines.extend(_rule_lines(rule, policy, day, lang, "    "))
    lines.append("  provisions:")
    for provision in category.provisions:
        lines.extend(_rule_lines(provision.rule, policy, day, lang, "    "))
        if provision.high_risk:
            lines.append("        HIGH RISK basis")
        for req in provision.requirements:
            lines.extend(_rule_lines(req, policy, day, lang, "        "))
    lines.append("  prohibitions:")
    for rule in category.prohibitions:
        lines.extend(_rule_lines(rule, policy, day, lang, "    "))
    lines.append("  activities:")
    for code, treatment in category.activities.items():
        if treatment.prohibited_by:
            what = f"prohibited by {treatment.prohibited_by}"
        else:
            what = "allowed by " + " or ".join(treatment.allowed_by)
        lines.append(f"    {code:<24} {what}" + (f"  ({treatment.note})" if treatment.note else ""))
    return "\n".join(lines)


def show_policy(policy: Policy, day: dt.date, lang: str = "en", category: str | None = None) -> str:
    head = [f"{policy.title.get(lang)}", f"version {policy.version}; rules in force on {day}", ""]
    if category is not None:
        return "\n".join([*head, show_category(policy, policy.categories[category], day, lang)])
    parts = [show_category(policy, c, day, lang) for c in policy.categories.values()]
    flags = ["flags:"]
    for flag in policy.flags:
        flags.append(f"  [{flag.severity}] when {describe(flag.when, policy, day)}")
        flags.extend(_rule_lines(flag.rule, policy, day, lang, "    "))
    params = ["parameters:"]
    for name, param in policy.parameters.items():
        value = param.at(day)
        shown = _operand(value.value) if value else "(none in force)"
        params.append(f"  {name} = {shown} {param.unit}")
        if value is not None:
            params.append(f"      source: {value.source}")
            if value.verify:
                params.append(f"      VERIFY: {value.verify}")
    return "\n\n".join(["\n".join(head), *parts, "\n".join(flags), "\n".join(params)])


def _rule_text(rule: Rule, day: dt.date | None) -> str:
    parts = [f"{rule.citation}", rule.message.en]
    if rule.test is not None:
        parts.append(f"test: {describe(rule.test)}")
    if day is None and (rule.effective.start or rule.effective.end):
        parts.append(f"in force {rule.effective.start or '…'} to {rule.effective.end or '…'}")
    return " | ".join(parts)


def _category_view(policy: Policy, category: Category, day: dt.date | None) -> dict[str, str]:
    def in_force(rule: Rule) -> bool:
        return day is None or rule.effective.contains(day)

    view = {f"category {category.id}": f"{category.title.en} [{category.citation}]"}
    if category.held_visa_void_when is not None:
        view[f"held visa {category.id}"] = (
            f"{', '.join(category.held_visa_codes)} not in hand when"
            f" {describe(category.held_visa_void_when)} (or not known)"
        )
    rules = [r for r in category.requirements if in_force(r)]
    for provision in category.provisions:
        if in_force(provision.rule):
            view[f"provision {provision.id}"] = f"{provision.basis} | " + _rule_text(
                provision.rule, day
            )
            rules += [r for r in provision.requirements if in_force(r)]
    for rule in rules:
        view[f"requirement {rule.id}"] = _rule_text(rule, day)
    for rule in category.prohibitions:
        view[f"prohibition {rule.id}"] = _rule_text(rule, day)
    for code, t in category.activities.items():
        if t.prohibited_by:
            what = f"prohibited by {t.prohibited_by}"
        else:
            allowed = [
                p for p in t.allowed_by if day is None or _provision_in_force(policy, p, day)
            ]
            what = "allowed by " + " or ".join(allowed)
        view[f"treatment {category.id}/{code}"] = what
    return view


def policy_view(policy: Policy, day: dt.date | None = None) -> dict[str, str]:
    """A flat, comparable description of a rule set (as in force on ``day`` when given)."""
    view: dict[str, str] = {}
    for category in policy.categories.values():
        if day is None or category.effective.contains(day):
            view.update(_category_view(policy, category, day))
    for flag in policy.flags:
        if day is None or flag.rule.effective.contains(day):
            text = f"[{flag.severity}] when {describe(flag.when)} | {_rule_text(flag.rule, day)}"
            view[f"flag {flag.code}"] = text
    for name, param in policy.parameters.items():
        if day is None:
            view[f"parameter {name}"] = "; ".join(
                f"from {v.start}: {_operand(v.value)}" for v in param.values
            )
        elif (value := param.at(day)) is not None:
            view[f"parameter {name}"] = _operand(value.value)
    return view


def _provision_in_force(policy: Policy, provision_id: str, day: dt.date) -> bool:
    for category in policy.categories.values():
        for provision in category.provisions:
            if provision.id == provision_id:
                return provision.rule.effective.contains(day)
    return False


def diff_views(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Lines ``+ key: value``, ``- key: value`` and ``~ key: old -> new``, sorted by key."""
    lines: list[str] = []
    for key in sorted(old.keys() | new.keys()):
        if key not in new:
            lines.append(f"- {key}: {old[key]}")
        elif key not in old:
            lines.append(f"+ {key}: {new[key]}")
        elif old[key] != new[key]:
            lines.append(f"~ {key}: {old[key]}  ->  {new[key]}")
    return lines

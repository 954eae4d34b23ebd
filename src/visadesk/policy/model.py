"""The policy model: rules as data, loaded from YAML and never written in Python.

A :class:`Policy` is one resolved rule set (a baseline, optionally with proposed
layers on top). Every item a verdict can cite — requirement, provision,
prohibition, flag — is a :class:`Rule` with an id, a citation, a message in
English and Korean, and effective dates.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from visadesk.policy.expr import Expr

__all__ = [
    "ActivityTreatment",
    "Cap",
    "Category",
    "Citation",
    "Effective",
    "FlagRule",
    "LeadTimePath",
    "LeadTimeStep",
    "Parameter",
    "ParameterValue",
    "Policy",
    "Provision",
    "Rule",
    "Stay",
    "Text",
]


@dataclass(frozen=True, slots=True)
class Text:
    """A text a user reads, in every supported language."""

    en: str
    ko: str

    def get(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en


@dataclass(frozen=True, slots=True)
class Citation:
    """Where a rule comes from: instrument, pinpoint, when it was read, where."""

    instrument: str
    pinpoint: str
    as_of: dt.date
    url: str | None = None

    def __str__(self) -> str:
        return f"{self.instrument} {self.pinpoint}".strip()


@dataclass(frozen=True, slots=True)
class Effective:
    """A half-open validity window ``[start, end)``; ``None`` is unbounded."""

    start: dt.date | None = None
    end: dt.date | None = None

    def contains(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)

    def boundaries(self) -> tuple[dt.date, ...]:
        return tuple(d for d in (self.start, self.end) if d is not None)


@dataclass(frozen=True, slots=True)
class Rule:
    """A citable rule: a requirement (with a test), a prohibition, or a permission."""

    id: str
    kind: Literal["requirement", "prohibition", "provision", "flag"]
    title: Text
    message: Text
    citation: Citation
    effective: Effective = Effective()
    test: Expr | None = None
    verify: str | None = None
    category: str = ""


@dataclass(frozen=True, slots=True)
class Provision:
    """A legal basis that permits activities when all its requirements hold."""

    rule: Rule
    basis: str
    requirements: tuple[Rule, ...]
    high_risk: bool = False

    @property
    def id(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class ActivityTreatment:
    """How one category treats one activity: permitted by provisions, or prohibited."""

    activity: str
    allowed_by: tuple[str, ...] = ()
    prohibited_by: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Stay:
    """How long the status lets a person stay, in parameter names."""

    admission_param: str
    max_total_param: str | None = None
    extendable: bool = False


@dataclass(frozen=True, slots=True)
class Cap:
    """A numerical limit on approvals: a parameter, counted per fiscal year or half year.

    ``supplemental`` names a parameter whose value maps a period (``FY2025 H2``) to extra
    numbers released for it; ``exempt_fact`` a yes/no fact whose holders the cap skips.
    """

    param: str
    period: Literal["fiscal_year", "half_fiscal_year"] = "fiscal_year"
    supplemental: str | None = None
    exempt_fact: str | None = None


@dataclass(frozen=True, slots=True)
class LeadTimeStep:
    """One step to get the status in hand: a number of days, or a fixed calendar."""

    kind: Literal["calendar_days", "business_days", "cap_calendar"]
    param: str
    second_param: str | None = None


@dataclass(frozen=True, slots=True)
class LeadTimePath:
    """A way to the status, taken when ``when`` holds (or always when it is None)."""

    steps: tuple[LeadTimeStep, ...]
    when: Expr | None = None
    note: Text | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """A status (VWP, B1, E2, ...) with its requirements and activity treatments."""

    id: str
    title: Text
    kind: Literal["visitor", "work"]
    citation: Citation
    stay: Stay
    lead_time: tuple[LeadTimePath, ...]
    requirements: tuple[Rule, ...]
    provisions: tuple[Provision, ...]
    prohibitions: tuple[Rule, ...]
    activities: Mapping[str, ActivityTreatment]
    default_prohibition: str
    held_visa_codes: tuple[str, ...] = ()
    annotation: Text | None = None
    cap: Cap | None = None
    proposed: bool = False
    effective: Effective = Effective()
    layer: str = "baseline"
    #: When true or unknown, a held visa of this category does not count as in hand.
    held_visa_void_when: Expr | None = None

    def provision(self, provision_id: str) -> Provision:
        for p in self.provisions:
            if p.id == provision_id:
                return p
        raise KeyError(provision_id)

    def prohibition(self, rule_id: str) -> Rule:
        for r in self.prohibitions:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True, slots=True)
class FlagRule:
    """A risk the desk wants to see, raised when ``when`` is true."""

    rule: Rule
    severity: Literal["low", "medium", "high"]
    when: Expr

    @property
    def code(self) -> str:
        return self.rule.id


@dataclass(frozen=True, slots=True)
class ParameterValue:
    start: dt.date
    value: object
    source: str
    verify: str | None = None


@dataclass(frozen=True, slots=True)
class Parameter:
    """An effective-dated value (a stay limit, a lead time, a country list)."""

    name: str
    title: Text
    unit: str
    values: tuple[ParameterValue, ...]
    layer: str = "baseline"

    def at(self, day: dt.date) -> ParameterValue | None:
        current: ParameterValue | None = None
        for v in sorted(self.values, key=lambda v: v.start):
            if v.start <= day:
                current = v
        return current


class _Defaulting(dict[str, object]):
    """Leaves an unknown ``{placeholder}`` as it is instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Policy:
    """A resolved rule set: a baseline plus the layers asked for."""

    id: str
    version: str
    title: Text
    layers: tuple[str, ...]
    categories: Mapping[str, Category]
    parameters: Mapping[str, Parameter]
    flags: tuple[FlagRule, ...]
    notice: Text
    source_files: tuple[str, ...] = ()
    rules: Mapping[str, Rule] = field(default_factory=dict)

    def param(self, name: str, day: dt.date) -> object:
        """The value of parameter ``name`` in force on ``day``."""
        value = self.parameters[name].at(day)
        if value is None:
            raise LookupError(f"parameter {name!r} has no value in force on {day.isoformat()}")
        return value.value

    def params_at(self, day: dt.date) -> dict[str, object]:
        """Scalar parameters in force on ``day``, for templates like ``{vwp_max_stay_days}``."""
        out: dict[str, object] = {}
        for name, param in self.parameters.items():
            value = param.at(day)
            if value is not None and isinstance(value.value, (int, float, str)):
                v = value.value
                out[name] = (
                    f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) and v >= 10000 else v
                )
        return out

    def format(self, text: Text, lang: str, day: dt.date) -> str:
        """``text`` in ``lang`` with parameter placeholders filled as on ``day``."""
        return string.Formatter().vformat(text.get(lang), (), _Defaulting(self.params_at(day)))

    def rule(self, rule_id: str) -> Rule:
        return self.rules[rule_id]

    def categories_at(self, day: dt.date) -> tuple[Category, ...]:
        return tuple(c for c in self.categories.values() if c.effective.contains(day))

"""What the traveller sheet says the person may and may not do on site.

Each activity code gets a :class:`SheetActivity`: allowed on a provision the trip
rests on, prohibited by the status's rules, conditional on a provision this
trip's screening did not establish, or (work statuses) outside the job the trip
was screened for. The decisions come from the status's activity treatments in
the rule data, the same ones screening uses, and from the provisions the
engine found; :func:`group_activities` folds activities treated alike into one
line of the sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from visadesk.engine.result import CategoryVerdict, Outcome, ScreeningResult
from visadesk.policy.load import provision_index
from visadesk.policy.model import Category, Policy, Text
from visadesk.roster.schema import ACTIVITY_CODES, FactValue

__all__ = ["ActivityGroup", "Kind", "SheetActivity", "group_activities", "sheet_activities"]

#: ``allowed``; ``prohibited``; ``conditional`` (a visitor provision this trip did not
#: establish); ``outside_job`` (a work status, beyond the work this trip was screened for).
Kind = Literal["allowed", "prohibited", "conditional", "outside_job"]


@dataclass(frozen=True, slots=True)
class SheetActivity:
    """One activity code and how the travel status treats it for this person.

    ``allowed``: a provision the trip rests on covers it (``rules`` holds that
    provision). ``prohibited``: the status rules it out (``rules`` holds the
    prohibition). ``conditional``: only a provision this trip's screening did
    not establish could cover it (``rules`` holds those provisions).
    ``outside_job``: a work status could cover it, but only as part of a job
    it was not screened for (``rules`` holds the status's provisions).
    """

    code: str
    kind: Kind
    planned: bool
    rules: tuple[str, ...]
    titles: tuple[Text, ...]
    citation: str

    def title(self, lang: str) -> str:
        return "; ".join(x.get(lang) for x in self.titles)


@dataclass(frozen=True, slots=True)
class ActivityGroup:
    """Activities treated alike (same kind, same rules), shown as one line of the sheet."""

    kind: Kind
    rules: tuple[str, ...]
    titles: tuple[Text, ...]
    citation: str
    activities: tuple[SheetActivity, ...]

    def title(self, lang: str) -> str:
        return "; ".join(x.get(lang) for x in self.titles)


def group_activities(items: Sequence[SheetActivity]) -> tuple[ActivityGroup, ...]:
    """``items`` grouped by kind and rules, in order of first appearance."""
    groups: dict[tuple[str, tuple[str, ...]], list[SheetActivity]] = {}
    for item in items:
        groups.setdefault((item.kind, item.rules), []).append(item)
    return tuple(
        ActivityGroup(g[0].kind, g[0].rules, g[0].titles, g[0].citation, tuple(g))
        for g in groups.values()
    )


def _planned(facts: dict[str, FactValue]) -> tuple[str, ...]:
    value = facts.get("activities")
    if isinstance(value, str):
        return tuple(a for a in value.split(";") if a)
    return tuple(value) if isinstance(value, tuple) else ()


def _decided(verdict: CategoryVerdict) -> dict[str, str]:
    """Activity code -> the provision that decided it, as the engine recorded it."""
    return {
        c.activity: c.provision
        for c in verdict.checks
        if c.activity
        and c.provision
        and c.rule == c.provision
        and c.outcome is Outcome.PASS
        and not c.superseded
    }


def sheet_activities(
    result: ScreeningResult,
    policy: Policy,
    cat: Category,
    verdict: CategoryVerdict,
    basis: Sequence[str],
) -> tuple[tuple[SheetActivity, ...], tuple[SheetActivity, ...]]:
    """What the person may do and may not do, from the status's activity treatments only.

    A planned activity is allowed on the provision the engine found for it. For
    any other activity the status's treatment decides (the same treatments
    screening uses, ``activities:`` in the category file):

    - no treatment, or ``prohibited_by``: prohibited, citing the prohibition (or
      the status's default prohibition);
    - a work status (``kind: work``: E-2, L-1, H-1B, H-2B) covers the job its
      petition, registration or certification describes, which is the work this
      trip was screened for: anything else is ``outside_job`` (ask the desk
      first), whatever the status could cover for another job. An H-2B
      construction worker is not told they may manage the US company;
    - a visitor status (ESTA, B-1) allows it when a provision the treatment
      names is one the trip rests on, or has no conditions and no high-risk
      mark (general business activities); otherwise it is ``conditional`` on a
      provision this trip did not establish (ask the desk first).
    """
    provisions = provision_index(policy)
    planned = _planned(result.facts)
    decided = _decided(verdict)
    allowed: list[SheetActivity] = []
    refused: list[SheetActivity] = []

    def allow(code: str, provision_id: str, is_planned: bool) -> SheetActivity:
        p = provisions[provision_id]
        return SheetActivity(code, "allowed", is_planned, (p.id,), (p.rule.title,), p.basis)

    def prohibit(code: str, rule_id: str) -> SheetActivity:
        rule = policy.rule(rule_id)
        return SheetActivity(
            code, "prohibited", False, (rule.id,), (rule.title,), str(rule.citation)
        )

    def ask(code: str, kind: Kind, ids: Sequence[str]) -> SheetActivity:
        return SheetActivity(
            code,
            kind,
            False,
            tuple(ids),
            tuple(provisions[p].rule.title for p in ids),
            "; ".join(dict.fromkeys(provisions[p].basis for p in ids)),
        )

    def covered(provision_id: str) -> bool:
        """A provision the trip rests on, or one without conditions (general business)."""
        p = provisions[provision_id]
        if provision_id in basis:
            return True
        conditions = [r for r in p.requirements if r.effective.contains(result.as_of)]
        return not p.high_risk and not conditions

    codes = [*planned, *(c for c in ACTIVITY_CODES if c not in planned)]
    for code in codes:
        if code in planned:
            allowed.append(allow(code, decided[code], True))
            continue
        treatment = cat.activities.get(code)
        if treatment is None or treatment.prohibited_by:
            rule_id = treatment.prohibited_by if treatment else None
            refused.append(prohibit(code, rule_id or cat.default_prohibition))
            continue
        in_force = [
            p for p in treatment.allowed_by if provisions[p].rule.effective.contains(result.as_of)
        ]
        if not in_force:
            refused.append(prohibit(code, cat.default_prohibition))
        elif cat.kind == "work":
            refused.append(ask(code, "outside_job", in_force))
        else:
            covering = [p for p in in_force if covered(p)]
            if covering:
                # The most specific provision the trip rests on, else the first one named.
                chosen = next((p for p in basis if p in covering), covering[0])
                allowed.append(allow(code, chosen, False))
            else:
                refused.append(ask(code, "conditional", in_force))
    return tuple(allowed), tuple(refused)

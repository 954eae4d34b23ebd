"""The public output contract (``docs/roster.md``): one JSON object per roster row.

Verdicts inside the engine name rule ids only; this module expands them to
citations and messages in the reader's language, once, at output time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from visadesk.engine.result import CategoryVerdict, Check, ScreeningResult, Status
from visadesk.i18n import t
from visadesk.policy.model import Policy, Rule, Text

__all__ = ["ResultRenderer", "annotation_values", "result_document"]


def annotation_values(
    facts: Mapping[str, object], basis: str, lang: str, project_end: object = None
) -> dict[str, str]:
    """What a B-1 annotation names: basis, employer, project, its end date, worksite.

    ``project_end`` (a date, e.g. the desk project's end) is used when the facts give
    none; without either the text asks for it rather than leaving it out (issue #11).
    """
    end = facts.get("project_end") or project_end
    return {
        "basis": basis,
        "employer": str(facts.get("employer") or "-"),
        "project": str(facts.get("project") or "-"),
        "worksite": str(facts.get("worksite") or "-"),
        "project_end": (
            end.isoformat()
            if isinstance(end, dt.date)
            else str(end)
            if end
            else t("law3.annotation.project_end_missing", lang)
        ),
    }


class ResultRenderer:
    """Expands compact results with the policy's texts, in one language, at one date."""

    def __init__(self, policy: Policy, as_of: dt.date, lang: str = "en") -> None:
        self.policy = policy
        self.as_of = as_of
        self.lang = lang
        self._basis = {p.id: p.basis for c in policy.categories.values() for p in c.provisions}
        self._order = {
            p.id: i for c in policy.categories.values() for i, p in enumerate(c.provisions)
        }

    def text(self, text: Text, lang: str | None = None) -> str:
        return self.policy.format(text, lang or self.lang, self.as_of)

    def reason(self, check: Check, lang: str | None = None) -> dict[str, Any]:
        rule = self.policy.rule(check.rule)
        out: dict[str, Any] = {
            "rule": rule.id,
            "citation": str(rule.citation),
            "message": self.text(rule.message, lang),
            "outcome": check.outcome.value,
        }
        if check.activity:
            out["activity"] = check.activity
        if check.missing:
            out["missing"] = list(check.missing)
        if rule.verify:
            out["verify"] = rule.verify
        return out

    def basis(self, verdict: CategoryVerdict) -> str | None:
        """The legal bases relied on, most specific provision first."""
        if not verdict.basis:
            return None
        ordered = sorted(verdict.basis, key=lambda p: -self._order.get(p, 0))
        return "; ".join(dict.fromkeys(self._basis[p] for p in ordered))

    def category(self, verdict: CategoryVerdict) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": verdict.status.value,
            "reasons": [self.reason(c) for c in verdict.deciding()],
        }
        basis = self.basis(verdict)
        if basis:
            out["basis"] = basis
        if verdict.status is Status.NEEDS_INFO:
            out["missing"] = list(verdict.missing)
        out["stay_covers_trip"] = verdict.stay_covers
        out["ready_by"] = _iso(verdict.ready_by)
        out["in_hand"] = verdict.in_hand
        return out

    def annotation(self, result: ScreeningResult, lang: str | None = None) -> str | None:
        """The B-1 annotation the desk would print, when a B-1 verdict is eligible."""
        for verdict in result.verdicts.values():
            category = self.policy.categories[verdict.category]
            if category.annotation is None or verdict.status is not Status.ELIGIBLE:
                continue
            language = lang or self.lang
            values = annotation_values(result.facts, self.basis(verdict) or "", language)
            return category.annotation.get(language).format(**values)
        return None

    def flag(self, code: str, severity: str, lang: str | None = None) -> dict[str, Any]:
        rule = self.policy.rule(code)
        return {
            "code": code,
            "severity": severity,
            "message": self.text(rule.message, lang),
            "citation": str(rule.citation),
        }

    def row(self, result: ScreeningResult) -> dict[str, Any]:
        """One row of the contract, with the additions documented in docs/roster.md."""
        return {
            "worker_id": result.worker_id,
            "row": result.row,
            "recommended": result.recommended,
            "ready_by": _iso(result.ready_by),
            "ready_in_time": result.ready_in_time,
            "categories": {cid: self.category(v) for cid, v in result.verdicts.items()},
            "flags": [self.flag(f.code, f.severity) for f in result.flags],
            "missing": list(result.missing),
            "annotation": self.annotation(result),
        }

    def rule_texts(self, rule: Rule) -> tuple[str, str]:
        return self.text(rule.message, "en"), self.text(rule.message, "ko")


def result_document(
    results: Iterable[ScreeningResult],
    policy: Policy,
    *,
    as_of: dt.date,
    start_date: dt.date,
    lang: str = "en",
    source: str | None = None,
) -> dict[str, Any]:
    """The whole ``--json`` document: notice, policy, dates and one object per row."""
    renderer = ResultRenderer(policy, as_of, lang)
    return {
        "notice": {"en": policy.notice.en, "ko": policy.notice.ko},
        "policy": {"id": policy.id, "version": policy.version, "layers": list(policy.layers)},
        "as_of": as_of.isoformat(),
        "start_date": start_date.isoformat(),
        "source": source,
        "results": [renderer.row(r) for r in results],
    }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None

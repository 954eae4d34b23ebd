"""Counts over a screened roster: per category and status, recommendations, flags."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from visadesk.engine.result import ScreeningResult, Status

__all__ = ["Summary", "summarize"]


@dataclass
class Summary:
    rows: int = 0
    by_category: dict[str, Counter[Status]] = field(default_factory=dict)
    recommended: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    late: int = 0
    no_status: int = 0


def summarize(results: Iterable[ScreeningResult]) -> Summary:
    summary = Summary()
    for result in results:
        summary.rows += 1
        for cid, verdict in result.verdicts.items():
            summary.by_category.setdefault(cid, Counter())[verdict.status] += 1
        summary.recommended[result.recommended or "-"] += 1
        if result.recommended is None:
            summary.no_status += 1
        elif result.ready_in_time is False:
            summary.late += 1
        for flag in result.flags:
            summary.flags[flag.code] += 1
    return summary

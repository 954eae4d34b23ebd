"""What a what-if comparison finds: counts under both rule sets, changed trips, cap use.

Plain data, computed by :mod:`visadesk.whatif` and written for people by
:mod:`visadesk.report.whatif_out`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["CapUse", "Change", "WhatIf"]


@dataclass(frozen=True, slots=True)
class Change:
    """One trip whose verdicts differ between the two rule sets."""

    worker_id: str
    row: int
    recommended_before: str | None
    recommended_after: str | None
    statuses: tuple[tuple[str, str | None, str | None], ...]
    why: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CapUse:
    """How much of a capped category's period the roster would use, and when it runs out."""

    category: str
    demand: str
    period: str
    cap: int
    used: int
    exhausted_on: dt.date | None
    first_over_cap: str | None


@dataclass
class WhatIf:
    baseline: str
    proposed: str
    as_of: dt.date
    rows: int
    statuses: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    recommended: dict[str, tuple[int, int]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    caps: list[CapUse] = field(default_factory=list)

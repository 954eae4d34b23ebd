"""What screening returns: compact verdicts that name rule ids, expanded only for output."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from visadesk.roster.schema import FactValue

__all__ = ["CategoryVerdict", "Check", "FlagHit", "Outcome", "ScreeningResult", "Status"]


class Status(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_INFO = "needs_info"

    @property
    def explained_by(self) -> Outcome:
        """The outcome of the checks that explain this status."""
        return {
            Status.ELIGIBLE: Outcome.PASS,
            Status.INELIGIBLE: Outcome.FAIL,
            Status.NEEDS_INFO: Outcome.UNKNOWN,
        }[self]


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Outcome:
        return cls.UNKNOWN if value is None else (cls.PASS if value else cls.FAIL)


@dataclass(frozen=True, slots=True)
class Check:
    """One rule applied to one trip: the rule id, what came out, and the facts read."""

    rule: str
    outcome: Outcome
    facts: tuple[tuple[str, FactValue], ...] = ()
    missing: tuple[str, ...] = ()
    activity: str | None = None
    provision: str | None = None
    #: A check of an alternative provision that did not decide the activity (kept for the trace).
    superseded: bool = False


@dataclass(frozen=True, slots=True)
class CategoryVerdict:
    category: str
    status: Status
    checks: tuple[Check, ...]
    basis: tuple[str, ...]
    missing: tuple[str, ...]
    stay_covers: bool
    ready_by: dt.date | None
    in_hand: bool
    lead_time_note: str | None = None

    def explaining(self) -> tuple[Check, ...]:
        """Every check that explains the status (a rule may repeat, once per activity)."""
        wanted = self.status.explained_by
        return tuple(c for c in self.checks if c.outcome is wanted and not c.superseded)

    def deciding(self) -> tuple[Check, ...]:
        """The checks that explain the status, each rule once: failures, unknowns, or passes."""
        seen: set[str] = set()
        out: list[Check] = []
        for check in self.explaining():
            if check.rule not in seen:
                seen.add(check.rule)
                out.append(check)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class FlagHit:
    code: str
    severity: str


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The screening of one roster row."""

    worker_id: str
    row: int | None
    verdicts: dict[str, CategoryVerdict]
    recommended: str | None
    flags: tuple[FlagHit, ...]
    missing: tuple[str, ...]
    as_of: dt.date
    start_date: dt.date
    trip_start: dt.date
    policy_version: str
    facts: dict[str, FactValue]

    @property
    def ready_by(self) -> dt.date | None:
        if self.recommended is None:
            return None
        return self.verdicts[self.recommended].ready_by

    @property
    def ready_in_time(self) -> bool | None:
        ready = self.ready_by
        return None if ready is None else ready <= self.trip_start

"""How much time a case has left: days to the trip, overdue, too late (issue #12).

Counted in whole days from *today* on the desk's calendar: the desk works in Seoul,
so a desk's day is the date in Asia/Seoul (:func:`seoul_today`, the default of
``Desk.today``); a test or a demo pins its own day. Everything here is a pure
function of a case and that day, so both doors (and the export) show the same marks.

- **days left**: the trip's start minus today, while the visa is pending (the case
  open, or approved and not yet issued); negative once the trip has started.
- **overdue**: pending, and today is past the case's "start by" day
  (``urgency_date``: the last day processing can start for the visa to be in hand
  at the trip's start); ``overdue_by`` says by how many days.
- **too late**: pending, and the case's "can be in hand by" day (``ready_by``, from
  its screening's lead times) falls after the trip's start; ``late_by`` says by how
  many days. Such a case needs the trip moved or an expedite, whatever the queue does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from visadesk.desk.models import Case
from visadesk.desk.workflow import OPEN_STATES

__all__ = ["PENDING_STATES", "SEOUL", "Deadline", "deadline", "seoul_today"]

#: Asia/Seoul has kept UTC+9 without daylight saving since 1988.
SEOUL: Final = dt.timezone(dt.timedelta(hours=9), "KST")
#: States in which the visa is still to come: open, or approved and not yet issued.
PENDING_STATES: Final = frozenset((*OPEN_STATES, "approved"))


def seoul_today(now: dt.datetime | None = None) -> dt.date:
    """The date in Seoul at ``now`` (default: this moment)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(SEOUL).date()


@dataclass(frozen=True)
class Deadline:
    """A case's time left on ``today``; all ``None``/``False`` once the visa is decided
    and issued (or refused): nothing is pending."""

    today: dt.date
    pending: bool
    days_left: int | None = None
    overdue_by: int | None = None
    late_by: int | None = None

    @property
    def overdue(self) -> bool:
        return self.overdue_by is not None

    @property
    def too_late(self) -> bool:
        return self.late_by is not None

    @property
    def started(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def deadline(case: Case, today: dt.date) -> Deadline:
    """``case``'s days left, overdue and too-late marks on ``today``."""
    if case.state not in PENDING_STATES:
        return Deadline(today, pending=False)
    days_left = (case.trip_start - today).days
    overdue = (today - case.urgency_date).days
    late = (case.ready_by - case.trip_start).days if case.ready_by is not None else 0
    return Deadline(
        today,
        pending=True,
        days_left=days_left,
        overdue_by=overdue if overdue > 0 else None,
        late_by=late if late > 0 else None,
    )

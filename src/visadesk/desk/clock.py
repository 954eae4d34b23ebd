"""The desk's wall clock: real time, unless a story's clock is set for this context.

Every timestamp the desk writes (``models.utcnow``: created, submitted, decided,
uploaded, reviewed, audited) reads this clock. The demo sets a deterministic
clock while it seeds (:func:`visadesk.desk.demo.seed`) so that its cases were
submitted and decided in the weeks before the day it is seeded, the same way
each time for the same day; everything else runs on real time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["using", "utcnow"]

_CLOCK: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("visadesk_clock", default=None)


def utcnow() -> dt.datetime:
    """Now, aware, in UTC: the set clock's reading, else the real time."""
    clock = _CLOCK.get()
    return clock().astimezone(dt.UTC) if clock is not None else dt.datetime.now(dt.UTC)


@contextmanager
def using(clock: Callable[[], dt.datetime]) -> Iterator[None]:
    """Read ``clock`` instead of the real time inside the ``with`` block."""
    token = _CLOCK.set(clock)
    try:
        yield
    finally:
        _CLOCK.reset(token)

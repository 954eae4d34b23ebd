"""Business days in Seoul and Washington: weekends and both countries' public holidays.

A visa case moves through offices in both countries, so a day counts as a
business day only when it is a working day in the US (federal holidays) and in
Korea (public holidays).
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays

__all__ = ["BusinessCalendar", "default_calendar"]


class BusinessCalendar:
    """Adds business days, skipping weekends and US federal and Korean public holidays."""

    def __init__(self) -> None:
        self._us = holidays.country_holidays("US")
        self._kr = holidays.country_holidays("KR")

    def is_business_day(self, day: dt.date) -> bool:
        return day.weekday() < 5 and day not in self._us and day not in self._kr

    def holiday_name(self, day: dt.date) -> str | None:
        names = [n for n in (self._us.get(day), self._kr.get(day)) if n]
        return "; ".join(names) or None

    def add_business_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` business days after ``start`` (``start`` itself not counted)."""
        current = start
        remaining = days
        while remaining > 0:
            current += dt.timedelta(days=1)
            if self.is_business_day(current):
                remaining -= 1
        return current


@cache
def default_calendar() -> BusinessCalendar:
    return BusinessCalendar()

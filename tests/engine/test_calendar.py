"""Business days skip weekends, US federal holidays and Korean public holidays."""

from __future__ import annotations

import datetime as dt

from visadesk.calendar import BusinessCalendar

cal = BusinessCalendar()


def test_weekend_is_not_a_business_day() -> None:
    assert not cal.is_business_day(dt.date(2026, 11, 28))  # Saturday
    assert cal.is_business_day(dt.date(2026, 11, 30))  # Monday


def test_us_thanksgiving_and_korean_chuseok_are_skipped() -> None:
    assert not cal.is_business_day(dt.date(2026, 11, 26))  # Thanksgiving (US)
    assert not cal.is_business_day(dt.date(2026, 9, 25))  # Chuseok (KR)
    assert cal.holiday_name(dt.date(2026, 11, 26)) is not None


def test_add_business_days_counts_after_the_start() -> None:
    # Wed 25 Nov 2026 + 2 business days: Thu 26 is Thanksgiving, Fri 27, Mon 30.
    assert cal.add_business_days(dt.date(2026, 11, 25), 2) == dt.date(2026, 11, 30)
    assert cal.add_business_days(dt.date(2026, 11, 25), 0) == dt.date(2026, 11, 25)


def test_korean_new_year_week() -> None:
    # Seollal 2027: 6-8 Feb (Sat-Mon) with a substitute holiday on Tue 9 Feb.
    start = dt.date(2027, 2, 5)  # Friday
    assert cal.add_business_days(start, 1) == dt.date(2027, 2, 10)

"""Small calendar and money helpers for the demo data (dates relative to today).

Days are Warsaw calendar days (``backend.clock.today``); a time of day on one is
``backend.clock.at_local``."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

VAT_RATE = 23


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days(n: int) -> timedelta:
    return timedelta(days=n)

"""The one source of "now" for business rules, so tests can move time without sleeping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


class Clock:
    """Wall-clock time plus an adjustable offset (tests call :meth:`advance`)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def today(self) -> date:
        return self.now().date()

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def reset(self) -> None:
        self.offset = timedelta()


clock = Clock()
now = clock.now
today = clock.today

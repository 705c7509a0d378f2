"""The one source of "now" and "today" for business rules, so tests can move time without sleeping,
and the one home of the operator's time zone.

In production ``now()`` is the real time (UTC). Tests freeze time for the whole process
(``tests/conftest.py`` uses time-machine, which also freezes the ``datetime.now`` that Tortoise's
``auto_now``/``auto_now_add`` fields call) and move it only with :meth:`Clock.advance` (or
:meth:`Clock.travel_to` a given instant).

Calendar days are the operator's: a "day" (``today()``, due dates, billing periods, contract
days left, limits per day) is a **Warsaw calendar day** (``Europe/Warsaw``: CET, UTC+1, in winter;
CEST, UTC+2, in summer), never the UTC date. At 2026-11-30T23:30Z it is already 1 December in
Warsaw. Instants stay timezone-aware UTC; :func:`day_of` gives the Warsaw day of an instant and
:func:`start_of` the instant a Warsaw day begins (for filters on datetime columns).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OPERATOR_ZONE = ZoneInfo("Europe/Warsaw")
"""The operator's (and its customers') time zone: every calendar day and every time of day shown
to a customer is in it. (Its changes of offset happen at 01:00 UTC, never at local midnight, so
midnight is always one unambiguous instant.) The zone's rules come from the system's time-zone
database or, where there is none, from the ``tzdata`` package (a dependency): never a silent UTC."""


def day_of(instant: datetime) -> date:
    """The Warsaw calendar day on which the aware ``instant`` falls.

    Raises ``ValueError`` for a naive datetime (its zone would be guessed from the host).
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"a naive datetime has no Warsaw calendar day: {instant!r}")
    return instant.astimezone(OPERATOR_ZONE).date()


def at_local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """The instant (UTC) when Warsaw wall clocks show ``hour:minute`` on ``day``.

    A time skipped by the spring change (02:00-02:59 on its Sunday) is read with the winter
    offset, as ``zoneinfo`` does (``fold=0``).
    """
    return datetime.combine(day, time(hour, minute), tzinfo=OPERATOR_ZONE).astimezone(UTC)


def start_of(day: date) -> datetime:
    """The instant (UTC) the Warsaw calendar day ``day`` begins: local midnight, which is 23:00Z
    of the day before in winter and 22:00Z in summer. A day runs from ``start_of(day)``
    (included) to ``start_of(day + 1)`` (excluded)."""
    return at_local(day)


class Clock:
    """Real time; a test harness may take over how :meth:`advance` moves it."""

    def __init__(self) -> None:
        self._mover: Callable[[timedelta], None] | None = None

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The current Warsaw calendar day (the operator's date, not the UTC one)."""
        return day_of(self.now())

    def advance(self, **delta: float) -> None:
        """Move frozen time forward by ``timedelta(**delta)`` (e.g. ``minutes=11``).

        Raises ``RuntimeError`` when no harness froze time: real time moves by itself.
        """
        self._move(timedelta(**delta))

    def travel_to(self, instant: datetime) -> None:
        """Move frozen time to the aware ``instant`` (forward or back), e.g. to a minute before
        Warsaw midnight. Raises ``RuntimeError`` like :meth:`advance`."""
        self._move(instant - self.now())

    def _move(self, delta: timedelta) -> None:
        if self._mover is None:
            raise RuntimeError("the clock is real time here: only a test harness can move it")
        self._mover(delta)

    def take_over(self, mover: Callable[[timedelta], None] | None) -> None:
        """Let ``mover`` move time on :meth:`advance` (``None`` hands time back to reality)."""
        self._mover = mover


clock = Clock()
now = clock.now
today = clock.today

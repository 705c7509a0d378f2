"""The one source of "now" for business rules, so tests can move time without sleeping.

In production ``now()`` is the real time (UTC). Tests freeze time for the whole process
(``tests/conftest.py`` uses time-machine, which also freezes the ``datetime.now`` that Tortoise's
``auto_now``/``auto_now_add`` fields call) and move it only with :meth:`Clock.advance`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta


class Clock:
    """Real time; a test harness may take over how :meth:`advance` moves it."""

    def __init__(self) -> None:
        self._mover: Callable[[timedelta], None] | None = None

    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The current UTC calendar day."""
        return self.now().date()

    def advance(self, **delta: float) -> None:
        """Move frozen time forward by ``timedelta(**delta)`` (e.g. ``minutes=11``).

        Raises ``RuntimeError`` when no harness froze time: real time moves by itself.
        """
        if self._mover is None:
            raise RuntimeError("the clock is real time here: only a test harness can move it")
        self._mover(timedelta(**delta))

    def take_over(self, mover: Callable[[timedelta], None] | None) -> None:
        """Let ``mover`` move time on :meth:`advance` (``None`` hands time back to reality)."""
        self._mover = mover


clock = Clock()
now = clock.now
today = clock.today

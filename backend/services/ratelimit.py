"""Fixed-window rate limits kept in the database, so every app instance shares them.

``hit`` counts an attempt and says whether it is still within the limit; counting is a
conditional UPDATE (exact under concurrency on SQLite and PostgreSQL, no SELECT FOR UPDATE).

The same table keeps counters of failures in a row (``attempt_in_a_row``: no window, the
count grows until a success or a lock), stored under keys prefixed ``in-a-row:``
(:data:`IN_A_ROW_PREFIX`); :func:`delete_ended` (``icok cleanup``) deletes ended windows but
keeps such a counter while its count is above 0, so a cleanup never gives more guesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, cast

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.models import RateLimit


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_at: datetime

    @property
    def retry_minutes(self) -> int:
        return max(1, int((self.retry_at - now()).total_seconds() + 59) // 60)


async def hit(
    key: str,
    *,
    limit: int,
    window: timedelta | None = None,
    until: datetime | None = None,
    amount: int = 1,
) -> Verdict:
    """Count one attempt under ``key`` (or ``amount`` attempts at once, e.g. a batch counted in
    process first); allowed while the count stays within ``limit``.

    A window opens with the first attempt and lasts ``window`` (e.g. an hour), or ends at the
    instant ``until`` (e.g. the next Warsaw midnight, for a limit per calendar day): give one.
    """
    at = now()
    if (window is None) == (until is None):
        raise TypeError("give exactly one of window and until")
    ends = at + window if window is not None else until
    assert ends is not None
    for _ in range(3):
        # Restart a window that has ended (only one concurrent caller wins this UPDATE).
        await RateLimit.filter(key=key, window_ends_at__lte=at).update(count=0, window_ends_at=ends)
        # Increment and read back in one transaction: the row stays locked (PostgreSQL) or the
        # database write-locked (SQLite) until commit, so each caller reads its own count.
        async with in_transaction():
            if await RateLimit.filter(key=key).update(count=F("count") + amount):
                row = await RateLimit.get(key=key)
                return Verdict(row.count <= limit, row.count, row.window_ends_at)
        try:
            await RateLimit.create(key=key, count=amount, window_ends_at=ends)
            return Verdict(amount <= limit, amount, ends)
        except IntegrityError:
            continue  # another request created it first: count again
    raise RuntimeError(f"could not count rate limit {key}")


async def peek(key: str, *, limit: int) -> Verdict | None:
    """The current state without counting, or None when there is no live window."""
    row = await RateLimit.get_or_none(key=key)
    if row is None or row.window_ends_at <= now():
        return None
    return Verdict(row.count < limit, row.count, row.window_ends_at)


async def give_back(
    key: str, *, limit: int, counted_at: datetime, window_ends_by: datetime
) -> bool:
    """Uncount one attempt counted at ``counted_at`` that came to nothing (e.g. a device command
    that failed), when the window it was counted in is still live: one ending after both now and
    ``counted_at``, and no later than ``window_ends_by`` (the end that window had, e.g. the
    Warsaw midnight after ``counted_at``). Attempts refused over ``limit`` are forgotten with
    it (the count drops to at most ``limit`` - 1), so the next attempt is allowed. Returns
    whether an attempt was given back."""
    live = {
        "key": key,
        "window_ends_at__gt": max(now(), counted_at),
        "window_ends_at__lte": window_ends_by,
    }
    async with in_transaction():
        await RateLimit.filter(**live, count__gt=limit).update(count=limit)
        return bool(await RateLimit.filter(**live, count__gt=0).update(count=F("count") - 1))


async def delete_ended() -> int:
    """Housekeeping: delete the rows nothing needs any more, the number deleted. Those are
    windows of :func:`hit` that have ended (the next hit starts a new one) and counters of
    failures in a row (:func:`attempt_in_a_row`) that are neither locked nor counting (count
    0). A counter with failures keeps its row while unlocked: it has no window, so deleting
    it would give a stolen password more guesses at each cleanup. The DELETE is conditional,
    so a window restarted or an attempt counted at the same moment is kept."""
    ended = Q(window_ends_at__lte=now())
    counting = Q(key__startswith=IN_A_ROW_PREFIX, count__gt=0)
    return await RateLimit.filter(ended & ~counting).delete()


# --- counters of failures in a row (a lockout without an account row) -----------------------

IN_A_ROW_PREFIX = "in-a-row:"
"""The prefix of the stored key of every counter of failures in a row: the functions below
add it to the caller's key, so :func:`delete_ended` can tell these rows from windows."""


def _in_a_row(key: str) -> str:
    return IN_A_ROW_PREFIX + key


async def attempt_in_a_row(key: str) -> int | None:
    """Count one attempt under ``key`` the way a member's ``failed_logins`` counts: no window,
    the count grows until :func:`lock_in_a_row` (or forever); the count after this attempt, or
    None while ``key`` is locked. Increment and read-back are one transaction (exact under
    concurrency on SQLite and PostgreSQL). The row's ``window_ends_at`` is the lock's end (an
    instant in the past: not locked)."""
    at, stored = now(), _in_a_row(key)
    for _ in range(3):
        async with in_transaction():
            if await RateLimit.filter(key=stored, window_ends_at__lte=at).update(
                count=F("count") + 1
            ):
                row = await RateLimit.get(key=stored)
                return row.count
        if await RateLimit.exists(key=stored):
            return None  # the row is there and its lock has not ended
        try:
            await RateLimit.create(key=stored, count=1, window_ends_at=at)
            return 1
        except IntegrityError:
            continue  # created concurrently: count again
    raise RuntimeError(f"could not count attempts {key}")


async def lock_in_a_row(key: str, until: datetime) -> datetime:
    """Lock ``key`` (counted by :func:`attempt_in_a_row`) until ``until`` and start its count
    again; when it is locked already, the running lock's end (which is answered)."""
    at = now()
    if await RateLimit.filter(key=_in_a_row(key), window_ends_at__lte=at).update(
        count=0, window_ends_at=until
    ):
        return until
    row = await RateLimit.get_or_none(key=_in_a_row(key))
    return row.window_ends_at if row is not None and row.window_ends_at > at else until


async def undo_in_a_row(key: str) -> None:
    """An attempt counted by :func:`attempt_in_a_row` came to no failure: it is given back
    (never below 0, a running lock stays)."""
    await RateLimit.filter(key=_in_a_row(key), count__gt=0).update(count=F("count") - 1)


async def clear_in_a_row(key: str) -> None:
    """A success: the count of ``key`` starts again (a running lock stays)."""
    await RateLimit.filter(key=_in_a_row(key), window_ends_at__lte=now(), count__gt=0).update(
        count=0
    )


async def locked_in_a_row(key: str) -> datetime | None:
    """The end of ``key``'s running lock (:func:`lock_in_a_row`), or None when it is not
    locked."""
    row = await RateLimit.get_or_none(key=_in_a_row(key))
    return row.window_ends_at if row is not None and row.window_ends_at > now() else None


# --- a row's own counter of failures in a row (an account's or a staff member's) -----------


class LockableRow(Protocol):
    """A model with a lockout: ``failed_logins`` (attempts counted since the last lock or
    success) and ``locked_until`` (null, or the instant a lock ends)."""

    failed_logins: int
    locked_until: datetime | None


def unlocked(at: datetime) -> Q:
    """The filter for rows (a :class:`LockableRow`) not locked at ``at``: never locked, or
    their lock ended (``locked_until`` at or before ``at``)."""
    return Q(locked_until__isnull=True) | Q(locked_until__lte=at)


async def count_attempt(model: type[Model], row_id: int) -> int | None:
    """Count one attempt (a password, a code) on row ``row_id`` of ``model`` (a
    :class:`LockableRow`) BEFORE its verdict: the count after it, or None while the row is
    locked or does not exist. The increment and its read-back are one transaction (the row
    stays locked on PostgreSQL, the database on SQLite), so concurrent attempts each see their
    own count, and a caller that gives a verdict only to counts up to its limit gives at most
    that many. A missing row (e.g. id 0 for an unknown login) runs the same two statements."""
    async with in_transaction():
        counted = await model.filter(unlocked(now()), id=row_id).update(
            failed_logins=F("failed_logins") + 1
        )
        row = await model.get_or_none(id=row_id)
    return cast(LockableRow, row).failed_logins if counted and row is not None else None


async def lock_row(model: type[Model], row_id: int, until: datetime) -> datetime | None:
    """Lock row ``row_id`` of ``model`` (a :class:`LockableRow`) until ``until`` and start its
    count again, unless it is locked already: ``until`` when this call locked it, else None."""
    if await model.filter(unlocked(now()), id=row_id).update(failed_logins=0, locked_until=until):
        return until
    return None


async def locked_until(model: type[Model], row_id: int) -> datetime:
    """The end of row ``row_id``'s running lock (now, when it is not locked: e.g. lifted)."""
    row = cast(LockableRow | None, await model.get_or_none(id=row_id))
    at = now()
    return row.locked_until if row and row.locked_until and row.locked_until > at else at


async def undo_attempt(model: type[Model], row_id: int) -> None:
    """An attempt counted by :func:`count_attempt` succeeded: it is no failure."""
    await model.filter(id=row_id, failed_logins__gt=0).update(failed_logins=F("failed_logins") - 1)

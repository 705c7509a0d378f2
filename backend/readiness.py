"""Readiness (``/readyz``): whether this process can serve requests that need the database.

Three checks, in this order, each with its own verdict:

1. the database answers (``SELECT 1``, then the list of applied migrations, read without
   Tortoise's habit of taking an error for "none applied") — else ``unreachable``;
2. no migration is pending — else ``migrations pending`` (run ``icok migrate``);
3. it takes a write: one committed upsert of the one-row ``readiness_probe`` table
   (:func:`backend.db.probe_write`), on SQLite after a look at the disk's free space — else
   ``not writable`` (a read-only SQLite file or disk, a full disk, a PostgreSQL standby or
   ``default_transaction_read_only``). A write that is rolled back would not do: SQLite writes
   nothing to disk before the commit, so a disk that became read-only or full under an open
   connection goes unnoticed until one commits.

The whole check is bounded by ``timeout`` seconds (past it: ``unreachable``, "did not answer in
time", e.g. a hung server or another process holding SQLite's write lock that long). Its verdict
is kept ``cache_seconds`` and concurrent probes wait for one check, so a load balancer probing
often costs the database at most one check (and one tiny write) per ``cache_seconds`` per process.
Each change of verdict is logged once (WARNING when not ready, INFO when ready again; a first
verdict that is ready logs nothing).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tortoise.connection import get_connection

from backend import db

log = logging.getLogger("icok")


class State(StrEnum):
    """The ``database`` entry of ``/readyz``'s answer."""

    OK = "ok"
    UNREACHABLE = "unreachable"
    MIGRATIONS_PENDING = "migrations pending"
    NOT_WRITABLE = "not writable"


CODES = {
    State.UNREACHABLE: "DATABASE_UNREACHABLE",
    State.MIGRATIONS_PENDING: "MIGRATIONS_PENDING",
    State.NOT_WRITABLE: "DATABASE_NOT_WRITABLE",
}
"""The stable ``code`` of each state but ``ok`` (for monitoring; the message may change)."""


@dataclass(frozen=True)
class Verdict:
    state: State
    message: str = ""
    """One line for the operator (English), empty when ready."""
    pending: tuple[str, ...] = ()
    """The pending migrations' names (``migrations pending`` only)."""
    outage: bool = False
    """The check failed because the database is unavailable (``db.is_unavailable``, or a full
    SQLite disk): reported as the process's ``db.incident`` (its one WARNING), so the change
    of verdict is logged at INFO."""

    @property
    def ready(self) -> bool:
        return self.state is State.OK

    def as_json(self) -> dict[str, Any]:
        """``{"status": "ok", "database": "ok"}``, or ``{"status": "unavailable", "database":
        state, "code": CODE, "message": ...}`` (with ``"pending": [names]`` for migrations)."""
        if self.ready:
            return {"status": "ok", "database": "ok"}
        body: dict[str, Any] = {
            "status": "unavailable",
            "database": str(self.state),
            "code": CODES[self.state],
            "message": self.message,
        }
        if self.pending:
            body["pending"] = list(self.pending)
        return body


async def check(database_url: str, within: float) -> Verdict:
    """Check the open database (at ``database_url``) now, within ``within`` seconds (see the
    module's docstring)."""
    try:
        async with asyncio.timeout(within):
            return await _check(database_url)
    except TimeoutError:
        return Verdict(State.UNREACHABLE, f"the database did not answer within {within:g} s")


async def _check(database_url: str) -> Verdict:
    try:
        await get_connection("default").execute_query("SELECT 1")
        pending = await db.pending_migrations()
    except Exception as exc:  # (any failure to read is "unreachable", whatever its type)
        message = f"cannot reach the database: {db.describe_error(exc)}"
        return Verdict(State.UNREACHABLE, message, outage=_outage(exc))
    if pending:
        return Verdict(
            State.MIGRATIONS_PENDING,
            f"{len(pending)} migration(s) pending ({', '.join(pending)}): run 'icok migrate'",
            tuple(pending),
        )
    try:
        await db.probe_write(database_url)
    except Exception as exc:
        message = f"the database takes no writes: {db.describe_error(exc)}"
        return Verdict(State.NOT_WRITABLE, message, outage=_outage(exc))
    return Verdict(State.OK)


def _outage(exc: BaseException) -> bool:
    """Whether ``exc`` is the database's unavailability (reported to ``db.incident``, which logs
    the outage's one WARNING if the requests have not yet)."""
    if not (db.is_unavailable(exc) or isinstance(exc, db.DiskFull)):
        return False
    db.incident.report(exc, request=False)
    return True


class Readiness:
    """One process's readiness: :meth:`verdict` checks at most once per ``cache_seconds``
    (0: on every call) and logs each change of state once (not a first verdict that is ready)."""

    def __init__(self, database_url: str, *, timeout: float, cache_seconds: float) -> None:
        self.database_url = database_url
        self.timeout = timeout
        self.cache_seconds = cache_seconds
        self._lock = asyncio.Lock()
        self._last: Verdict | None = None
        self._checked_at = 0.0  # time.monotonic() of the last check

    async def verdict(self) -> Verdict:
        """The current verdict: the last one if younger than ``cache_seconds``, else a new
        check (callers arriving during a check share it)."""
        async with self._lock:
            last = self._last
            if last is not None and time.monotonic() - self._checked_at < self.cache_seconds:
                return last
            verdict = await check(self.database_url, self.timeout)
            self._last, self._checked_at = verdict, time.monotonic()
        # (the first verdict, when ready, is no change worth a line: the server just started)
        if (last is None and not verdict.ready) or (
            last is not None and verdict.state is not last.state
        ):
            if verdict.ready:
                log.info("ready again: the database is reachable, migrated and takes writes")
            else:  # (an outage's WARNING is the incident's: one per outage, not two)
                level = logging.INFO if verdict.outage else logging.WARNING
                log.log(level, "not ready (%s): %s", CODES[verdict.state], verdict.message)
        return verdict

"""Database wiring: the Tortoise config, start-up, and the migration state.

Migrations are made with Tortoise's own tool (``tortoise -c backend.db.TORTOISE_ORM
makemigrations``) into ``backend/migrations`` and applied by ``icok migrate`` or, on an empty
embedded database, by the server itself: one migration at a time per database
(:func:`migration_lock`).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tortoise import Tortoise
from tortoise.backends.base import executor as tortoise_executor
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.exceptions import BaseORMException, ConfigurationError
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor
from tortoise.migrations.graph import MigrationKey
from tortoise.migrations.recorder import MigrationRecorder

if TYPE_CHECKING:
    from backend.config import Settings

APP = "models"
MIGRATIONS = "backend.migrations"


log = logging.getLogger("icok")


class DatabaseError(Exception):
    """The database cannot be used as configured; the message is one line for the operator."""


def tortoise_config(database_url: str, *, timeout: float | None = None) -> dict[str, Any]:
    """Tortoise's configuration for ``database_url``; ``timeout`` (seconds, None: no bound) is
    :func:`init`'s ``wait_seconds``."""
    return {
        "connections": {"default": _connection(database_url, timeout=timeout)},
        "apps": {
            APP: {
                "models": ["backend.models"],
                "default_connection": "default",
                "migrations": MIGRATIONS,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


_ENGINES = {
    "tortoise.backends.sqlite": "backend.sqlite_client",
    "tortoise.backends.asyncpg": "backend.postgres_client",
}
"""Tortoise's engines and ICOK's subclasses of them, used instead."""


def _connection(database_url: str, *, timeout: float | None = None) -> str | dict[str, Any]:
    """``database_url`` as Tortoise takes it; SQLite with :mod:`backend.sqlite_client` (writers
    in several processes wait for each other instead of failing with "database is locked"),
    PostgreSQL with :mod:`backend.postgres_client` (dead pooled connections recycled; with a
    ``timeout``, asyncpg's connect ``timeout`` and ``command_timeout``, which the client also
    uses to bound the wait for a pooled connection)."""
    try:
        connection: dict[str, Any] = expand_db_url(database_url)
    except ConfigurationError:
        return database_url  # Tortoise.init reports it
    engine = _ENGINES.get(connection["engine"])
    if not engine:
        return database_url
    if timeout is not None and engine == _ENGINES["tortoise.backends.asyncpg"]:
        credentials = {**connection["credentials"], "timeout": timeout, "command_timeout": timeout}
        connection = {**connection, "credentials": credentials}
    return {**connection, "engine": engine}


# For Tortoise's own CLI (``tortoise -c backend.db.TORTOISE_ORM makemigrations``).
TORTOISE_ORM = tortoise_config(os.environ.get("ICOK_DATABASE_URL", "sqlite://:memory:"))


def describe_url(database_url: str) -> str:
    """The URL without its password, for messages."""
    if "@" in database_url and "://" in database_url:
        scheme, rest = database_url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return database_url


async def init(database_url: str, *, wait_seconds: float | None = None) -> None:
    """Open the connection (fails with :class:`DatabaseError` if it is unreachable).

    ``wait_seconds`` (None: no bound) bounds every wait for PostgreSQL: connecting, one
    statement, a free pooled connection (``Settings.database_timeout_seconds`` for the server;
    the CLI's batch commands run without it). Past it the statement fails as the database's
    unavailability (:func:`is_unavailable`; the app answers 503). SQLite has its own bound, the
    busy timeout (:mod:`backend.sqlite_client`), and ignores it."""
    # Tortoise caches each model's INSERT statement per connection *name* for the life of the
    # process, in the dialect of the first backend that used it. A process that opens "default"
    # on SQLite and later on PostgreSQL (the test suite does) would send "?" placeholders to
    # PostgreSQL, so the cache is dropped whenever the ORM is (re)initialised.
    tortoise_executor.EXECUTOR_CACHE.clear()
    try:
        await Tortoise.init(
            config=tortoise_config(database_url, timeout=wait_seconds), _enable_global_fallback=True
        )
        await get_connection("default").execute_query("SELECT 1")
    except Exception as exc:
        await close()
        raise DatabaseError(
            f"cannot open the database {describe_url(database_url)}: {describe_error(exc)}"
        ) from exc


async def close() -> None:
    await Tortoise.close_connections()


def describe_error(exc: BaseException) -> str:
    """The first line of a database error's message (its type's name when it has none)."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def sqlite_path(database_url: str) -> Path | None:
    """The file of a ``sqlite://`` URL (None for other databases and ``:memory:``)."""
    connection = _connection(database_url)
    if not isinstance(connection, dict):
        return None
    file_path = connection["credentials"].get("file_path")
    return None if not file_path or file_path == ":memory:" else Path(file_path)


class _StrictRecorder(MigrationRecorder):
    """Tortoise's migration recorder, except that reading the applied migrations fails when the
    database does: Tortoise's answers "none applied" to any error, so a database that was down
    looked like one with every migration pending."""

    async def applied_migrations(self) -> list[MigrationKey]:
        if self._dialect == "sqlite":
            exists = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
        else:
            exists = "SELECT 1 WHERE to_regclass($1) IS NOT NULL"
        _, found = await self.connection.execute_query(exists, [self.table_name])
        if not found:  # a brand-new database: nothing applied
            return []
        _, rows = await self.connection.execute_query(
            f"SELECT app, name FROM {self._quote(self.table_name)} "  # noqa: S608 (a constant)
            "ORDER BY applied_at, app, name"
        )
        return [MigrationKey(app_label=row["app"], name=row["name"]) for row in rows]


def _executor() -> MigrationExecutor:
    executor = MigrationExecutor(get_connection("default"), {APP: tortoise_config("")["apps"][APP]})
    executor.recorder = executor.loader.recorder = _StrictRecorder(executor.connection)
    return executor


async def pending_migrations() -> list[str]:
    """Names of the migrations not yet applied to the open database.

    Raises what the database raises when it cannot be read (it is down, the connection is
    closed): never "every migration pending" for a database that did not answer."""
    executor = _executor()
    steps = await executor.plan(None)
    return [step.migration.name for step in steps if not step.backward]


async def applied_migrations() -> list[str]:
    executor = _executor()
    return [key.name for key in await executor.recorder.applied_migrations()]


MIGRATION_WAIT_SECONDS = 60.0
"""How long a migration waits for another one on the same database to finish."""

MIGRATION_LOCK_KEY = 0x69636F6B_6D696772  # "icokmigr": the PostgreSQL advisory lock's key


class MigrationLocked(DatabaseError):
    """Another migration of the same database did not finish within the wait."""


async def _wait_for(try_lock: Callable[[], Awaitable[bool]], wait: float) -> bool:
    """Call ``try_lock`` until it returns True (then True) or ``wait`` seconds pass (False)."""
    deadline = time.monotonic() + wait
    while not await try_lock():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        await asyncio.sleep(min(0.1, left))
    return True


@contextlib.asynccontextmanager
async def migration_lock(database_url: str, wait: float) -> AsyncIterator[None]:
    """Hold the database's migration lock for the block: one migration at a time per database,
    across processes and machines.

    PostgreSQL: a session-level advisory lock (:data:`MIGRATION_LOCK_KEY`) on a connection of its
    own, held until the block ends (or the process dies: the server then releases it). SQLite:
    an exclusive ``flock`` of ``<database file>.migrate-lock`` beside the file (an in-memory
    database needs none). Waits up to ``wait`` seconds (0: does not wait).

    Raises :class:`MigrationLocked` when another migration still holds it after ``wait``, and
    :class:`DatabaseError` when the lock cannot be taken at all (no connection, no lock file)."""
    busy = (
        f"another migration is running on {describe_url(database_url)} "
        f"(waited {wait:g} s for it to finish): try again when it has finished"
    )
    if database_url.startswith("sqlite"):
        path = sqlite_path(database_url)
        if path is None:
            yield
            return
        lock_path = path.with_name(path.name + ".migrate-lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DatabaseError(
                f"cannot open the migration lock {lock_path}: {exc.strerror}"
            ) from exc
        try:

            async def try_flock() -> bool:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return False
                return True

            if not await _wait_for(try_flock, wait):
                raise MigrationLocked(busy)
            yield  # (closing the file releases the lock)
        finally:
            os.close(fd)
        return
    import asyncpg  # (only PostgreSQL needs it)

    try:
        credentials = expand_db_url(database_url)["credentials"]
        connection = await asyncpg.connect(
            host=credentials.get("host"),
            port=credentials.get("port"),
            user=credentials.get("user"),
            password=credentials.get("password"),
            database=credentials.get("database"),
            ssl=credentials.get("ssl"),  # (as the server's own pool connects: ?ssl=require)
        )
    except (OSError, ConfigurationError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        raise DatabaseError(
            f"cannot open the database {describe_url(database_url)}: {describe_error(exc)}"
        ) from exc
    try:

        async def try_advisory_lock() -> bool:
            return bool(
                await connection.fetchval("SELECT pg_try_advisory_lock($1)", MIGRATION_LOCK_KEY)
            )

        if not await _wait_for(try_advisory_lock, wait):
            raise MigrationLocked(busy)
        yield  # (closing the connection releases the lock)
    finally:
        await connection.close()


async def migrate(database_url: str, *, wait: float = MIGRATION_WAIT_SECONDS) -> list[str]:
    """Apply every pending migration under :func:`migration_lock` (waiting up to ``wait``
    seconds for another migration of the database); returns the names applied (none when
    another process applied them while this one waited).

    Raises :class:`MigrationLocked` and :class:`DatabaseError`."""
    async with migration_lock(database_url, wait):
        return await _migrate(database_url)


async def _migrate(database_url: str) -> list[str]:
    applied: list[str] = []
    current = ""

    def progress(event: str, _app: str, name: str) -> None:
        nonlocal current
        if event == "apply_start":
            current = name
        elif event == "apply_done":
            applied.append(name)

    try:
        await migrate_api(config=tortoise_config(database_url), progress=progress)
    except (OSError, BaseORMException) as exc:
        where = f"migration {current} failed on" if current else "cannot migrate"
        raise DatabaseError(f"{where} {describe_url(database_url)}: {describe_error(exc)}") from exc
    return applied


async def is_empty() -> bool:
    """True when no migration was ever applied (a brand-new database)."""
    return not await applied_migrations()


class MigrationsPending(Exception):
    """The database is behind the code; the message tells the operator what to run."""


async def prepare_database(settings: Settings, *, wait_seconds: float | None = None) -> None:
    """Open the database (``wait_seconds``: :func:`init`'s), migrate a brand-new embedded one, refuse
    an out-of-date one.

    Here, not in ``backend.app``, so that the CLI's commands other than ``serve`` start without
    importing the application (GraphQL schemas, PDF rendering): about a second per command.

    Raises ``MigrationsPending`` (the database is behind the code), ``MigrationLocked`` and
    ``DatabaseError``.
    """
    await init(settings.database_url, wait_seconds=wait_seconds)
    pending = await pending_migrations()
    if not pending:
        return
    if settings.is_sqlite and await is_empty():
        await close()
        applied = await migrate(settings.database_url)  # (another worker may have, meanwhile)
        await close()
        await init(settings.database_url, wait_seconds=wait_seconds)
        if applied:
            log.info("created the database (%s)", ", ".join(applied))
        return
    await close()
    raise MigrationsPending(
        f"the database is not up to date ({len(pending)} migration(s) pending: "
        f"{', '.join(pending)}); run 'icok migrate' first"
    )


PROBE_WRITE = (
    "INSERT INTO readiness_probe (id, probes) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET probes = readiness_probe.probes + 1"
)


FULL_DISK_BYTES = 64 * 1024
"""An SQLite database's disk with less free space than this is full (no room for a few pages)."""


def _open_sqlite_file() -> Path | None:
    """The file of the open SQLite connection (None for PostgreSQL and ``:memory:``)."""
    filename = getattr(get_connection("default"), "filename", None)
    return Path(filename) if isinstance(filename, str) and filename != ":memory:" else None


class DiskFull(OSError):
    """The disk holding the SQLite database has (almost) no free space."""


async def probe_write(database_url: str | None = None) -> None:
    """Commit one small write (the ``readiness_probe`` row) on the open database (at
    ``database_url``; None: the open connection's): raises what the database raises when it
    takes no writes (a read-only file, disk or server, a full disk).

    For an SQLite file, first the free space of its disk (``statvfs``; the blocks reserved for
    root count when running as root): under :data:`FULL_DISK_BYTES` raises :class:`DiskFull`.
    The write alone can succeed on a full disk while SQLite reuses its write-ahead log's space,
    and fail for the next request that needs a new page."""
    path = sqlite_path(database_url) if database_url is not None else _open_sqlite_file()
    if path is not None:
        disk = os.statvfs(path.parent)
        blocks = disk.f_bfree if os.geteuid() == 0 else disk.f_bavail
        if blocks * disk.f_frsize < FULL_DISK_BYTES:
            raise DiskFull(f"the disk holding {path} is full ({blocks * disk.f_frsize} bytes free)")
    await get_connection("default").execute_query(PROBE_WRITE)


# --- The database unavailable: which errors say so, and one log line per incident -----------
# (kept apart from the start-up and migration functions above)

RETRY_AFTER_SECONDS = 5
"""The ``Retry-After`` (seconds) of an answer refused because the database is unavailable."""

_SQLITE_UNAVAILABLE = (
    "unable to open database file",
    "disk i/o error",
    "attempt to write a readonly database",
    "database or disk is full",
)
"""The starts of SQLite's messages (lower case) for a file it cannot use, whatever the query."""
_DRIVERS = ("asyncpg", "aiosqlite", "sqlite3", "tortoise.backends")


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or an exception it was raised from, ``__cause__``/``__context__``) says
    the database cannot be reached or used, rather than that a statement is wrong:

    - Tortoise's ``DBConnectionError`` (``backend.postgres_client`` raises it for every
      connection fault on PostgreSQL);
    - asyncpg: a lost or refused connection (SQLSTATE class 08, ``ConnectionDoesNotExistError``),
      the server shutting down or starting (57P01-57P03), too many connections (53300), a
      database not accepting connections (55000 with that message), a read-only one (25006: a
      standby after a failover, ``default_transaction_read_only``), a pooled connection found
      closed (``InterfaceError`` "... connection is closed") or in a dead protocol state
      (``InternalClientError`` "cannot switch to state ...");
    - SQLite (raw or as Tortoise's ``OperationalError``): "unable to open database file",
      "disk I/O error", "attempt to write a readonly database", "database or disk is full";
    - an ``OSError`` raised inside a database driver (a refused or reset socket).

    Anything else (a syntax error, a constraint, a bug, an ``OSError`` of other code) is not."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _says_unavailable(current):
            return True
        current = current.__cause__ or current.__context__
    return False


def _says_unavailable(exc: BaseException) -> bool:
    import sqlite3

    import asyncpg
    from tortoise.exceptions import DBConnectionError, OperationalError

    message = str(exc).lower()
    if isinstance(exc, DBConnectionError):
        return True
    if isinstance(exc, sqlite3.OperationalError | OperationalError):
        return message.startswith(_SQLITE_UNAVAILABLE)
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.CannotConnectNowError
        | asyncpg.AdminShutdownError
        | asyncpg.CrashShutdownError
        | asyncpg.TooManyConnectionsError
        | asyncpg.ReadOnlySQLTransactionError,
    ):
        return True
    if type(exc) is asyncpg.ObjectNotInPrerequisiteStateError:
        return "not currently accepting connections" in message
    if found_dead(exc):
        return True
    if isinstance(exc, OSError):
        return _raised_in_driver(exc)
    return False


def found_dead(exc: BaseException) -> bool:
    """Whether asyncpg refused to send a statement because its connection was already dead: a
    pooled connection found closed (``InterfaceError`` "... connection is closed") or in a dead
    protocol state (``InternalClientError`` "cannot switch to state ..."). The statement never
    reached the server, so running it again is safe (``backend.postgres_client``)."""
    import asyncpg

    message = str(exc)
    if isinstance(exc, asyncpg.InternalClientError):
        return message.startswith("cannot switch to state")
    return isinstance(exc, asyncpg.InterfaceError) and "connection is closed" in message


def _raised_in_driver(exc: BaseException) -> bool:
    """Whether ``exc`` was raised inside a database driver (a frame of its traceback belongs to
    asyncpg, aiosqlite, sqlite3 or Tortoise's backends)."""
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(_DRIVERS):
            return True
        tb = tb.tb_next
    return False


class Incident:
    """The database outage under way, if any, for the log: one WARNING when the first request
    fails because of it (:meth:`report`), one INFO when the database answers again
    (:meth:`check_recovery`), nothing in between (no traceback per request)."""

    def __init__(self) -> None:
        self.since: float | None = None
        """``time.monotonic()`` of the first failure of the outage; None: no outage."""
        self.failures = 0
        """Requests refused during the outage."""
        self._probing = False

    @property
    def open(self) -> bool:
        return self.since is not None

    def report(self, exc: BaseException, *, request: bool = True) -> None:
        """Count a request refused because of ``exc`` (an :func:`is_unavailable` error); with
        ``request=False`` a background pass that failed because of it (the outage is reported
        all the same, once, but no request was refused)."""
        if request:
            self.failures += 1
        if self.since is None:
            self.since = time.monotonic()
            log.warning(
                "database unavailable, answering 503 until it is back: %s: %s",
                type(exc).__name__,
                describe_error(exc),
            )

    async def check_recovery(self) -> None:
        """During an outage, make the readiness probe's write (:func:`probe_write`, one probe
        at a time); when it commits, the outage is over (logged once, at INFO). A write, not
        ``SELECT 1``: a read-only database (a standby, a read-only file) answers reads, and the
        outage would end and start again with every read; with the probe's disk check, as
        ``/readyz``: on a full SQLite disk the write alone can commit in the write-ahead log's
        space, and the outage would end and start again with every probe. No query when there
        is no outage; never raises."""
        if self.since is None or self._probing:
            return
        self._probing = True
        try:
            await probe_write()
        except Exception:  # (still down, or another fault: the outage stays open)
            return
        finally:
            self._probing = False
        if self.since is not None:
            seconds = time.monotonic() - self.since
            log.info(
                "database available again after %.1f s (%d request(s) refused)",
                seconds,
                self.failures,
            )
            self.since, self.failures = None, 0


incident = Incident()
"""This process's database incident (shared by every app and endpoint in it)."""


def background_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """Log that a background pass or chore (``what``, e.g. ``"webhook pass"``) failed with
    ``exc``: an :func:`is_unavailable` error is this process's :data:`incident` (one WARNING
    for the whole outage, shared with the requests, not a traceback per pass); anything else
    is a failure or a bug, logged at ERROR on ``logger`` with its traceback. The loop calls
    ``incident.check_recovery()`` before each pass, so the outage's end is logged (INFO) even
    when no request comes."""
    if is_unavailable(exc):
        incident.report(exc, request=False)
    else:
        logger.error("%s failed", what, exc_info=exc)

"""Database wiring: the Tortoise config, start-up, and the migration state.

Migrations are made with Tortoise's own tool (``tortoise -c backend.db.TORTOISE_ORM
makemigrations``) into ``backend/migrations`` and applied by ``icok migrate`` or, on an empty
embedded database, by the server itself.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tortoise import Tortoise
from tortoise.backends.base import executor as tortoise_executor
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.connection import get_connection
from tortoise.exceptions import BaseORMException, ConfigurationError
from tortoise.migrations.api import migrate as migrate_api
from tortoise.migrations.executor import MigrationExecutor

if TYPE_CHECKING:
    from backend.config import Settings

APP = "models"
MIGRATIONS = "backend.migrations"


log = logging.getLogger("icok")


class DatabaseError(Exception):
    """The database cannot be used as configured; the message is one line for the operator."""


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(database_url)},
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


def _connection(database_url: str) -> str | dict[str, Any]:
    """``database_url`` as Tortoise takes it; SQLite with :mod:`backend.sqlite_client` (writers
    in several processes wait for each other instead of failing with "database is locked")."""
    if not database_url.startswith("sqlite:"):
        return database_url
    try:
        connection: dict[str, Any] = expand_db_url(database_url)
    except ConfigurationError:
        return database_url  # Tortoise.init reports it
    return {**connection, "engine": "backend.sqlite_client"}


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


async def init(database_url: str) -> None:
    """Open the connection (fails with :class:`DatabaseError` if it is unreachable)."""
    # Tortoise caches each model's INSERT statement per connection *name* for the life of the
    # process, in the dialect of the first backend that used it. A process that opens "default"
    # on SQLite and later on PostgreSQL (the test suite does) would send "?" placeholders to
    # PostgreSQL, so the cache is dropped whenever the ORM is (re)initialised.
    tortoise_executor.EXECUTOR_CACHE.clear()
    try:
        await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)
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


def _executor() -> MigrationExecutor:
    return MigrationExecutor(get_connection("default"), {APP: tortoise_config("")["apps"][APP]})


async def pending_migrations() -> list[str]:
    """Names of the migrations not yet applied to the open database."""
    executor = _executor()
    steps = await executor.plan(None)
    return [step.migration.name for step in steps if not step.backward]


async def applied_migrations() -> list[str]:
    executor = _executor()
    return [key.name for key in await executor.recorder.applied_migrations()]


async def migrate(database_url: str) -> list[str]:
    """Apply every pending migration; returns the names applied."""
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


async def prepare_database(settings: Settings) -> None:
    """Open the database, migrate a brand-new embedded one, refuse an out-of-date one.

    Here, not in ``backend.app``, so that the CLI's commands other than ``serve`` start without
    importing the application (GraphQL schemas, PDF rendering): about a second per command.

    Raises ``MigrationsPending`` (the database is behind the code) and ``DatabaseError``.
    """
    await init(settings.database_url)
    pending = await pending_migrations()
    if not pending:
        return
    if settings.is_sqlite and await is_empty():
        await close()
        applied = await migrate(settings.database_url)
        await close()
        await init(settings.database_url)
        log.info("created the database (%s)", ", ".join(applied))
        return
    await close()
    raise MigrationsPending(
        f"the database is not up to date ({len(pending)} migration(s) pending: "
        f"{', '.join(pending)}); run 'icok migrate' first"
    )

"""Real database faults for tests: an INSERT refused by the database itself (a trigger), on
SQLite and PostgreSQL alike, so a write fails where a full disk or a broken connection would
make it fail, with no mock of the project's own code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from tortoise.connection import get_connection

from backend.config import Settings


@asynccontextmanager
async def failing_inserts(settings: Settings, table: str) -> AsyncIterator[None]:
    """Every INSERT into ``table`` fails in the database (a BEFORE INSERT trigger raising
    "forced failure") while inside; the trigger is dropped on the way out, however the block
    ends (the PostgreSQL database is shared by the tests of one worker)."""
    connection = get_connection("default")
    if settings.is_sqlite:
        create = (
            f"CREATE TRIGGER forced_failure BEFORE INSERT ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
        )
        drop = "DROP TRIGGER forced_failure"
    else:
        create = (
            "CREATE FUNCTION forced_failure() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'forced failure'; END $$; "
            f"CREATE TRIGGER forced_failure BEFORE INSERT ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION forced_failure()"
        )
        drop = f"DROP TRIGGER forced_failure ON {table}; DROP FUNCTION forced_failure()"
    await connection.execute_script(create)
    try:
        yield
    finally:
        await connection.execute_script(drop)

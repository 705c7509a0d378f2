"""One ``icok migrate`` at a time per database: two at once on a brand-new database both end
well (one applies, the other waits and finds nothing to do; before the lock one failed with a
duplicate key on PostgreSQL), and a migration that holds the lock too long makes the next one
fail with one clear line."""

from __future__ import annotations

import asyncio
import fcntl
import secrets
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from backend import db as database
from tests.checkout import ICOK
from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, _pg_admin, _with_database
from tests.test_cli import Result, _env, _migration_names, assert_one_line_error, icok

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path / 'fresh.sqlite3'}"
        return
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ICOK_REQUIRE_POSTGRES=1 but ICOK_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests skipped: set ICOK_TEST_POSTGRES_URL to run them")
    name = f"icok_lock_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    yield _with_database(POSTGRES_URL, name)
    asyncio.run(_pg_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_two_migrations_at_once_on_a_fresh_database(tmp_path: Path, fresh_url: str) -> None:
    env = _env(tmp_path, ICOK_DATABASE_URL=fresh_url)
    started = [
        subprocess.Popen(
            [*ICOK, "migrate"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for proc in started:
        out, err = proc.communicate(timeout=180)
        results.append(Result(proc.returncode, out, err))
    assert [r.code for r in results] == [0, 0], results
    names = _migration_names()
    outputs = sorted(r.out.strip() for r in results)
    assert outputs == [
        f"applied {len(names)} migration(s): {', '.join(names)}",
        "the database is up to date",
    ], results


def test_a_held_migration_lock_gives_one_clear_line(tmp_path: Path, fresh_url: str) -> None:
    """Another migration holds the lock (taken here as ``icok migrate`` takes it) past --wait."""

    def migrate() -> Result:
        return icok(tmp_path, "migrate", "--wait", "0.5", ICOK_DATABASE_URL=fresh_url)

    path = database.sqlite_path(fresh_url)
    if path is not None:
        with open(path.with_name(path.name + ".migrate-lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            result = migrate()
    else:
        result = asyncio.run(_with_advisory_lock(fresh_url, migrate))
    assert_one_line_error(result, "another migration is running", "waited 0.5 s")
    after = migrate()  # the lock released, it goes through (nothing was applied before)
    assert after.code == 0 and after.out.startswith(f"applied {len(_migration_names())} "), after


async def _with_advisory_lock(url: str, run: Callable[[], Result]) -> Result:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", database.MIGRATION_LOCK_KEY)
        return await asyncio.to_thread(run)
    finally:
        await connection.close()

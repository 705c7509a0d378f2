"""``backend.postgres_client`` runs a statement once more after a connection fault only when
that cannot repeat a write: a write whose connection broke after it reached the server is
never sent again (issue 16, item 5).

The fault is real: the ORM talks to PostgreSQL through a TCP relay of the test's own, which
cuts the connection right after the server has answered a statement (its command tag and
``ReadyForQuery``: committed), before the client reads the answer. The client cannot tell that
from a statement that never ran; the server did run it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from tortoise.connection import get_connection
from tortoise.exceptions import DBConnectionError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import db as database
from backend.models import ReadinessProbe
from tests.pg_relay import Relay, start_relay


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest_asyncio.fixture
async def relay(postgres_database: str) -> AsyncIterator[Relay]:
    """The ORM opened on the run's PostgreSQL database through a :class:`Relay`; the probe row
    (id 1) at 0."""
    relay, relayed = await start_relay(postgres_database)
    direct = await asyncpg.connect(_asyncpg_url(postgres_database))
    try:
        await direct.execute(
            "INSERT INTO readiness_probe (id, probes) VALUES (1, 0) "
            "ON CONFLICT (id) DO UPDATE SET probes = 0"
        )
        await database.init(relayed)
        yield relay
    finally:
        await database.close()
        await relay.stop()
        await direct.close()


async def _probes(postgres_database: str) -> int:
    direct = await asyncpg.connect(_asyncpg_url(postgres_database))
    try:
        return int(await direct.fetchval("SELECT probes FROM readiness_probe WHERE id = 1"))
    finally:
        await direct.close()


async def test_a_write_whose_answer_was_lost_is_not_sent_again(
    relay: Relay, postgres_database: str
) -> None:
    """The UPDATE committed, its answer never came: the caller gets ``DBConnectionError`` (the
    app's 503), and the row was incremented once, not twice."""
    relay.cut_after = b"UPDATE 1"
    with pytest.raises(DBConnectionError):
        await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
    assert relay.cuts == 1
    assert await _probes(postgres_database) == 1
    # The pool recovered: the next statements run (on fresh connections).
    await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
    assert (await ReadinessProbe.get(id=1)).probes == 2


async def test_an_insert_whose_answer_was_lost_is_not_sent_again(
    relay: Relay, postgres_database: str
) -> None:
    relay.cut_after = b"INSERT 0 1"
    with pytest.raises(DBConnectionError):
        await get_connection("default").execute_query(
            "INSERT INTO readiness_probe (id, probes) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET probes = readiness_probe.probes + 1"
        )
    assert relay.cuts == 1
    assert await _probes(postgres_database) == 1


async def test_a_select_whose_answer_was_lost_is_read_again(relay: Relay) -> None:
    """A read is safe to repeat: the caller gets its answer from a fresh connection."""
    relay.cut_after = b"SELECT 1"
    assert (await ReadinessProbe.get(id=1)).probes == 0
    assert relay.cuts == 1


async def test_a_transaction_whose_connection_broke_fails_as_unavailable(
    relay: Relay, postgres_database: str
) -> None:
    """A statement inside a transaction is never repeated; the rollback on the dead connection
    does not hide that the database was unavailable (it used to raise asyncpg's own
    "cannot call Transaction.rollback(): the underlying connection is closed")."""
    relay.cut_after = b"UPDATE 1"
    with pytest.raises(DBConnectionError):
        async with in_transaction():
            await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
    assert relay.cuts == 1
    assert await _probes(postgres_database) == 0  # (never committed)
    assert (await ReadinessProbe.get(id=1)).probes == 0


async def test_a_commit_whose_answer_was_lost_fails_as_unavailable_and_is_not_repeated(
    relay: Relay, postgres_database: str
) -> None:
    """The server committed, the client cannot know: ``DBConnectionError`` (it used to be
    asyncpg's ``ConnectionDoesNotExistError``, the pool left as it was), the change made once."""
    relay.cut_after = b"COMMIT"
    with pytest.raises(DBConnectionError):
        async with in_transaction():
            await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
    assert relay.cuts == 1
    assert await _probes(postgres_database) == 1

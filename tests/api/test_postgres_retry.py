"""``backend.postgres_client`` runs a statement once more after a connection fault only when
that cannot repeat a write: a write whose connection broke after it reached the server is
never sent again (issue 16, item 5).

The fault is real: the ORM talks to PostgreSQL through a TCP relay of the test's own, which
cuts the connection right after the server has answered a statement (its command tag and
``ReadyForQuery``: committed), before the client reads the answer. The client cannot tell that
from a statement that never ran; the server did run it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio
from tortoise.connection import get_connection
from tortoise.exceptions import DBConnectionError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import db as database
from backend.models import ReadinessProbe

READY_FOR_QUERY = b"Z\x00\x00\x00\x05"
"""The server's ``ReadyForQuery`` (its status byte follows: ``I`` outside a transaction, what
came before it committed; ``T`` inside one)."""


@dataclass
class Relay:
    """A TCP relay to PostgreSQL that cuts the next connection whose server answers with
    ``cut_after`` (a command tag, e.g. ``b"UPDATE 1"``) followed by ``ReadyForQuery``: the
    answer is dropped and both sides closed."""

    upstream: tuple[str, int]
    cut_after: bytes | None = None
    cuts: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self.upstream)
        self.writers += [client_w, server_w]
        pumps = [
            asyncio.create_task(self._pump(client_r, server_w, cut=False)),
            asyncio.create_task(self._pump(server_r, client_w, cut=True)),
        ]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            client_w.close()
            server_w.close()

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, cut: bool
    ) -> None:
        """Copy ``source`` to ``sink`` until either ends; from the server (``cut``), stop before
        passing on the answer :attr:`cut_after` asks for."""
        seen = b""
        try:
            while data := await source.read(65536):
                if cut and self.cut_after is not None:
                    seen = (seen + data)[-4096:]
                    tag = seen.find(self.cut_after + b"\x00")
                    if tag >= 0 and seen.find(READY_FOR_QUERY, tag) > 0:
                        self.cut_after, self.cuts = None, self.cuts + 1
                        return
                sink.write(data)
                await sink.drain()
        except OSError:
            return


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


@pytest_asyncio.fixture
async def relay(postgres_database: str) -> AsyncIterator[Relay]:
    """The ORM opened on the run's PostgreSQL database through a :class:`Relay`; the probe row
    (id 1) at 0."""
    parts = urlsplit(postgres_database)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    port = await relay.start()
    netloc = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    relayed = urlunsplit(parts._replace(netloc=f"{netloc}127.0.0.1:{port}"))
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

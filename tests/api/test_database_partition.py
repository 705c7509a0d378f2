"""A network partition to PostgreSQL costs each request the database timeout, not the
partition's length: the request answers the coded 503, the outage is logged once, and the
requests after the partition succeed.

The partition is real: the ORM talks to PostgreSQL through a TCP relay of the test's own
(``tests.pg_relay``), frozen mid-traffic as a ``SIGSTOP``ped proxy is (connections accepted,
nothing passing either way). Before the bound, the request waited for the whole partition.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise.connection import get_connection
from tortoise.exceptions import DBConnectionError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from backend import db as database
from backend.app import create_app
from backend.config import ConfigError, Settings, load_settings
from backend.models import ReadinessProbe
from backend.postgres_client import RecyclingAsyncpgClient
from backend.services import emails
from tests.api.graph_queries import DASHBOARD
from tests.conftest import _empty_postgres
from tests.factories import login_as, make_customer
from tests.pg_relay import Relay, start_relay

TIMEOUT = 2.0
"""The test's database timeout (seconds): it bounds every statement of the test, its setup
(emptying the database, logging in) included, so it leaves room for a loaded CI machine."""


@pytest_asyncio.fixture
async def partitionable(settings: Settings) -> AsyncIterator[tuple[Relay, Settings]]:
    """The ORM opened on the run's PostgreSQL database through a :class:`Relay`, bounded by
    :data:`TIMEOUT` as the server's lifespan bounds it; the settings naming that URL."""
    if settings.is_sqlite:
        pytest.skip("a network partition to PostgreSQL (SQLite's bound is its busy timeout)")
    relay, relayed = await start_relay(settings.database_url)
    try:
        await database.init(relayed, wait_seconds=TIMEOUT)
        await _empty_postgres(relayed)
        yield relay, settings.with_overrides(database_url=relayed, database_timeout_seconds=TIMEOUT)
    finally:
        relay.thaw()
        await emails.drain()
        await database.close()
        await relay.stop()
        # (an outage a failed test left open ends with it)
        database.incident.since, database.incident.failures = None, 0


async def test_a_partition_answers_503_within_the_timeout_and_the_next_requests_succeed(
    partitionable: tuple[Relay, Settings], caplog: pytest.LogCaptureFixture
) -> None:
    relay, settings = partitionable
    customer = await make_customer(settings)
    app = create_app(settings, manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await login_as(client, settings, customer)

        async def dashboard() -> httpx.Response:
            # (bounded, so that an unbounded wait fails the test instead of hanging it)
            return await asyncio.wait_for(
                client.post("/graphql", json={"query": DASHBOARD}), 20 * TIMEOUT
            )

        assert (await dashboard()).status_code == 200
        caplog.clear()
        caplog.set_level(logging.INFO)
        relay.freeze()
        started = time.monotonic()
        answers = await asyncio.gather(*[dashboard() for _ in range(3)])
        took = time.monotonic() - started
        for response in answers:
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"] == str(database.RETRY_AFTER_SECONDS)
            [error] = response.json()["errors"]
            assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert took < 10 * TIMEOUT
        loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
        assert [(r.name, r.levelname) for r in loud] == [("icok", "WARNING")], caplog.text
        assert f"did not answer within {TIMEOUT:g} s" in loud[0].getMessage()

        relay.thaw()
        for _ in range(2):
            response = await dashboard()
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text
    back = [r for r in caplog.records if "available again" in r.getMessage()]
    assert [(r.name, r.levelname) for r in back] == [("icok", "INFO")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_write_that_timed_out_is_not_sent_again(
    partitionable: tuple[Relay, Settings],
) -> None:
    """A write inside a transaction and one alone meet the partition: each fails as the
    database's unavailability within the bound, and neither is run again on a fresh connection
    (the lone one may still reach the server when the partition ends: at most once)."""
    relay, _ = partitionable
    await ReadinessProbe.create(id=1, probes=0)
    relay.freeze()
    started = time.monotonic()
    async with asyncio.timeout(20 * TIMEOUT):  # (fails, instead of hanging, without a bound)
        with pytest.raises(DBConnectionError, match="did not answer within"):
            async with in_transaction():
                await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
        with pytest.raises(DBConnectionError, match="did not answer within"):
            await ReadinessProbe.filter(id=1).update(probes=F("probes") + 1)
    assert time.monotonic() - started < 10 * TIMEOUT
    relay.thaw()
    assert (await ReadinessProbe.get(id=1)).probes <= 1


async def test_the_server_bounds_postgresql_by_its_setting_and_the_cli_does_not(
    settings: Settings,
) -> None:
    """The server's lifespan opens PostgreSQL with ``database_timeout_seconds`` (connecting,
    statements, a free pooled connection); the CLI's commands (``prepare_database`` without a
    bound) run their batches unbounded."""
    if settings.is_sqlite:
        pytest.skip("PostgreSQL's pool (SQLite's bound is its busy timeout)")
    app = create_app(settings.with_overrides(database_timeout_seconds=7.0))
    async with app.router.lifespan_context(app):
        client = get_connection("default")
        assert isinstance(client, RecyclingAsyncpgClient)
        assert client.timeout == 7.0
        assert client.extra["timeout"] == 7.0  # (asyncpg's connect timeout)
    await database.prepare_database(settings)
    try:
        client = get_connection("default")
        assert isinstance(client, RecyclingAsyncpgClient)
        assert client.timeout is None
    finally:
        await database.close()


def test_database_timeout_setting(tmp_path: Path) -> None:
    def load(**env: str) -> Settings:
        return load_settings({"ICOK_DATA_DIR": str(tmp_path / "data"), **env}, env_file=None)

    assert load().database_timeout_seconds == 30.0
    assert load(ICOK_DATABASE_TIMEOUT_SECONDS="2.5").database_timeout_seconds == 2.5
    for raw in ("0", "3601", "soon"):
        with pytest.raises(ConfigError, match="ICOK_DATABASE_TIMEOUT_SECONDS must be"):
            load(ICOK_DATABASE_TIMEOUT_SECONDS=raw)


async def test_a_connect_timeout_without_the_servers_bound_says_so(settings: Settings) -> None:
    """Without the server's bound (the CLI's commands), connecting can still time out (asyncpg's
    connect timeout: 60 s by default, 1 s here from the URL, as a firewall dropping packets
    does): the command's one-line error says the database did not answer, with no bound to
    name (it was a TypeError's text, formatting the absent bound)."""
    if settings.is_sqlite:
        pytest.skip("a network partition to PostgreSQL (SQLite's bound is its busy timeout)")
    relay, relayed = await start_relay(settings.database_url)
    relay.freeze()
    try:
        with pytest.raises(database.DatabaseError) as refused:
            await database.init(f"{relayed}{'&' if '?' in relayed else '?'}timeout=1")
        message = str(refused.value)
        assert "did not answer" in message and "NoneType" not in message, message
    finally:
        relay.thaw()
        await database.close()
        await relay.stop()
        database.incident.since, database.incident.failures = None, 0

"""The database down or its connections killed: coded 503 answers, one log line per outage, and
PostgreSQL's dead pooled connections recycled (issue 16, items 4 and 5).

Real faults on real databases: on PostgreSQL a throw-away database (one per test module and
worker) is closed to connections (``ALLOW_CONNECTIONS false``) and its backends terminated; on
SQLite the directory holding the file disappears (a lost volume) and the connection has to be
opened again, which fails with SQLite's "unable to open database file".
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from tortoise.connection import get_connection

from backend import db as database
from backend.app import create_app
from backend.clock import clock
from backend.config import Mode, Settings, WebhookEndpoint
from backend.schema.relay import to_global_id
from backend.services import emails, housekeeping, provisioning
from tests.api.graph_queries import DASHBOARD
from tests.conftest import POSTGRES_URL, _empty_postgres, _pg_admin, _with_database
from tests.factories import (
    login_as,
    login_staff,
    make_api_key,
    make_customer,
    make_invoice,
    make_staff,
)
from tests.waiting import wait_until

UNAVAILABLE_PL = "Usługa jest chwilowo niedostępna. Spróbuj ponownie za kilka sekund."
UNAVAILABLE_EN = "The service is temporarily unavailable. Try again in a few seconds."
DRIVER_WORDS = ("accepting connections", "unable to open", "asyncpg", "sqlite", "terminat")
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _asyncpg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def _terminate_blocking(url: str) -> None:
    """Terminate every backend of ``url``'s database (from the server's admin database, so it
    works while the database refuses connections) and wait until they are gone, blocking this
    event loop meanwhile (so the app's pooled connections have not yet read the server's
    goodbye when the next request uses them, as under load)."""
    name = url.rsplit("/", 1)[-1]

    async def terminate() -> None:
        conn = await asyncpg.connect(_asyncpg_url(_with_database(url, "postgres")))
        try:
            await conn.execute(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                name,
            )
        finally:
            await conn.close()

    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(terminate())
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert not failures, failures


async def test_killed_backends_cost_only_the_requests_in_flight(
    client: httpx.AsyncClient, settings: Settings, db: str
) -> None:
    """After PostgreSQL ended every backend (none in flight here), the next requests succeed:
    each would otherwise meet a dead pooled connection ("cannot switch to state ...")."""
    if settings.is_sqlite:
        pytest.skip("PostgreSQL's backends")
    customer = await make_customer(settings)
    await login_as(client, settings, customer)

    async def dashboard() -> httpx.Response:
        return await client.post("/graphql", json={"query": DASHBOARD})

    warm = await asyncio.gather(*[dashboard() for _ in range(6)])  # (several pooled connections)
    assert all(r.status_code == 200 for r in warm)
    _terminate_blocking(db)
    answers = [await dashboard()]  # one alone, then several at once
    answers += await asyncio.gather(*[dashboard() for _ in range(6)])
    for response in answers:
        assert response.status_code == 200, response.text
        assert "errors" not in response.json(), response.text


@pytest.fixture(scope="module")
def postgres_to_take_down() -> Iterator[str]:
    """A migrated throw-away PostgreSQL database of its own (this module's tests close it to
    connections; the run's shared one stays open), dropped afterwards."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests skipped: set ICOK_TEST_POSTGRES_URL to run them")
    name = f"icok_outage_{secrets.token_hex(4)}"

    async def create() -> None:
        await _pg_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"')
        await database.migrate(_with_database(POSTGRES_URL, name))
        await database.close()

    asyncio.run(create())
    yield _with_database(POSTGRES_URL, name)
    asyncio.run(_pg_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Outage:
    """Takes the test's database down for real and brings it back."""

    def __init__(self, url: str, volume: Path | None) -> None:
        self.url = url
        self.volume = volume
        """SQLite: the directory holding the file."""
        self.down = False

    @property
    def name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    async def take_down(self) -> None:
        self.down = True
        if self.volume is None:
            await _pg_admin(POSTGRES_URL, f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            _terminate_blocking(self.url)
        else:
            await get_connection("default").close()  # (opened again by the next statement)
            self.volume.rename(self.volume.with_name("volume-gone"))

    async def bring_back(self) -> None:
        if not self.down:
            return
        self.down = False
        if self.volume is None:
            await _pg_admin(POSTGRES_URL, f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
        else:
            self.volume.with_name("volume-gone").rename(self.volume)


@pytest.fixture
def outage_control(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Outage:
    """A database of this test's own to take down: SQLite a copy of the template in a directory
    of its own, PostgreSQL this module's throw-away database."""
    if settings.is_sqlite:
        volume = tmp_path / "volume"
        volume.mkdir()
        shutil.copy(request.getfixturevalue("sqlite_template"), volume / "icok.sqlite3")
        return Outage(f"sqlite://{volume / 'icok.sqlite3'}", volume)
    return Outage(request.getfixturevalue("postgres_to_take_down"), None)


@pytest_asyncio.fixture
async def outage(outage_control: Outage) -> AsyncIterator[Outage]:
    """The ORM opened on :func:`outage_control`'s database (emptied on PostgreSQL), which the
    test takes down; brought back and closed afterwards."""
    control = outage_control
    await database.init(control.url)
    if control.volume is None:
        await _empty_postgres(control.url)
    try:
        yield control
    finally:
        await control.bring_back()
        await emails.drain()
        await database.close()
        # (an outage a failed test left open ends with it)
        database.incident.since, database.incident.failures = None, 0


async def _everyone_meets_the_outage(
    app: Any, settings: Settings, outage: Outage, caplog: pytest.LogCaptureFixture
) -> list[tuple[str, httpx.Response]]:
    """Log a customer, a staff member and an operator key in, take the database down, and send
    a request of each kind; their answers by name."""
    customer = await make_customer(settings)
    invoice = await make_invoice(customer)
    staff = await make_staff()
    key = await make_api_key()
    pdf = f"/invoices/{to_global_id('Invoice', invoice.id)}.pdf"
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as customer_http,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as staff_http,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as anonymous,
    ):
        await login_as(customer_http, settings, customer)
        await login_staff(staff_http, staff)
        assert (await customer_http.get(pdf)).status_code == 200
        caplog.clear()
        await outage.take_down()
        answers = [
            ("logged-in", await customer_http.post("/graphql", json={"query": DASHBOARD})),
            (
                "logged-in, GraphQL over HTTP",
                await customer_http.post(
                    "/graphql", json={"query": DASHBOARD}, headers={"Accept": GRAPHQL_RESPONSE}
                ),
            ),
            (
                "anonymous",
                await anonymous.post("/graphql", json={"query": "{ packages { code } }"}),
            ),
            (
                "anonymous, GraphQL over HTTP, in English",
                await anonymous.post(
                    "/graphql",
                    json={"query": "{ packages { code } }"},
                    headers={"Accept": GRAPHQL_RESPONSE, "X-Icok-Language": "en"},
                ),
            ),
            (
                "console",
                await staff_http.post("/console/graphql", json={"query": "{ me { stage } }"}),
            ),
            (
                "operator",
                await anonymous.post(
                    "/operator/graphql", json={"query": "{ __typename }"}, headers=key.headers
                ),
            ),
            ("download", await customer_http.get(pdf)),
        ]
    return answers


def _assert_unavailable(what: str, response: httpx.Response) -> None:
    assert response.status_code == 503, (what, response.text)
    assert response.headers["retry-after"] == str(database.RETRY_AFTER_SECONDS), what
    [error] = response.json()["errors"]
    english = "English" in what
    assert error["message"] == (UNAVAILABLE_EN if english else UNAVAILABLE_PL), what
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE", what
    assert error["extensions"]["retryAfterSeconds"] == database.RETRY_AFTER_SECONDS, what
    media = GRAPHQL_RESPONSE if "GraphQL over HTTP" in what else "application/json"
    assert response.headers["content-type"].startswith(media), what
    for word in DRIVER_WORDS:
        assert word not in response.text.lower(), (what, response.text)


@pytest.mark.parametrize("mode", [Mode.DEVELOPMENT, Mode.PRODUCTION])
async def test_database_down_answers_503_and_logs_one_line(
    settings: Settings, outage: Outage, mode: Mode, caplog: pytest.LogCaptureFixture
) -> None:
    """Every kind of request meets the outage somewhere else (the session lookup, a resolver,
    the staff session, the operator key, the download's session): each answers 503 with
    ``Retry-After`` and the coded, translated error, never the driver's words (not even in
    development); the log has one WARNING for the outage and no traceback, then one INFO when
    the database is back."""
    caplog.set_level(logging.INFO)
    settings = settings.with_overrides(mode=mode, database_url=outage.url)
    app = create_app(settings, manage_database=False)
    answers = await _everyone_meets_the_outage(app, settings, outage, caplog)
    for what, response in answers:
        _assert_unavailable(what, response)
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert [(r.name, r.levelname) for r in loud] == [("icok", "WARNING")], caplog.text
    assert "database unavailable" in loud[0].getMessage()

    await outage.bring_back()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        for _ in range(2):
            response = await client.post("/graphql", json={"query": "{ packages { code } }"})
            assert response.status_code == 200, response.text
            assert response.json() == {"data": {"packages": []}}
    back = [r for r in caplog.records if "available again" in r.getMessage()]
    assert [(r.name, r.levelname) for r in back] == [("icok", "INFO")]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_background_workers_log_the_outage_once_and_its_end(
    settings: Settings, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    """The app's background loops (device commands with the housekeeping chores, webhook
    deliveries) meet the outage on every pass: the log has the outage's one WARNING, no ERROR
    with a traceback per pass (was: "webhook pass failed" four times a second, "provisioning
    pass failed" every second), and its end once (INFO) when a pass finds the database again,
    with no request coming."""
    caplog.set_level(logging.INFO)
    hooked = settings.with_overrides(
        database_url=outage.url,
        webhook_endpoints=(WebhookEndpoint("bss", "https://bss.invalid/hooks", "whsec_unused"),),
    )
    app = create_app(hooked, manage_database=False)
    await outage.take_down()  # (before the loops start: SQLite's connection is closed under it)
    async with app.router.lifespan_context(app):

        def failed() -> bool:
            return database.incident.open or any(r.exc_info for r in caplog.records)

        await wait_until(failed)
        chores = provisioning.build_worker(hooked, chores=housekeeping.chores(hooked))
        for _ in range(3):  # (the chores' failures, pass after pass)
            assert await chores.run_chores(force=True) == len(chores.chores)
        loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
        assert [(r.name, r.levelname) for r in loud] == [("icok", "WARNING")], caplog.text
        assert database.incident.failures == 0  # (no request was refused)

        await outage.bring_back()
        await wait_until(lambda: not database.incident.open)
    back = [r for r in caplog.records if "available again" in r.getMessage()]
    assert [(r.name, r.levelname) for r in back] == [("icok", "INFO")], caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_a_read_only_postgresql_database_answers_503_like_an_outage(
    settings: Settings, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    """A failover left the app's connections on a standby (here the database's
    ``default_transaction_read_only``, taken by new sessions): every logged-in request writes
    (the session's activity) and was a plain-text 500 with a traceback each; it is the outage's
    coded 503, one WARNING, and the database's return one INFO."""
    if outage.volume is not None:
        pytest.skip("PostgreSQL's read-only mode (SQLite's read-only file: the outage above)")
    settings = settings.with_overrides(database_url=outage.url, rate_limit_anonymous=0)
    app = create_app(settings, manage_database=False)
    customer = await make_customer(settings)
    transport = httpx.ASGITransport(app=app)
    read_only = f'ALTER DATABASE "{outage.name}" SET default_transaction_read_only = '
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await login_as(client, settings, customer)
        caplog.set_level(logging.INFO)
        caplog.clear()
        await _pg_admin(POSTGRES_URL, read_only + "on")
        clock.advance(minutes=1)  # (the session's activity is written again: at most every 30 s)
        try:
            _terminate_blocking(outage.url)  # (new sessions take the setting)
            answers = [await client.post("/graphql", json={"query": DASHBOARD}) for _ in range(3)]
        finally:
            await _pg_admin(POSTGRES_URL, read_only + "off")
        for response in answers:
            _assert_unavailable("logged-in on a read-only database", response)
        # Reads still work on a standby (an anonymous one: no rate-limit count written); they
        # do not end the outage (which began again with the next write: a WARNING/INFO pair
        # per read and write while the failover lasted)
        await _pg_admin(POSTGRES_URL, read_only + "on")
        try:
            _terminate_blocking(outage.url)
            for _ in range(2):
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://testserver"
                ) as anonymous:
                    read = await anonymous.post("/graphql", json={"query": "{ packages { code } }"})
                assert read.status_code == 200, read.text
                clock.advance(minutes=1)
                _assert_unavailable(
                    "logged-in again", await client.post("/graphql", json={"query": DASHBOARD})
                )
        finally:
            await _pg_admin(POSTGRES_URL, read_only + "off")
        loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
        assert [(r.name, r.levelname) for r in loud] == [("icok", "WARNING")], caplog.text
        assert "read-only" in loud[0].getMessage()
        assert not [r for r in caplog.records if "available again" in r.getMessage()]

        _terminate_blocking(outage.url)  # (the failover's end: the primary's sessions)
        response = await client.post("/graphql", json={"query": DASHBOARD})
        assert response.status_code == 200, response.text
    back = [r for r in caplog.records if "available again" in r.getMessage()]
    assert [(r.name, r.levelname) for r in back] == [("icok", "INFO")], caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_the_rate_limit_meets_the_outage_too(
    settings: Settings, outage: Outage, caplog: pytest.LogCaptureFixture
) -> None:
    """The request rate limit syncs its counts through the database: a client's first request
    during an outage cannot be counted and answers 503 like the rest (not a 500)."""
    settings = settings.with_overrides(database_url=outage.url, rate_limit_anonymous=100)
    app = create_app(settings, manage_database=False)
    await outage.take_down()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/graphql", json={"query": "{ apiVersion }"})
    _assert_unavailable("rate-limited anonymous", response)

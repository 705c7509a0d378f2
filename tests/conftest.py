"""Shared fixtures: a real database per test (SQLite, and PostgreSQL when configured), the real
ASGI app through httpx, and a GraphQL helper.

Database-touching tests use the ``db`` fixture, which is parametrised over the backends:
``sqlite`` always, ``postgres`` when ``ICOK_TEST_POSTGRES_URL`` points at a server (a throw-away
database is created for the run and dropped at the end). With ``ICOK_REQUIRE_POSTGRES=1`` (set by
``.ci/run``) an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import pytest_asyncio
import time_machine
from tortoise import Tortoise
from tortoise.connection import get_connection

from backend import db as database
from backend.app import create_app
from backend.clock import clock
from backend.config import Settings
from backend.services import emails

pytest_plugins = ["tests.smtp", "tests.payu_emulator"]

POSTGRES_URL = os.environ.get("ICOK_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("ICOK_REQUIRE_POSTGRES") == "1"
TEST_SECRET = "test-secret-key-" + "x" * 32
TEST_PROOF_MAX_NUMBER = 2000
"""The captcha's proof of work in tests: about a thousand SHA-256 hashes per solution."""
TEST_HASH_QUEUE = 1000
"""bcrypt's queue in tests (``ICOK_PASSWORD_HASH_QUEUE``): beyond any burst a test makes."""
# Every test starts at this instant (a Wednesday, 10:00 in Warsaw, mid-month, far from a DST
# change) and time stands still until the test calls ``clock.advance``.
FROZEN_AT = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _pg_admin(url: str, statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for every test (migrating once keeps tests fast)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"

    async def build() -> None:
        await database.migrate(f"sqlite://{path}")
        await database.close()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A throw-away PostgreSQL database for this run, migrated once, dropped afterwards."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ICOK_REQUIRE_POSTGRES=1 but ICOK_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests skipped: set ICOK_TEST_POSTGRES_URL to run them")
    name = f"icok_test_{secrets.token_hex(4)}"
    admin = POSTGRES_URL

    async def create() -> None:
        await _pg_admin(admin, f'CREATE DATABASE "{name}"')
        await database.migrate(_with_database(admin, name))
        await database.close()

    try:
        asyncio.run(create())
    except OSError as exc:
        message = f"PostgreSQL at {database.describe_url(admin)} is unreachable: {exc}"
        if REQUIRE_POSTGRES:
            pytest.fail(message)
        pytest.skip(message)
    yield _with_database(admin, name)

    async def drop() -> None:
        await _pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    asyncio.run(drop())


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "icok.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite://{path}"
    return request.getfixturevalue("postgres_database")


_EMPTYING: dict[str, str] = {}  # database URL -> the SQL script that empties it


async def _emptying_script() -> str:
    """DELETE every model table (referencing tables first) and restart their sequences.

    For tables holding a few rows this is about ten times faster than ``TRUNCATE ... RESTART
    IDENTITY CASCADE`` (measured 0.03 s against 0.3 s per test), with the same end state.
    """
    conn = get_connection("default")
    models = list(Tortoise.apps.get_models_iterable())
    tables = {model._meta.db_table for model in models} | {
        field.through
        for model in models
        for field in model._meta.fields_map.values()
        if getattr(field, "through", None)
    }
    edges = await conn.execute_query_dict(
        "SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint c "
        "JOIN pg_class child ON child.oid = c.conrelid "
        "JOIN pg_class parent ON parent.oid = c.confrelid WHERE c.contype = 'f'"
    )
    referenced_by: dict[str, set[str]] = {t: set() for t in tables}
    for edge in edges:
        if edge["child"] in tables and edge["parent"] in tables and edge["child"] != edge["parent"]:
            referenced_by[edge["parent"]].add(edge["child"])
    order: list[str] = []
    while referenced_by:
        free = sorted(t for t, children in referenced_by.items() if not children)
        if not free:  # a cycle of foreign keys: TRUNCATE handles it
            names = ", ".join(f'"{t}"' for t in sorted(tables))
            return f"TRUNCATE {names} RESTART IDENTITY CASCADE"
        order += free
        for table in free:
            del referenced_by[table]
        for children in referenced_by.values():
            children.difference_update(free)
    sequences = await conn.execute_query_dict(
        "SELECT seq.relname AS name FROM pg_class seq "
        "JOIN pg_depend d ON d.objid = seq.oid AND d.deptype IN ('a', 'i') "
        "JOIN pg_class t ON t.oid = d.refobjid WHERE seq.relkind = 'S' AND t.relname = ANY($1)",
        [sorted(tables)],
    )
    return " ".join(
        [f'DELETE FROM "{t}";' for t in order]  # noqa: S608  (names from the ORM and catalog)
        + [f'ALTER SEQUENCE "{row["name"]}" RESTART;' for row in sequences]
    )


async def _empty_postgres(url: str) -> None:
    """Empty the shared per-run PostgreSQL database before a test."""
    if url not in _EMPTYING:
        _EMPTYING[url] = await _emptying_script()
    await get_connection("default").execute_script(_EMPTYING[url])


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=TEST_SECRET,
        base_url="http://testserver",
        mail_url="console://",
        provisioning_delay_seconds=0.05,
        # No general request rate limit: time stands still, so a window would never end within
        # a test (tests/api/test_rate_limit.py turns it on).
        rate_limit_anonymous=0,
        rate_limit_session=0,
        rate_limit_operator=0,
        captcha_proof_max_number=TEST_PROOF_MAX_NUMBER,
        # bcrypt's queue does not refuse the bursts of logins other tests make (60 at once):
        # tests/api/test_password_hash_pool.py sets a small one.
        password_hash_queue=TEST_HASH_QUEUE,
    )


@pytest_asyncio.fixture
async def db(settings: Settings) -> AsyncIterator[str]:
    """An open, migrated, empty database (the ORM initialised as the app's lifespan does)."""
    await database.init(settings.database_url)
    if not settings.is_sqlite:
        await _empty_postgres(settings.database_url)
    try:
        yield settings.database_url
    finally:
        await emails.drain()  # mail still being delivered in the background needs the database
        await database.close()


@pytest.fixture(autouse=True)
def frozen_time(request: pytest.FixtureRequest) -> Iterator[None]:
    """Time stands still at ``FROZEN_AT`` and moves only by ``clock.advance(...)``.

    time-machine freezes the process's wall clock (``datetime.now``, ``time.time``), so the
    ``auto_now`` timestamps Tortoise writes agree with ``backend.clock``; ``time.monotonic`` (the
    event loop's clock) stays real. Tests marked ``real_time`` (the CLI and browser tests, whose
    servers run in subprocesses on real time) keep real time, and ``clock.advance`` fails there.
    """
    if request.node.get_closest_marker("real_time"):
        yield
        return
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        clock.take_over(traveller.shift)
        try:
            yield
        finally:
            clock.take_over(None)


@pytest.fixture
def app(settings: Settings, db: str) -> Any:
    return create_app(settings, manage_database=False)


@pytest_asyncio.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


class GraphQLClient:
    """Posts operations to ``path`` (``/graphql``) like the SPA does, keeping cookies between
    calls."""

    def __init__(self, http: httpx.AsyncClient, path: str = "/graphql") -> None:
        self.http = http
        self.path = path
        self.headers: dict[str, str] = {}

    async def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        expect_errors: bool = False,
    ) -> dict[str, Any]:
        response = await self.http.post(
            self.path,
            json={"query": query, "variables": variables or {}},
            headers={**self.headers, **(headers or {})},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        if not expect_errors:
            assert "errors" not in body, body["errors"]
        return body if expect_errors else body["data"]


@pytest.fixture
def gql(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client)


@pytest.fixture
def console(client: httpx.AsyncClient) -> GraphQLClient:
    """Posts to the staff console's ``/console/graphql`` with the same client (and cookies) as
    ``gql``: ``await login_staff(client, staff)`` logs it in."""
    return GraphQLClient(client, "/console/graphql")

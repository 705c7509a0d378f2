"""Readiness (``/readyz``) tells the truth: an unreachable database, one that takes no writes and
one with migrations pending each answer 503 with their own code and message, through the real
app on a database of the test's own that the test then breaks for real (PostgreSQL: connections
refused, a read-only database; SQLite: an immutable file, a full disk, another process holding
the write lock past the timeout).

As root, file modes do not stop writes: the SQLite cases use what does stop root, the immutable
attribute (``chattr +i``, on a file system that has it) and a small tmpfs filled up (mounting
needs CAP_SYS_ADMIN); each is skipped, saying why, where the machine does not allow it."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from backend import db as database
from backend.app import create_app
from backend.config import ConfigError, Settings, load_settings
from backend.models import ReadinessProbe
from backend.readiness import Readiness, State
from tests.conftest import POSTGRES_URL, TEST_SECRET, _pg_admin, _with_database


@pytest.fixture(params=["sqlite", "postgres"])
def own_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database of this test's own, which it may break (PostgreSQL: a copy of the
    run's database, dropped afterwards)."""
    if request.param == "sqlite":
        path = tmp_path / "own.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite://{path}"
        return
    template = request.getfixturevalue("postgres_database")
    name = f"icok_ready_{secrets.token_hex(4)}"
    template_name = template.rsplit("/", 1)[1]
    admin = POSTGRES_URL  # (not the template: a copy needs it without connections)
    asyncio.run(_pg_admin(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield _with_database(admin, name)
    asyncio.run(_pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _settings(tmp_path: Path, url: str, **overrides: float) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=url,
        secret_key=TEST_SECRET,
        readiness_cache_seconds=0,  # every probe checks (the cache is tested on its own)
        **overrides,  # type: ignore[arg-type]
    )


@pytest_asyncio.fixture
async def probe(own_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the real app on ``own_url`` (opened as the app's lifespan opens it)."""
    await database.init(own_url)
    app = create_app(_settings(tmp_path, own_url), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        await database.close()


async def _not_ready(client: httpx.AsyncClient, code: str) -> dict[str, object]:
    response = await client.get("/readyz")
    assert response.status_code == 503, response.text
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"] and "\n" not in body["message"]
    return body


async def test_ready_when_reachable_migrated_and_writable(probe: httpx.AsyncClient) -> None:
    for _ in range(2):  # (the second probe writes over the first one's row)
        response = await probe.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "database": "ok"}
        assert response.headers["cache-control"] == "no-store"


def _postgres_name(url: str) -> str:
    if url.startswith("sqlite"):
        pytest.skip("a PostgreSQL case")
    return url.rsplit("/", 1)[1]


async def test_postgresql_refusing_connections_is_unreachable_not_pending(
    own_url: str, probe: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Today's mistake: Tortoise's recorder took the failed read for "no migration applied"."""
    name = _postgres_name(own_url)
    assert (await probe.get("/readyz")).status_code == 200
    await _pg_admin(POSTGRES_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
    await _pg_admin(
        POSTGRES_URL,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "  # noqa: S608 (our name)
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()",
    )
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="icok"):
        for _ in range(3):
            body = await _not_ready(probe, "DATABASE_UNREACHABLE")
            assert body["database"] == "unreachable"
            assert "pending" not in body
            # (a request and a scrape meet the same outage)
            answer = await probe.post("/graphql", json={"query": "{ packages { code } }"})
            assert answer.status_code == 503, answer.text
            assert (await probe.get("/metrics")).status_code == 200
        await _pg_admin(POSTGRES_URL, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        assert (await probe.get("/readyz")).status_code == 200
        assert (await probe.get("/metrics")).status_code == 200
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "icok"]
    # One WARNING for the outage however many see it (readiness, requests, metrics), not one
    # each; each says once at INFO what it saw and that it is over (one line per change).
    assert [m for level, m in lines if level != "INFO"] == [
        "database unavailable, answering 503 until it is back: DBConnectionError: database "
        f'"{name}" is not currently accepting connections'
    ], lines
    for start in (
        "not ready (DATABASE_UNREACHABLE)",
        "ready again",
        "metrics: the database figures cannot be read",
        "metrics: the database figures can be read again",
        "database available again",
    ):
        assert len([m for _, m in lines if m.startswith(start)]) == 1, (start, lines)


async def test_a_read_only_postgresql_database_is_not_writable(
    own_url: str, probe: httpx.AsyncClient
) -> None:
    name = _postgres_name(own_url)
    await _pg_admin(POSTGRES_URL, f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    await database.close()  # reconnect: the setting applies to new sessions
    await database.init(own_url)
    body = await _not_ready(probe, "DATABASE_NOT_WRITABLE")
    assert body["database"] == "not writable"
    assert "read-only transaction" in str(body["message"])


def _sqlite_path(url: str) -> Path:
    path = database.sqlite_path(url)
    if path is None:
        pytest.skip("an SQLite case")
    return path


def _chattr(flag: str, files: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["chattr", flag, *files], capture_output=True, text=True, check=False)


async def test_an_immutable_sqlite_file_is_not_writable(
    own_url: str, probe: httpx.AsyncClient
) -> None:
    """The file turns read-only under the open connection: reads go on, a committed write fails
    (a rolled-back one would not notice: SQLite writes nothing before the commit)."""
    path = _sqlite_path(own_url)
    assert (await probe.get("/readyz")).status_code == 200
    files = [str(p) for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    if not shutil.which("chattr"):
        pytest.skip("no chattr on this machine")
    made = await asyncio.to_thread(_chattr, "+i", files)
    if made.returncode != 0:
        pytest.skip(f"the immutable attribute cannot be set here: {made.stderr.strip()}")
    try:
        body = await _not_ready(probe, "DATABASE_NOT_WRITABLE")
        assert body["database"] == "not writable"
    finally:
        assert (await asyncio.to_thread(_chattr, "-i", files)).returncode == 0


async def test_another_process_holding_the_sqlite_write_lock_past_the_timeout(
    own_url: str, tmp_path: Path
) -> None:
    """The check is bounded: a write that waits longer than the timeout is "did not answer"."""
    path = _sqlite_path(own_url)
    await database.init(own_url)
    app = create_app(
        _settings(tmp_path, own_url, readiness_timeout_seconds=1.0), manage_database=False
    )
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            body = await _not_ready(client, "DATABASE_UNREACHABLE")
        assert body["message"] == "the database did not answer within 1 s"
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        await database.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs mounted in ``tmp_path`` (skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(directory: Path) -> None:
    """Fill the file system holding ``directory`` to its last byte."""
    with open(directory / "filler", "wb", buffering=0) as filler:
        for size in (65536, 4096, 1):
            try:
                while filler.write(b"\0" * size):
                    pass
            except OSError:
                pass


async def test_a_full_disk_under_sqlite_is_not_writable(
    small_disk: Path, sqlite_template: Path, tmp_path: Path
) -> None:
    path = small_disk / "icok.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite://{path}"
    await database.init(url)
    app = create_app(_settings(tmp_path, url), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/readyz")).status_code == 200
            _fill(small_disk)
            body = await _not_ready(client, "DATABASE_NOT_WRITABLE")
            assert body["database"] == "not writable"
            (small_disk / "filler").unlink()
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await database.close()


async def test_probes_share_one_check_while_the_verdict_is_fresh(db, settings: Settings) -> None:
    """Five probes at once and five more within the cache time: one check, one write."""
    readiness = Readiness(settings.database_url, timeout=30, cache_seconds=3600)
    verdicts = await asyncio.gather(*(readiness.verdict() for _ in range(5)))
    verdicts += [await readiness.verdict() for _ in range(5)]
    assert all(v.ready for v in verdicts)
    assert (await ReadinessProbe.get(id=1)).probes == 1
    await database.close()  # the database is gone, but the verdict is still fresh
    assert (await readiness.verdict()).ready
    readiness.cache_seconds = 0
    assert (await readiness.verdict()).state is State.UNREACHABLE


def test_readiness_settings(tmp_path: Path) -> None:
    def load(**env: str) -> Settings:
        return load_settings({"ICOK_DATA_DIR": str(tmp_path / "data"), **env}, env_file=None)

    defaults = load()
    assert (defaults.readiness_timeout_seconds, defaults.readiness_cache_seconds) == (2.0, 1.0)
    chosen = load(ICOK_READINESS_TIMEOUT_SECONDS="0.5", ICOK_READINESS_CACHE_SECONDS="0")
    assert (chosen.readiness_timeout_seconds, chosen.readiness_cache_seconds) == (0.5, 0.0)
    for raw in ("0", "61", "soon"):
        with pytest.raises(ConfigError, match="ICOK_READINESS_TIMEOUT_SECONDS must be"):
            load(ICOK_READINESS_TIMEOUT_SECONDS=raw)
    with pytest.raises(ConfigError, match="ICOK_READINESS_CACHE_SECONDS must not be negative"):
        load(ICOK_READINESS_CACHE_SECONDS="-1")


async def test_a_full_disk_stays_one_outage_while_requests_succeed(
    small_disk: Path, sqlite_template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A full disk is one incident until space is freed: a request answered between two probes
    (its end checked by the incident's probe write, which SQLite can commit in its write-ahead
    log's space on a full disk) does not end it, so the next probe logs no second WARNING."""
    path = small_disk / "icok.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite://{path}"
    await database.init(url)
    app = create_app(_settings(tmp_path, url), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    caplog.set_level(logging.INFO, logger="icok")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/readyz")).status_code == 200
            _fill(small_disk)  # then 16 KiB freed: under FULL_DISK_BYTES, room for a page or two
            filler = small_disk / "filler"
            os.truncate(filler, filler.stat().st_size - 16 * 1024)
            for _ in range(3):
                await _not_ready(client, "DATABASE_NOT_WRITABLE")
                assert (await client.get("/healthz")).status_code == 200
            (small_disk / "filler").unlink()
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
    finally:
        await database.close()
    unavailable = [r for r in caplog.records if r.getMessage().startswith("database unavailable")]
    again = [r for r in caplog.records if r.getMessage().startswith("database available again")]
    assert (len(unavailable), len(again)) == (1, 1), caplog.text

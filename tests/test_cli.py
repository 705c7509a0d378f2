"""The real ``icok`` CLI of this checkout (``python -m backend.cli``, what the console script
calls), run as a subprocess in a temporary directory.

Covers ``--help`` of every command, ``migrate``, ``seed --demo`` (twice), ``serve --demo`` answering
health checks and GraphQL (the printed demo login works), ``export-schema`` against the committed
``schema.graphql``, and the expected failures: one line on stderr, exit status 1, no traceback.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from tortoise.migrations.api import migrate as migrate_api

from backend import db as database
from backend.demo import DEMO_EMAIL, DEMO_PASSWORD, ready_to_register
from tests.api.account_helpers import captcha_fields
from tests.checkout import ICOK, ROOT, checkout_env, free_port

SERVE_TIMEOUT = 60

pytestmark = pytest.mark.real_time  # the CLI runs in subprocesses on real time


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty directory with nothing of the repository (no .env, no data/)."""
    return tmp_path


def _env(workdir: Path, **overrides: str) -> dict[str, str]:
    env = checkout_env({k: v for k, v in os.environ.items() if not k.startswith("ICOK_")})
    env["ICOK_DATA_DIR"] = str(workdir / "data")
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def icok(
    workdir: Path,
    *args: str,
    timeout: float = 120,
    env: Mapping[str, str] | None = None,
    **variables: str,
) -> Result:
    """``icok ARGS`` in ``workdir`` with the ``ICOK_*`` settings in ``env`` and ``variables``."""
    proc = subprocess.run(
        [*ICOK, *args],
        cwd=workdir,
        env=_env(workdir, **{**(env or {}), **variables}),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def migrated(sqlite_template: Path, tmp_path: Path) -> Callable[[str], None]:
    """Brings the database at a URL to the current schema, for a test about another command: a
    SQLite file becomes a copy of the session's migrated template (``icok migrate`` of a new
    file costs about 5 s of CPU; the tests of ``migrate`` itself run it), a PostgreSQL database
    is migrated by ``icok migrate``."""

    def migrate(url: str) -> None:
        if url.startswith("sqlite://"):
            shutil.copy(sqlite_template, url.removeprefix("sqlite://").split("?")[0])
            return
        result = icok(tmp_path, "migrate", ICOK_DATABASE_URL=url)
        assert result.code == 0, result

    return migrate


def test_the_cli_runs_this_checkout(workdir: Path) -> None:
    """The subprocesses import ``backend`` from the checkout under test, even when another copy
    comes first on the path; and the console script is the same entry point as
    ``python -m backend.cli``."""
    decoy = workdir / "decoy"
    (decoy / "backend").mkdir(parents=True)
    (decoy / "backend" / "__init__.py").write_text("")
    (decoy / "backend" / "cli.py").write_text("raise SystemExit('the decoy backend ran')\n")
    shadowed = {k: v for k, v in os.environ.items() if not k.startswith("ICOK_")}
    shadowed["PYTHONPATH"] = str(decoy)

    def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            list(args), cwd=workdir, env=env, capture_output=True, text=True, timeout=60
        )

    where = [sys.executable, "-c", "import backend; print(backend.__file__)"]
    # Without checkout_env the decoy wins (so the checks below can fail) ...
    assert Path(run(shadowed, *where).stdout.strip()) == decoy / "backend" / "__init__.py"
    # ... with it, the checkout does, for the interpreter and for the icok command line.
    assert (
        Path(run(checkout_env(shadowed), *where).stdout.strip()) == ROOT / "backend" / "__init__.py"
    )
    exported = run(checkout_env(shadowed), *ICOK, "export-schema")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.strip() == (ROOT / "schema.graphql").read_text().strip()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"icok": "backend.cli:main"}


def assert_one_line_error(result: Result, *needles: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.err + result.out
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("icok: error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


# --- help ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ((), ["serve", "migrate", "seed", "export-schema"]),
        (("serve",), ["--host", "--port", "--demo", "--reload", "--workers"]),
        (("migrate",), ["migrations"]),
        (("seed",), ["--demo"]),
        (("export-schema",), ["--output"]),
    ],
)
def test_help(workdir: Path, command: tuple[str, ...], expected: list[str]) -> None:
    result = icok(workdir, *command, "--help")
    assert result.code == 0, result
    assert result.out.startswith("usage: icok")
    for word in expected:
        assert word in result.out
    assert not (workdir / "data").exists()  # help touches nothing


def test_no_command_is_a_usage_error(workdir: Path) -> None:
    result = icok(workdir)
    assert result.code == 2
    assert "usage: icok" in result.err


# --- migrate and seed ---------------------------------------------------------------------


def _migration_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "backend" / "migrations").glob("0*.py"))


def test_migrate_a_fresh_sqlite_file(workdir: Path) -> None:
    first = icok(workdir, "migrate")
    assert first.code == 0, first
    names = _migration_names()
    assert f"applied {len(names)} migration(s): {', '.join(names)}" in first.out
    assert (workdir / "data" / "icok.sqlite3").is_file()
    assert (workdir / "data" / "secret_key").is_file()
    second = icok(workdir, "migrate")
    assert second.code == 0, second
    assert "up to date" in second.out


def test_migrate_an_explicit_sqlite_url(workdir: Path) -> None:
    target = workdir / "elsewhere.db"
    result = icok(workdir, "migrate", ICOK_DATABASE_URL=f"sqlite://{target}")
    assert result.code == 0, result
    assert target.is_file()


def test_seed_demo_twice(workdir: Path) -> None:
    first = icok(workdir, "seed", "--demo")
    assert first.code == 0, first
    assert "Demo data loaded: 4 customer(s)" in first.out
    assert DEMO_EMAIL in first.out and DEMO_PASSWORD in first.out
    for row in ready_to_register():
        assert row.identifier in first.out
        assert row.pesel in first.out
    second = icok(workdir, "seed", "--demo")
    assert second.code == 0, second
    assert "already present" in second.out
    assert DEMO_EMAIL in second.out  # the credentials are shown again


PRODUCTION = {
    "ICOK_MODE": "production",
    "ICOK_SECRET_KEY": "p" * 40,
    "ICOK_BASE_URL": "https://icok.example.pl",
    "ICOK_PAYMENT_PROVIDER": "payu",
    "ICOK_PAYU_POS_ID": "300746",
    "ICOK_PAYU_CLIENT_ID": "300746",
    "ICOK_PAYU_CLIENT_SECRET": "2ee86a66e5d97e3fadc400c9f19b065d",
    "ICOK_PAYU_SECOND_KEY": "b6ca15b0d1020e8094d9b5f8d163db54",
    "ICOK_SELLER_NIP": "1180000113",
    "ICOK_BANK_ROUTING": "11402004",
    "ICOK_MAIL_URL": "smtp://mail.example.pl:25",
}


def test_no_demo_data_into_a_production_database_in_use(workdir: Path) -> None:
    production = PRODUCTION
    first = icok(workdir, "seed", "--demo", env=production)
    assert first.code == 0, first  # an empty database may be a demo
    assert_one_line_error(icok(workdir, "seed", "--demo", env=production), "production")


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ICOK_PAYMENT_PROVIDER": ""}, "ICOK_PAYMENT_PROVIDER=sandbox"),  # the default
        ({"ICOK_PAYMENT_PROVIDER": "sandbox"}, "ICOK_PAYMENT_PROVIDER=sandbox"),
        ({"ICOK_PAYU_SECOND_KEY": ""}, "ICOK_PAYU_SECOND_KEY"),
        ({"ICOK_PAYU_CLIENT_ID": "", "ICOK_PAYU_CLIENT_SECRET": ""}, "ICOK_PAYU_CLIENT_SECRET"),
    ],
)
def test_production_without_a_real_payment_provider_refuses_to_start(
    workdir: Path, change: dict[str, str], named: str
) -> None:
    """The sandbox approves payments without taking money: production never serves it."""
    assert_one_line_error(icok(workdir, "serve", env={**PRODUCTION, **change}), named)


@pytest.mark.parametrize("mail_url", ["", "console://"])  # the default, and said explicitly
def test_production_without_a_mail_server_refuses_to_start(workdir: Path, mail_url: str) -> None:
    """console:// writes every mail to the log, reset and confirmation links included."""
    result = icok(workdir, "serve", env={**PRODUCTION, "ICOK_MAIL_URL": mail_url})
    assert_one_line_error(result, "ICOK_MAIL_URL is console://")


def test_production_refuses_simulated_provisioning(workdir: Path) -> None:
    """The simulation reports device commands done that nobody carried out."""
    env = {**PRODUCTION, "ICOK_PROVISIONING": "simulated"}
    assert_one_line_error(icok(workdir, "serve", env=env), "ICOK_PROVISIONING=simulated")


def test_seed_without_demo_says_what_to_do(workdir: Path) -> None:
    assert_one_line_error(icok(workdir, "seed"), "--demo")


# --- serve ----------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[str]
    log: Path


@pytest.fixture
def start_server(workdir: Path) -> Iterator[Callable[[], Server]]:
    """Starts ``icok serve --demo`` on a free port when called; stops it after the test."""
    started: list[Server] = []

    def start() -> Server:
        port = free_port()
        log = workdir / f"serve-{port}.log"
        with log.open("w") as sink:
            proc = subprocess.Popen(
                [*ICOK, "serve", "--demo", "--port", str(port)],
                cwd=workdir,
                env=_env(workdir),
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                text=True,
            )
        server = Server(f"http://127.0.0.1:{port}", proc, log)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.proc.poll() is None:
            server.proc.send_signal(signal.SIGTERM)
            try:
                server.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait()


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(
                f"icok serve exited with {server.proc.returncode}:\n{server.log.read_text()}"
            )
        try:
            if httpx.get(f"{server.base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"icok serve did not answer within {SERVE_TIMEOUT}s:\n{server.log.read_text()}")


def wait_for_log(log: Path, text: str) -> None:
    """Wait until the server's output contains ``text`` (mail is delivered in the background)."""
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"{text!r} not in the server's output:\n{log.read_text()}")


def _gql(base: str, query: str, variables: dict | None = None, token: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        f"{base}/graphql",
        json={"query": query, "variables": variables or {}},
        headers=headers,
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_serve_demo(start_server: Callable[[], Server]) -> None:
    server = start_server()
    base, proc, log = server.base, server.proc, server.log
    _wait_healthy(server)
    assert httpx.get(f"{base}/readyz", timeout=5).json() == {"status": "ok", "database": "ok"}
    assert _gql(base, "{ apiVersion }")["apiVersion"]
    packages = _gql(base, "{ packages { code } }")["packages"]
    assert {"SAT_START", "NET_5G_150", "MTV_PLUS"} <= {p["code"] for p in packages}
    # the demo login printed by the seed works against the running server
    captcha = _gql(base, "{ captcha { id question proofChallenge } }")["captcha"]
    login = _gql(
        base,
        "mutation($input: LoginInput!) { login(input: $input) { token errors { code } } }",
        {
            "input": {
                "login": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
                **captcha_fields(captcha),
                "bearer": True,
            }
        },
    )["login"]
    assert login["errors"] == [] and login["token"]
    viewer = _gql(base, "{ viewer { customerNumber } }", token=login["token"])["viewer"]
    assert viewer == {"customerNumber": "K10527391"}
    # without ICOK_BASE_URL, links in e-mails point at the port being served (not 8000)
    captcha = _gql(base, "{ captcha { id question proofChallenge } }")["captcha"]
    reset = _gql(
        base,
        "mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input)"
        " { errors { code } } }",
        {
            "input": {
                "email": DEMO_EMAIL,
                **captcha_fields(captcha),
            }
        },
    )["requestPasswordReset"]
    assert reset["errors"] == []
    wait_for_log(log, f"{base}/reset-password?token=")
    page = httpx.get(f"{base}/", timeout=5)
    assert page.status_code == 200 and "<html" in page.text.lower()
    proc.send_signal(signal.SIGTERM)
    # uvicorn shuts down gracefully, then re-raises the signal (the conventional exit status)
    assert proc.wait(timeout=20) in (0, -signal.SIGTERM)
    output = log.read_text()
    assert "Demo data loaded" in output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output


def test_serve_demo_does_not_seed_a_database_in_use(
    workdir: Path, start_server: Callable[[], Server]
) -> None:
    """--demo seeds only an empty database: a second start keeps what is there, silently."""
    assert icok(workdir, "seed", "--demo").code == 0
    server = start_server()
    _wait_healthy(server)
    server.proc.send_signal(signal.SIGTERM)
    server.proc.wait(timeout=20)
    assert "Demo data" not in server.log.read_text()


# --- expected failures ----------------------------------------------------------------------


def test_wrong_database_url_scheme(workdir: Path) -> None:
    for command in (("migrate",), ("seed", "--demo"), ("serve", "--port", str(free_port()))):
        result = icok(workdir, *command, ICOK_DATABASE_URL="mysql://root@localhost/icok")
        assert_one_line_error(result, "ICOK_DATABASE_URL", "mysql")


def test_unreachable_postgresql(workdir: Path) -> None:
    url = "postgres://icok:secret-password@127.0.0.1:1/icok"
    for command in (("migrate",), ("serve", "--port", str(free_port()))):
        result = icok(workdir, *command, ICOK_DATABASE_URL=url)
        assert_one_line_error(result, "cannot open the database", "127.0.0.1:1")
        assert "secret-password" not in result.err


def test_unwritable_data_dir(workdir: Path) -> None:
    blocker = workdir / "not-a-dir"
    blocker.write_text("")
    result = icok(workdir, "migrate", ICOK_DATA_DIR=str(blocker / "data"))
    assert_one_line_error(result, "ICOK_DATA_DIR", "not a writable directory")


def test_invalid_setting(workdir: Path) -> None:
    result = icok(workdir, "migrate", ICOK_SESSION_IDLE_SECONDS="ten")
    assert_one_line_error(result, "ICOK_SESSION_IDLE_SECONDS")


def test_port_in_use(workdir: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = icok(workdir, "serve", "--demo", "--port", str(port))
    assert_one_line_error(result, f"port {port}", "already in use")
    assert not (workdir / "data" / "icok.sqlite3").exists()  # refused before touching anything


def test_bad_port_is_a_usage_error(workdir: Path) -> None:
    result = icok(workdir, "serve", "--port", "70000")
    assert result.code == 2
    assert "port must be between 1 and 65535" in result.err
    assert "Traceback" not in result.err


def out_of_date_database(workdir: Path) -> str:
    """The URL of a SQLite database in ``workdir`` migrated only to the first migration."""
    url = f"sqlite://{workdir / 'old.sqlite3'}"

    async def half_migrate() -> None:
        await migrate_api(config=database.tortoise_config(url), target="models.0001_initial")
        await database.close()

    asyncio.run(half_migrate())
    return url


def test_serve_refuses_an_out_of_date_database(workdir: Path) -> None:
    """A database with data and an older schema is never migrated behind the operator's back."""
    url = out_of_date_database(workdir)
    for command in (("serve", "--port", str(free_port())), ("serve", "--demo")):
        result = icok(workdir, *command, ICOK_DATABASE_URL=url)
        assert_one_line_error(result, "not up to date", "0002_check_constraints", "icok migrate")
    migrated = icok(workdir, "migrate", ICOK_DATABASE_URL=url)
    assert migrated.code == 0 and "0002_check_constraints" in migrated.out


def test_failing_migration_is_one_line(workdir: Path) -> None:
    """A file that is no ICOK database (a clashing table, no migration history)."""
    import sqlite3

    path = workdir / "foreign.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE captcha (x INTEGER)")
    for command in (("migrate",), ("serve", "--port", str(free_port()))):
        result = icok(workdir, *command, ICOK_DATABASE_URL=f"sqlite://{path}")
        assert_one_line_error(result, "migration 0001_initial failed", "captcha")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A brand-new PostgreSQL database (skipped without ICOK_TEST_POSTGRES_URL)."""
    from tests.conftest import POSTGRES_URL, REQUIRE_POSTGRES, _pg_admin, _with_database

    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ICOK_REQUIRE_POSTGRES=1 but ICOK_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests skipped: set ICOK_TEST_POSTGRES_URL to run them")
    name = f"icok_cli_{secrets.token_hex(4)}"
    asyncio.run(_pg_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    yield _with_database(POSTGRES_URL, name)
    asyncio.run(_pg_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_postgresql_is_migrated_by_the_operator(workdir: Path, postgres_url: str) -> None:
    """The server never migrates PostgreSQL by itself; 'icok migrate' does, then seeding works."""
    refused = icok(
        workdir, "serve", "--demo", "--port", str(free_port()), ICOK_DATABASE_URL=postgres_url
    )
    assert_one_line_error(refused, "not up to date", "icok migrate")
    migrated = icok(workdir, "migrate", ICOK_DATABASE_URL=postgres_url)
    applied = f"applied {len(_migration_names())} migration(s)"
    assert migrated.code == 0 and applied in migrated.out, migrated
    first = icok(workdir, "seed", "--demo", ICOK_DATABASE_URL=postgres_url)
    assert first.code == 0 and "Demo data loaded: 4 customer(s)" in first.out, first
    second = icok(workdir, "seed", "--demo", ICOK_DATABASE_URL=postgres_url)
    assert second.code == 0 and "already present" in second.out, second


# --- export-schema --------------------------------------------------------------------------


def test_export_schema_matches_the_committed_file(workdir: Path) -> None:
    committed = (ROOT / "schema.graphql").read_text()
    result = icok(workdir, "export-schema")
    assert result.code == 0, result
    assert result.out == committed, (
        "schema.graphql is out of date: run 'icok export-schema -o schema.graphql'"
    )
    written = icok(workdir, "export-schema", "-o", "out.graphql")
    assert written.code == 0
    assert (workdir / "out.graphql").read_text() == committed

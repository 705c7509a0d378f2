"""Real-browser tests: a real server (the ``icok serve --demo`` CLI in a subprocess, on a free
port, with a temporary data directory holding a copy of the migrated SQLite template, and the
demo data), a real SMTP server (aiosmtpd, from
``tests/smtp.py``) and Debian's Chromium driven by Playwright.

Without ``/usr/bin/chromium`` the tests are skipped with the reason; with
``ICOK_REQUIRE_BROWSER=1`` (CI) that is a failure instead. ``playwright install`` is never
needed: Playwright launches the system Chromium through ``executable_path``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests import smtp
from tests.checkout import ICOK, checkout_env, free_port
from tests.smtp import Mailbox

# The real SMTP server fixtures, shared with the API tests.
smtp_server = smtp.smtp_server
mailbox = smtp.mailbox

CHROMIUM = Path(os.environ.get("ICOK_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("ICOK_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.real_time)  # the server runs in a subprocess


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"e2e tests need Chromium at {CHROMIUM} (apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message + "; ICOK_REQUIRE_BROWSER=1 makes this a failure")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def browser(chromium_path: Path) -> Iterator[Any]:
    """One browser per test. Playwright's sync API runs an event loop in this thread while it is
    open; keeping it per test (not per session) means the asyncio-based tests that run after the
    e2e ones (``tests/unit``) never find a loop already running."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    data_dir: Path
    """``ICOK_DATA_DIR`` of the server (its SQLite database is ``icok.sqlite3`` there)."""
    env: dict[str, str]
    """The server's environment: run ``icok`` commands on its database with it."""
    clock_offset: float = 0.0
    """Seconds the server's clock is ahead of the real one (``clock_at``; 0: not moved)."""

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stops the server (its data stays in ``data_dir`` for another one)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def live_server(
    tmp_path: Path, mailbox: Mailbox, sqlite_template: Path
) -> Iterator[Callable[..., LiveServer]]:
    """Starts ``icok serve --demo`` with the given ``ICOK_*`` overrides; stopped after the test.

    A new data directory starts with a copy of the session's migrated SQLite template: the
    server then only seeds the demo data (migrating a brand-new file costs about 5 s of CPU per
    server; ``tests/test_cli.py`` covers ``serve`` creating the database itself)."""
    started: list[LiveServer] = []

    def start(
        *,
        data_dir: Path | None = None,
        clock_at: datetime | None = None,
        **env_overrides: str,
    ) -> LiveServer:
        """``data_dir``: serve the data of an earlier server of this test (stop it first);
        ``clock_at``: the server's clock starts at this aware instant and ticks on
        (``tests/e2e/moved_clock.py``), e.g. 31 days after what an earlier server saw."""
        port = free_port()
        if data_dir is None:
            data_dir = tmp_path / f"data-{port}"
            data_dir.mkdir()
            if "ICOK_DATABASE_URL" not in env_overrides:
                shutil.copy(sqlite_template, data_dir / "icok.sqlite3")
        url = f"http://127.0.0.1:{port}"
        env = {
            **checkout_env({k: v for k, v in os.environ.items() if not k.startswith("ICOK_")}),
            "ICOK_DATA_DIR": str(data_dir),
            "ICOK_BASE_URL": url,
            "ICOK_MAIL_URL": mailbox.url,
            "ICOK_SECRET_KEY": "e2e-secret-key-" + "k" * 40,
            "ICOK_PROVISIONING_DELAY_SECONDS": "0.5",
            "ICOK_CAPTCHA_PROOF_MAX_NUMBER": "5000",  # the browser still solves a real one
            **env_overrides,
        }
        icok = ICOK
        if clock_at is not None:
            icok = [sys.executable, "-m", "tests.e2e.moved_clock", clock_at.isoformat()]
        log = tmp_path / f"server-{port}.log"
        process = subprocess.Popen(
            [*icok, "serve", "--demo", "--port", str(port)],  # this checkout's backend
            cwd=data_dir,  # no stray .env is read
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        offset = (clock_at - datetime.now(UTC)).total_seconds() if clock_at else 0.0
        server = LiveServer(url, process, log, data_dir, env, offset)
        started.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{server.output()}")
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        return server
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"the server did not start within 60 s:\n{server.output()}")

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """A fresh browser context (own cookies and storage) per call, closed after the test."""
    contexts: list[Any] = []

    def make(*, width: int = 1280, height: int = 860, **options: Any) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Console errors include CSP violations. Failed requests are listed by URL instead of
        # the console's anonymous "Failed to load resource"; the browser's own favicon probe on
        # pages without an icon (the sandbox provider's page) is not the app's doing.
        page.on(
            "console",
            lambda msg: (
                errors.append(msg.text)
                if msg.type == "error" and not msg.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                errors.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and not r.url.endswith("/favicon.ico")
                else None
            ),
        )
        page.js_errors = errors  # checked by the tests: no script errors, no CSP violations
        return page

    yield make
    for context in contexts:
        context.close()

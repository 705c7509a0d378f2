"""Helpers that drive the customer-service console (``/console/``) the way a staff member does:
the account made with the CLI on the live server's database, the login with password and TOTP
(codes computed with pyotp from the secret the enrolment screen shows)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp

from tests.checkout import ICOK
from tests.e2e.conftest import LiveServer


def create_staff(server: LiveServer, email: str, name: str, role: str = "agent") -> str:
    """``icok staff create`` against the live server's database (on its moved clock, if any:
    the initial password's 72 hours count from the server's now); the initial password."""
    icok = ICOK
    if server.clock_offset:
        at = datetime.now(UTC) + timedelta(seconds=server.clock_offset)
        icok = [sys.executable, "-m", "tests.e2e.moved_clock", at.isoformat()]
    result = subprocess.run(
        [*icok, "staff", "create", "--email", email, "--name", name, "--role", role],
        cwd=server.data_dir,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def wait_console(page: Any) -> None:
    """The screen's heading is shown and nothing is loading."""
    page.locator("main h1").first.wait_for()
    page.wait_for_function("() => !document.querySelector('.state-loading, .boot')")


def switch_language(page: Any, language: str) -> None:
    """Clicks the language switch if the page is not in ``language`` yet."""
    if page.evaluate("() => document.documentElement.lang") != language:
        page.locator(".public-top .lang-switch, .topbar .lang-switch").first.click()
        page.wait_for_function(f"() => document.documentElement.lang === '{language}'")


_CHOSEN: dict[str, str] = {}
"""The password a member chose in place of each initial one (the first login asks for it)."""


def own_password(initial: str) -> str:
    """The password the helpers choose in place of the initial password ``initial``."""
    return f"{initial[::-1]}-Wlasne-7"


def submit_password(
    page: Any, base: str, email: str, password: str, *, open_form: bool = True
) -> None:
    """Opens the console's login (unless it is shown) and sends the e-mail and password. An
    initial password (from ``icok staff create``) is replaced on the screen that asks for it by
    :func:`own_password`, which later calls with the initial password send instead."""
    if open_form:
        page.goto(base + "/console/login")
        wait_console(page)
    page.fill("#console-login-email", email)
    page.fill("#console-login-password", _CHOSEN.get(password, password))
    page.locator("form button[type=submit]").click()
    page.locator("#console-code-code, #console-newpw-newPassword").first.wait_for()
    if page.locator("#console-newpw-newPassword").count():
        _CHOSEN[password] = own_password(password)
        page.fill("#console-newpw-newPassword", _CHOSEN[password])
        page.locator("form button[type=submit]").click()
        page.locator("#console-code-code").wait_for()


def read_secret(page: Any) -> str:
    """The TOTP secret the enrolment screen shows for typing by hand."""
    return str(page.locator("[data-testid=totp-secret]").inner_text()).strip()


def totp_now(secret: str, *, ahead: int = 0, offset: float = 0.0) -> str:
    """The code of ``secret`` ``ahead`` time steps from now (the server accepts a step either
    side, and each step once: the next login uses ``ahead=1``); ``offset``: seconds the
    server's clock is ahead (``LiveServer.clock_offset``)."""
    return str(pyotp.TOTP(secret).at(time.time() + offset + 30 * ahead))


def submit_code(page: Any, code: str) -> None:
    page.fill("#console-code-code", code)
    page.locator("form button[type=submit]").click()


# --- publishing (publishing) ---


def log_in_enrolled(
    page: Any, server: LiveServer, email: str, name: str, role: str, *, language: str = "pl"
) -> str:
    """A new member made with the CLI logs in for the first time in ``language`` (switched on
    the login screen): password, enrolment (the code from the secret shown), the recovery codes
    confirmed; lands on the console's home. Returns the TOTP secret (a later login needs
    ``totp_now(secret, ahead=1)``)."""
    password = create_staff(server, email, name, role)
    page.goto(server.url + "/console/login")
    wait_console(page)
    switch_language(page, language)
    submit_password(page, server.url, email, password, open_form=False)
    secret = read_secret(page)
    submit_code(page, totp_now(secret, offset=server.clock_offset))
    page.locator("[data-testid=recovery-codes]").wait_for()
    page.locator("input[type=checkbox]").check()
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/search"))
    wait_console(page)
    return secret

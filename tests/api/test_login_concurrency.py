"""Concurrent guesses cannot beat the login lockout (issue 15, item 6).

Every attempt is counted before its password is checked, per account and per client address,
so a burst of simultaneous guesses gets no more verdicts than the same guesses one by one.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

import httpx

from backend.app import create_app
from backend.clock import clock
from backend.models import AuditEvent, Session
from backend.models.enums import AuditKind
from backend.services.accounts import LOCK_AFTER
from backend.services.login_email import REQUESTS_PER_HOUR
from backend.services.password_reset import CHANGE_FAILURES
from tests.api.account_helpers import LOGIN, solve_captcha
from tests.conftest import GraphQLClient
from tests.factories import OTHER_STRONG_PASSWORD, STRONG_PASSWORD, login_as, make_user
from tests.spies import record_bcrypt

CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { errors { code } } }"""
MOVE = """mutation($email: String!, $current: String!) {
  requestLoginEmailChange(input: {email: $email, currentPassword: $current}) {
    errors { code } } }"""


def _from(app: Any, address: str) -> httpx.AsyncClient:
    """A client whose requests come from ``address`` (the ASGI scope's client)."""
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _attempt(app: Any, address: str, login: str, password: str) -> str:
    """One login from ``address`` with a freshly solved captcha: its first error code, or "OK"."""
    async with _from(app, address) as http:
        gql = GraphQLClient(http)
        data = {"login": login, "password": password, **await solve_captcha(gql)}
        payload = (await gql(LOGIN, {"input": data}))["login"]
        return str(payload["errors"][0]["code"]) if payload["errors"] else "OK"


async def test_sixty_simultaneous_wrong_passwords_get_at_most_five_verdicts(app, settings) -> None:
    person = await make_user(settings)
    results = Counter(
        await asyncio.gather(
            *(_attempt(app, "10.0.0.1", person.email, f"Wrong-{n}") for n in range(60))
        )
    )
    assert set(results) <= {"INVALID_CREDENTIALS", "ACCOUNT_LOCKED", "RATE_LIMITED"}, results
    assert results["INVALID_CREDENTIALS"] <= LOCK_AFTER - 1, results
    failed = AuditEvent.filter(kind=AuditKind.LOGIN_FAILED, customer_id=person.customer.id)
    assert await failed.count() == LOCK_AFTER  # five verdicts, the fifth one locking
    # From 60 addresses (no address limit in the way): the same five verdicts, then locked.
    other = await make_user(settings)
    results = Counter(
        await asyncio.gather(
            *(_attempt(app, f"10.1.0.{n}", other.email, f"Wrong-{n}") for n in range(60))
        )
    )
    assert results["INVALID_CREDENTIALS"] == LOCK_AFTER - 1, results
    assert results["ACCOUNT_LOCKED"] == 60 - (LOCK_AFTER - 1), results
    # The right password alone works again once the lock has run out.
    clock.advance(minutes=15, seconds=1)
    assert await _attempt(app, "10.2.0.1", other.email, STRONG_PASSWORD) == "OK"


async def test_a_right_password_among_guesses_in_flight_does_not_log_in(
    app, settings, monkeypatch
) -> None:
    """24 wrong passwords from 24 addresses are inside bcrypt (counted, no verdict yet) when the
    right one comes from a 25th address: it is past the limit, so it is refused."""
    person = await make_user(settings)
    wrong = 24
    inside, release = threading.Semaphore(0), threading.Event()
    entered = 0
    lock = threading.Lock()

    def hold() -> None:  # the first 24 bcrypt checks wait, the right password's runs through
        nonlocal entered
        with lock:
            entered += 1
            mine = entered
        if mine <= wrong:
            inside.release()
            release.wait(60)

    # A bcrypt thread for each guess held inside bcrypt, and one for the right password.
    app = create_app(
        settings.with_overrides(password_hash_threads=wrong + 4), manage_database=False
    )
    record_bcrypt(monkeypatch, before=hold)
    guesses = [
        asyncio.create_task(_attempt(app, f"10.3.0.{n}", person.email, f"Wrong-{n}"))
        for n in range(wrong)
    ]
    try:
        for _ in range(wrong):
            assert await asyncio.to_thread(inside.acquire, True, 60)
        right = await _attempt(app, "10.3.1.1", person.email, STRONG_PASSWORD)
    finally:
        release.set()
    results = Counter(await asyncio.gather(*guesses))
    assert right == "ACCOUNT_LOCKED"
    assert not await Session.exists()
    assert results["INVALID_CREDENTIALS"] == LOCK_AFTER - 1, results
    assert results["ACCOUNT_LOCKED"] == wrong - (LOCK_AFTER - 1), results


async def test_the_right_password_alone_still_logs_in(app, settings) -> None:
    person = await make_user(settings)
    results = await asyncio.gather(
        *(_attempt(app, f"10.4.0.{n}", person.email, STRONG_PASSWORD) for n in range(3))
    )
    assert results == ["OK"] * 3
    # A right password gives its attempt back: the account can still take four wrong guesses.
    for n in range(LOCK_AFTER - 1):
        assert await _attempt(app, "10.4.1.1", person.email, f"Wrong-{n}") == "INVALID_CREDENTIALS"
    assert await _attempt(app, "10.4.1.1", person.email, STRONG_PASSWORD) == "OK"


async def test_concurrent_password_checks_while_logged_in_are_counted_first(app, settings) -> None:
    """changePassword and requestLoginEmailChange check the current password after counting the
    attempt (``ratelimit.hit``, atomic): 30 at once get at most their limit of verdicts."""
    person = await make_user(settings)
    async with _from(app, "10.5.0.1") as http:
        await login_as(http, settings, person.customer)
        gql = GraphQLClient(http)

        async def change(n: int) -> str:
            data = await gql(CHANGE, {"current": f"Wrong-{n}", "new": OTHER_STRONG_PASSWORD})
            return str(data["changePassword"]["errors"][0]["code"])

        async def move(n: int) -> str:
            data = await gql(MOVE, {"email": f"new{n}@example.com", "current": f"Wrong-{n}"})
            return str(data["requestLoginEmailChange"]["errors"][0]["code"])

        changes = Counter(await asyncio.gather(*(change(n) for n in range(30))))
        moves = Counter(await asyncio.gather(*(move(n) for n in range(30))))
    assert changes == {"WRONG_PASSWORD": CHANGE_FAILURES, "RATE_LIMITED": 30 - CHANGE_FAILURES}
    assert moves == {"WRONG_PASSWORD": REQUESTS_PER_HOUR, "RATE_LIMITED": 30 - REQUESTS_PER_HOUR}

"""bcrypt's own bounded pool (issue 16, item 1): a flood of logins is told "try again" at once.

Here the pool has one thread and no queue (``ICOK_PASSWORD_HASH_THREADS=1``,
``ICOK_PASSWORD_HASH_QUEUE=0``): one request is admitted, and it is held inside bcrypt (the real
bcrypt, paused by ``tests.spies.record_bcrypt`` in its worker thread) while the others arrive.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.config import Settings
from backend.models import Account, AuditEvent, StaffMember
from backend.models.enums import AuditKind
from backend.services import passwords
from tests.api.account_helpers import LOGIN, solve_captcha
from tests.conftest import GraphQLClient
from tests.factories import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    login_as,
    make_staff,
    make_user,
)
from tests.spies import record_bcrypt

STAFF_LOGIN = """mutation($input: StaffLoginInput!) { staffLogin(input: $input) {
  errors { field code message } } }"""
CHANGE = """mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    errors { field code message } } }"""
BUSY_PL = "Serwer obsługuje teraz bardzo wiele logowań. Spróbuj ponownie za kilka sekund."
BUSY_EN = "The server is handling very many logins right now. Try again in a few seconds."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(password_hash_threads=1, password_hash_queue=0)


class Held:
    """After :meth:`arm`, the first bcrypt operation waits in its worker thread until
    :meth:`release`."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self._release = threading.Event()
        self._first = False
        self._lock = threading.Lock()

    def arm(self) -> None:
        with self._lock:
            self._first = True

    def __call__(self) -> None:
        with self._lock:
            mine, self._first = self._first, False
        if mine:
            self.inside.set()
            self._release.wait(60)

    def release(self) -> None:
        self._release.set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    hold = Held()
    record_bcrypt(monkeypatch, before=hold)
    try:
        yield hold
    finally:
        hold.release()


async def _login(gql: GraphQLClient, login: str, password: str, **captcha: str) -> dict[str, Any]:
    data = {"login": login, "password": password, **(captcha or await solve_captcha(gql))}
    return dict((await gql(LOGIN, {"input": data}))["login"])


async def test_a_full_pool_answers_busy_at_once_and_counts_nothing(
    gql, settings, held: Held
) -> None:
    """While the one admitted login is inside bcrypt, a wrong password of a known account, an
    unknown login and the right password all get SERVER_BUSY before the first login ends: the
    same answer (nothing tells which account exists), no attempt counted, no audit, and the
    captcha is not spent (the same solved captcha logs in afterwards)."""
    first, other = await make_user(settings), await make_user(settings)
    refused_before = passwords.hashing_stats().refused_total
    held.arm()
    admitted = asyncio.create_task(_login(gql, first.email, STRONG_PASSWORD))
    assert await asyncio.to_thread(held.inside.wait, 60)  # the pool's one place is taken
    assert passwords.hashing_stats().busy >= 1
    captcha = await solve_captcha(gql)
    answers = [
        await _login(gql, other.email, "Wrong-password-1", **captcha),
        await _login(gql, "nobody@example.com", "Wrong-password-1", **captcha),
        await _login(gql, other.email, STRONG_PASSWORD, **captcha),
    ]
    assert not admitted.done()  # answered while the pool was still full: no waiting
    for payload in answers:
        assert payload["errors"] == [{"field": None, "code": "SERVER_BUSY", "message": BUSY_PL}]
        assert payload["token"] is None
    assert passwords.hashing_stats().refused_total - refused_before == 3
    held.release()
    assert (await admitted)["errors"] == []
    # Nothing was counted: no failure recorded, no attempt on the account.
    assert not await AuditEvent.filter(kind=AuditKind.LOGIN_FAILED).exists()
    assert (await Account.get(email=other.email)).failed_logins == 0
    # The captcha was not spent: the refused form, sent again, logs in.
    assert (await _login(gql, other.email, STRONG_PASSWORD, **captcha))["errors"] == []
    stats = passwords.hashing_stats()
    assert (stats.busy, stats.queued) == (0, 0)


async def test_staff_login_and_password_change_are_refused_busy_too(
    app, client, gql, console, settings, held: Held
) -> None:
    """The console's login and a customer's password change go through the same queue;
    a refused staff login counts no failure either."""
    member = await make_staff(password=STRONG_PASSWORD, settings=settings)
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    first = await make_user(settings)
    held.arm()
    other_browser = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    )
    admitted = asyncio.create_task(
        _login(GraphQLClient(other_browser), first.email, STRONG_PASSWORD)
    )
    assert await asyncio.to_thread(held.inside.wait, 60)
    data = {"email": member.email, "password": "Wrong-password-1"}
    staff = await console(STAFF_LOGIN, {"input": data}, headers={"Accept-Language": "en"})
    assert staff["staffLogin"]["errors"] == [
        {"field": None, "code": "SERVER_BUSY", "message": BUSY_EN}
    ]
    change = await gql(CHANGE, {"current": "Wrong-password-1", "new": OTHER_STRONG_PASSWORD})
    assert [e["code"] for e in change["changePassword"]["errors"]] == ["SERVER_BUSY"]
    assert not admitted.done()
    held.release()
    assert (await admitted)["errors"] == []
    await other_browser.aclose()
    assert (await StaffMember.get(id=member.id)).failed_logins == 0
    assert not await AuditEvent.filter(kind=AuditKind.STAFF_LOGIN_FAILED).exists()
    # With the pool free again the same change gets its verdict.
    change = await gql(CHANGE, {"current": "Wrong-password-1", "new": OTHER_STRONG_PASSWORD})
    assert [e["code"] for e in change["changePassword"]["errors"]] == ["WRONG_PASSWORD"]


async def test_logins_one_after_another_all_get_through(gql, settings) -> None:
    """The normal path: with one thread and no queue, logins that do not overlap all pass."""
    person = await make_user(settings)
    for password, code in [
        ("Wrong-password-1", "INVALID_CREDENTIALS"),
        (STRONG_PASSWORD, None),
        (STRONG_PASSWORD, None),
    ]:
        payload = await _login(gql, person.email, password)
        assert [e["code"] for e in payload["errors"]] == ([code] if code else [])
    stats = passwords.hashing_stats()
    assert (stats.busy, stats.queued) == (0, 0)

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
from tests.api.account_helpers import LOGIN, register, registration, solve_captcha
from tests.conftest import GraphQLClient
from tests.factories import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    login_as,
    make_person,
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


async def _hold_the_pool(gql: GraphQLClient, settings: Settings, held: Held) -> asyncio.Task[Any]:
    """A login admitted and held inside bcrypt: the pool (one place) is full until released."""
    first = await make_user(settings)
    held.arm()
    admitted = asyncio.create_task(_login(gql, first.email, STRONG_PASSWORD))
    assert await asyncio.to_thread(held.inside.wait, 60)
    return admitted


async def test_a_junk_captcha_is_refused_before_taking_a_place(gql, settings, held: Held) -> None:
    """With the pool full, a login whose captcha answer is wrong, whose proof is bad or missing,
    or whose password is missing gets the captcha's (or the field's) error, not SERVER_BUSY: it
    never competed for bcrypt, so the refused count does not move."""
    person = await make_user(settings)
    admitted = await _hold_the_pool(gql, settings, held)
    refused_before = passwords.hashing_stats().refused_total
    wrong = await solve_captcha(gql)
    wrong["captchaAnswer"] = str(int(wrong["captchaAnswer"]) + 1)
    bad_proof = {**await solve_captcha(gql), "captchaProof": "bm90IGEgcHJvb2Y="}
    no_proof = {**await solve_captcha(gql), "captchaProof": ""}
    cases = [
        (STRONG_PASSWORD, wrong, ("captchaAnswer", "CAPTCHA_INVALID")),
        (STRONG_PASSWORD, bad_proof, ("captchaProof", "CAPTCHA_PROOF_INVALID")),
        (STRONG_PASSWORD, no_proof, ("captchaProof", "CAPTCHA_PROOF_REQUIRED")),
        ("", await solve_captcha(gql), ("password", "REQUIRED")),
    ]
    for password, captcha, expected in cases:
        payload = await _login(gql, person.email, password, **captcha)
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [expected]
    assert not admitted.done()
    assert passwords.hashing_stats().refused_total == refused_before
    held.release()
    assert (await admitted)["errors"] == []
    assert not await AuditEvent.filter(kind=AuditKind.LOGIN_FAILED).exists()


async def test_a_busy_login_keeps_its_solved_captcha_for_one_login(
    gql, settings, held: Held
) -> None:
    """A solved login refused SERVER_BUSY gets its captcha back: the same form logs in once the
    pool is free, and that captcha cannot be used a second time."""
    person = await make_user(settings)
    admitted = await _hold_the_pool(gql, settings, held)
    captcha = await solve_captcha(gql)
    busy = await _login(gql, person.email, STRONG_PASSWORD, **captcha)
    assert [e["code"] for e in busy["errors"]] == ["SERVER_BUSY"]
    held.release()
    assert (await admitted)["errors"] == []
    assert (await _login(gql, person.email, STRONG_PASSWORD, **captcha))["errors"] == []
    again = await _login(gql, person.email, STRONG_PASSWORD, **captcha)
    assert [(e["field"], e["code"]) for e in again["errors"]] == [
        ("captchaAnswer", "CAPTCHA_INVALID")
    ]


async def test_junk_logins_in_flight_do_not_make_a_right_login_busy(
    gql, settings, held: Held
) -> None:
    """50 logins with wrong captcha answers sent at once, while the pool has its one place free,
    leave that place to the solved login sent among them: it logs in, none is SERVER_BUSY."""
    person = await make_user(settings)
    junk = []
    for _ in range(50):
        fields = await solve_captcha(gql)
        fields["captchaAnswer"] = str(int(fields["captchaAnswer"]) + 1)
        junk.append(fields)
    right = await solve_captcha(gql)
    refused_before = passwords.hashing_stats().refused_total
    answers = await asyncio.gather(
        *(_login(gql, person.email, STRONG_PASSWORD, **fields) for fields in junk[:25]),
        _login(gql, person.email, STRONG_PASSWORD, **right),
        *(_login(gql, person.email, STRONG_PASSWORD, **fields) for fields in junk[25:]),
    )
    codes = [[e["code"] for e in payload["errors"]] for payload in answers]
    assert codes[25] == []
    assert codes[:25] + codes[26:] == [["CAPTCHA_INVALID"]] * 50
    assert passwords.hashing_stats().refused_total == refused_before


async def test_a_busy_registration_keeps_its_captcha_and_junk_is_not_busy(
    gql, settings, mailbox, held: Held
) -> None:
    """Registration too: with the pool full a wrong captcha is CAPTCHA_INVALID (not busy); a
    solved form is SERVER_BUSY and, sent again unchanged once the pool is free, registers."""
    person = await make_person(settings)
    admitted = await _hold_the_pool(gql, settings, held)
    refused_before = passwords.hashing_stats().refused_total
    wrong = await solve_captcha(gql)
    wrong["captchaAnswer"] = str(int(wrong["captchaAnswer"]) + 1)
    junk = await register(gql, {**registration(person), **wrong})
    assert [e["code"] for e in junk["errors"]] == ["CAPTCHA_INVALID"]
    assert passwords.hashing_stats().refused_total == refused_before
    form = {**registration(person), **await solve_captcha(gql)}
    busy = await register(gql, form)
    assert [e["code"] for e in busy["errors"]] == ["SERVER_BUSY"]
    held.release()
    assert (await admitted)["errors"] == []
    assert (await register(gql, form))["ok"] is True
    assert await Account.exists(email=person.email)

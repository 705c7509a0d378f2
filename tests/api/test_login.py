"""login(input): e-mail or any service identifier, cookie or bearer, no enumeration, lockout."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime

from backend.clock import clock
from backend.models import Account, AuditEvent, Session
from backend.models.enums import AuditKind, ServiceKind
from backend.schema.context import SESSION_COOKIE
from backend.services.accounts import IP_FAILURES, LOCK_AFTER, LOCK_FOR
from backend.services.passwords import BCRYPT_ROUNDS
from tests.api.account_helpers import LOGIN, VIEWER, codes, login, solve_captcha
from tests.factories import STRONG_PASSWORD, make_service, make_user
from tests.spies import record_bcrypt


async def _raw_login(client, gql, login_: str, password: str, *, bearer: bool = False):
    data = {"login": login_, "password": password, "bearer": bearer, **await solve_captcha(gql)}
    response = await client.post("/graphql", json={"query": LOGIN, "variables": {"input": data}})
    assert response.status_code == 200
    return response


async def test_empty_and_oversized_input(gql) -> None:
    payload = await login(gql, "", "")
    assert codes(payload) == {"login": "REQUIRED", "password": "REQUIRED"}
    assert payload["viewer"] is None
    huge = await login(gql, "a" * 10_000 + "@example.com", "b" * 10_000)
    assert codes(huge) == {"login": "TOO_LONG"}  # an e-mail address has at most 254 characters
    huge_identifier = await login(gql, "6" * 10_000, "b" * 10_000)
    assert codes(huge_identifier) == {None: "INVALID_CREDENTIALS"}


async def test_login_with_email_sets_a_strict_http_only_cookie(client, gql, settings) -> None:
    person = await make_user(settings)
    response = await _raw_login(client, gql, f"  {person.email.upper()} ", STRONG_PASSWORD)
    body = response.json()["data"]["login"]
    assert body["errors"] == [] and body["token"] is None
    assert body["viewer"]["customerNumber"] == person.customer.number
    expires = datetime.fromisoformat(body["expiresAt"])
    assert 595 <= (expires - clock.now()).total_seconds() <= 600
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    lowered = cookie.lower()
    assert "httponly" in lowered and "samesite=strict" in lowered and "path=/" in lowered
    assert "secure" not in lowered  # development on plain http
    assert (await gql(VIEWER))["viewer"]["customerNumber"] == person.customer.number
    event = await AuditEvent.get(kind=AuditKind.LOGIN)
    assert event.customer_id == person.customer.id and event.ip == "127.0.0.1"
    account = await Account.get(customer_id=person.customer.id)
    assert account.last_login_at is not None


async def test_cookie_is_secure_over_https(app, settings, db) -> None:
    import httpx

    from backend.app import create_app

    secure = create_app(
        settings.with_overrides(base_url="https://icok.example"), manage_database=False
    )
    person = await make_user(settings)
    transport = httpx.ASGITransport(app=secure)
    async with httpx.AsyncClient(transport=transport, base_url="https://icok.example") as client:
        from tests.conftest import GraphQLClient

        gql = GraphQLClient(client)
        response = await _raw_login(client, gql, person.email, STRONG_PASSWORD)
    assert "; secure" in response.headers["set-cookie"].lower()


async def test_login_with_service_identifiers(gql, settings) -> None:
    person = await make_user(settings)
    phone = await make_service(person.customer, kind=ServiceKind.INTERNET)
    card = person.service.identifier
    n = phone.identifier
    for typed in [card, f"{card[:4]} {card[4:8]} {card[8:]}", f"+48 {n[:3]}-{n[3:6]}-{n[6:]}"]:
        payload = await login(gql, typed, STRONG_PASSWORD)
        assert payload["errors"] == [], typed
        assert payload["viewer"]["customerNumber"] == person.customer.number


async def test_unknown_login_and_wrong_password_answer_the_same(gql, settings) -> None:
    person = await make_user(settings)
    answers = [
        await login(gql, "nobody@example.com", STRONG_PASSWORD),
        await login(gql, "999999999999", STRONG_PASSWORD),
        await login(gql, "not a login at all", STRONG_PASSWORD),
        await login(gql, person.email, STRONG_PASSWORD + "!"),
    ]
    assert all(a == answers[0] for a in answers), answers
    assert answers[0]["errors"] == [
        {"field": None, "code": "INVALID_CREDENTIALS", "message": "Nieprawidłowy login lub hasło."}
    ]
    assert await AuditEvent.filter(kind=AuditKind.LOGIN_FAILED).count() == 4
    assert (
        await AuditEvent.filter(kind=AuditKind.LOGIN_FAILED, customer_id=person.customer.id).count()
        == 1
    )


async def test_unknown_and_wrong_password_do_the_same_bcrypt_work(
    gql, settings, monkeypatch
) -> None:
    """Each failure costs exactly one bcrypt check at the production cost, off the event loop:
    against the account's hash, or a dummy one when no account matches, so both take the same
    time (``bench/login_timing.py`` prints the measured unknown/wrong ratio)."""
    person = await make_user(settings)
    await login(gql, "warm-up@example.com", STRONG_PASSWORD)  # the dummy hash is made once
    calls = record_bcrypt(monkeypatch)
    loop_thread = threading.get_ident()
    for target in ("nobody@example.com", "999999999999", "not a login at all", person.email):
        calls.clear()
        payload = await login(gql, target, "Wrong-Password-1")
        assert codes(payload) == {None: "INVALID_CREDENTIALS"}
        assert [(c.operation, c.cost) for c in calls] == [("checkpw", BCRYPT_ROUNDS)], target
        assert calls[0].thread != loop_thread


async def test_lockout_and_its_end(gql, settings) -> None:
    person = await make_user(settings)
    for _ in range(LOCK_AFTER - 1):
        assert codes(await login(gql, person.email, "Wrong-Password-1")) == {
            None: "INVALID_CREDENTIALS"
        }
    locking = await login(gql, person.email, "Wrong-Password-1", headers={"Accept-Language": "en"})
    assert locking["errors"] == [
        {
            "field": None,
            "code": "ACCOUNT_LOCKED",
            "message": "Too many failed log-in attempts. Try again in 15 min.",
        }
    ]
    # even the right password is refused while locked
    clock.advance(minutes=10)
    still = await login(gql, person.email, STRONG_PASSWORD)
    assert codes(still) == {None: "ACCOUNT_LOCKED"}
    assert "5 min" in still["errors"][0]["message"]
    assert (await gql(VIEWER))["viewer"] is None
    clock.advance(minutes=5, seconds=1)
    payload = await login(gql, person.email, STRONG_PASSWORD)
    assert payload["errors"] == []
    account = await Account.get(customer_id=person.customer.id)
    assert account.failed_logins == 0 and account.locked_until is None
    assert await AuditEvent.filter(kind=AuditKind.LOGIN_FAILED).count() == LOCK_AFTER
    assert await AuditEvent.filter(kind=AuditKind.LOGIN_LOCKED).count() == 2


async def test_success_resets_the_failure_count(gql, settings) -> None:
    person = await make_user(settings)
    for _ in range(LOCK_AFTER - 1):
        await login(gql, person.email, "Wrong-Password-1")
    assert (await login(gql, person.email, STRONG_PASSWORD))["errors"] == []
    assert codes(await login(gql, person.email, "Wrong-Password-1")) == {
        None: "INVALID_CREDENTIALS"
    }


async def test_failures_per_client_address(gql, settings) -> None:
    person = await make_user(settings)
    for i in range(IP_FAILURES):
        payload = await login(gql, f"nobody{i}@example.com", "Wrong-Password-1")
        assert codes(payload) == {None: "INVALID_CREDENTIALS"}
    blocked = await login(gql, person.email, STRONG_PASSWORD)
    assert codes(blocked) == {None: "RATE_LIMITED"}
    assert not await Session.exists()
    clock.advance(minutes=15, seconds=1)
    assert (await login(gql, person.email, STRONG_PASSWORD))["errors"] == []


async def test_bearer_token_for_mobile_apps(client, gql, settings) -> None:
    person = await make_user(settings)
    response = await _raw_login(client, gql, person.email, STRONG_PASSWORD, bearer=True)
    assert "set-cookie" not in response.headers
    token = response.json()["data"]["login"]["token"]
    assert token and len(token) >= 40
    assert (await gql(VIEWER))["viewer"] is None  # no cookie
    auth = {"Authorization": f"Bearer {token}"}
    assert (await gql(VIEWER, headers=auth))["viewer"]["customerNumber"] == person.customer.number
    assert (await gql(VIEWER, headers={"Authorization": f"Bearer {token}x"}))["viewer"] is None
    session = await Session.get()
    assert session.kind == "bearer" and token not in session.token_hash


async def test_new_token_at_every_login(client, gql, settings) -> None:
    person = await make_user(settings)
    first = await _raw_login(client, gql, person.email, STRONG_PASSWORD)
    old = first.cookies[SESSION_COOKIE]
    second = await _raw_login(client, gql, person.email, STRONG_PASSWORD)
    new = second.cookies[SESSION_COOKIE]
    assert new != old
    # logging in again from the same browser ends the session it had
    assert (await gql(VIEWER, headers={"Cookie": f"{SESSION_COOKIE}={old}"}))["viewer"] is None
    client.cookies.clear()
    assert (await gql(VIEWER, headers={"Cookie": f"{SESSION_COOKIE}={new}"}))["viewer"]


async def test_unconfirmed_account_with_right_password(gql, settings) -> None:
    person = await make_user(settings, confirmed=False)
    payload = await login(gql, person.email, STRONG_PASSWORD)
    assert codes(payload) == {"login": "EMAIL_NOT_CONFIRMED"}
    assert not await Session.exists()


async def test_lock_landing_during_the_password_check_wins(gql, settings, monkeypatch) -> None:
    """A concurrent failure may lock the account while bcrypt checks a right guess: the
    session is then refused (conditional update), whichever way the requests interleave."""
    person = await make_user(settings)
    data = {"login": person.email, "password": STRONG_PASSWORD, **await solve_captcha(gql)}
    checking, release = threading.Event(), threading.Event()

    loop_thread = threading.get_ident()

    def hold() -> None:  # in bcrypt's worker thread: say so, wait for the lock to land
        if threading.get_ident() == loop_thread:  # fail at once instead of holding the loop
            raise AssertionError("bcrypt ran on the event loop")
        checking.set()
        release.wait(30)

    record_bcrypt(monkeypatch, before=hold)
    task = asyncio.create_task(gql(LOGIN, {"input": data}))
    try:
        assert await asyncio.to_thread(checking.wait, 30)  # the request is inside bcrypt
        await Account.filter(customer_id=person.customer.id).update(
            locked_until=clock.now() + LOCK_FOR
        )
    finally:
        release.set()
    payload = (await task)["login"]
    assert codes(payload) == {None: "ACCOUNT_LOCKED"}
    assert payload["viewer"] is None and not await Session.exists()

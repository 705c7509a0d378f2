"""The customer's optional TOTP second factor: turning it on and off in Security, recovery
codes, and the login's second step (ticket + code), on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pyotp
import pytest

from backend.clock import clock
from backend.models import Account, AccountRecoveryCode, AuditEvent, RateLimit
from backend.models.enums import AuditKind, StaffRole, TokenPurpose
from backend.schema.context import SESSION_COOKIE
from backend.schema.relay import to_global_id
from backend.services import housekeeping, password_reset, ratelimit, tokens
from backend.services.accounts import LOCK_AFTER, second_factor_key
from tests.api.account_helpers import VIEWER, codes, solve_captcha
from tests.conftest import GraphQLClient
from tests.factories import (
    OTHER_STRONG_PASSWORD,
    STRONG_PASSWORD,
    Person,
    login_as,
    login_staff,
    make_meta,
    make_staff,
    make_user,
)

LOGIN = """
mutation($input: LoginInput!) {
  login(input: $input) {
    secondFactorRequired ticket token expiresAt viewer { customerNumber }
    errors { field code message }
  }
}"""
COMPLETE = """
mutation($input: CompleteLoginInput!) {
  completeLogin(input: $input) {
    secondFactorRequired token expiresAt refreshToken viewer { customerNumber }
    errors { field code }
  }
}"""
STATE = "{ viewer { secondFactor { enabled recoveryCodesLeft } } }"
START = """
mutation { startSecondFactor { setup { secret uri qrCode } errors { field code } } }"""
CONFIRM = """
mutation($code: String!) {
  confirmSecondFactor(input: {code: $code}) { recoveryCodes errors { field code } }
}"""
RENEW = """
mutation($code: String!) {
  renewRecoveryCodes(input: {code: $code}) { recoveryCodes errors { field code } }
}"""
DISABLE = """
mutation($code: String!, $password: String!) {
  disableSecondFactor(input: {code: $code, password: $password}) { ok errors { field code } }
}"""


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


def _code(secret: str) -> str:
    return pyotp.TOTP(secret).now()


def _next_step() -> None:
    """The next 30-second time step: a code of the one just used is refused (replay)."""
    clock.advance(seconds=30)


async def _turn_on(
    gql: Any, client: httpx.AsyncClient, settings: Any, person: Person
) -> tuple[str, list[str]]:
    """Log ``person`` in (directly), turn the second factor on, log out: the secret and the
    recovery codes."""
    await login_as(client, settings, person.customer)
    setup = (await gql(START))["startSecondFactor"]["setup"]
    secret = setup["secret"].replace(" ", "")
    confirmed = (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]
    assert confirmed["errors"] == []
    client.cookies.clear()
    _next_step()
    return secret, confirmed["recoveryCodes"]


async def _password(gql: Any, person: Person, *, bearer: bool = False, **kw: Any) -> dict[str, Any]:
    data = {
        "login": person.email,
        "password": STRONG_PASSWORD,
        "bearer": bearer,
        **await solve_captcha(gql),
    }
    return (await gql(LOGIN, {"input": data}, **kw))["login"]


async def _complete(gql: Any, ticket: str, code: str, **kw: Any) -> dict[str, Any]:
    data = {"ticket": ticket, "code": code, **kw}
    return (await gql(COMPLETE, {"input": data}))["completeLogin"]


async def test_turn_on_then_the_login_asks_for_a_code(client, gql, settings, mailbox) -> None:
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    assert (await gql(STATE))["viewer"]["secondFactor"] == {
        "enabled": False,
        "recoveryCodesLeft": 0,
    }
    setup = (await gql(START))["startSecondFactor"]["setup"]
    assert setup["qrCode"].startswith("data:image/svg+xml;base64,")
    assert setup["uri"].startswith("otpauth://totp/") and "issuer=" in setup["uri"]
    groups = setup["secret"].split(" ")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    # A reloaded page shows the same secret until it is confirmed.
    assert (await gql(START))["startSecondFactor"]["setup"]["secret"] == setup["secret"]
    secret = setup["secret"].replace(" ", "")
    confirmed = (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]
    recovery = confirmed["recoveryCodes"]
    assert len(recovery) == 10 and len(set(recovery)) == 10
    assert (await gql(STATE))["viewer"]["secondFactor"] == {
        "enabled": True,
        "recoveryCodesLeft": 10,
    }
    assert codes((await gql(START))["startSecondFactor"]) == {None: "SECOND_FACTOR_ON"}
    notice = await mailbox.receive(person.email)
    assert notice["Subject"] == "ICOK: włączono weryfikację dwuetapową"
    assert await AuditEvent.exists(
        kind=AuditKind.SECOND_FACTOR_ENABLED, customer_id=person.customer.id
    )
    # Codes are stored as hashes only.
    stored = {r.code_hash for r in await AccountRecoveryCode.all()}
    assert not stored & set(recovery)

    client.cookies.clear()
    _next_step()
    asked = await _password(gql, person)
    assert asked["secondFactorRequired"] is True and asked["viewer"] is None
    assert asked["token"] is None and asked["ticket"]
    assert SESSION_COOKIE not in client.cookies
    assert (await gql(VIEWER))["viewer"] is None
    done = await _complete(gql, asked["ticket"], _code(secret))
    assert done["errors"] == [] and done["viewer"]["customerNumber"] == person.customer.number
    assert (await gql(VIEWER))["viewer"]["customerNumber"] == person.customer.number
    login = await AuditEvent.filter(kind=AuditKind.LOGIN).order_by("-id").first()
    assert login is not None and login.details["second_factor"] == "totp"


async def test_a_wrong_first_code_keeps_it_off(client, gql, settings) -> None:
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    assert codes((await gql(CONFIRM, {"code": "123456"}))["confirmSecondFactor"]) == {
        None: "SECOND_FACTOR_NOT_STARTED"
    }
    secret = (await gql(START))["startSecondFactor"]["setup"]["secret"].replace(" ", "")
    wrong = str((int(_code(secret)) + 1) % 1_000_000).zfill(6)
    for bad in (wrong, "", "12\u202e3456", "x" * 5000):
        payload = (await gql(CONFIRM, {"code": bad}))["confirmSecondFactor"]
        assert payload["recoveryCodes"] == [] and set(codes(payload)) == {"code"}
    assert (await gql(STATE))["viewer"]["secondFactor"]["enabled"] is False
    client.cookies.clear()
    assert (await _password(gql, person))["secondFactorRequired"] is False


async def test_the_ticket_expires_and_works_once(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    late = await _password(gql, person)
    clock.advance(minutes=5, seconds=1)
    assert codes(await _complete(gql, late["ticket"], _code(secret))) == {"ticket": "TOKEN_EXPIRED"}
    _next_step()
    first = await _password(gql, person)
    second = await _password(gql, person)  # a new ticket ends the earlier one
    assert codes(await _complete(gql, first["ticket"], _code(secret))) == {
        "ticket": "TOKEN_INVALID"
    }
    assert (await _complete(gql, second["ticket"], _code(secret)))["errors"] == []
    _next_step()
    assert codes(await _complete(gql, second["ticket"], _code(secret))) == {
        "ticket": "TOKEN_INVALID"
    }
    for bad in ("", "x" * 1000, "nie-ma-takiego"):
        assert set(codes(await _complete(gql, bad, _code(secret)))) == {"ticket"}


async def test_a_time_step_is_accepted_once(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    code = _code(secret)
    assert (await _complete(gql, (await _password(gql, person))["ticket"], code))["errors"] == []
    client.cookies.clear()
    again = await _password(gql, person)
    assert codes(await _complete(gql, again["ticket"], code)) == {"code": "INVALID_SECOND_FACTOR"}
    _next_step()
    assert (await _complete(gql, again["ticket"], _code(secret)))["errors"] == []


async def test_one_ticket_and_code_sent_twice_at_once_logs_in_once(app, settings) -> None:
    person = await make_user(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQLClient(client)
        secret, _ = await _turn_on(gql, client, settings, person)
        ticket = (await _password(gql, person))["ticket"]
        code = _code(secret)
        results = await asyncio.gather(*(_complete(gql, ticket, code) for _ in range(4)))
    assert sum(1 for r in results if not r["errors"]) == 1


async def test_a_recovery_code_works_once(client, gql, settings) -> None:
    person = await make_user(settings)
    _, recovery = await _turn_on(gql, client, settings, person)
    typed = recovery[0].upper().replace("-", " ")  # as a person may type it
    done = await _complete(gql, (await _password(gql, person))["ticket"], typed)
    assert done["errors"] == []
    assert (await gql(STATE))["viewer"]["secondFactor"]["recoveryCodesLeft"] == 9
    client.cookies.clear()
    again = await _password(gql, person)
    assert codes(await _complete(gql, again["ticket"], recovery[0])) == {
        "code": "INVALID_SECOND_FACTOR"
    }
    assert (await _complete(gql, again["ticket"], recovery[1]))["errors"] == []


async def test_a_wrong_login_code_points_to_the_recovery_codes(client, gql, settings) -> None:
    person = await make_user(settings)
    await _turn_on(gql, client, settings, person)
    ticket = (await _password(gql, person))["ticket"]
    query = COMPLETE.replace("errors { field code }", "errors { field code message }")
    data = {"ticket": ticket, "code": "000000"}
    for language, words in (("pl", "kodów odzyskiwania"), ("en", "recovery codes")):
        headers = {"X-Icok-Language": language}
        wrong = (await gql(query, {"input": data}, headers=headers))["completeLogin"]
        assert [(e["field"], e["code"]) for e in wrong["errors"]] == [
            ("code", "INVALID_SECOND_FACTOR")
        ]
        assert words in wrong["errors"][0]["message"]
    # Turning it on is not a login: no recovery codes yet, the plain message.
    await login_as(client, settings, (await make_user(settings)).customer)
    await gql(START)
    message = await gql(CONFIRM.replace("field code", "field code message"), {"code": "000000"})
    assert "odzyskiwania" not in message["confirmSecondFactor"]["errors"][0]["message"]


async def test_guessing_codes_locks_the_account_and_ends_the_ticket(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    ticket = (await _password(gql, person))["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    assert codes(await _complete(gql, ticket, "999999")) == {None: "ACCOUNT_LOCKED"}
    # The ticket died with the lock; the right password does not start the count again.
    assert codes(await _complete(gql, ticket, _code(secret))) == {"ticket": "TOKEN_INVALID"}
    assert codes(await _password(gql, person)) == {None: "ACCOUNT_LOCKED"}
    clock.advance(minutes=15)
    ticket = (await _password(gql, person))["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    fresh = (await _password(gql, person))["ticket"]  # no new guesses for a known password
    assert codes(await _complete(gql, fresh, "999999")) == {None: "ACCOUNT_LOCKED"}
    assert await AuditEvent.exists(kind=AuditKind.LOGIN_LOCKED, customer_id=person.customer.id)


async def test_a_value_no_code_looks_like_costs_no_attempt(client, gql, settings) -> None:
    """A typo no code could be (a letter, 5 or 7 digits, 10 KB) is refused before it is counted:
    six of them, at login and while setting up, leave all five guesses and the right code works."""
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    setup = (await gql(START))["startSecondFactor"]["setup"]
    secret = setup["secret"].replace(" ", "")
    for typo in ("x", "12345", "1234567", "1" * 10240, "abcdef", "12 34 5"):
        found = codes((await gql(CONFIRM, {"code": typo}))["confirmSecondFactor"])
        assert found == {"code": "INVALID_SECOND_FACTOR"}, typo
    assert (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]["errors"] == []
    client.cookies.clear()
    _next_step()
    ticket = (await _password(gql, person))["ticket"]
    for typo in ("x", "12345", "1" * 10240, "abcde-fghi", "12 34 5", "9999999"):
        assert codes(await _complete(gql, ticket, typo)) == {"code": "INVALID_SECOND_FACTOR"}
    for n in range(LOCK_AFTER - 1):  # the real guesses are all still there
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    assert (await _complete(gql, ticket, _code(secret)))["errors"] == []


async def test_a_cleanup_gives_no_more_code_guesses(client, gql, settings) -> None:
    """``icok cleanup`` deletes ended rate-limit windows, never a code count still counting."""
    person = await make_user(settings)
    await _turn_on(gql, client, settings, person)
    ticket = (await _password(gql, person))["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    await housekeeping.cleanup(settings)
    assert codes(await _complete(gql, ticket, "999999")) == {None: "ACCOUNT_LOCKED"}


async def test_concurrent_wrong_codes_get_at_most_five_verdicts(app, settings) -> None:
    person = await make_user(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQLClient(client)
        await _turn_on(gql, client, settings, person)
        ticket = (await _password(gql, person))["ticket"]
        results = await asyncio.gather(*(_complete(gql, ticket, f"{n:06d}") for n in range(20)))
    verdicts = [r for r in results if codes(r) == {"code": "INVALID_SECOND_FACTOR"}]
    assert len(verdicts) <= LOCK_AFTER - 1
    account = await Account.get(customer_id=person.customer.id)
    assert await ratelimit.locked_in_a_row(second_factor_key(account.id)) is not None


async def test_mobile_login_with_a_code_gets_a_bearer_token(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    asked = await _password(gql, person, bearer=True)
    assert asked["secondFactorRequired"] is True and asked["token"] is None
    no_device = await _complete(gql, asked["ticket"], _code(secret), deviceName="")
    assert set(codes(no_device)) == {"deviceName"}  # a device name is for bearer logins only
    done = await _complete(gql, asked["ticket"], _code(secret), bearer=True, deviceName="Pixel")
    assert done["token"] and done["refreshToken"] and SESSION_COOKIE not in client.cookies
    bearer = {"Authorization": f"Bearer {done['token']}"}
    assert (await gql(VIEWER, headers=bearer))["viewer"]["customerNumber"] == (
        person.customer.number
    )


async def test_new_recovery_codes_need_a_code(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, old = await _turn_on(gql, client, settings, person)
    await login_as(client, settings, person.customer)
    assert set(codes((await gql(RENEW, {"code": "000000"}))["renewRecoveryCodes"])) == {"code"}
    new = (await gql(RENEW, {"code": _code(secret)}))["renewRecoveryCodes"]["recoveryCodes"]
    assert len(new) == 10 and not set(new) & set(old)
    assert await AuditEvent.exists(
        kind=AuditKind.RECOVERY_CODES_RENEWED, customer_id=person.customer.id
    )
    client.cookies.clear()
    ticket = (await _password(gql, person))["ticket"]
    assert codes(await _complete(gql, ticket, old[0])) == {"code": "INVALID_SECOND_FACTOR"}
    assert (await _complete(gql, ticket, new[0]))["errors"] == []


async def test_turning_it_off_needs_the_password_and_a_code(client, gql, settings, mailbox) -> None:
    person = await make_user(settings)
    secret, recovery = await _turn_on(gql, client, settings, person)
    await login_as(client, settings, person.customer)
    off = {"code": _code(secret), "password": STRONG_PASSWORD}
    assert codes((await gql(DISABLE, {**off, "password": ""}))["disableSecondFactor"]) == {
        "password": "REQUIRED"
    }
    assert codes(
        (await gql(DISABLE, {**off, "password": OTHER_STRONG_PASSWORD}))["disableSecondFactor"]
    ) == {"password": "WRONG_PASSWORD"}
    assert codes((await gql(DISABLE, {**off, "code": "000000"}))["disableSecondFactor"]) == {
        "code": "INVALID_SECOND_FACTOR"
    }
    assert (await gql(STATE))["viewer"]["secondFactor"]["enabled"] is True
    done = (await gql(DISABLE, {**off, "code": recovery[0]}))["disableSecondFactor"]
    assert done == {"ok": True, "errors": []}
    assert (await gql(STATE))["viewer"]["secondFactor"] == {
        "enabled": False,
        "recoveryCodesLeft": 0,
    }
    assert not await AccountRecoveryCode.exists()
    assert codes((await gql(DISABLE, off))["disableSecondFactor"]) == {None: "SECOND_FACTOR_OFF"}
    notice = await mailbox.receive(person.email, count=2)
    assert notice["Subject"] == "ICOK: wyłączono weryfikację dwuetapową"
    client.cookies.clear()
    assert (await _password(gql, person))["viewer"]["customerNumber"] == person.customer.number


async def test_a_password_reset_does_not_bypass_it(client, gql, settings, mailbox) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    waiting = (await _password(gql, person))["ticket"]
    account = await Account.get(customer_id=person.customer.id)
    link = await tokens.issue(account, TokenPurpose.RESET_PASSWORD)
    await password_reset.reset_password(link, OTHER_STRONG_PASSWORD, settings, make_meta())
    # The login that passed the old password waits no more.
    assert codes(await _complete(gql, waiting, _code(secret))) == {"ticket": "TOKEN_INVALID"}
    data = {"login": person.email, "password": OTHER_STRONG_PASSWORD, **await solve_captcha(gql)}
    asked = (await gql(LOGIN, {"input": data}))["login"]
    assert asked["secondFactorRequired"] is True and asked["viewer"] is None
    assert (await _complete(gql, asked["ticket"], _code(secret)))["errors"] == []


async def test_a_password_reset_gives_no_more_code_guesses(client, gql, settings) -> None:
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    account = await Account.get(customer_id=person.customer.id)
    ticket = (await _password(gql, person))["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    assert codes(await _complete(gql, ticket, "999999")) == {None: "ACCOUNT_LOCKED"}
    # Whoever holds the mailbox resets the password: that lifts no code lock.
    link = await tokens.issue(account, TokenPurpose.RESET_PASSWORD)
    await password_reset.reset_password(link, OTHER_STRONG_PASSWORD, settings, make_meta())
    data = {"login": person.email, "password": OTHER_STRONG_PASSWORD, **await solve_captcha(gql)}
    assert codes((await gql(LOGIN, {"input": data}))["login"]) == {None: "ACCOUNT_LOCKED"}
    clock.advance(minutes=15)
    # After the lock, 4 wrong codes; another reset does not start the count again.
    data = {**data, **await solve_captcha(gql)}
    ticket = (await gql(LOGIN, {"input": data}))["login"]["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    link = await tokens.issue(account, TokenPurpose.RESET_PASSWORD)
    await password_reset.reset_password(link, STRONG_PASSWORD, settings, make_meta())
    ticket = (await _password(gql, person))["ticket"]
    assert codes(await _complete(gql, ticket, "999999")) == {None: "ACCOUNT_LOCKED"}
    # The password's own lock is another count: a wrong password was never counted here.
    assert (await Account.get(id=account.id)).locked_until is None
    clock.advance(minutes=15)
    ticket = (await _password(gql, person))["ticket"]
    assert (await _complete(gql, ticket, _code(secret)))["errors"] == []


async def test_one_right_code_sent_ten_times_at_once_logs_in_once(app, settings) -> None:
    person = await make_user(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        gql = GraphQLClient(client)
        secret, recovery = await _turn_on(gql, client, settings, person)
        ticket = (await _password(gql, person))["ticket"]
        code = _code(secret)
        results = await asyncio.gather(*(_complete(gql, ticket, code) for _ in range(10)))
        assert sum(1 for r in results if not r["errors"]) == 1
        assert all(
            codes(r) in ({}, {"ticket": "TOKEN_INVALID"}, {None: "RATE_LIMITED"}) for r in results
        )
        account = await Account.get(customer_id=person.customer.id)
        assert await ratelimit.locked_in_a_row(second_factor_key(account.id)) is None
        assert account.locked_until is None
        assert not await AuditEvent.exists(kind=AuditKind.LOGIN_FAILED)
        # A TOTP code and two recovery codes, each sent several times at once.
        _next_step()
        ticket = (await _password(gql, person))["ticket"]
        sent = [_code(secret), recovery[0], recovery[1]] * 4
        results = await asyncio.gather(*(_complete(gql, ticket, c) for c in sent))
        assert sum(1 for r in results if not r["errors"]) == 1
        assert await AccountRecoveryCode.filter(used_at__isnull=False).count() <= 1
        assert await ratelimit.locked_in_a_row(second_factor_key(account.id)) is None
        # Nothing counted as a failure: a fresh login still has all its guesses.
        _next_step()
        ticket = (await _password(gql, person))["ticket"]
        for n in range(LOCK_AFTER - 1):
            wrong = await _complete(gql, ticket, f"{n:06d}")
            assert codes(wrong) == {"code": "INVALID_SECOND_FACTOR"}
        assert (await _complete(gql, ticket, _code(secret)))["errors"] == []


async def test_a_right_code_past_the_limit_leaves_the_ticket_to_the_winner(
    client, gql, settings
) -> None:
    """The losing order, step by step: 4 wrong codes, then the winner counts its right code
    (the 5th attempt) and checks it; before it takes the ticket, a duplicate of it arrives (the
    6th, past the limit). The duplicate must not end the ticket nor claim a lock: the winner
    then takes it and logs in."""
    person = await make_user(settings)
    secret, _ = await _turn_on(gql, client, settings, person)
    ticket = (await _password(gql, person))["ticket"]
    for n in range(LOCK_AFTER - 1):
        assert codes(await _complete(gql, ticket, f"{n:06d}")) == {"code": "INVALID_SECOND_FACTOR"}
    account = await Account.get(customer_id=person.customer.id)
    key = second_factor_key(account.id)
    assert await ratelimit.attempt_in_a_row(key) == LOCK_AFTER  # the winner's count, in flight
    duplicate = await _complete(gql, ticket, _code(secret))
    assert codes(duplicate) == {None: "RATE_LIMITED"}
    assert await ratelimit.locked_in_a_row(key) is None
    assert not await AuditEvent.exists(kind=AuditKind.LOGIN_LOCKED)
    # The winner goes on: the ticket is still there for it to take.
    row = await tokens.check(ticket, TokenPurpose.SECOND_FACTOR, field="ticket")
    assert await tokens.is_live(row)
    await ratelimit.undo_in_a_row(key)  # (the winner's own step is replayed through the API)
    assert (await _complete(gql, ticket, _code(secret)))["errors"] == []


SESSIONS = "{ viewer { customerNumber } }"


async def test_turning_it_on_ends_the_other_sessions(app, settings, mailbox) -> None:
    person = await make_user(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as here,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as there,
    ):
        gql, elsewhere = GraphQLClient(here), GraphQLClient(there)
        await login_as(there, settings, person.customer)
        phone = await _password(elsewhere, person, bearer=True, headers={})
        assert phone["token"]
        bearer = {"Authorization": f"Bearer {phone['token']}"}
        await login_as(here, settings, person.customer)
        secret = (await gql(START))["startSecondFactor"]["setup"]["secret"].replace(" ", "")
        assert (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]["errors"] == []
        assert (await gql(VIEWER))["viewer"]["customerNumber"] == person.customer.number
        assert (await elsewhere(VIEWER))["viewer"] is None
        there.cookies.clear()
        assert (await elsewhere(VIEWER, headers=bearer))["viewer"] is None
    notice = await mailbox.receive(person.email)
    assert "wylogowaliśmy Cię" in " ".join(mailbox.text(notice).split())


async def test_mistakes_inside_a_session_lock_codes_not_the_login(client, gql, settings) -> None:
    person = await make_user(settings)
    await login_as(client, settings, person.customer)
    secret = (await gql(START))["startSecondFactor"]["setup"]["secret"].replace(" ", "")
    wrong = str((int(_code(secret)) + 1) % 1_000_000).zfill(6)
    for _ in range(LOCK_AFTER - 1):
        payload = (await gql(CONFIRM, {"code": wrong}))["confirmSecondFactor"]
        assert codes(payload) == {"code": "INVALID_SECOND_FACTOR"}
    payload = (await gql(CONFIRM, {"code": wrong}))["confirmSecondFactor"]
    assert codes(payload) == {None: "ACCOUNT_LOCKED"}  # a brute-force guard still
    right = (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]
    assert codes(right) == {None: "ACCOUNT_LOCKED"}
    customer = person.customer.id
    assert (
        await AuditEvent.filter(kind=AuditKind.SECOND_FACTOR_FAILED, customer_id=customer).count()
        == LOCK_AFTER
    )
    assert not await AuditEvent.exists(kind=AuditKind.LOGIN_FAILED)
    assert (await Account.get(customer_id=customer)).locked_until is None
    # The login's per-address count saw none of them; the customer still logs in.
    assert not await RateLimit.filter(key__startswith="login-ip:", count__gt=0).exists()
    client.cookies.clear()
    assert (await _password(gql, person))["viewer"]["customerNumber"] == person.customer.number
    clock.advance(minutes=15)
    await login_as(client, settings, person.customer)
    # With it on, a wrong password turning it off is such a mistake too, never a failed login.
    assert (await gql(CONFIRM, {"code": _code(secret)}))["confirmSecondFactor"]["errors"] == []
    _next_step()
    off = {"code": _code(secret), "password": OTHER_STRONG_PASSWORD}
    assert codes((await gql(DISABLE, off))["disableSecondFactor"]) == {"password": "WRONG_PASSWORD"}
    assert codes((await gql(RENEW, {"code": "000000"}))["renewRecoveryCodes"]) == {
        "code": "INVALID_SECOND_FACTOR"
    }
    last = await AuditEvent.filter(customer_id=customer).order_by("-id").first()
    assert last is not None and last.kind == AuditKind.SECOND_FACTOR_FAILED
    assert not await AuditEvent.exists(kind=AuditKind.LOGIN_FAILED)
    assert (await Account.get(customer_id=customer)).failed_logins == 0


CONSOLE_STATE = "query($id: ID!) { customer(id: $id) { secondFactorEnabled } }"
TURN_OFF = """
mutation($id: ID!) {
  turnOffCustomerSecondFactor(input: {customerId: $id}) { ok errors { field code } }
}"""


async def test_a_supervisor_turns_it_off_for_a_customer_who_lost_the_phone(
    app, settings, mailbox
) -> None:
    person = await make_user(settings)
    gid = to_global_id("Customer", person.customer.id)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as web,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as desk,
    ):
        gql = GraphQLClient(web)
        console = GraphQLClient(desk, "/console/graphql")
        await _turn_on(gql, web, settings, person)
        agent = await make_staff(role=StaffRole.AGENT)
        await login_staff(desk, agent)
        assert (await console(CONSOLE_STATE, {"id": gid}))["customer"] == {
            "secondFactorEnabled": True
        }
        refused = await console(TURN_OFF, {"id": gid}, expect_errors=True)
        assert refused["errors"][0]["extensions"]["code"] == "ROLE_REQUIRED"
        supervisor = await make_staff(role=StaffRole.SUPERVISOR, name="Sława Supervisor")
        await login_staff(desk, supervisor)
        for bad in ("", "Q3VzdG9tZXI6OTk5OTk5", "x" * 1000):
            payload = (await console(TURN_OFF, {"id": bad}))["turnOffCustomerSecondFactor"]
            assert codes(payload) == {"customerId": "NOT_FOUND"}
        done = (await console(TURN_OFF, {"id": gid}))["turnOffCustomerSecondFactor"]
        assert done == {"ok": True, "errors": []}
        again = (await console(TURN_OFF, {"id": gid}))["turnOffCustomerSecondFactor"]
        assert codes(again) == {None: "SECOND_FACTOR_OFF"}
        assert (await _password(gql, person))["secondFactorRequired"] is False
    event = await AuditEvent.get(
        kind=AuditKind.SECOND_FACTOR_DISABLED, customer_id=person.customer.id
    )
    assert event.details["staff_name"] == "Sława Supervisor"
    assert await AuditEvent.exists(kind=AuditKind.STAFF_WRITE, customer_id=person.customer.id)
    notice = await mailbox.receive(person.email, count=2)
    assert notice["Subject"] == "ICOK: wyłączono weryfikację dwuetapową"

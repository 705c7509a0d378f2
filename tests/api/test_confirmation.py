"""E-mail confirmation: the link from the real message, single use, 24 hours, resend."""

from __future__ import annotations

import asyncio

import pytest

from backend.clock import clock
from backend.models import Account, AuditEvent
from backend.models.enums import AuditKind
from backend.services.registration import RESEND_PER_EMAIL
from tests.api.account_helpers import (
    CONFIRM,
    codes,
    login,
    register,
    registration,
    request_reset,
    resend,
)
from tests.factories import STRONG_PASSWORD, make_person
from tests.statements import count_statements


@pytest.fixture
def settings(settings, mailbox):
    return settings.with_overrides(mail_url=mailbox.url)


async def _registered(gql, settings, mailbox, **person_kw):
    person = await make_person(settings, **person_kw)
    assert (await register(gql, registration(person)))["ok"] is True
    message = await mailbox.receive(person.email)
    return person, mailbox.link(message, "/confirm-email")


async def _confirm(gql, token: str, **kwargs) -> dict:
    return (await gql(CONFIRM, {"token": token}, **kwargs))["confirmEmail"]


async def test_malformed_tokens(gql) -> None:
    assert codes(await _confirm(gql, "")) == {"token": "REQUIRED"}
    assert codes(await _confirm(gql, "   ")) == {"token": "REQUIRED"}
    for bad in ["abc", "x" * 5000, "' OR 1=1 --", "ąęś"]:
        assert codes(await _confirm(gql, bad)) == {"token": "TOKEN_INVALID"}, bad


async def test_login_before_confirming_says_so(gql, settings, mailbox) -> None:
    person, _ = await _registered(gql, settings, mailbox)
    payload = await login(gql, person.email, STRONG_PASSWORD, headers={"Accept-Language": "en"})
    assert payload["viewer"] is None and payload["token"] is None
    assert payload["errors"][0]["code"] == "EMAIL_NOT_CONFIRMED"
    assert "send it again" in payload["errors"][0]["message"]
    # a stranger with a wrong password learns nothing about the confirmation state
    wrong = await login(gql, person.email, STRONG_PASSWORD + "x")
    assert codes(wrong) == {None: "INVALID_CREDENTIALS"}


async def test_confirm_then_login(gql, settings, mailbox) -> None:
    person, token = await _registered(gql, settings, mailbox)
    assert await _confirm(gql, token) == {"ok": True, "errors": []}
    account = await Account.get(customer_id=person.customer.id)
    assert account.email_confirmed_at is not None
    assert await AuditEvent.exists(kind=AuditKind.EMAIL_CONFIRMED, customer_id=person.customer.id)
    payload = await login(gql, person.email, STRONG_PASSWORD)
    assert payload["errors"] == []
    assert payload["viewer"]["customerNumber"] == person.customer.number


async def test_reused_token(gql, settings, mailbox) -> None:
    _, token = await _registered(gql, settings, mailbox)
    assert (await _confirm(gql, token))["ok"] is True
    assert codes(await _confirm(gql, token)) == {"token": "TOKEN_INVALID"}


async def test_concurrent_clicks_confirm_once(gql, settings, mailbox) -> None:
    _, token = await _registered(gql, settings, mailbox)
    results = await asyncio.gather(*[_confirm(gql, token) for _ in range(4)])
    assert sum(r["ok"] for r in results) == 1
    assert await AuditEvent.filter(kind=AuditKind.EMAIL_CONFIRMED).count() == 1


async def test_expired_token_and_resend(gql, settings, mailbox) -> None:
    person, token = await _registered(gql, settings, mailbox)
    clock.advance(hours=24, seconds=1)
    expired = await _confirm(gql, token, headers={"Accept-Language": "en"})
    assert expired["errors"] == [
        {
            "field": "token",
            "code": "TOKEN_EXPIRED",
            "message": "The link has expired. Ask for a new one.",
        }
    ]
    resent = await resend(gql, person.email.upper())
    assert resent == {"ok": True, "errors": []}
    message = await mailbox.receive(person.email, count=2)
    fresh = mailbox.link(message, "/confirm-email")
    assert fresh != token
    assert (await _confirm(gql, fresh))["ok"] is True
    assert await AuditEvent.exists(kind=AuditKind.CONFIRMATION_RESENT)


async def test_resend_replaces_the_earlier_link(gql, settings, mailbox) -> None:
    person, first = await _registered(gql, settings, mailbox)
    await resend(gql, person.email)
    second = mailbox.link(await mailbox.receive(person.email, count=2), "/confirm-email")
    assert codes(await _confirm(gql, first)) == {"token": "TOKEN_INVALID"}
    assert (await _confirm(gql, second))["ok"] is True


async def test_token_just_before_expiry_works(gql, settings, mailbox) -> None:
    _, token = await _registered(gql, settings, mailbox)
    clock.advance(hours=23, minutes=59)
    assert (await _confirm(gql, token))["ok"] is True


async def test_reset_token_does_not_confirm(gql, settings, mailbox) -> None:
    person, _ = await _registered(gql, settings, mailbox)
    await request_reset(gql, person.email)
    reset = mailbox.link(await mailbox.receive(person.email, count=2), "/reset-password")
    assert codes(await _confirm(gql, reset)) == {"token": "TOKEN_INVALID"}


async def test_resend_does_not_enumerate(gql, settings, mailbox) -> None:
    person, token = await _registered(gql, settings, mailbox)
    unknown = await resend(gql, "nobody@example.com")
    assert unknown == {"ok": True, "errors": []}
    await _confirm(gql, token)
    confirmed = await resend(gql, person.email)
    assert confirmed == unknown
    await mailbox.settle()
    assert mailbox.messages("nobody@example.com") == []
    assert len(mailbox.messages(person.email)) == 1  # only the first confirmation


def _writes(statements: list[str]) -> list[str]:
    """``"UPDATE account_token"``-like shapes of the writes among ``statements``."""
    shapes = []
    for sql in statements:
        words = sql.replace('"', " ").replace("`", " ").split()
        verb = words[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if verb in ("INSERT", "DELETE") else words[1]
            shapes.append(f"{verb} {table}")
    return shapes


async def test_resend_to_unknown_address_writes_like_a_real_one(gql, settings, mailbox) -> None:
    """The token table is touched and a trace (without a customer) is left either way."""
    person = await make_person(settings)
    assert (await register(gql, registration(person)))["ok"] is True
    await mailbox.receive(person.email)
    with count_statements() as real:
        assert (await resend(gql, person.email))["ok"] is True
    with count_statements() as unknown:
        assert (await resend(gql, "nobody@example.com"))["ok"]
    # Rate-limit counters and mail delivery differ by nature; the account's writes must not.
    tables = ("account_token", "audit_event")
    real_writes = [w for w in _writes(real) if w.endswith(tables) and w != "INSERT account_token"]
    unknown_writes = [w for w in _writes(unknown) if w.endswith(tables)]
    assert real_writes == unknown_writes == ["UPDATE account_token", "INSERT audit_event"]
    assert (
        await AuditEvent.filter(kind=AuditKind.CONFIRMATION_RESENT, customer_id=None).count() == 1
    )


async def test_resend_bad_input_and_rate_limit(gql, settings, mailbox) -> None:
    empty = await resend(gql, "")
    assert codes(empty) == {"email": "REQUIRED"}
    invalid = await resend(gql, "not-an-address")
    assert codes(invalid) == {"email": "INVALID_EMAIL"}
    person, _ = await _registered(gql, settings, mailbox)
    for _ in range(RESEND_PER_EMAIL):
        assert (await resend(gql, person.email))["ok"] is True
    limited = await resend(gql, person.email)
    assert codes(limited) == {None: "RATE_LIMITED"}
    assert "60 min" in limited["errors"][0]["message"]
    await mailbox.settle()
    assert len(mailbox.messages(person.email)) == 1 + RESEND_PER_EMAIL
    clock.advance(hours=1, seconds=1)
    assert (await resend(gql, person.email))["ok"] is True

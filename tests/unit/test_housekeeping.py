"""``housekeeping.cleanup`` against the real database: what it removes, what it must keep."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from backend.clock import clock, now
from backend.config import Settings
from backend.models import Account, Captcha, Payment, RateLimit, Session
from backend.models.enums import PaymentStatus, TokenPurpose
from backend.services import housekeeping, payments, ratelimit, sessions, tokens
from backend.services.errors import DomainError, ErrorCode
from tests.factories import (
    make_account,
    make_captcha,
    make_customer,
    make_meta,
    make_rate_limit,
    make_token,
)
from tests.unit.test_payments import deliver

HOUR = timedelta(hours=1)


async def _session(account: Account, settings: Settings, **times: datetime) -> tuple[str, Session]:
    token, row = await sessions.create_session(account, settings, meta=make_meta())
    if times:
        await Session.filter(id=row.id).update(**times)
    return token, row


async def test_cleanup_removes_only_dead_rows(db, settings) -> None:
    account = await make_account(await make_customer(settings))
    at = now()
    idle = timedelta(seconds=settings.session_idle_seconds)
    live_token, live = await _session(account, settings)
    _, revoked_recently = await _session(account, settings, revoked_at=at - 2 * HOUR)
    _, idle_recently = await _session(account, settings, last_activity_at=at - 23 * HOUR)
    _, revoked_long_ago = await _session(account, settings, revoked_at=at - 25 * HOUR)
    _, idle_long_ago = await _session(account, settings, last_activity_at=at - 24 * HOUR - idle)
    _, past_lifetime = await _session(account, settings, expires_at=at - 25 * HOUR)

    live_link = await make_token(account, TokenPurpose.RESET_PASSWORD)
    used_link = await make_token(account, TokenPurpose.CONFIRM_EMAIL, used_at=at - HOUR)
    expired_link = await make_token(account, TokenPurpose.CHANGE_EMAIL, expires_at=at - 24 * HOUR)
    await make_token(account, TokenPurpose.CHANGE_EMAIL, expires_at=at - 8 * 24 * HOUR)

    live_captcha = (await make_captcha(at + timedelta(minutes=5))).id
    just_expired = (await make_captcha(at - timedelta(minutes=1))).id
    await make_captcha(at - timedelta(minutes=6))

    await ratelimit.hit("login-ip:192.0.2.1", limit=5, window=HOUR)
    await make_rate_limit("login-ip:192.0.2.2", count=9, window_ends_at=at)

    customer = await make_customer(settings)
    payment = (
        await payments.start_top_up(
            settings, customer.id, "10", "card", "house-01", meta=make_meta()
        )
    ).payment
    fresh = (
        await payments.start_top_up(
            settings, customer.id, "10", "card", "house-02", meta=make_meta()
        )
    ).payment
    paid = (
        await payments.start_top_up(
            settings, customer.id, "10", "card", "house-03", meta=make_meta()
        )
    ).payment
    await deliver(settings, paid)
    await Payment.filter(id__in=[payment.id, paid.id]).update(created_at=at - HOUR)

    report = await housekeeping.cleanup(settings)
    assert report == housekeeping.CleanupReport(
        sessions=3, tokens=2, captchas=1, rate_limits=1, payments_expired=1
    )
    assert report.describe() == (
        "removed 3 session(s), 0 device login(s), 2 account token(s), 1 captcha(s), 1 rate-limit window(s); "
        "expired 1 pending payment(s)"
    )
    kept = set(await Session.all().values_list("id", flat=True))
    assert kept == {live.id, revoked_recently.id, idle_recently.id}
    assert revoked_long_ago.id not in kept and idle_long_ago.id not in kept
    assert past_lifetime.id not in kept
    assert await sessions.resolve(live_token, settings) is not None
    # the live link still works, a recently expired one still says "expired"
    assert (await tokens.check(live_link, TokenPurpose.RESET_PASSWORD)).used_at is None
    with pytest.raises(DomainError) as caught:
        await tokens.check(expired_link, TokenPurpose.CHANGE_EMAIL)
    assert caught.value.code is ErrorCode.TOKEN_EXPIRED
    with pytest.raises(DomainError) as caught:
        await tokens.check(used_link, TokenPurpose.CONFIRM_EMAIL)
    assert caught.value.code is ErrorCode.TOKEN_INVALID
    assert set(await Captcha.all().values_list("id", flat=True)) == {live_captcha, just_expired}
    assert await RateLimit.all().values_list("key", flat=True) == ["login-ip:192.0.2.1"]
    statuses = {p.id: p.status for p in await Payment.all()}
    assert statuses == {
        payment.id: PaymentStatus.EXPIRED,
        fresh.id: PaymentStatus.PENDING,
        paid.id: PaymentStatus.PAID,
    }
    # a second run finds nothing
    again = await housekeeping.cleanup(settings)
    assert again == housekeeping.CleanupReport(0, 0, 0, 0, 0)


async def test_cleanup_on_an_empty_database(db, settings) -> None:
    assert await housekeeping.cleanup(settings) == housekeeping.CleanupReport(0, 0, 0, 0, 0)


async def test_a_window_restarted_while_cleaning_up_is_kept(db, settings) -> None:
    """The DELETE is conditional on the window having ended: a request that restarts the window
    at the same moment keeps an exact count whichever statement runs first."""
    keys = [f"contact:{n}" for n in range(20)]
    for key in keys:
        await make_rate_limit(key, count=99)
    # Started in this order: a cleanup, the 20 requests, another cleanup.
    first = asyncio.ensure_future(housekeeping.delete_ended_rate_limits())
    hits = asyncio.gather(*(ratelimit.hit(key, limit=3, window=HOUR) for key in keys))
    last = asyncio.ensure_future(housekeeping.delete_ended_rate_limits())
    _, verdicts, _ = await asyncio.gather(first, hits, last)
    assert all(v.allowed and v.count == 1 for v in verdicts)
    rows = await RateLimit.all()
    assert sorted(r.key for r in rows) == sorted(keys)
    assert all(r.count == 1 and r.window_ends_at > now() for r in rows)


async def test_counters_of_failures_in_a_row_stay_while_they_count(db) -> None:
    """A counter of failures in a row has no window: cleanup keeps it while its count is above
    0 or it is locked, and deletes it once it counts nothing (after a success or a lock)."""
    for _ in range(3):
        await ratelimit.attempt_in_a_row("counting")
    await ratelimit.attempt_in_a_row("cleared")
    await ratelimit.clear_in_a_row("cleared")
    await ratelimit.attempt_in_a_row("locked")
    await ratelimit.lock_in_a_row("locked", now() + HOUR)
    assert await housekeeping.delete_ended_rate_limits() == 1
    assert await ratelimit.attempt_in_a_row("counting") == 4
    assert await ratelimit.locked_in_a_row("locked") is not None
    clock.advance(hours=1)
    assert await housekeeping.delete_ended_rate_limits() == 1  # the lock ended, nothing counted
    assert await ratelimit.attempt_in_a_row("counting") == 5

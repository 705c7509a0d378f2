"""Operator housekeeping: drop rows that can no longer matter, expire stale pending payments.

``cleanup`` is what ``icok cleanup`` runs (from cron, say once an hour). Every deletion is a
conditional DELETE on the very condition that makes a row dead, so running it while the app
serves requests is safe: a row that comes back to life in between (a rate-limit window
restarted, a session used) no longer matches and stays.

- sessions that ended (revoked, idle past ``session_idle_seconds``, or past their absolute
  expiry) more than ``SESSION_GRACE`` ago: kept a day after they end, for support questions;
- mobile apps' device logins (refresh-token families) that ended (revoked, or past their
  ``refresh_token_days``) more than ``SESSION_GRACE`` ago, with their refresh tokens and
  access sessions (a live family keeps its spent tokens: presenting one again is reuse);
- account tokens (e-mail confirmation, password reset, e-mail change) used, or expired more
  than ``TOKEN_GRACE`` ago: a used link is refused the same way whether its row exists or not,
  and for a week an expired one still says "expired, ask for a new one" rather than "invalid";
- captchas expired more than their own lifetime ago (as :func:`captcha.create` does: a late
  answer still hears "expired"), and rate-limit windows that have ended (an ended window counts
  as zero either way), but not counters of failures in a row that still count (they have no
  window: :func:`ratelimit.delete_ended` keeps them until a success, a lock or its end);
- pending payments older than ``payment_timeout_seconds`` become ``EXPIRED`` (not deleted: a
  payment is part of the customer's history).

The background worker of every app instance also reconciles pending payments with their providers
(:func:`payments.reconcile`) and then expires stale ones every ``PAYMENT_SWEEP_SECONDS``
(:func:`chores`), and sends again the complaints' acknowledgements the mailer did not take
(:func:`complaints.resend_acknowledgements`, every ``complaints.ACK_SWEEP_SECONDS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.expressions import Q

from backend.clock import now
from backend.config import Settings
from backend.models import (
    AccountToken,
    Captcha,
    RefreshToken,
    RefreshTokenFamily,
    Session,
)
from backend.services import captcha, complaints, payments, ratelimit
from backend.services.provisioning import Chore

SESSION_GRACE = timedelta(days=1)
TOKEN_GRACE = timedelta(days=7)
PAYMENT_SWEEP_SECONDS = 60.0


@dataclass(frozen=True)
class CleanupReport:
    sessions: int
    tokens: int
    captchas: int
    rate_limits: int
    payments_expired: int
    device_logins: int = 0

    def describe(self) -> str:
        return (
            f"removed {self.sessions} session(s), {self.device_logins} device login(s), "
            f"{self.tokens} account token(s), "
            f"{self.captchas} captcha(s), {self.rate_limits} rate-limit window(s); "
            f"expired {self.payments_expired} pending payment(s)"
        )


async def delete_ended_sessions(settings: Settings) -> int:
    """Sessions that ended more than ``SESSION_GRACE`` ago, however they ended."""
    before = now() - SESSION_GRACE
    idle = timedelta(seconds=settings.session_idle_seconds)
    return await Session.filter(
        Q(revoked_at__lte=before)
        | Q(expires_at__lte=before)
        | Q(last_activity_at__lte=before - idle)
    ).delete()


async def delete_ended_device_logins() -> int:
    """Device logins that ended more than ``SESSION_GRACE`` ago, with their refresh tokens and
    access sessions (an ended family never comes back, so deleting by id is safe)."""
    before = now() - SESSION_GRACE
    ended = Q(revoked_at__lte=before) | Q(expires_at__lte=before)
    ids = await RefreshTokenFamily.filter(ended).values_list("id", flat=True)
    if not ids:
        return 0
    await RefreshToken.filter(family_id__in=ids).delete()
    await Session.filter(family_id__in=ids).delete()
    return await RefreshTokenFamily.filter(ended, id__in=ids).delete()


async def delete_spent_tokens() -> int:
    return await AccountToken.filter(
        Q(used_at__isnull=False) | Q(expires_at__lte=now() - TOKEN_GRACE)
    ).delete()


async def delete_expired_captchas() -> int:
    return await Captcha.filter(expires_at__lt=now() - captcha.LIFETIME).delete()


async def delete_ended_rate_limits() -> int:
    return await ratelimit.delete_ended()


async def cleanup(settings: Settings) -> CleanupReport:
    return CleanupReport(
        sessions=await delete_ended_sessions(settings),
        tokens=await delete_spent_tokens(),
        captchas=await delete_expired_captchas(),
        rate_limits=await delete_ended_rate_limits(),
        payments_expired=await payments.expire_stale(settings),
        device_logins=await delete_ended_device_logins(),
    )


def chores(settings: Settings) -> list[Chore]:
    """Periodic work for the app's background worker."""

    async def sweep_payments() -> int:
        # Ask the providers first, so a payment whose notification was lost is settled rather
        # than expired.
        await payments.reconcile(settings)
        return await payments.expire_stale(settings)

    async def resend_acknowledgements() -> int:
        return await complaints.resend_acknowledgements(settings)

    return [
        Chore("reconcile and expire payments", sweep_payments, every=PAYMENT_SWEEP_SECONDS),
        Chore(
            "send complaints' acknowledgements again",
            resend_acknowledgements,
            every=complaints.ACK_SWEEP_SECONDS,
        ),
    ]

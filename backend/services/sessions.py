"""Server-side sessions: opaque random tokens (256 bits), stored only as SHA-256 hashes.

A session ends when it is revoked, after ``session_idle_seconds`` without user activity, or
after ``session_max_seconds`` in all. Requests marked as background (polling) read the session
without extending it, so an abandoned tab still logs out after the idle time.

User activity is recorded to a resolution R (:func:`activity_resolution`: 30 s,
:data:`ACTIVITY_RESOLUTION`, or a tenth of ``session_idle_seconds`` when that is shorter): a
request writes ``last_activity_at`` only when the stored value is R or more old, so a busy tab
costs one write per R, not one per request. The stored time is therefore less than R before the
last user request, and the idle rule is exact to that resolution: a session ends
``session_idle_seconds`` after its stored activity, i.e. after more than
``session_idle_seconds - R`` and at most ``session_idle_seconds`` seconds without user activity
(never later than the rule; ``ActiveSession.expires_at``, the client's countdown, is that end).

A mobile app's login on a device is a :class:`RefreshTokenFamily` (issued and rotated by
``backend.services.refresh_tokens``); its access sessions carry ``family``. Ending a family
(:func:`revoke_family`) ends every refresh token of it (they are refused once the family is
revoked) and every access session it issued, as OAuth 2.1 §4.3.1 asks on reuse; ending all of
an account's sessions (:func:`revoke_all`: password change or reset, "log out other sessions")
ends its families too.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, RefreshTokenFamily, Session
from backend.models.enums import SessionKind
from backend.services.request import RequestMeta

ACTIVITY_RESOLUTION = timedelta(seconds=30)
"""How stale the stored ``last_activity_at`` may get before a user request writes it again
(at most: see :func:`activity_resolution`)."""


def activity_resolution(settings: Settings) -> timedelta:
    """R, the resolution of recorded activity: :data:`ACTIVITY_RESOLUTION`, at most a tenth of
    the idle time (``ICOK_SESSION_IDLE_SECONDS=30`` in development: 3 s)."""
    return min(ACTIVITY_RESOLUTION, timedelta(seconds=settings.session_idle_seconds) / 10)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ActiveSession:
    session: Session
    customer_id: int
    expires_at: datetime
    """When the session ends if nothing else happens: idle deadline or absolute expiry."""


def idle_deadline(session: Session, settings: Settings) -> datetime:
    return min(
        session.last_activity_at + timedelta(seconds=settings.session_idle_seconds),
        session.expires_at,
    )


async def create_session(
    account: Account,
    settings: Settings,
    meta: RequestMeta,
    *,
    kind: SessionKind = SessionKind.COOKIE,
    family: RefreshTokenFamily | None = None,
) -> tuple[str, Session]:
    """Start a session; returns the token (shown once to the client) and the row.

    ``family``: the device login this access session is issued for (bearer sessions only)."""
    token = new_token()
    at = now()
    session = await Session.create(
        account=account,
        token_hash=hash_token(token),
        kind=kind,
        created_at=at,
        last_activity_at=at,
        expires_at=at + timedelta(seconds=settings.session_max_seconds),
        ip=meta.ip,
        user_agent=meta.user_agent,
        family=family,
    )
    return token, session


async def resolve(
    token: str, settings: Settings, *, background: bool = False
) -> ActiveSession | None:
    """The live session for ``token``, with its idle timer extended unless ``background``; None
    for a missing, unknown, revoked, idle or expired session.

    The timer is written only when the stored activity is :func:`activity_resolution` or more
    old (see the module's docstring): at most one write per session per 30 s."""
    if not token or len(token) > 128:
        return None
    session = await Session.get_or_none(token_hash=hash_token(token)).select_related("account")
    if session is None or session.revoked_at is not None:
        return None
    at = now()
    if at >= idle_deadline(session, settings):
        return None
    resolution = activity_resolution(settings)
    if not background and at - session.last_activity_at >= resolution:
        # Conditional: never moves the timer backwards, and one write when requests race.
        stale = at - resolution
        await Session.filter(id=session.id, last_activity_at__lte=stale).update(last_activity_at=at)
        session.last_activity_at = at
    return ActiveSession(session, session.account.customer_id, idle_deadline(session, settings))


async def revoke(session_id: int) -> bool:
    updated = await Session.filter(id=session_id, revoked_at__isnull=True).update(revoked_at=now())
    return updated > 0


class FamilyEnd:
    """Why a device login (refresh-token family) ended: ``RefreshTokenFamily.revoked_reason``."""

    REUSE = "reuse"
    """A spent refresh token was presented again (stolen or replayed): OAuth 2.1 §4.3.1."""
    LOGOUT = "logout"
    """The app logged out with the family's access token."""
    CUSTOMER = "customer"
    """The customer ended it in Security."""
    OTHERS = "others"
    """Password change or reset, or "log out other sessions"."""


async def revoke_family(family_id: int, reason: str) -> bool:
    """End a device login and every access session it issued; True when this call ended it.

    Its refresh tokens need no write: :func:`refresh_tokens.refresh` refuses any token of a
    revoked family. Sessions are ended even when the family already was (idempotent)."""
    at = now()
    async with in_transaction():
        ended = await RefreshTokenFamily.filter(id=family_id, revoked_at__isnull=True).update(
            revoked_at=at, revoked_reason=reason
        )
        await Session.filter(family_id=family_id, revoked_at__isnull=True).update(revoked_at=at)
    return ended > 0


async def revoke_all(account_id: int, *, except_session_id: int | None = None) -> int:
    """End every session and device login of the account but ``except_session_id`` (and the
    device login that session belongs to); returns how many browser or plain-token sessions and
    device logins ended (a device login's access session is not counted twice)."""
    keep_family: int | None = None
    if except_session_id is not None:
        kept = await Session.get_or_none(id=except_session_id)
        keep_family = kept.family_id if kept is not None else None
    at = now()
    async with in_transaction():
        families = RefreshTokenFamily.filter(account_id=account_id, revoked_at__isnull=True)
        if keep_family is not None:
            families = families.exclude(id=keep_family)
        ended = await families.update(revoked_at=at, revoked_reason=FamilyEnd.OTHERS)
        query = Session.filter(account_id=account_id, revoked_at__isnull=True)
        if except_session_id is not None:
            query = query.exclude(id=except_session_id)
        # A device login's access session is counted with its device login, not again.
        await query.filter(family_id__isnull=False).update(revoked_at=at)
        return ended + await query.filter(family_id__isnull=True).update(revoked_at=at)

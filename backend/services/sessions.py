"""Server-side sessions: opaque random tokens (256 bits), stored only as SHA-256 hashes.

A session ends when it is revoked, after ``session_idle_seconds`` without user activity, or
after ``session_max_seconds`` in all. Requests marked as background (polling) read the session
without extending it, so an abandoned tab still logs out after the idle time.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.clock import now
from backend.config import Settings
from backend.models import Account, Session
from backend.models.enums import SessionKind
from backend.services.request import RequestMeta


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
) -> tuple[str, Session]:
    """Start a session; returns the token (shown once to the client) and the row."""
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
    )
    return token, session


async def resolve(
    token: str, settings: Settings, *, background: bool = False
) -> ActiveSession | None:
    """The live session for ``token``, with its idle timer extended unless ``background``."""
    if not token or len(token) > 128:
        return None
    session = await Session.get_or_none(token_hash=hash_token(token)).select_related("account")
    if session is None or session.revoked_at is not None:
        return None
    at = now()
    if at >= idle_deadline(session, settings):
        return None
    if not background:
        # Conditional: never moves the timer backwards when requests race.
        await Session.filter(id=session.id, last_activity_at__lt=at).update(last_activity_at=at)
        session.last_activity_at = max(session.last_activity_at, at)
    return ActiveSession(session, session.account.customer_id, idle_deadline(session, settings))


async def revoke(session_id: int) -> bool:
    updated = await Session.filter(id=session_id, revoked_at__isnull=True).update(revoked_at=now())
    return updated > 0


async def revoke_all(account_id: int, *, except_session_id: int | None = None) -> int:
    query = Session.filter(account_id=account_id, revoked_at__isnull=True)
    if except_session_id is not None:
        query = query.exclude(id=except_session_id)
    return await query.update(revoked_at=now())

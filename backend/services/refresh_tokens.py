"""Mobile apps' device logins: rotating refresh tokens with reuse detection.

A bearer login that names its device (``login(bearer: true, deviceName)``) starts a
:class:`RefreshTokenFamily` lasting ``refresh_token_days`` (90) from the login, and gets its first
refresh token with the access token. :func:`refresh` swaps a live refresh token for a new access
token and a new refresh token of the same family, spending the old one with a conditional
UPDATE (``spent_at IS NULL``): of two concurrent swaps exactly one spends it. Presenting a spent
token again, the loser of such a race included, cannot tell the client from a thief, so it ends
the whole family: every refresh token and every access session it issued (OAuth 2.1 draft §4.3.1,
RFC 9700 §4.14.2 "refresh token rotation"), with an audit event. Unknown, spent, expired and
revoked tokens all raise the same ``REFRESH_TOKEN_INVALID``.

So of two concurrent swaps at most one gets a pair, and that pair is ended too: the loser's
:func:`sessions.revoke_family` either commits before the spender's conditional check of the
family (PostgreSQL may order them so; the spender is refused too and nothing is issued) or, the
family row being locked by the spender's transaction until it commits, after it, and then ends
the spender's new access session with the others, and the new refresh token is refused with its
revoked family. Either way the family ends, audited as reuse.

A family has one live access session: each refresh ends the previous one. Access sessions keep
the 10-minute idle rule (``session_idle_seconds``); the device stays logged in through its
refresh token. Ending families (logout, Security, password change) lives in
``backend.services.sessions`` (:func:`sessions.revoke_family`, :func:`sessions.revoke_all`).

Tokens are 256-bit random strings (``sessions.new_token``) stored only as SHA-256 hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, RefreshToken, RefreshTokenFamily, Session
from backend.models.enums import AuditKind, SessionKind
from backend.services import audit, sessions
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.request import RequestMeta
from backend.services.text import check_text

DEVICE_NAME_MAX = 100
"""Characters of a device name (``RefreshTokenFamily.device_name``)."""
TOKEN_MAX = 128
"""Longer presented tokens are refused without a database lookup (ours are 43 characters)."""
REUSE_REASON = "refresh_token_reuse"
"""The audit event's ``reason`` when a spent refresh token ended its device login."""


@dataclass(frozen=True)
class Issued:
    """A refresh token (shown once to the app) and the family it belongs to."""

    token: str
    family: RefreshTokenFamily

    @property
    def expires_at(self) -> datetime:
        return self.family.expires_at


@dataclass(frozen=True)
class Refreshed:
    """The new pair :func:`refresh` gives: an access session and the next refresh token."""

    access_token: str
    session: Session
    customer_id: int
    expires_at: datetime
    """When the access session ends without activity (idle deadline)."""
    refresh: Issued


def check_device_name(errors: Collector, device_name: str) -> str:
    """The device name to store (trimmed, one line), adding ``REQUIRED``, ``TOO_LONG`` (max
    ``DEVICE_NAME_MAX``), ``FORBIDDEN_CHARACTER`` or ``INVALID`` on ``device_name``."""
    return check_text(errors, device_name, "device_name", DEVICE_NAME_MAX, required=True)


async def _new_token(family_id: int) -> str:
    token = sessions.new_token()
    await RefreshToken.create(
        family_id=family_id, token_hash=sessions.hash_token(token), created_at=now()
    )
    return token


async def start_family(
    account: Account, device_name: str, settings: Settings, meta: RequestMeta
) -> Issued:
    """Start a device login for ``account`` (``device_name`` as :func:`check_device_name`
    returned it) ending ``refresh_token_days`` from now, with its first refresh token."""
    at = now()
    family = await RefreshTokenFamily.create(
        account=account,
        device_name=device_name,
        created_at=at,
        last_used_at=at,
        expires_at=at + timedelta(days=settings.refresh_token_days),
        user_agent=meta.user_agent,
        ip=meta.ip,
    )
    return Issued(await _new_token(family.id), family)


def _invalid() -> DomainError:
    return DomainError(ErrorCode.REFRESH_TOKEN_INVALID, "refresh_token")


async def refresh(token: str, settings: Settings, meta: RequestMeta) -> Refreshed:
    """Swap a live refresh token for a new access session and refresh token (same family).

    Raises ``REFRESH_TOKEN_INVALID`` (field ``refresh_token``) for an unknown, malformed,
    spent, expired or revoked token, or one of a family ended meanwhile. A spent token (reuse,
    or the loser of two concurrent swaps) first ends its whole family (audited as
    ``SESSION_REVOKED`` with ``reason`` ``refresh_token_reuse``)."""
    if not token or len(token) > TOKEN_MAX:
        raise _invalid()
    row = await RefreshToken.get_or_none(token_hash=sessions.hash_token(token)).select_related(
        "family", "family__account"
    )
    at = now()
    if row is None or row.family.revoked_at is not None or row.family.expires_at <= at:
        raise _invalid()
    family = row.family
    account = family.account
    # The one atomic step: of two concurrent swaps of one token, exactly one spends it (the
    # other ends the family: at most one gets a pair, ended too, see the module).
    if not await RefreshToken.filter(id=row.id, spent_at__isnull=True).update(spent_at=at):
        async with in_transaction():
            if await sessions.revoke_family(family.id, sessions.FamilyEnd.REUSE):
                await audit.record(
                    AuditKind.SESSION_REVOKED,
                    account.customer_id,
                    meta,
                    reason=REUSE_REASON,
                    device=family.device_name,
                )
        raise _invalid()
    async with in_transaction():
        # Conditional: the family may have been ended (or expired) since it was read.
        live = await RefreshTokenFamily.filter(
            id=family.id, revoked_at__isnull=True, expires_at__gt=at
        ).update(last_used_at=at)
        if not live:
            raise _invalid()
        family.last_used_at = at
        next_token = await _new_token(family.id)
        # A family has one live access session: the previous one ends now.
        await Session.filter(family_id=family.id, revoked_at__isnull=True).update(revoked_at=at)
        access_token, session = await sessions.create_session(
            account, settings, meta, kind=SessionKind.BEARER, family=family
        )
    return Refreshed(
        access_token,
        session,
        account.customer_id,
        sessions.idle_deadline(session, settings),
        Issued(next_token, family),
    )


async def device_logins(customer_id: int) -> list[RefreshTokenFamily]:
    """The customer's live device logins (not ended, not expired), most recently used first."""
    return (
        await RefreshTokenFamily.filter(
            account__customer_id=customer_id, revoked_at__isnull=True, expires_at__gt=now()
        )
        .order_by("-last_used_at", "-id")
        .limit(100)
    )


async def revoke_device_login(customer_id: int, family_id: int | None, meta: RequestMeta) -> int:
    """End one of the customer's own device logins (its refresh tokens and access session);
    returns its id. Another customer's, an ended one or a malformed id: ``NOT_FOUND`` on
    ``device_login_id``."""
    if family_id is None or not 0 < family_id < 2**31:
        raise DomainError(ErrorCode.NOT_FOUND, "device_login_id")
    family = await RefreshTokenFamily.get_or_none(id=family_id, account__customer_id=customer_id)
    if family is None:
        raise DomainError(ErrorCode.NOT_FOUND, "device_login_id")
    async with in_transaction():
        if not await sessions.revoke_family(family.id, sessions.FamilyEnd.CUSTOMER):
            raise DomainError(ErrorCode.NOT_FOUND, "device_login_id")
        await audit.record(AuditKind.SESSION_REVOKED, customer_id, meta, device=family.device_name)
    return family.id

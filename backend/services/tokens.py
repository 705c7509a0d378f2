"""Single-use link tokens (e-mail confirmation, password reset, contact e-mail change), and
mailing them (:func:`mail_link`).

The token travels only in the e-mail; the database keeps its SHA-256, so a database leak does
not hand out working links. Spending is a conditional UPDATE, so a link works exactly once
even when it is clicked twice at the same moment.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, AccountToken
from backend.models.enums import AuditKind, Language, TokenPurpose
from backend.services import audit, emails
from backend.services.errors import DomainError, ErrorCode
from backend.services.mailer import Mail
from backend.services.request import RequestMeta
from backend.services.sessions import hash_token, new_token

LIFETIMES = {
    TokenPurpose.CONFIRM_EMAIL: timedelta(hours=24),
    TokenPurpose.RESET_PASSWORD: timedelta(hours=1),
    TokenPurpose.CHANGE_EMAIL: timedelta(hours=24),
    TokenPurpose.CHANGE_LOGIN: timedelta(hours=24),
    TokenPurpose.SECOND_FACTOR: timedelta(minutes=5),
}
MAX_TOKEN_LENGTH = 128


async def issue(account: Account, purpose: TokenPurpose, *, email: str | None = None) -> str:
    """A fresh token; earlier unused tokens of the same purpose stop working."""
    at = now()
    await revoke(account.id, purpose)
    token = new_token()
    await AccountToken.create(
        account=account,
        purpose=purpose,
        token_hash=hash_token(token),
        email=email,
        created_at=at,
        expires_at=at + LIFETIMES[purpose],
    )
    return token


async def revoke(account_id: int, purpose: TokenPurpose) -> None:
    """The account's unused ``purpose`` links stop working."""
    await AccountToken.filter(account_id=account_id, purpose=purpose, used_at__isnull=True).update(
        used_at=now()
    )


async def void(purpose: TokenPurpose) -> None:
    """The statements of :func:`issue` for no account: keeps "no such account" as slow."""
    await AccountToken.filter(account_id=0, purpose=purpose, used_at__isnull=True).update(
        used_at=now()
    )


async def mail_link(
    settings: Settings,
    account: Account | None,
    purpose: TokenPurpose,
    address: str,
    render: Callable[[Settings, Language, str, str], Mail],
    kind: AuditKind,
    meta: RequestMeta,
) -> None:
    """Issue a ``purpose`` link for ``account`` (its ``customer`` fetched), mail it to
    ``address`` in the background (``render(settings, language, address, token)``) and record
    ``kind``. With no ``account``, the writes of a real request happen all the same (tokens
    voided, the audit event without a customer), so the answer's time does not tell whether the
    address has an account, and probing leaves a trace."""
    async with in_transaction():  # the link and its audit event: together or neither
        if account is None:
            await void(purpose)
            await audit.record(kind, None, meta)
            return
        token = await issue(account, purpose, email=address)
        await audit.record(kind, account.customer_id, meta)
    emails.deliver_later(settings, render(settings, account.customer.language, address, token))


async def check(token: str, purpose: TokenPurpose, *, field: str = "token") -> AccountToken:
    """The live token row (with its account) or ``TOKEN_INVALID`` / ``TOKEN_EXPIRED``."""
    token = (token or "").strip()
    if not token:
        raise DomainError(ErrorCode.REQUIRED, field)
    if len(token) > MAX_TOKEN_LENGTH or not token.isascii():  # tokens are URL-safe ASCII
        raise DomainError(ErrorCode.TOKEN_INVALID, field)
    row = await AccountToken.get_or_none(token_hash=hash_token(token), purpose=purpose)
    if row is None or row.used_at is not None:
        raise DomainError(ErrorCode.TOKEN_INVALID, field)
    if row.expires_at <= now():
        raise DomainError(ErrorCode.TOKEN_EXPIRED, field)
    await row.fetch_related("account")
    return row


async def is_live(row: AccountToken) -> bool:
    """Whether the token checked as ``row`` (:func:`check`) is still unused and unexpired now
    (another request may have spent or ended it since)."""
    return await AccountToken.exists(id=row.id, used_at__isnull=True, expires_at__gt=now())


async def spend(row: AccountToken, *, field: str = "token") -> None:
    """Mark the token used; ``TOKEN_INVALID`` if another request spent it first."""
    if not await AccountToken.filter(id=row.id, used_at__isnull=True).update(used_at=now()):
        raise DomainError(ErrorCode.TOKEN_INVALID, field)

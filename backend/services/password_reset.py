"""Forgotten and changed passwords.

A reset link (1 hour, single use) ends every session; a change by the logged-in customer keeps
the current session and ends the others. Both send a notice to the account's address, and both
cancel a login e-mail change still waiting for its link (``login_email``): the notice of that
change tells the owner to change the password, which must stop whoever asked for it.
"""

from __future__ import annotations

from datetime import timedelta

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, Customer
from backend.models.enums import AuditKind, TokenPurpose
from backend.services import audit, captcha, emails, sessions, tokens
from backend.services.errors import DomainError, ErrorCode
from backend.services.passwords import (
    check_policy,
    hash_password,
    hashing,
    own_data,
    verify_password,
)
from backend.services.registration import address_key, checked_address, limit
from backend.services.request import RequestMeta

RESET_PER_IP = 10
RESET_PER_EMAIL = 3
CHANGE_FAILURES = 5


async def _check_new_password(account: Account, new_password: str, meta: RequestMeta) -> None:
    """The password policy for ``account``'s new password, with the customer's own data:
    raises ``check_policy``'s ``DomainError`` on the ``new_password`` field."""
    own = await own_data(account.customer_id)
    await check_policy(
        new_password,
        email=account.email,
        identifiers=own.numbers,
        names=own.names,
        language=meta.language,
        field="new_password",
    )


async def request_password_reset(
    email: str, solution: captcha.Solution, settings: Settings, meta: RequestMeta
) -> None:
    """Mail a reset link if an account uses ``email``; the same answer either way.

    Needs the solved captcha first (``registration.checked_address``), then at most
    :data:`RESET_PER_IP` requests per address and :data:`RESET_PER_EMAIL` per e-mail an hour
    (``RATE_LIMITED`` with ``minutes``)."""
    address = await checked_address(email, solution, settings)
    await limit(f"reset-ip:{meta.ip}", RESET_PER_IP)
    await limit(f"reset-email:{address_key(address)}", RESET_PER_EMAIL)
    account = await Account.get_or_none(email=address).select_related("customer")
    await tokens.mail_link(
        settings,
        account,
        TokenPurpose.RESET_PASSWORD,
        address,
        emails.password_reset,
        AuditKind.PASSWORD_RESET_REQUESTED,
        meta,
    )


async def _set_password(account: Account, password_hash: str) -> None:
    """Store the new password; its lock is lifted, never the second factor's code lock
    (``accounts.second_factor_key``: a reset gives no more code guesses)."""
    at = now()
    await Account.filter(id=account.id).update(
        password_hash=password_hash, password_changed_at=at, failed_logins=0, locked_until=None
    )
    await tokens.revoke(account.id, TokenPurpose.CHANGE_LOGIN)
    # A login waiting for its second factor passed the old password: it ends too.
    await tokens.revoke(account.id, TokenPurpose.SECOND_FACTOR)


async def reset_password(
    token: str, new_password: str, settings: Settings, meta: RequestMeta
) -> None:
    async with hashing(settings):
        row = await tokens.check(token, TokenPurpose.RESET_PASSWORD)
        account: Account = row.account
        # The policy first: a refused password leaves the link usable for a better one.
        await _check_new_password(account, new_password, meta)
        password_hash = await hash_password(new_password, settings)
        async with in_transaction():
            await tokens.spend(row)
            await _set_password(account, password_hash)
            # The link came through the mailbox, so the address is proven as well.
            await Account.filter(id=account.id, email_confirmed_at__isnull=True).update(
                email_confirmed_at=now()
            )
            await sessions.revoke_all(account.id)
            await audit.record(AuditKind.PASSWORD_RESET, account.customer_id, meta)
        customer = await Customer.get(id=account.customer_id)
        emails.deliver_later(
            settings, emails.password_changed(settings, customer.language, account.email)
        )


async def change_password(
    auth: sessions.ActiveSession,
    current_password: str,
    new_password: str,
    settings: Settings,
    meta: RequestMeta,
) -> None:
    async with hashing(settings):
        account = await Account.get(id=auth.session.account_id)
        await limit(f"change-password:{account.id}", CHANGE_FAILURES, timedelta(minutes=15))
        if not current_password:
            raise DomainError(ErrorCode.REQUIRED, "current_password")
        if not await verify_password(current_password, account.password_hash, settings):
            raise DomainError(ErrorCode.WRONG_PASSWORD, "current_password")
        await _check_new_password(account, new_password, meta)
        password_hash = await hash_password(new_password, settings)
        async with in_transaction():
            await _set_password(account, password_hash)
            await sessions.revoke_all(account.id, except_session_id=auth.session.id)
            await audit.record(AuditKind.PASSWORD_CHANGED, account.customer_id, meta)
        customer = await Customer.get(id=account.customer_id)
        emails.deliver_later(
            settings, emails.password_changed(settings, customer.language, account.email)
        )

"""The login e-mail of the web account: showing it and changing it.

A change is confirmed like a new contact e-mail (:mod:`backend.services.contact_data`): the
customer gives the current password and the new address, a single-use link (``AccountToken``
purpose CHANGE_LOGIN, 24 hours) is mailed to the new address, and the login changes only when
that link is opened. The old address is told twice: when the change is asked for (so the owner
can act before it happens) and when it is done. Sessions stay as they are.

The address must not be any other account's login. Asking for an address that is taken answers
like any other request (the address's owner is told instead of getting a link), as registration
does, so the form does not tell which addresses have accounts; a link that would make two
accounts share an address (two requests for one free address, both opened) fails with
``EMAIL_IN_USE`` (the unique index on ``Account.email`` decides, on both databases).
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, AccountToken, Customer
from backend.models.enums import AuditKind, TokenPurpose
from backend.services import audit, emails, outbox, tokens
from backend.services.errors import DomainError, ErrorCode
from backend.services.identifiers import normalise_email
from backend.services.outbox import EventType
from backend.services.passwords import hashing, verify_password
from backend.services.registration import limit
from backend.services.request import RequestMeta

REQUESTS_PER_HOUR = 5
"""Change requests per account and hour (each mails two addresses), right or wrong password;
a malformed address is refused before it counts."""


@dataclass(frozen=True)
class LoginEmail:
    email: str
    """The address the customer logs in with."""
    pending_email: str | None
    """A new address whose confirmation link is still live, if any."""


async def login_email(customer_id: int) -> LoginEmail:
    """The login e-mail of the customer's account and a change waiting for its link."""
    account = await Account.get(customer_id=customer_id)
    pending = (
        await AccountToken.filter(
            account_id=account.id,
            purpose=TokenPurpose.CHANGE_LOGIN,
            used_at__isnull=True,
            expires_at__gt=now(),
        )
        .order_by("-created_at")
        .first()
    )
    return LoginEmail(email=account.email, pending_email=pending.email if pending else None)


async def request_login_email_change(
    settings: Settings,
    customer_id: int,
    email: str,
    current_password: str,
    *,
    meta: RequestMeta,
) -> str:
    """Mail a confirmation link to the new login address ``email`` and tell the old one.

    Returns the new address in its stored (canonical) form. Errors, in this order:
    ``REQUIRED`` / ``TOO_LONG`` / ``INVALID_EMAIL`` on ``email`` (not counted), ``EMAIL_UNCHANGED``
    on ``email`` when it is the current login already (not counted), ``RATE_LIMITED`` (more than
    :data:`REQUESTS_PER_HOUR`, right or wrong password), ``REQUIRED`` / ``WRONG_PASSWORD`` on
    ``current_password``."""
    async with hashing(settings):
        account = await Account.get(customer_id=customer_id).select_related("customer")
        # A malformed address sends nothing and tries no password: it does not count.
        address = normalise_email(email, field="email")
        if address == account.email:
            raise DomainError(ErrorCode.EMAIL_UNCHANGED, "email")
        await limit(f"change-login:{account.id}", REQUESTS_PER_HOUR)
        if not current_password:
            raise DomainError(ErrorCode.REQUIRED, "current_password")
        if not await verify_password(current_password, account.password_hash, settings):
            raise DomainError(ErrorCode.WRONG_PASSWORD, "current_password")
        language = account.customer.language
        old = account.email
        emails.deliver_later(
            settings, emails.login_change_requested(settings, language, old, address)
        )
        owner = await Account.get_or_none(email=address).select_related("customer")
        if owner is not None:
            # The same writes and answer as a free address (the change shows as pending until the
            # link would expire), but the address's owner gets a notice instead of the link.
            async with in_transaction():
                await tokens.issue(account, TokenPurpose.CHANGE_LOGIN, email=address)
                await audit.record(AuditKind.LOGIN_CHANGE_REQUESTED, customer_id, meta)
            emails.deliver_later(
                settings, emails.login_taken(settings, owner.customer.language, address)
            )
            return address
        await tokens.mail_link(
            settings,
            account,
            TokenPurpose.CHANGE_LOGIN,
            address,
            emails.login_change,
            AuditKind.LOGIN_CHANGE_REQUESTED,
            meta,
        )
        return address


async def confirm_login_email(settings: Settings, token: str, *, meta: RequestMeta) -> str:
    """Make the address of a CHANGE_LOGIN link the account's login (works once); returns it.

    The address is proven by the link, so it counts as confirmed. Errors: ``REQUIRED`` /
    ``TOKEN_INVALID`` / ``TOKEN_EXPIRED`` on ``token``, ``EMAIL_IN_USE`` on ``token`` when
    another account logs in with the address by now (the link stays usable). The change, its
    audit record and its ``account.login_email_changed`` event are one transaction."""
    row = await tokens.check(token, TokenPurpose.CHANGE_LOGIN)
    account: Account = row.account
    new = row.email or ""
    customer = await Customer.get(id=account.customer_id)
    try:
        async with in_transaction():
            await tokens.spend(row)
            await Account.filter(id=account.id).update(email=new, email_confirmed_at=now())
            await audit.record(
                AuditKind.LOGIN_CHANGED,
                account.customer_id,
                meta,
                old=emails.mask_email(account.email),
                new=emails.mask_email(new),
            )
            await outbox.emit(
                settings,
                EventType.LOGIN_EMAIL_CHANGED,
                customer.id,
                {
                    "customerNumber": customer.number,
                    "loginEmail": new,
                    "previousLoginEmail": account.email,
                },
            )
    except IntegrityError:  # the unique login: another account has taken the address
        raise DomainError(ErrorCode.EMAIL_IN_USE, "token") from None
    emails.deliver_later(
        settings, emails.login_changed(settings, customer.language, account.email, new)
    )
    return new

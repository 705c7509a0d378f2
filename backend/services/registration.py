"""Registration of a web account for an existing customer, and e-mail confirmation.

No enumeration: a customer who already has an account (or an e-mail address already in use)
gets the same answer as a new registration, after the same bcrypt work, and the existing
address receives a notice instead of a confirmation link.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.clock import now, today
from backend.config import Settings
from backend.models import Account, Customer, Service
from backend.models.enums import AuditKind, TokenPurpose
from backend.services import audit, captcha, emails, outbox, ratelimit, tokens
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.identifiers import (
    normalise_email,
    normalise_identifier,
    parse_pesel,
    pesel_hash,
)
from backend.services.outbox import EventType
from backend.services.passwords import check_form, check_policy, hash_password, hashing, own_data
from backend.services.request import RequestMeta

log = logging.getLogger("icok.accounts")

REGISTER_PER_IP = 20
RESEND_PER_IP = 10
RESEND_PER_EMAIL = 3
HOUR = timedelta(hours=1)

T = TypeVar("T")


@dataclass(frozen=True)
class Registration:
    identifier: str
    pesel: str
    email: str
    email_confirmation: str
    password: str
    captcha_id: str
    captcha_answer: str
    accept_terms: bool
    captcha_proof: str | None = None
    """The solved ALTCHA proof of work of the captcha (see :func:`captcha.verify`)."""


def _try(errors: Collector, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    try:
        return fn(*args, **kwargs)
    except DomainError as exc:
        errors.errors.append(exc)
        return None


def address_key(email: str) -> str:
    """A short, fixed-length rate-limit key part for an e-mail address (up to 254 chars)."""
    return hashlib.sha256(email.encode()).hexdigest()[:32]


async def limit(key: str, count: int, window: timedelta = HOUR) -> ratelimit.Verdict:
    """Count one request under ``key``: ``RATE_LIMITED`` (``minutes``) over ``count`` per
    ``window``, else the verdict (for ``ratelimit.give_back``)."""
    verdict = await ratelimit.hit(key, limit=count, window=window)
    if not verdict.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    return verdict


async def _validate(
    data: Registration, settings: Settings, meta: RequestMeta
) -> tuple[str, str, str, captcha.Spent]:
    """All field errors at once; returns the normalised identifier, PESEL and e-mail, and the
    spent captcha."""
    errors = Collector()
    identifier = _try(errors, normalise_identifier, data.identifier)
    pesel = _try(errors, parse_pesel, data.pesel, today=today())
    email = _try(errors, normalise_email, data.email)
    confirmation = _try(
        errors, normalise_email, data.email_confirmation, field="email_confirmation"
    )
    if email and confirmation and email != confirmation:
        errors.add(ErrorCode.EMAILS_DO_NOT_MATCH, "email_confirmation")
    # What costs nothing first; the password is scored (~0.1 s of CPU) only for a request that
    # solved the captcha and its proof of work, so a hostile request never makes it score.
    before = len(errors.errors)
    _try(errors, check_form, data.password)
    password_ok = len(errors.errors) == before
    if not data.accept_terms:
        errors.add(ErrorCode.TERMS_NOT_ACCEPTED, "accept_terms")
    # Checked even when other fields are wrong (it is spent either way), so the customer sees
    # every problem at once; the customer match below, an oracle, needs a solved challenge.
    spent: captcha.Spent | None = None
    try:
        spent = await captcha.verify(
            data.captcha_id, data.captcha_answer, data.captcha_proof, settings
        )
    except DomainError as exc:
        errors.errors.append(exc)
    else:
        if password_ok:
            try:
                await check_policy(
                    data.password,
                    email=email or data.email,
                    identifiers=[identifier or data.identifier, pesel or data.pesel],
                    language=meta.language,
                )
            except DomainError as exc:
                errors.errors.append(exc)
    errors.raise_if_any()
    assert identifier and pesel and email and spent
    return identifier, pesel, email, spent


async def _match_customer(identifier: str, pesel: str, settings: Settings) -> Customer | None:
    service = await Service.get_or_none(identifier=identifier).select_related("customer")
    if service is None or service.customer.pesel_hash != pesel_hash(pesel, settings.secret_key):
        return None
    return service.customer


async def register(data: Registration, settings: Settings, meta: RequestMeta) -> None:
    """Create the account and send the confirmation link, or raise the reasons it cannot.

    A new account is written with its audit record and its ``account.registered`` event in one
    transaction; a repeated registration (neutral answer) writes no event.

    Order: the per-address limit (:data:`REGISTER_PER_IP` an hour, ``RATE_LIMITED``) and every
    field check with the captcha (spent) come first, outside bcrypt's pool, so a junk form
    never takes a place there; a solved one then takes one (:func:`passwords.hashing`):
    ``SERVER_BUSY`` when it is full, with its captcha and its count under the limit given back
    (the same form may be sent again)."""
    counted_at = now()
    key = f"register-ip:{meta.ip}"
    counted = await limit(key, REGISTER_PER_IP)
    identifier, pesel, email, spent = await _validate(data, settings, meta)

    async def give_back() -> None:
        await captcha.give_back(spent)
        await ratelimit.give_back(
            key, limit=REGISTER_PER_IP, counted_at=counted_at, window_ends_by=counted.retry_at
        )

    async with hashing(settings, on_refusal=give_back):
        # Always the bcrypt work, before any branch: every outcome takes the same time.
        password_hash = await hash_password(data.password, settings)
        customer = await _match_customer(identifier, pesel, settings)
        if customer is None:
            log.info("registration: identifier and PESEL do not match one customer")
            raise DomainError(ErrorCode.CUSTOMER_NOT_MATCHED, "identifier")
        # Now that the customer is known: not built from their name or their other numbers either
        # (whoever got here typed the identifier and PESEL, so this tells them nothing new).
        own = await own_data(customer.id)
        await check_policy(
            data.password,
            email=email,
            identifiers=[pesel, *own.numbers],
            names=own.names,
            language=meta.language,
        )
        existing = await Account.get_or_none(customer_id=customer.id)
        if existing is None and await Account.exists(email=email):
            existing = await Account.get(email=email)
        if existing is None:
            try:
                async with in_transaction():
                    account = await Account.create(
                        customer=customer,
                        email=email,
                        password_hash=password_hash,
                        terms_version=settings.terms_version,
                        terms_accepted_at=now(),
                    )
                    await audit.record(
                        AuditKind.ACCOUNT_REGISTERED,
                        customer.id,
                        meta,
                        terms_version=settings.terms_version,
                    )
                    await outbox.emit(
                        settings,
                        EventType.ACCOUNT_REGISTERED,
                        customer.id,
                        {
                            "customerNumber": customer.number,
                            "loginEmail": email,
                            "termsVersion": settings.terms_version,
                        },
                    )
            except IntegrityError:  # a concurrent registration of the same customer or address won
                existing = await Account.get_or_none(customer_id=customer.id) or await Account.get(
                    email=email
                )
        if existing is not None:
            owner = await Customer.get(id=existing.customer_id)
            emails.deliver_later(
                settings, emails.already_registered(settings, owner.language, existing.email)
            )
            await audit.record(AuditKind.REGISTRATION_REPEATED, owner.id, meta)
            return
        token = await tokens.issue(account, TokenPurpose.CONFIRM_EMAIL, email=email)
        emails.deliver_later(
            settings, emails.confirmation(settings, customer.language, email, token)
        )


async def confirm_email(token: str, meta: RequestMeta) -> None:
    row = await tokens.check(token, TokenPurpose.CONFIRM_EMAIL)
    account: Account = row.account
    async with in_transaction():
        await tokens.spend(row)
        await Account.filter(id=row.account_id, email_confirmed_at__isnull=True).update(
            email_confirmed_at=now()
        )
        await audit.record(AuditKind.EMAIL_CONFIRMED, account.customer_id, meta)


async def checked_address(email: str, solution: captcha.Solution, settings: Settings) -> str:
    """The normalised ``email`` of a form that mails a link to an address its anonymous sender
    names (a new confirmation link, a password reset), once its captcha and proof of work are
    solved: each request costs an automated client that work (issue 15, item 9).

    Raises ``ValidationErrors`` with every problem at once: ``normalise_email``'s
    (``REQUIRED``, ``INVALID_EMAIL``, ``TOO_LONG`` on ``email``) and :func:`captcha.verify`'s.
    The captcha is spent either way, and checked before any rate limit is counted or any
    account is looked up.
    """
    errors = Collector()
    address = _try(errors, normalise_email, email)
    try:
        await captcha.verify(solution.captcha_id, solution.answer, solution.proof, settings)
    except DomainError as exc:
        errors.errors.append(exc)
    errors.raise_if_any()
    assert address is not None
    return address


async def resend_confirmation(
    email: str, solution: captcha.Solution, settings: Settings, meta: RequestMeta
) -> None:
    """Send a new link if an unconfirmed account uses ``email``; the same answer either way.

    Needs the solved captcha first (:func:`checked_address`), then at most
    :data:`RESEND_PER_IP` requests per address and :data:`RESEND_PER_EMAIL` per e-mail an hour
    (``RATE_LIMITED`` with ``minutes``)."""
    address = await checked_address(email, solution, settings)
    await limit(f"resend-ip:{meta.ip}", RESEND_PER_IP)
    await limit(f"resend-email:{address_key(address)}", RESEND_PER_EMAIL)
    account = await Account.get_or_none(email=address).select_related("customer")
    waiting = account if account is not None and account.email_confirmed_at is None else None
    # A confirmed address gets the same writes as an unknown one, so the time of the answer
    # does not tell which addresses wait for confirmation.
    await tokens.mail_link(
        settings,
        waiting,
        TokenPurpose.CONFIRM_EMAIL,
        address,
        emails.confirmation,
        AuditKind.CONFIRMATION_RESENT,
        meta,
    )

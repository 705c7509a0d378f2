"""Logging in and out, and the customer's list of sessions.

Unknown login and wrong password give the same answer after the same bcrypt work (a dummy
hash is checked when no account matches). Attempts are counted before the password is
checked, per account (5 failures in a row lock it for 15 minutes) and per client address (20
per 15 minutes), each failure an audit event.
A locked account says so (the customer must know why the right password fails); that tells
a prober the login exists only after five guesses, each needing a solved captcha.

Every login's tokens are issued by :func:`start_session` (the one place: a login finished
after a second factor issues them there too). A bearer login that names its device also gets a
refresh token (``backend.services.refresh_tokens``); without ``device_name`` a bearer login
gets an access token only, as before mobile refresh tokens existed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, Service, Session
from backend.models.enums import AuditKind, SessionKind, TokenPurpose
from backend.services import audit, captcha, ratelimit, refresh_tokens, sessions, tokens
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.identifiers import normalise_email, normalise_identifier
from backend.services.passwords import (
    MAX_LENGTH,
    dummy_verify,
    hash_password,
    hashing,
    verify_password,
)
from backend.services.request import RequestMeta

LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
IP_FAILURES = 20
IP_WINDOW = timedelta(minutes=15)
NO_ACCOUNT = 0


@dataclass(frozen=True)
class LoginResult:
    token: str
    session: Session
    customer_id: int
    expires_at: datetime
    refresh: refresh_tokens.Issued | None = None
    """The device login's first refresh token: bearer logins with a device name only."""


@dataclass(frozen=True)
class SecondFactorNeeded:
    """The password was right, and the account's second factor is on: no session yet.
    ``second_factor.complete_login`` takes :attr:`ticket` with a code."""

    ticket: str
    """Single use, 5 minutes (``tokens.LIFETIMES``); only its SHA-256 is stored."""
    expires_at: datetime


def checked_device_name(errors: Collector, device_name: str | None, *, bearer: bool) -> str | None:
    """A login's ``device_name`` as stored (None: none asked): bearer logins only, else
    ``INVALID``; checked by :func:`refresh_tokens.check_device_name`; errors added to
    ``errors``."""
    if device_name is None:
        return None
    if not bearer:
        errors.add(ErrorCode.INVALID, "device_name")
        return None
    return refresh_tokens.check_device_name(errors, device_name)


def second_factor_key(account_id: int) -> str:
    """The ``ratelimit`` key counting an account's wrong second-factor codes (and wrong
    passwords given to turn it off) in a row (``ratelimit.attempt_in_a_row``): their own count
    and lock, apart from the password's ``failed_logins``, so a password reset (which lifts the
    password's lock) never gives more code guesses."""
    return f"second-factor:{account_id}"


def ip_key(meta: RequestMeta) -> str:
    """The ``ratelimit`` key counting failed logins (passwords and codes) from an address."""
    return f"login-ip:{meta.ip}"


async def check_address_limit(meta: RequestMeta) -> None:
    """``RATE_LIMITED`` (``minutes``) when the client's address has had :data:`IP_FAILURES`
    failed logins within :data:`IP_WINDOW`."""
    seen = await ratelimit.peek(ip_key(meta), limit=IP_FAILURES)
    if seen is not None and not seen.allowed:
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": seen.retry_minutes})


async def find_account(login: str) -> Account | None:
    """The account for an e-mail address or any service identifier of its customer.

    A login with an ``@`` (or a control character, which no identifier has) is an e-mail
    address: a malformed one raises :func:`normalise_email`'s error on ``login``
    (``INVALID_EMAIL``, ``TOO_LONG``), so e.g. a NUL never reaches the database.
    """
    value = (login or "").strip()
    if not value:
        return None
    if "@" in value or not value.isprintable():
        return await Account.get_or_none(email=normalise_email(value, field="login"))
    try:
        identifier = normalise_identifier(value)
    except DomainError:
        return None
    service = await Service.get_or_none(identifier=identifier)
    return None if service is None else await Account.get_or_none(customer_id=service.customer_id)


def minutes_until(at: datetime) -> int:
    """Whole minutes (at least 1) from now until ``at``: what ``ACCOUNT_LOCKED`` says."""
    return max(1, math.ceil((at - now()).total_seconds() / 60))


async def locked_error(account: Account, meta: RequestMeta, *, lock: bool) -> DomainError:
    """``ACCOUNT_LOCKED`` (``minutes``: the running lock's), audited as ``LOGIN_LOCKED``
    (wrong passwords; wrong second-factor codes have their own lock, :func:`second_factor_key`);
    with ``lock``, the account is locked for :data:`LOCK_FOR` first (unless it is already)."""
    if lock:
        await ratelimit.lock_row(Account, account.id, now() + LOCK_FOR)
    await audit.record(AuditKind.LOGIN_LOCKED, account.customer_id, meta)
    until = await ratelimit.locked_until(Account, account.id)
    return DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": minutes_until(until)})


async def login(
    login: str,
    password: str,
    captcha_id: str,
    captcha_answer: str,
    settings: Settings,
    meta: RequestMeta,
    *,
    captcha_proof: str | None = None,
    bearer: bool = False,
    device_name: str | None = None,
    previous: Session | None = None,
) -> LoginResult | SecondFactorNeeded:
    """Check the captcha and credentials and start a session (:func:`start_session`), or,
    when the account's second factor is on, hand out a ticket for it
    (:class:`SecondFactorNeeded`; ``second_factor.complete_login`` finishes the login).

    ``device_name`` (bearer logins only, else ``INVALID``; checked as free text: ``REQUIRED``,
    ``TOO_LONG`` over 100, ``FORBIDDEN_CHARACTER``) asks for a refresh token for that device.
    ``previous`` is the session the request came with: a new login of the same kind (this
    browser's cookie, or this app's token) replaces it, so a token never outlives a re-login.

    Every attempt is counted BEFORE its password is checked, per client address
    (:data:`IP_FAILURES` per :data:`IP_WINDOW`) and per account (:func:`ratelimit.
    count_attempt`, atomic on SQLite and PostgreSQL), so however many guesses run at once, at
    most :data:`LOCK_AFTER` in a row get a verdict; a right password gives its attempts back
    (the account's count starts again, the address's drops by one).

    Errors: ``REQUIRED`` (``login``/``password``), the captcha's, ``INVALID_EMAIL``/``TOO_LONG``
    (``login``), ``RATE_LIMITED`` (``minutes``), ``INVALID_CREDENTIALS`` (unknown login or
    wrong password, after the same bcrypt work and statements), ``ACCOUNT_LOCKED``
    (``minutes``), ``EMAIL_NOT_CONFIRMED`` (``login``, only after the right password).

    Order: the address limit (read, not counted), the required fields, ``device_name`` and the
    captcha (spent) come first, outside bcrypt's pool, so a request with a missing, malformed
    or wrong captcha or proof is refused without ever taking a place there; only then does a
    solved login take one (:func:`passwords.hashing`): ``SERVER_BUSY`` when bcrypt's queue is
    full, with no account read and no attempt counted, and the captcha given back
    (:func:`captcha.give_back`), so the same form logs in once there is room.
    """
    # Cheap checks first, outside bcrypt's pool: a junk captcha never takes a place there.
    await check_address_limit(meta)
    errors = Collector()
    if not (login or "").strip():
        errors.add(ErrorCode.REQUIRED, "login")
    if not password:
        errors.add(ErrorCode.REQUIRED, "password")
    device_name = checked_device_name(errors, device_name, bearer=bearer)
    spent: captcha.Spent | None = None
    try:
        spent = await captcha.verify(captcha_id, captcha_answer, captcha_proof, settings)
    except DomainError as exc:
        errors.errors.append(exc)
    errors.raise_if_any()
    assert spent is not None

    async with hashing(settings, on_refusal=lambda: captcha.give_back(spent)):
        account = await find_account(login)
        counted_at = now()
        by_address = await ratelimit.hit(ip_key(meta), limit=IP_FAILURES, window=IP_WINDOW)
        if not by_address.allowed:
            raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": by_address.retry_minutes})
        if account is None or len(password) > MAX_LENGTH:
            await ratelimit.count_attempt(Account, NO_ACCOUNT)  # the same statements, no row
            await dummy_verify(password[: MAX_LENGTH + 1], settings)
            await audit.record(
                AuditKind.LOGIN_FAILED, account.customer_id if account else None, meta
            )
            raise DomainError(ErrorCode.INVALID_CREDENTIALS)
        count = await ratelimit.count_attempt(Account, account.id)
        # Checked even while locked, so a locked account answers after the same time.
        correct = await verify_password(password, account.password_hash, settings)
        if count is None or count > LOCK_AFTER:  # locked, or past the limit in a concurrent burst
            raise await locked_error(account, meta, lock=count is not None)
        if not correct:
            await audit.record(AuditKind.LOGIN_FAILED, account.customer_id, meta)
            if count >= LOCK_AFTER:
                raise await locked_error(account, meta, lock=True)
            raise DomainError(ErrorCode.INVALID_CREDENTIALS)
        # A right password is no failure: the address gets its attempt back.
        await ratelimit.give_back(
            ip_key(meta),
            limit=IP_FAILURES,
            counted_at=counted_at,
            window_ends_by=by_address.retry_at,
        )
        if correct.rehash:  # a hash made before NFC normalisation: from now on the NFC one
            new_hash = await hash_password(password, settings)
            await Account.filter(id=account.id, password_hash=account.password_hash).update(
                password_hash=new_hash
            )
        if account.email_confirmed_at is None:
            # Said only after the right password, so it reveals nothing to a stranger.
            await ratelimit.undo_attempt(Account, account.id)
            raise DomainError(ErrorCode.EMAIL_NOT_CONFIRMED, "login")
        if account.totp_confirmed_at is not None:
            # No session yet. This attempt is given back, but the count does not start again:
            # only a finished login does.
            await ratelimit.undo_attempt(Account, account.id)
            codes_locked = await ratelimit.locked_in_a_row(second_factor_key(account.id))
            if codes_locked is not None:  # wrong codes locked it: no ticket until the lock ends
                await audit.record(AuditKind.LOGIN_LOCKED, account.customer_id, meta)
                raise DomainError(
                    ErrorCode.ACCOUNT_LOCKED, None, {"minutes": minutes_until(codes_locked)}
                )
            async with in_transaction():
                ticket = await tokens.issue(account, TokenPurpose.SECOND_FACTOR)
                await audit.record(AuditKind.LOGIN, account.customer_id, meta, stage="password")
            return SecondFactorNeeded(ticket, now() + tokens.LIFETIMES[TokenPurpose.SECOND_FACTOR])

        at = now()
        # Conditional: a concurrent burst past the limit may have locked the account meanwhile.
        if not await Account.filter(ratelimit.unlocked(at), id=account.id).update(
            failed_logins=0, locked_until=None, last_login_at=at
        ):
            raise await locked_error(account, meta, lock=False)
        return await start_session(
            account, settings, meta, bearer=bearer, device_name=device_name, previous=previous
        )


async def start_session(
    account: Account,
    settings: Settings,
    meta: RequestMeta,
    *,
    bearer: bool,
    device_name: str | None = None,
    previous: Session | None = None,
    second_factor: str | None = None,
) -> LoginResult:
    """Issue the tokens of a login whose checks all passed, and audit it (``LOGIN``; with
    ``second_factor``, how it was given: ``totp``/``recovery``).

    A cookie session, or a bearer one (``bearer``); with ``device_name`` (already checked by
    :func:`refresh_tokens.check_device_name`) a bearer login also starts a device login and
    returns its first refresh token. ``previous`` (the session the request came with) of the
    same kind ends, with the device login it belonged to."""
    kind = SessionKind.BEARER if bearer else SessionKind.COOKIE
    async with in_transaction():  # the session and its LOGIN event: together or neither
        if previous is not None and previous.kind == kind:
            await end_session(previous)  # a new token at every login
        issued = None
        if bearer and device_name is not None:
            issued = await refresh_tokens.start_family(account, device_name, settings, meta)
        token, session = await sessions.create_session(
            account, settings, meta, kind=kind, family=issued.family if issued else None
        )
        details = {"device": device_name} if issued else {}
        if second_factor:
            details["second_factor"] = second_factor
        await audit.record(
            AuditKind.LOGIN, account.customer_id, meta, session_kind=kind.value, **details
        )
    return LoginResult(
        token,
        session,
        account.customer_id,
        sessions.idle_deadline(session, settings),
        issued,
    )


async def end_session(session: Session) -> bool:
    """End a session, and the device login it was issued for (a mobile app's logout ends its
    refresh tokens too); True when this call ended it."""
    ended = await sessions.revoke(session.id)
    if session.family_id is not None:
        ended = await sessions.revoke_family(session.family_id, sessions.FamilyEnd.LOGOUT) or ended
    return ended


async def logout(auth: sessions.ActiveSession | None, meta: RequestMeta) -> None:
    if auth is None:
        return
    async with in_transaction():
        if await end_session(auth.session):
            await audit.record(AuditKind.LOGOUT, auth.customer_id, meta)


async def logout_other_sessions(auth: sessions.ActiveSession, meta: RequestMeta) -> int:
    async with in_transaction():
        count = await sessions.revoke_all(
            auth.session.account_id, except_session_id=auth.session.id
        )
        await audit.record(AuditKind.SESSION_REVOKED, auth.customer_id, meta, count=count)
    return count


async def active_sessions(customer_id: int, settings: Settings) -> list[Session]:
    """The customer's live sessions, most recently used first; a device login's access session
    is listed with its device login (:func:`refresh_tokens.device_logins`), not here."""
    at = now()
    return (
        await Session.filter(
            account__customer_id=customer_id,
            family_id__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=at,
            last_activity_at__gt=at - timedelta(seconds=settings.session_idle_seconds),
        )
        .order_by("-last_activity_at", "-id")
        .limit(100)
    )


async def revoke_session(customer_id: int, session_id: int | None, meta: RequestMeta) -> int:
    """Revoke one of the customer's own sessions; another customer's id is ``NOT_FOUND``."""
    if session_id is None or not 0 < session_id < 2**31:
        raise DomainError(ErrorCode.NOT_FOUND, "session_id")
    key = session_id
    owned = await Session.get_or_none(id=key, account__customer_id=customer_id)
    if owned is None:
        raise DomainError(ErrorCode.NOT_FOUND, "session_id")
    async with in_transaction():
        if not await end_session(owned):
            raise DomainError(ErrorCode.NOT_FOUND, "session_id")
        await audit.record(AuditKind.SESSION_REVOKED, customer_id, meta, session_id=key)
    return key


_BROWSERS = (
    ("ICOK", r"ICOK"),
    ("Edge", r"Edg/"),
    ("Opera", r"OPR/"),
    ("Firefox", r"Firefox/"),
    ("Chrome", r"Chrome/|CriOS/"),
    ("Safari", r"Safari/"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iOS"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux"),
)


def describe_device(user_agent: str) -> str:
    """A short label such as "Firefox, Linux" for the list of sessions."""
    browser = next((name for name, rx in _BROWSERS if re.search(rx, user_agent)), "")
    system = next((name for name, rx in _SYSTEMS if re.search(rx, user_agent)), "")
    return ", ".join(p for p in (browser, system) if p) or (user_agent[:40] or "?")

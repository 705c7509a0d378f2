"""Staff accounts of the customer-service console: roles, and who is asking (the staff session).

Staff accounts are separate from customers' accounts (``backend.models.staff``): a staff member
cannot log in to the customer portal and a customer's session never opens the console.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NoReturn

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import StaffMember, StaffRecoveryCode, StaffSession
from backend.models.enums import AuditKind, StaffRole
from backend.services import audit, ratelimit, totp
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.identifiers import normalise_email
from backend.services.passwords import (
    MAX_LENGTH,
    check_policy,
    dummy_verify,
    hash_password,
    hashing,
    verify_password,
)
from backend.services.request import RequestMeta
from backend.services.sessions import hash_token, new_token
from backend.services.text import check_text, displayable
from backend.services.totp import Enrolment

ROLE_ORDER = (StaffRole.AGENT, StaffRole.SUPERVISOR, StaffRole.ADMIN)
"""Each role may do what the roles before it may."""


def role_allows(role: StaffRole, needed: StaffRole) -> bool:
    """Whether a member with ``role`` may do what needs ``needed`` (agent < supervisor < admin)."""
    return ROLE_ORDER.index(role) >= ROLE_ORDER.index(needed)


@dataclass(frozen=True)
class StaffAuth:
    """The console session a request came with, and its staff member."""

    session: StaffSession
    staff: StaffMember
    expires_at: datetime
    """When the session ends if nothing else happens: idle deadline or absolute expiry."""

    @property
    def verified(self) -> bool:
        """The second factor was given (a session that passed the password only is not)."""
        return self.session.second_factor_at is not None

    def writer(self) -> str:
        """Who writes, for audit details and ``feed.Writer``: ``staff:<id>:<name>``."""
        return f"staff:{self.staff.id}:{self.staff.name}"


IDLE = timedelta(minutes=15)
"""A console session ends after 15 minutes without the staff member doing anything..."""
MAX_AGE = timedelta(hours=10)
"""...and in any case 10 hours (a working day) after the login."""
SECOND_FACTOR_WINDOW = timedelta(minutes=5)
"""A session that passed the password only must give the second factor within this time."""


def idle_deadline(session: StaffSession) -> datetime:
    """When ``session`` ends if nothing else happens: 15 minutes after its last activity, at
    most its absolute end; while the second factor is missing, 5 minutes after the password
    (``created_at``), fixed: requests (even wrong codes) never extend that window."""
    if session.second_factor_at is None:
        return min(session.created_at + SECOND_FACTOR_WINDOW, session.expires_at)
    return min(session.last_activity_at + IDLE, session.expires_at)


async def resolve_session(token: str, *, background: bool = False) -> StaffAuth | None:
    """The live console session for ``token`` (the ``icok_staff`` cookie) with its member, its
    idle timer extended unless ``background``; None for a missing, unknown, revoked, idle or
    expired session, or a disabled member."""
    if not token or len(token) > 128:
        return None
    session = await StaffSession.get_or_none(token_hash=hash_token(token)).select_related("staff")
    if session is None or session.revoked_at is not None or session.staff.disabled_at is not None:
        return None
    at = now()
    if at >= idle_deadline(session):
        return None
    if not background:
        # Conditional: never moves the timer backwards when requests race.
        await StaffSession.filter(id=session.id, last_activity_at__lt=at).update(
            last_activity_at=at
        )
        session.last_activity_at = max(session.last_activity_at, at)
    return StaffAuth(session, session.staff, idle_deadline(session))


# --- accounts, login and the second factor ------------------------------------------------

LOCK_AFTER = 5
"""Failed attempts (passwords and codes alike) in a row that lock a member..."""
LOCK_FOR = timedelta(minutes=15)
"""...for this long."""
IP_FAILURES = 20
IP_WINDOW = timedelta(minutes=15)
"""At most 20 failed console logins per client address per 15 minutes (``RATE_LIMITED``)."""
NAME_MAX = 100
INITIAL_PASSWORD_VALID = timedelta(hours=72)
"""An initial password (made by ``icok staff create`` / ``reset-password`` or an admin on the
Staff screen) must be replaced at a login within 72 hours; after that it no longer works."""
INITIAL_PASSWORD_BYTES = 15
"""A generated initial password: 15 random bytes, 20 URL-safe characters (~120 bits)."""


@dataclass(frozen=True)
class StaffLogin:
    """A started console session: its token (the ``icok_staff`` cookie) and what it is."""

    token: str
    auth: StaffAuth
    enrolment: Enrolment | None = None
    """Set when the member must enrol (no confirmed TOTP secret yet)."""
    recovery_codes: tuple[str, ...] = ()
    """The new recovery codes, when the second factor just completed the enrolment."""


def enrolment(staff: StaffMember, secret: str, settings: Settings) -> Enrolment:
    """The QR code and URI for ``secret`` (issuer: ``settings.operator_name``)."""
    return totp.enrolment(staff.email, secret, settings.operator_name)


def _details(staff: StaffMember | None, **more: Any) -> dict[str, Any]:
    return {
        "staff": staff.id if staff else None,
        "staff_name": staff.name if staff else None,
        **more,
    }


def _email(errors: Collector, email: str) -> str:
    """``email`` normalised (``identifiers.normalise_email``), or "" with its error (``REQUIRED``,
    ``INVALID_EMAIL``, ``TOO_LONG`` on ``email``) added to ``errors``."""
    if not (email or "").strip():
        errors.add(ErrorCode.REQUIRED, "email")
        return ""
    try:
        return normalise_email(email, field="email")
    except DomainError as exc:
        errors.errors.append(exc)
        return ""


async def create_staff(
    email: str,
    name: str,
    role: StaffRole,
    meta: RequestMeta,
    *,
    settings: Settings,
    password: str | None = None,
    by: StaffMember | None = None,
) -> tuple[StaffMember, str | None]:
    """A new console account and its initial password: generated (returned, to be shown once)
    unless ``password`` is given (checked by ``passwords.check_policy``; None returned). Either
    way it is an initial password: valid for :data:`INITIAL_PASSWORD_VALID` (72 hours) and to
    be replaced at the first login (:func:`change_initial_password`).
    Errors: ``INVALID_EMAIL``/``TOO_LONG``/``REQUIRED`` on ``email``, ``REQUIRED``/``TOO_LONG``/
    ``FORBIDDEN_CHARACTER`` on ``name``, password policy errors on ``password``,
    ``STAFF_EMAIL_TAKEN``. ``by``: the admin who creates it (None: the command line)."""
    errors = Collector()
    address = _email(errors, email)
    clean_name = check_text(errors, name, "name", NAME_MAX, required=True)
    errors.raise_if_any()
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(INITIAL_PASSWORD_BYTES)
    else:
        await check_policy(
            password, email=address, names=clean_name.split(), language=meta.language
        )
    if await StaffMember.exists(email=address):
        raise DomainError(ErrorCode.STAFF_EMAIL_TAKEN, "email", {"email": address})
    password_hash = await hash_password(password, settings)
    try:
        async with in_transaction():
            member = await StaffMember.create(
                email=address,
                name=clean_name,
                role=role,
                password_hash=password_hash,
                created_at=now(),
                initial_password_expires_at=now() + INITIAL_PASSWORD_VALID,
            )
            await audit.record(
                AuditKind.STAFF_ACCOUNT,
                None,
                meta,
                **_details(by, action="create", member=member.id, role=role.value),
            )
    except IntegrityError:  # created concurrently
        raise DomainError(ErrorCode.STAFF_EMAIL_TAKEN, "email", {"email": address}) from None
    return member, generated


class AccountState(StrEnum):
    """Where a console account stands, most pressing first (:func:`account_state`)."""

    DISABLED = "disabled"
    LOCKED = "locked"
    """Too many failed attempts: ``locked_until`` is still ahead."""
    INITIAL_PASSWORD_EXPIRED = "initial_password_expired"
    """The initial password was not replaced in time: an admin resets it again."""
    INITIAL_PASSWORD_PENDING = "initial_password_pending"
    """An initial password waits to be replaced at the first login (until
    ``initial_password_expires_at``)."""
    ENROLMENT_PENDING = "enrolment_pending"
    """The member's own password is set, the TOTP second factor not yet."""
    ENROLLED = "enrolled"


def account_state(member: StaffMember) -> AccountState:
    """``member``'s :class:`AccountState` now (``backend.clock``): disabled, else locked, else
    the initial password's state, else whether the second factor is set up."""
    moment = now()
    if member.disabled_at is not None:
        return AccountState.DISABLED
    if member.locked_until is not None and member.locked_until > moment:
        return AccountState.LOCKED
    if member.initial_password_expires_at is not None:
        if member.initial_password_expires_at <= moment:
            return AccountState.INITIAL_PASSWORD_EXPIRED
        return AccountState.INITIAL_PASSWORD_PENDING
    if member.totp_confirmed_at is None:
        return AccountState.ENROLMENT_PENDING
    return AccountState.ENROLLED


async def list_staff() -> list[StaffMember]:
    """Every staff member, by e-mail."""
    return await StaffMember.all().order_by("email")


async def find_member(email: str) -> StaffMember:
    """The member with ``email`` (normalised); ``NOT_FOUND`` on ``email`` otherwise."""
    address = normalise_email(email, field="email")
    member = await StaffMember.get_or_none(email=address)
    if member is None:
        raise DomainError(ErrorCode.NOT_FOUND, "email")
    return member


async def revoke_sessions(staff_id: int, *, keep: int | None = None) -> int:
    """End every live session of a member (but the session ``keep``, e.g. the one that
    changed the password); how many."""
    query = StaffSession.filter(staff_id=staff_id, revoked_at__isnull=True)
    if keep is not None:
        query = query.exclude(id=keep)
    return await query.update(revoked_at=now())


def _not_yourself(member: StaffMember, by: StaffMember | None) -> None:
    """``NOT_YOURSELF`` when an admin acts on their own account (``by`` None: the CLI)."""
    if by is not None and by.id == member.id:
        raise DomainError(ErrorCode.NOT_YOURSELF)


async def disable(member: StaffMember, meta: RequestMeta, *, by: StaffMember | None) -> StaffMember:
    """Disable ``member`` (no login, sessions ended); disabling twice changes nothing.

    Errors: ``NOT_YOURSELF`` (an admin disabling their own account), ``LAST_ADMIN`` (no other
    enabled admin would be left; checked after the conditional update, in its transaction,
    which is rolled back), for the console and the CLI alike."""
    _not_yourself(member, by)
    async with in_transaction():
        await StaffMember.filter(id=member.id, disabled_at__isnull=True).update(disabled_at=now())
        if member.role is StaffRole.ADMIN and not await StaffMember.exists(
            role=StaffRole.ADMIN, disabled_at__isnull=True
        ):
            raise DomainError(ErrorCode.LAST_ADMIN)
        await revoke_sessions(member.id)
        await audit.record(
            AuditKind.STAFF_ACCOUNT, None, meta, **_details(by, action="disable", member=member.id)
        )
    await member.refresh_from_db()
    return member


async def enable(member: StaffMember, meta: RequestMeta, *, by: StaffMember | None) -> StaffMember:
    """Enable a disabled ``member`` again (and lift a lockout)."""
    async with in_transaction():
        await StaffMember.filter(id=member.id).update(
            disabled_at=None, locked_until=None, failed_logins=0
        )
        await audit.record(
            AuditKind.STAFF_ACCOUNT, None, meta, **_details(by, action="enable", member=member.id)
        )
    await member.refresh_from_db()
    return member


async def _forget_second_factor(member_id: int, **columns: Any) -> None:
    """In one transaction: forget the member's TOTP secret and recovery codes, set ``columns``
    too, and end every session of theirs."""
    async with in_transaction():
        await StaffMember.filter(id=member_id).update(
            totp_secret=None, totp_confirmed_at=None, totp_last_step=0, **columns
        )
        await StaffRecoveryCode.filter(staff_id=member_id).delete()
        await revoke_sessions(member_id)


async def reset_second_factor(
    member: StaffMember, meta: RequestMeta, *, by: StaffMember | None
) -> StaffMember:
    """Forget ``member``'s TOTP secret and recovery codes and end their sessions: the next
    login enrols again (a lost phone). ``NOT_YOURSELF`` for an admin's own account."""
    _not_yourself(member, by)
    async with in_transaction():
        await _forget_second_factor(member.id)
        await audit.record(
            AuditKind.STAFF_ACCOUNT,
            None,
            meta,
            **_details(by, action="reset_second_factor", member=member.id),
        )
    await member.refresh_from_db()
    return member


async def reset_password(
    member: StaffMember, meta: RequestMeta, *, settings: Settings, by: StaffMember | None
) -> tuple[StaffMember, str]:
    """Give ``member`` a new generated initial password (returned, to be shown once; valid for
    :data:`INITIAL_PASSWORD_VALID`, replaced at the next login), forget their second factor and
    recovery codes (the next login enrols again), lift a lockout and end their sessions.
    ``by``: the admin (None: the command line). Errors: ``NOT_YOURSELF`` (an admin's own
    account: they change their password on "Your account")."""
    _not_yourself(member, by)
    password = secrets.token_urlsafe(INITIAL_PASSWORD_BYTES)
    password_hash = await hash_password(password, settings)
    async with in_transaction():
        await _forget_second_factor(
            member.id,
            password_hash=password_hash,
            initial_password_expires_at=now() + INITIAL_PASSWORD_VALID,
            failed_logins=0,
            locked_until=None,
        )
        await audit.record(
            AuditKind.STAFF_ACCOUNT,
            None,
            meta,
            **_details(by, action="reset_password", member=member.id),
        )
    await member.refresh_from_db()
    return member, password


def _minutes_until(at: datetime) -> int:
    return max(1, math.ceil((at - now()).total_seconds() / 60))


async def _attempt(staff_id: int) -> int | None:
    """Count an attempt (a password or a code) BEFORE its verdict: the count after it, or None
    while the member is locked (:func:`ratelimit.count_attempt`: concurrent attempts each see
    their own count, so at most :data:`LOCK_AFTER` of them get a verdict)."""
    return await ratelimit.count_attempt(StaffMember, staff_id)


async def _counted_attempt(staff: StaffMember, meta: RequestMeta) -> int:
    """:func:`_attempt` for ``staff``: its count, or ``ACCOUNT_LOCKED`` (``minutes``) while
    locked or when concurrent attempts went past the limit (which locks)."""
    count = await _attempt(staff.id)
    if count is None or count > LOCK_AFTER:
        if count is not None:
            await _lock(staff, meta)
        raise await _locked_error(staff)
    return count


async def _lock(staff: StaffMember, meta: RequestMeta) -> datetime:
    """Lock ``staff`` for :data:`LOCK_FOR` (the count starts again after); the lock's end.

    The lock stops guessing (passwords and codes) but ends only the member's password-only
    sessions, never a verified one: anyone who knows a staff e-mail can cause a lock with five
    wrong passwords, and that must not throw the member out of the console mid-work. The
    trade-off: an attacker who already holds a verified session keeps it through a lock; an
    admin ends it by disabling the member or resetting the password / second factor, and
    lifts a lock early by enabling the member."""
    at = now()
    until = at + LOCK_FOR
    if await ratelimit.lock_row(StaffMember, staff.id, until):
        await StaffSession.filter(
            staff_id=staff.id, second_factor_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=at)
        await audit.record(AuditKind.STAFF_LOCKED, None, meta, **_details(staff))
        return until
    row = await StaffMember.get(id=staff.id)
    return row.locked_until or until


async def _locked_error(staff: StaffMember) -> DomainError:
    until = await ratelimit.locked_until(StaffMember, staff.id)
    return DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": _minutes_until(until)})


def _ip_key(meta: RequestMeta) -> str:
    """The ``ratelimit`` key counting failed console logins from the client's address."""
    return f"staff-login-ip:{meta.ip}"


async def _record_failure(member: StaffMember | None, meta: RequestMeta, **reason: Any) -> None:
    """A failed attempt: counted against the client's address (:data:`IP_FAILURES` per
    :data:`IP_WINDOW`) and audited (``STAFF_LOGIN_FAILED``, ``reason`` among its details)."""
    await ratelimit.hit(_ip_key(meta), limit=IP_FAILURES, window=IP_WINDOW)
    await audit.record(AuditKind.STAFF_LOGIN_FAILED, None, meta, **_details(member, **reason))


_FAILED_FIELDS = {
    ErrorCode.INVALID_SECOND_FACTOR: "code",
    ErrorCode.WRONG_PASSWORD: "current_password",
}


async def _failed(
    staff: StaffMember, count: int, meta: RequestMeta, code: ErrorCode, **reason: Any
) -> DomainError:
    """The error for a failed attempt that was counted as ``count``: it locks at the limit.
    ``reason``: more audit details (e.g. ``reason="initial_password_expired"``)."""
    await _record_failure(staff, meta, **reason)
    if count >= LOCK_AFTER:
        until = await _lock(staff, meta)
        return DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": _minutes_until(until)})
    return DomainError(code, _FAILED_FIELDS.get(code))


async def _undo_attempt(staff_id: int) -> None:
    """A counted attempt succeeded: it is not a failure."""
    await ratelimit.undo_attempt(StaffMember, staff_id)


def _email_key(address: str) -> str:
    """The ``ratelimit`` key counting failed logins for an e-mail that opens no account (its
    SHA-256: the table never holds the addresses people tried)."""
    return f"staff-login-email:{hash_token(address)}"


async def _refuse_unknown(
    address: str, password: str, member: StaffMember | None, settings: Settings, meta: RequestMeta
) -> NoReturn:
    """Refuse a login for an e-mail of no member, or of a disabled one, exactly as a wrong
    password of a member is refused: failures are counted per normalised e-mail
    (:func:`ratelimit.attempt_in_a_row`, the semantics of ``failed_logins``), the 5th locks it
    for 15 minutes (``ACCOUNT_LOCKED``), and the same bcrypt work is done in every branch, so
    the answers and their timing never tell which staff e-mails exist. Always raises."""
    key = _email_key(address)
    count = await ratelimit.attempt_in_a_row(key)
    if member is None:
        await dummy_verify(password, settings)
    else:
        await verify_password(password, member.password_hash, settings)
    if count is None or count > LOCK_AFTER:
        until = await ratelimit.lock_in_a_row(key, now() + LOCK_FOR)
        raise DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": _minutes_until(until)})
    await _record_failure(member, meta)
    if count >= LOCK_AFTER:
        until = await ratelimit.lock_in_a_row(key, now() + LOCK_FOR)
        raise DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": _minutes_until(until)})
    raise DomainError(ErrorCode.INVALID_CREDENTIALS)


async def _auth(session_id: int) -> StaffAuth:
    session = await StaffSession.get(id=session_id).select_related("staff")
    return StaffAuth(session, session.staff, idle_deadline(session))


async def login(email: str, password: str, settings: Settings, meta: RequestMeta) -> StaffLogin:
    """Check a member's password and start a password-only session (5 minutes to give the
    second factor: :func:`second_factor`). With an initial password the member must first
    replace it (:func:`change_initial_password`, :func:`must_change_password`); otherwise
    ``enrolment`` is set when the member has no confirmed TOTP secret (a new secret is made on
    the first such login).

    Errors: ``REQUIRED`` (``email``/``password``), ``INVALID_EMAIL``/``TOO_LONG`` (``email``),
    ``RATE_LIMITED`` (``minutes``: 20 failures per address per 15 minutes),
    ``INVALID_CREDENTIALS`` for an unknown e-mail, a disabled member or a wrong password (after
    the same bcrypt work) and for an initial password past its 72 hours (audited with
    ``reason``), ``ACCOUNT_LOCKED`` (``minutes``) when this or earlier failures (5
    in a row, passwords and codes) locked the member for 15 minutes; an unknown or disabled
    e-mail is counted and locked the same way (:func:`_refuse_unknown`): the answers never tell
    whether an e-mail is a member's. Before all of them ``SERVER_BUSY`` when bcrypt's queue is
    full (``passwords.hashing``: nothing read or counted)."""
    async with hashing(settings):
        seen = await ratelimit.peek(_ip_key(meta), limit=IP_FAILURES)
        if seen is not None and not seen.allowed:
            raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": seen.retry_minutes})
        errors = Collector()
        address = _email(errors, email)
        if not password:
            errors.add(ErrorCode.REQUIRED, "password")
        errors.raise_if_any()
        member = await StaffMember.get_or_none(email=address)
        if len(password) > MAX_LENGTH:
            await dummy_verify(password[: MAX_LENGTH + 1], settings)
            await _record_failure(member, meta)
            raise DomainError(ErrorCode.INVALID_CREDENTIALS)
        if member is None or member.disabled_at is not None:
            await _refuse_unknown(address, password, member, settings, meta)
        assert member is not None
        count = await _attempt(member.id)
        checked = await verify_password(password, member.password_hash, settings)
        if count is None or count > LOCK_AFTER:
            if count is not None:
                await _lock(member, meta)
            raise await _locked_error(member)
        if not checked:
            raise await _failed(member, count, meta, ErrorCode.INVALID_CREDENTIALS)
        expires = member.initial_password_expires_at
        if expires is not None and now() >= expires:
            raise await _failed(
                member,
                count,
                meta,
                ErrorCode.INVALID_CREDENTIALS,
                reason="initial_password_expired",
            )
        await _undo_attempt(member.id)
        at = now()
        token = new_token()
        async with in_transaction():
            session = await StaffSession.create(
                staff=member,
                token_hash=hash_token(token),
                created_at=at,
                last_activity_at=at,
                expires_at=at + MAX_AGE,
                ip=meta.ip[:45],
                user_agent=displayable(meta.user_agent)[:300],
            )
            await audit.record(
                AuditKind.STAFF_LOGIN, None, meta, **_details(member, stage="password")
            )
        found = None if expires is not None else await _enrolment_of(member, settings)
        return StaffLogin(token, await _auth(session.id), enrolment=found)


async def _enrolment_of(member: StaffMember, settings: Settings) -> Enrolment | None:
    """The enrolment a member without a confirmed TOTP secret needs (a secret is made on the
    first such call), None for an enrolled member."""
    if member.totp_confirmed_at is not None:
        return None
    if member.totp_secret is None:
        await StaffMember.filter(id=member.id, totp_secret__isnull=True).update(
            totp_secret=totp.new_secret()
        )
        await member.refresh_from_db()
    assert member.totp_secret is not None
    return enrolment(member, member.totp_secret, settings)


def must_change_password(member: StaffMember) -> bool:
    """The member logged in with an initial password and must replace it before anything else."""
    return member.initial_password_expires_at is not None


async def _new_password_checked(
    member: StaffMember, new_password: str, settings: Settings, meta: RequestMeta
) -> str:
    """``new_password`` checked by the customers' policy (``passwords.check_policy`` with the
    member's e-mail and name) and against the current password: its hash. Errors:
    ``REQUIRED`` and the policy's codes on ``new_password``, ``PASSWORD_UNCHANGED``."""
    if not new_password:
        raise DomainError(ErrorCode.REQUIRED, "new_password")
    await check_policy(
        new_password,
        email=member.email,
        names=member.name.split(),
        language=meta.language,
        field="new_password",
    )
    if await verify_password(new_password, member.password_hash, settings):
        raise DomainError(ErrorCode.PASSWORD_UNCHANGED, "new_password")
    return await hash_password(new_password, settings)


async def change_initial_password(
    auth: StaffAuth, new_password: str, settings: Settings, meta: RequestMeta
) -> tuple[StaffAuth, Enrolment | None]:
    """Replace the initial password in the password-only session of the login that used it
    (the same 5 minutes as the second factor); then the second factor (or the enrolment, whose
    QR code the answer carries) as usual. The member's other sessions end. Returns the session
    (still password-only, same cookie) and the enrolment (None for an enrolled member).

    Errors: ``NOT_AUTHENTICATED`` (a verified session, no initial password to replace, or the
    session ended), ``REQUIRED`` / policy codes / ``PASSWORD_UNCHANGED`` on ``new_password``."""
    async with hashing(settings):
        member = auth.staff
        await member.refresh_from_db()
        if auth.verified or not must_change_password(member):
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        new_hash = await _new_password_checked(member, new_password, settings, meta)
        async with in_transaction():
            if not await StaffMember.filter(
                id=member.id,
                password_hash=member.password_hash,
                initial_password_expires_at__isnull=False,
            ).update(password_hash=new_hash, initial_password_expires_at=None):
                raise DomainError(ErrorCode.NOT_AUTHENTICATED)  # changed concurrently
            await revoke_sessions(member.id, keep=auth.session.id)
            await audit.record(
                AuditKind.STAFF_ACCOUNT, None, meta, **_details(member, action="initial_password")
            )
        await member.refresh_from_db()
        return await _auth(auth.session.id), await _enrolment_of(member, settings)


async def _spend_totp(member: StaffMember, code: str) -> bool:
    """Whether ``code`` is a valid TOTP code of ``member`` not used before (each time step once)."""
    return await totp.spend_step(StaffMember, member.id, member.totp_secret, code)


async def _spend_recovery(member: StaffMember, code: str) -> bool:
    if member.totp_confirmed_at is None:
        return False
    return await totp.spend_recovery(StaffRecoveryCode, {"staff_id": member.id}, code)


async def _new_recovery_codes(staff_id: int) -> tuple[str, ...]:
    return await totp.replace_recovery_codes(StaffRecoveryCode, {"staff_id": staff_id})


async def second_factor(
    auth: StaffAuth, code: str, meta: RequestMeta, *, recovery: bool = False
) -> StaffLogin:
    """Finish the login of a password-only session with a TOTP code (or, with ``recovery``,
    one unused recovery code, spent). For a member enrolling, the first valid code confirms the
    secret and the answer carries 10 new recovery codes (shown once). The session gets
    ``second_factor_at`` and a NEW token (the old one stops working: no session fixation).

    Errors: ``REQUIRED`` / ``INVALID_SECOND_FACTOR`` (``code``: wrong, expired, replayed, a
    spent recovery code; each counts as a failure), ``ACCOUNT_LOCKED`` (``minutes``), and
    ``NOT_AUTHENTICATED`` when the session already passed its second factor or has ended,
    ``PASSWORD_CHANGE_REQUIRED`` while the initial password is not replaced
    (:func:`change_initial_password`)."""
    if auth.verified:
        raise DomainError(ErrorCode.NOT_AUTHENTICATED)
    value = totp.clean_code(code)
    member = auth.staff
    await member.refresh_from_db()
    if must_change_password(member):
        raise DomainError(ErrorCode.PASSWORD_CHANGE_REQUIRED)
    count = await _counted_attempt(member, meta)
    await member.refresh_from_db()
    enrolling = member.totp_confirmed_at is None
    if recovery and not enrolling:
        ok = await _spend_recovery(member, value)
    else:
        ok = await _spend_totp(member, value)
    if not ok:
        raise await _failed(member, count, meta, ErrorCode.INVALID_SECOND_FACTOR)
    at = now()
    token = new_token()
    async with in_transaction():  # the verified session, enrolment and the event together
        if not await StaffSession.filter(
            id=auth.session.id,
            token_hash=auth.session.token_hash,
            second_factor_at__isnull=True,
            revoked_at__isnull=True,
        ).update(token_hash=hash_token(token), second_factor_at=at, last_activity_at=at):
            raise DomainError(ErrorCode.NOT_AUTHENTICATED)
        await StaffMember.filter(id=member.id).update(failed_logins=0, last_login_at=at)
        codes: tuple[str, ...] = ()
        if enrolling:
            await StaffMember.filter(id=member.id, totp_confirmed_at__isnull=True).update(
                totp_confirmed_at=at
            )
            codes = await _new_recovery_codes(member.id)
        await audit.record(
            AuditKind.STAFF_SECOND_FACTOR,
            None,
            meta,
            **_details(
                member,
                method="recovery" if recovery and not enrolling else "totp",
                enrolled=enrolling,
            ),
        )
    return StaffLogin(token, await _auth(auth.session.id), recovery_codes=codes)


async def change_password(
    auth: StaffAuth,
    current_password: str,
    new_password: str,
    code: str,
    settings: Settings,
    meta: RequestMeta,
) -> None:
    """The logged-in member changes their password ("Your account"): the current password and
    a current TOTP code confirm it (each wrong one counts towards the lockout like a login);
    the new one passes the policy and differs from the current. Every other session of the
    member ends (this one stays).

    Errors: ``REQUIRED`` (``current_password``, ``new_password``, ``code``), policy codes and
    ``PASSWORD_UNCHANGED`` on ``new_password``, ``WRONG_PASSWORD`` (``current_password``),
    ``INVALID_SECOND_FACTOR`` (``code``), ``ACCOUNT_LOCKED`` (``minutes``)."""
    async with hashing(settings):
        errors = Collector()
        if not current_password:
            errors.add(ErrorCode.REQUIRED, "current_password")
        if not (code or "").strip():
            errors.add(ErrorCode.REQUIRED, "code")
        errors.raise_if_any()
        value = totp.clean_code(code)
        member = auth.staff
        await member.refresh_from_db()
        new_hash = await _new_password_checked(member, new_password, settings, meta)
        count = await _counted_attempt(member, meta)
        if len(current_password) > MAX_LENGTH or not await verify_password(
            current_password, member.password_hash, settings
        ):
            raise await _failed(member, count, meta, ErrorCode.WRONG_PASSWORD)
        await member.refresh_from_db()
        if not await _spend_totp(member, value):
            raise await _failed(member, count, meta, ErrorCode.INVALID_SECOND_FACTOR)
        await _undo_attempt(member.id)
        async with in_transaction():
            await StaffMember.filter(id=member.id).update(
                password_hash=new_hash, initial_password_expires_at=None
            )
            await revoke_sessions(member.id, keep=auth.session.id)
            await audit.record(
                AuditKind.STAFF_ACCOUNT, None, meta, **_details(member, action="change_password")
            )


async def regenerate_recovery_codes(
    auth: StaffAuth, code: str, meta: RequestMeta
) -> tuple[str, ...]:
    """10 new recovery codes for the logged-in member (the old ones stop working), confirmed
    by a current TOTP code. Errors: ``REQUIRED``/``INVALID_SECOND_FACTOR`` (``code``, counted
    as a failure), ``ACCOUNT_LOCKED``."""
    value = totp.clean_code(code)
    member = auth.staff
    count = await _counted_attempt(member, meta)
    await member.refresh_from_db()
    if not await _spend_totp(member, value):
        raise await _failed(member, count, meta, ErrorCode.INVALID_SECOND_FACTOR)
    await _undo_attempt(member.id)
    async with in_transaction():
        codes = await _new_recovery_codes(member.id)
        await audit.record(
            AuditKind.STAFF_ACCOUNT, None, meta, **_details(member, action="recovery_codes")
        )
    return codes


async def logout(auth: StaffAuth | None, meta: RequestMeta) -> None:
    """End the console session (nothing happens without one)."""
    if auth is None:
        return
    async with in_transaction():
        if await StaffSession.filter(id=auth.session.id, revoked_at__isnull=True).update(
            revoked_at=now()
        ):
            await audit.record(AuditKind.STAFF_LOGOUT, None, meta, **_details(auth.staff))

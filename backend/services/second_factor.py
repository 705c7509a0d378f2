"""The customer's optional TOTP second factor: turning it on and off in Security, recovery
codes, and finishing a login with a code (``accounts.login`` hands out the ticket).

Turning it on: :func:`start` makes a secret (QR code and the secret for typing by hand),
:func:`confirm` takes a first valid code, switches it on and returns 10 recovery codes (shown
once). While it is on, a right password gives a single-use ticket (``accounts.login``, 5
minutes, only its SHA-256 stored as an ``AccountToken``) instead of a session, and
:func:`complete_login` takes the ticket with a TOTP code or a recovery code. Each time step and
each recovery code is accepted once (``services.totp``: conditional UPDATEs).

Every code (and the password asked to turn it off) is an attempt counted BEFORE its verdict on
the account's own second-factor count (``accounts.second_factor_key``, a ``ratelimit`` row:
``attempt_in_a_row``), apart from the password's ``failed_logins``: 5 failures in a row lock
codes for 15 minutes (``accounts.LOCK_FOR``; the login then answers ``ACCOUNT_LOCKED`` after the
right password) and end the waiting ticket. A password reset (which lifts the password's lock)
does not touch it, and a right password does not start it again (only a finished login does),
so a stolen password, or a mailbox, gives at most 5 guesses of a 6-digit code per 15 minutes.
Mistakes inside a session (setting up, new recovery codes, turning it off) count there too,
audited ``SECOND_FACTOR_FAILED``: never as failed logins, never on the login's per-address
limit, and they never lock the password.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from backend.clock import now
from backend.config import Settings
from backend.models import Account, AccountRecoveryCode, Customer, Session, StaffMember
from backend.models.enums import AuditKind, TokenPurpose
from backend.services import accounts, audit, emails, ratelimit, sessions, tokens, totp
from backend.services.errors import Collector, DomainError, ErrorCode
from backend.services.passwords import MAX_LENGTH, hashing, verify_password
from backend.services.request import RequestMeta


def _codes_of(account_id: int) -> dict[str, int]:
    return {"account_id": account_id}


async def account_of(auth: sessions.ActiveSession) -> Account:
    """The account of the logged-in customer's session."""
    return await Account.get(id=auth.session.account_id)


def is_on(account: Account) -> bool:
    """Whether ``account``'s logins ask for the second factor."""
    return account.totp_confirmed_at is not None


async def recovery_codes_left(account_id: int) -> int:
    """How many of the account's recovery codes are unused."""
    return await totp.unused_recovery_codes(AccountRecoveryCode, _codes_of(account_id))


def _key(account: Account) -> str:
    return accounts.second_factor_key(account.id)


async def _lock_error(
    account: Account, meta: RequestMeta, *, lock: bool, login: bool = False
) -> DomainError:
    """``ACCOUNT_LOCKED`` (``minutes``: the running code lock's; with ``lock`` codes are locked
    for :data:`accounts.LOCK_FOR` first, unless they are already); the waiting login ticket
    ends. In a login (``login``) audited as ``LOGIN_LOCKED``."""
    await tokens.revoke(account.id, TokenPurpose.SECOND_FACTOR)
    if lock:
        until = await ratelimit.lock_in_a_row(_key(account), now() + accounts.LOCK_FOR)
    else:
        until = await ratelimit.locked_in_a_row(_key(account)) or now()
    if login:
        await audit.record(AuditKind.LOGIN_LOCKED, account.customer_id, meta)
    return DomainError(ErrorCode.ACCOUNT_LOCKED, None, {"minutes": accounts.minutes_until(until)})


async def _counted(account: Account, meta: RequestMeta) -> int:
    """Count an attempt inside a session before its verdict: the count, or ``ACCOUNT_LOCKED``
    (``minutes``) while codes are locked or when concurrent attempts went past the limit."""
    count = await ratelimit.attempt_in_a_row(_key(account))
    if count is None or count > accounts.LOCK_AFTER:
        raise await _lock_error(account, meta, lock=count is not None)
    return count


async def _mistake(
    account: Account, count: int, meta: RequestMeta, code: ErrorCode, field: str
) -> DomainError:
    """The error for a mistake inside a session counted as ``count``: audited
    ``SECOND_FACTOR_FAILED`` (``reason``: ``second_factor:code``/``second_factor:password``),
    never a failed login; the :data:`accounts.LOCK_AFTER`-th locks codes."""
    await audit.record(
        AuditKind.SECOND_FACTOR_FAILED, account.customer_id, meta, reason=f"second_factor:{field}"
    )
    if count >= accounts.LOCK_AFTER:
        return await _lock_error(account, meta, lock=True)
    return DomainError(code, field)


async def _failed_login(account: Account, count: int, meta: RequestMeta) -> DomainError:
    """A wrong code finishing a login, counted as ``count``: audited ``LOGIN_FAILED``
    (``reason`` ``second_factor:code``), counted on the login's per-address limit; the
    :data:`accounts.LOCK_AFTER`-th locks codes and ends the ticket."""
    await ratelimit.hit(
        accounts.ip_key(meta), limit=accounts.IP_FAILURES, window=accounts.IP_WINDOW
    )
    await audit.record(
        AuditKind.LOGIN_FAILED, account.customer_id, meta, reason="second_factor:code"
    )
    if count >= accounts.LOCK_AFTER:
        return await _lock_error(account, meta, lock=True, login=True)
    # ``reason`` picks the login's own message (``<CODE>.login``: it points to the recovery codes).
    return DomainError(ErrorCode.INVALID_SECOND_FACTOR, "code", {"reason": "login"})


async def _spend_any(account: Account, code: str) -> str | None:
    """Spend ``code`` as a TOTP code (6 digits) or else as a recovery code: which (``totp`` /
    ``recovery``), or None when it is neither (wrong, replayed, used)."""
    if await totp.spend_step(Account, account.id, account.totp_secret, code):
        return "totp"
    if await totp.spend_recovery(AccountRecoveryCode, _codes_of(account.id), code):
        return "recovery"
    return None


async def _check_any(account: Account, code: str) -> tuple[str, int] | None:
    """``code`` checked without spending it: (``totp``, its time step) or (``recovery``, 0),
    or None when it is neither (wrong, replayed, used)."""
    step = await totp.usable_step(Account, account.id, account.totp_secret, code)
    if step is not None:
        return "totp", step
    if await totp.recovery_unused(AccountRecoveryCode, _codes_of(account.id), code):
        return "recovery", 0
    return None


async def _spend_checked(account: Account, checked: tuple[str, int], code: str) -> bool:
    """Spend the code :func:`_check_any` found good (conditional: False when a concurrent
    request spent it first)."""
    method, step = checked
    if method == "totp":
        return await totp.spend_this_step(Account, account.id, step)
    return await totp.spend_recovery(AccountRecoveryCode, _codes_of(account.id), code)


def _tell(settings: Settings, account: Account, customer: Customer, *, on: bool) -> None:
    emails.deliver_later(
        settings, emails.second_factor_changed(settings, customer.language, account.email, on=on)
    )


# --- Security: on, recovery codes, off --------------------------------------------------------


async def start(auth: sessions.ActiveSession, settings: Settings) -> totp.Enrolment:
    """Begin turning the second factor on: the QR code and secret to put into an
    authenticator app (the secret is made on the first call and kept until :func:`confirm`
    or :func:`disable`, so a reloaded page shows the same one). ``SECOND_FACTOR_ON`` when it
    is on already."""
    account = await account_of(auth)
    if is_on(account):
        raise DomainError(ErrorCode.SECOND_FACTOR_ON)
    if account.totp_secret is None:
        await Account.filter(id=account.id, totp_secret__isnull=True).update(
            totp_secret=totp.new_secret()
        )
        await account.refresh_from_db()
    assert account.totp_secret is not None
    return totp.enrolment(account.email, account.totp_secret, settings.operator_name)


async def confirm(
    auth: sessions.ActiveSession, code: str, settings: Settings, meta: RequestMeta
) -> tuple[str, ...]:
    """Turn the second factor on with a first valid code of the secret :func:`start` made:
    the 10 recovery codes (to be shown once). Every other session and device login of the
    account ends (``sessions.revoke_all``; the current one stays), as after a password change.
    Audited (``SECOND_FACTOR_ENABLED``), the customer is told by e-mail. Errors: ``REQUIRED``/``INVALID_SECOND_FACTOR`` (``code``, counted),
    ``ACCOUNT_LOCKED`` (``minutes``), ``SECOND_FACTOR_ON``, ``SECOND_FACTOR_NOT_STARTED``
    (no :func:`start` first)."""
    value = totp.clean_code(code)
    account = await account_of(auth)
    if is_on(account):
        raise DomainError(ErrorCode.SECOND_FACTOR_ON)
    if account.totp_secret is None:
        raise DomainError(ErrorCode.SECOND_FACTOR_NOT_STARTED)
    count = await _counted(account, meta)
    if not await totp.spend_step(Account, account.id, account.totp_secret, value):
        raise await _mistake(account, count, meta, ErrorCode.INVALID_SECOND_FACTOR, "code")
    await ratelimit.undo_in_a_row(_key(account))
    async with in_transaction():  # turned on, its codes, the other sessions ended and audited
        if not await Account.filter(
            id=account.id, totp_secret=account.totp_secret, totp_confirmed_at__isnull=True
        ).update(totp_confirmed_at=now()):
            raise DomainError(ErrorCode.SECOND_FACTOR_ON)  # confirmed concurrently
        codes = await totp.replace_recovery_codes(AccountRecoveryCode, _codes_of(account.id))
        # As after a password change: whoever else was logged in must log in again, with a code.
        await sessions.revoke_all(account.id, except_session_id=auth.session.id)
        await audit.record(AuditKind.SECOND_FACTOR_ENABLED, account.customer_id, meta)
    _tell(settings, account, await Customer.get(id=account.customer_id), on=True)
    return codes


async def renew_recovery_codes(
    auth: sessions.ActiveSession, code: str, meta: RequestMeta
) -> tuple[str, ...]:
    """10 new recovery codes (the old ones stop working), confirmed by a current TOTP code.
    Audited (``RECOVERY_CODES_RENEWED``). Errors: ``REQUIRED``/``INVALID_SECOND_FACTOR``
    (``code``, counted), ``ACCOUNT_LOCKED``, ``SECOND_FACTOR_OFF``."""
    value = totp.clean_code(code)
    account = await account_of(auth)
    if not is_on(account):
        raise DomainError(ErrorCode.SECOND_FACTOR_OFF)
    count = await _counted(account, meta)
    if not await totp.spend_step(Account, account.id, account.totp_secret, value):
        raise await _mistake(account, count, meta, ErrorCode.INVALID_SECOND_FACTOR, "code")
    await ratelimit.undo_in_a_row(_key(account))
    async with in_transaction():
        codes = await totp.replace_recovery_codes(AccountRecoveryCode, _codes_of(account.id))
        await audit.record(AuditKind.RECOVERY_CODES_RENEWED, account.customer_id, meta)
    return codes


async def _forget(account_id: int) -> None:
    await Account.filter(id=account_id).update(
        totp_secret=None, totp_confirmed_at=None, totp_last_step=None
    )
    await AccountRecoveryCode.filter(account_id=account_id).delete()
    await tokens.revoke(account_id, TokenPurpose.SECOND_FACTOR)


async def disable(
    auth: sessions.ActiveSession, code: str, password: str, settings: Settings, meta: RequestMeta
) -> None:
    """Turn the second factor off: needs the password and a code (TOTP or an unused recovery
    code; each wrong one counted). The secret and recovery codes are forgotten, audited
    (``SECOND_FACTOR_DISABLED``), the customer is told by e-mail. Errors: ``REQUIRED``
    (``password``, ``code``), ``WRONG_PASSWORD`` (``password``), ``INVALID_SECOND_FACTOR``
    (``code``), ``ACCOUNT_LOCKED``, ``SECOND_FACTOR_OFF``."""
    async with hashing(settings):
        errors = Collector()
        if not password:
            errors.add(ErrorCode.REQUIRED, "password")
        if not (code or "").strip():
            errors.add(ErrorCode.REQUIRED, "code")
        errors.raise_if_any()
        value = totp.clean_code(code)
        account = await account_of(auth)
        if not is_on(account):
            raise DomainError(ErrorCode.SECOND_FACTOR_OFF)
        count = await _counted(account, meta)
        if len(password) > MAX_LENGTH or not await verify_password(
            password, account.password_hash, settings
        ):
            raise await _mistake(account, count, meta, ErrorCode.WRONG_PASSWORD, "password")
        if await _spend_any(account, value) is None:
            raise await _mistake(account, count, meta, ErrorCode.INVALID_SECOND_FACTOR, "code")
        await ratelimit.undo_in_a_row(_key(account))
        async with in_transaction():
            await _forget(account.id)
            await audit.record(AuditKind.SECOND_FACTOR_DISABLED, account.customer_id, meta)
        _tell(settings, account, await Customer.get(id=account.customer_id), on=False)


async def is_on_for(customer_id: int) -> bool:
    """Whether the customer's logins ask for the second factor (False: no account)."""
    return await Account.exists(customer_id=customer_id, totp_confirmed_at__isnull=False)


async def turn_off_for(
    customer_id: int, staff: StaffMember, settings: Settings, meta: RequestMeta
) -> None:
    """A supervisor turns a customer's second factor off (the console, after checking who is
    calling: a lost phone and no recovery codes left). Audited twice: ``SECOND_FACTOR_DISABLED``
    in the customer's history and ``STAFF_WRITE`` (type ``second_factor_off``) in the staff's
    trail, both with ``staff``/``staff_name``; the customer is told by e-mail. Their sessions
    stay. Errors: ``NOT_FOUND`` (``customer_id``: no such customer or no account),
    ``SECOND_FACTOR_OFF``."""
    account = await Account.get_or_none(customer_id=customer_id)
    if account is None:
        raise DomainError(ErrorCode.NOT_FOUND, "customer_id")
    if not is_on(account):
        raise DomainError(ErrorCode.SECOND_FACTOR_OFF)
    who = {"staff": staff.id, "staff_name": staff.name}
    async with in_transaction():
        await _forget(account.id)
        await audit.record(AuditKind.SECOND_FACTOR_DISABLED, customer_id, meta, **who)
        await audit.record(
            AuditKind.STAFF_WRITE, customer_id, meta, **who, type="second_factor_off"
        )
    _tell(settings, account, await Customer.get(id=customer_id), on=False)


# --- the login's second step ------------------------------------------------------------------


async def complete_login(
    ticket: str,
    code: str,
    settings: Settings,
    meta: RequestMeta,
    *,
    bearer: bool = False,
    device_name: str | None = None,
    previous: Session | None = None,
) -> accounts.LoginResult:
    """Finish a login that waits for its second factor: ``ticket`` (from ``accounts.login``)
    and a TOTP code or an unused recovery code start the session (a cookie, or with ``bearer``
    a token, and with ``device_name`` a refresh token as for ``accounts.login``) through
    ``accounts.start_session``; the ticket is spent.

    Errors: ``REQUIRED`` (``ticket``, ``code``), ``TOKEN_INVALID`` (``ticket``: unknown, used,
    or ended by a lock or a new login), ``TOKEN_EXPIRED`` (``ticket``, after 5 minutes),
    ``INVALID_SECOND_FACTOR`` (``code``: wrong, replayed time step, used recovery code; counted:
    the 5th failure in a row locks codes and ends the ticket; its message says a recovery code
    may be typed instead), ``ACCOUNT_LOCKED``
    (``minutes``), ``RATE_LIMITED`` (``minutes``: the login's per-address limit, or a right
    code's duplicate past the limit in a burst, see below).

    Order, for concurrent requests on one ticket: the attempt is counted, the code is checked
    without spending it, then the ticket is taken (conditional: one request wins), then the
    code is spent (conditional). A loser of any step spends nothing else: a right code whose
    ticket was taken meanwhile answers ``TOKEN_INVALID`` and gives its attempt back (so does a
    code refused because a duplicate in flight just used its time step); attempts past the
    limit in one burst get no verdict: a wrong one locks (``ACCOUNT_LOCKED``, the ticket ends),
    a right one gives its attempt back, leaves the ticket alone and answers ``RATE_LIMITED``
    (``minutes``: 1). So the same right code sent many times at once logs in once, spends at
    most one recovery code and locks nothing."""
    await accounts.check_address_limit(meta)
    errors = Collector()
    if not (ticket or "").strip():
        errors.add(ErrorCode.REQUIRED, "ticket")
    if not (code or "").strip():
        errors.add(ErrorCode.REQUIRED, "code")
    device_name = accounts.checked_device_name(errors, device_name, bearer=bearer)
    errors.raise_if_any()
    value = totp.clean_code(code)
    row = await tokens.check(ticket, TokenPurpose.SECOND_FACTOR, field="ticket")
    account: Account = row.account
    key = _key(account)
    count = await ratelimit.attempt_in_a_row(key)  # before any verdict
    if count is None:
        raise await _lock_error(account, meta, lock=False, login=True)
    checked = await _check_any(account, value)  # nothing spent yet
    if checked is None or count > accounts.LOCK_AFTER:
        if not await tokens.is_live(row):
            # Spent by a concurrent request (e.g. the same right code sent twice: its time step
            # is used now) or ended: the same answer whatever the code, so no failure.
            await ratelimit.undo_in_a_row(key)
            raise DomainError(ErrorCode.TOKEN_INVALID, "ticket")
        if count > accounts.LOCK_AFTER:
            # Past the limit in a concurrent burst: no verdict, whatever the code. A wrong one
            # locks (and the lock ends the ticket). A right one's duplicate is no failure: it
            # gives its attempt back and leaves the ticket to the request in flight that took a
            # count within the limit (revoking it here would refuse that winner too); nothing
            # is locked, so it answers RATE_LIMITED (1 minute: its attempt is back already).
            if checked is None:
                raise await _lock_error(account, meta, lock=True, login=True)
            await ratelimit.undo_in_a_row(key)
            raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": 1})
        raise await _failed_login(account, count, meta)
    try:
        await tokens.spend(row, field="ticket")  # conditional: one request takes the ticket
    except DomainError:
        await ratelimit.undo_in_a_row(key)  # a loser spends nothing
        raise
    if not await _spend_checked(account, checked, value):  # spent meanwhile elsewhere
        raise await _failed_login(account, count, meta)
    await ratelimit.clear_in_a_row(key)
    await Account.filter(id=account.id).update(failed_logins=0, last_login_at=now())
    return await accounts.start_session(
        account,
        settings,
        meta,
        bearer=bearer,
        device_name=device_name,
        previous=previous,
        second_factor=checked[0],
    )

"""Password hashing and the password policy.

Hashing: bcrypt (cost 12) over a pre-hash. bcrypt only looks at 72 bytes (and bcrypt 5 raises
beyond that), so the password is first reduced to HMAC-SHA-384 keyed with a pepper derived from
the server secret, base64-encoded (64 ASCII bytes, no NUL). Long passphrases therefore count in
full, and a stolen database without the secret cannot be attacked offline. bcrypt runs in a
pool of its own (:func:`hash_threads`: the cores but one, so the event loop keeps one) with a
bounded queue (:func:`hash_admits`): when it is full a request is refused ``SERVER_BUSY`` at
once instead of waiting behind a flood of logins. A request that counts attempts or reads the
database before its bcrypt work takes its place first (:func:`hashing`), so a refusal costs
nothing, counts no attempt and says nothing about the account.

Passwords are Unicode NFC-normalised (:func:`normalise`) before hashing, checking and scoring,
so a password set in one normal form works typed in the other; hashes made before that are
still accepted from the typed or NFD form and replaced at the next successful login.

Policy: 8 to 1024 characters (of the NFC form), zxcvbn score at least 2 (with Polish word
lists, zxcvbn-pl), and not containing the customer's own data: the e-mail's local part, the
names, and the numbers (service identifiers, PESEL or its date part, customer number, birth
date); the same data are zxcvbn ``user_inputs``.

A password with composable characters that matches no stored hash costs one bcrypt operation
per distinct normal form (up to three), for a known and an unknown account alike.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import threading
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

import bcrypt

from backend.config import Settings
from backend.i18n import translate
from backend.models import Account, Customer, Service
from backend.models.enums import Language, TokenPurpose
from backend.services import tokens
from backend.services.bounded_pool import BoundedPool, PoolStats
from backend.services.errors import DomainError, ErrorCode
from backend.services.identifiers import (
    EMAIL_MAX,
    TYPED_MAX,
    normalise_identifier,
    pesel_date_part,
)
from backend.services.text import encodable
from backend.services.zxcvbn_bounded import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 1024
"""Generous for passphrases; bounded so one request cannot make the server hash megabytes."""
MIN_SCORE = 2
REFUSED_MAX_SCORE = 1
"""The highest score a refused password gets (the meter's "weak"), whatever zxcvbn says."""
BCRYPT_ROUNDS = 12
# zxcvbn's matching is super-linear: ~25 ms for 100 characters but ~3 s for a repetitive
# 500-character input (measured, see bench/login_timing.py). A prefix of 100 characters already
# carries far more guessing entropy than any attacker can use, so only that part is scored.
SCORED_PREFIX = 100
_MIN_PERSONAL_PART = 3
_DEFAULT_HINT = "Add another word or two. Uncommon words are better."


def _pepper(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), b"icok:password-pepper", hashlib.sha256).digest()


def normalise(password: str) -> str:
    """The form of a password that is hashed, checked and scored: Unicode NFC (UAX #15).

    "ż" typed as one code point (NFC, most keyboards) or as "z" + combining dot (NFD, e.g. some
    macOS and mobile input) is the same password; without this a password set in one form was
    refused when typed in the other."""
    return unicodedata.normalize("NFC", password)


def _prehash(password: str, settings: Settings) -> bytes:
    # surrogatepass: a lone surrogate (JSON allows "\ud800") can be checked, never matching,
    # instead of failing; check_policy refuses such passwords before they are ever hashed.
    raw = password.encode("utf-8", "surrogatepass")
    digest = hmac.new(_pepper(settings), raw, hashlib.sha384).digest()
    return base64.b64encode(digest)


def _candidates(password: str) -> list[str]:
    """The forms a stored hash may have been made from, most likely first.

    Every hash since NFC normalisation is of the NFC form. Hashes made before were of whatever
    the client sent, so the typed form and the NFD form are tried next (only when they differ:
    a password without composable characters, e.g. ASCII, has one form). A login that matches
    none of them does the same work as :func:`dummy_verify` for the same typed password, so
    the number of bcrypt operations never tells an existing account from an unknown one."""
    return list(
        dict.fromkeys([normalise(password), password, unicodedata.normalize("NFD", password)])
    )


@dataclass(frozen=True)
class Verified:
    """The result of checking a password against a stored hash."""

    ok: bool
    rehash: bool = False
    """It matched a hash made before NFC normalisation: store :func:`hash_password` anew."""

    def __bool__(self) -> bool:
        return self.ok


def hash_password_sync(password: str, settings: Settings) -> str:
    salt = bcrypt.gensalt(BCRYPT_ROUNDS)
    return bcrypt.hashpw(_prehash(normalise(password), settings), salt).decode()


def _checkpw(form: str, password_hash: str, settings: Settings) -> bool:
    try:
        return bcrypt.checkpw(_prehash(form, settings), password_hash.encode())
    except ValueError:  # not a bcrypt hash (e.g. "!unusable"): never matches
        return False


def verify_password_sync(password: str, password_hash: str, settings: Settings) -> Verified:
    for index, form in enumerate(_candidates(password)):
        if _checkpw(form, password_hash, settings):
            return Verified(True, rehash=index > 0)
    return Verified(False)


HASH_QUEUE_PER_THREAD = 4
"""The default queue (:func:`hash_admits`): this many requests per thread may wait. One bcrypt
operation takes ~0.25-0.5 s (``bench/login_timing.py``), so an admitted request waits about
2 s at most and anything beyond is told at once to try again."""


HASH_THREAD_NICE = 10
"""bcrypt's threads run this much below the server's CPU priority (Linux): when the cores are
contended (PostgreSQL on the same machine, a burst) the event loop, which serves every page,
gets the CPU first; logins then wait in the bounded queue or are told to try again."""


def _cores() -> int:
    counted = getattr(os, "process_cpu_count", None)  # Python 3.13+: honours the CPU affinity
    if counted is not None:
        return int(counted() or 1)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def hash_threads(settings: Settings) -> int:
    """bcrypt's worker threads: ``ICOK_PASSWORD_HASH_THREADS``, by default the CPU cores this
    process may use minus one (at least 1), so the event loop always has a core."""
    return settings.password_hash_threads or max(1, _cores() - 1)


def hash_admits(settings: Settings) -> int:
    """How many requests may be in bcrypt's pool at once, running or waiting: the threads plus
    ``ICOK_PASSWORD_HASH_QUEUE`` (default :data:`HASH_QUEUE_PER_THREAD` per thread)."""
    threads = hash_threads(settings)
    queue = settings.password_hash_queue
    return threads + (HASH_QUEUE_PER_THREAD * threads if queue is None else queue)


HASH_POOL_NAME = "icok-bcrypt"
"""The bcrypt pools' name (their threads', and what ``bounded_pool.on_refused`` is told)."""
SCORING_POOL_NAME = "icok-scoring"
"""The zxcvbn pool's name."""
_HASH_POOLS: dict[int, BoundedPool] = {}
_HASH_POOLS_LOCK = threading.Lock()


def _hash_pool(settings: Settings) -> BoundedPool:
    """The process's bcrypt pool for ``settings`` (one per thread count: one in production)."""
    threads = hash_threads(settings)
    with _HASH_POOLS_LOCK:
        if threads not in _HASH_POOLS:
            _HASH_POOLS[threads] = BoundedPool(
                HASH_POOL_NAME, threads, ErrorCode.SERVER_BUSY, nice=HASH_THREAD_NICE
            )
        return _HASH_POOLS[threads]


@asynccontextmanager
async def hashing(
    settings: Settings, *, on_refusal: Callable[[], Awaitable[object]] | None = None
) -> AsyncIterator[None]:
    """Take a place in bcrypt's pool for a block that hashes or checks passwords after other
    work: ``SERVER_BUSY`` (no field) at once when :func:`hash_admits` requests are in it, before
    that work (so a refused login counts no attempt, reads no account).
    :func:`hash_password`, :func:`verify_password` and :func:`dummy_verify` inside it use the
    place; outside one each takes its own.

    A flow with a captcha checks it (and its other cheap input: required fields, lengths, the
    per-address limit) BEFORE taking a place, so only a request with a solved captcha competes
    for bcrypt; ``on_refusal`` (awaited, then ``SERVER_BUSY`` raised) undoes what that check
    spent, e.g. ``captcha.give_back``, so a refused customer sends the same form again."""
    async with AsyncExitStack() as stack:
        try:
            await stack.enter_async_context(_hash_pool(settings).admitted(hash_admits(settings)))
        except DomainError:
            if on_refusal is not None:
                await on_refusal()
            raise
        yield


def hashing_stats() -> PoolStats:
    """bcrypt's pools in this process, summed (one pool in production): ``threads``, ``busy``
    (operations running), ``queued`` (requests admitted and waiting, for a thread or for their
    own database work before it) and ``refused_total`` (``SERVER_BUSY`` answers so far)."""
    with _HASH_POOLS_LOCK:
        pools = list(_HASH_POOLS.values())
    stats = [pool.stats() for pool in pools]
    return PoolStats(
        threads=sum(s.threads for s in stats),
        busy=sum(s.busy for s in stats),
        queued=sum(s.queued for s in stats),
        refused_total=sum(s.refused_total for s in stats),
    )


async def hash_password(password: str, settings: Settings) -> str:
    """The bcrypt hash (cost :data:`BCRYPT_ROUNDS`) of ``password`` (NFC), made in bcrypt's pool.
    Raises ``SERVER_BUSY`` when the pool is full (outside a :func:`hashing` block)."""
    pool = _hash_pool(settings)
    return await pool.run(hash_admits(settings), hash_password_sync, password, settings)


async def verify_password(password: str, password_hash: str, settings: Settings) -> Verified:
    """Whether ``password`` matches ``password_hash``, checked in bcrypt's pool. Raises
    ``SERVER_BUSY`` when the pool is full (outside a :func:`hashing` block)."""
    pool = _hash_pool(settings)
    return await pool.run(
        hash_admits(settings), verify_password_sync, password, password_hash, settings
    )


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return bcrypt.hashpw(b"icok-dummy-password", bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def _dummy_verify_sync(password: str, settings: Settings) -> None:
    verify_password_sync(password, _dummy_hash(), settings)


async def dummy_verify(password: str, settings: Settings) -> None:
    """Spend the same time as a failed real check, for logins that match no account (in
    bcrypt's pool, through the same queue: ``SERVER_BUSY`` as for a known account)."""
    await _hash_pool(settings).run(hash_admits(settings), _dummy_verify_sync, password, settings)


# --- strength ---------------------------------------------------------------------------


def _localise(text: str, language: Language) -> str:
    text = " ".join(text.split())  # zxcvbn's multi-line literals carry extra spaces
    return translate(text, language)


@dataclass(frozen=True)
class Strength:
    score: int
    warning: str
    suggestions: list[str] = field(default_factory=list)
    acceptable: bool = False
    problem: ErrorCode | None = None
    """Why it is not acceptable (too short, too long, weak, personal data), if it is not."""


def fold(text: str) -> str:
    """Lower case without diacritics ("Łukasz Żółć" -> "lukasz zolc"), to compare a password
    with names typed with or without Polish letters."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _personal_parts(
    email: str | None, identifiers: list[str], names: list[str] | None = None
) -> list[str]:
    """The customer's own words, each folded: the e-mail's local part and its pieces, the
    names and their pieces, and the numbers (identifiers, PESEL, ...) as digits.

    A value longer than any real one (an e-mail or name over :data:`EMAIL_MAX` characters, a
    number over :data:`TYPED_MAX`) is no one's data (its own field refuses it): it is left out
    before any work, so a 900 KB "e-mail" costs nothing here."""
    parts: list[str] = []
    if email and len(email) > EMAIL_MAX:
        email = None
    names = [n for n in names or [] if len(n) <= EMAIL_MAX]
    identifiers = [n for n in identifiers if len(n) <= TYPED_MAX]
    if email:
        local = email.strip().lower().split("@", 1)[0]
        parts += [local, *re.split(r"[._+\-]", local)]
    for name in names:
        parts += [name.replace(" ", ""), *re.split(r"[\s\-']+", name)]
    for raw in identifiers:
        try:
            parts.append(normalise_identifier(raw))  # "+48 600 100 200" -> "600100200"
        except DomainError:
            parts.append(re.sub(r"\D", "", raw))
    folded = {fold(p) for p in parts}
    return sorted({p for p in folded if len(p) >= _MIN_PERSONAL_PART}, key=len, reverse=True)


def _contains_personal(password: str, parts: list[str]) -> bool:
    lowered = fold(password)
    digits = re.sub(r"\D", "", password)
    for part in parts:
        if part.isdigit():
            # Identifiers are numbers: long ones must not appear, even split by spaces or dashes.
            if len(part) >= 6 and part in digits:
                return True
        elif len(part) >= 4 and part in lowered:
            return True
    return False


def _score(prefix: str, parts: list[str]) -> dict[str, Any]:
    """zxcvbn's result for ``prefix`` (at most :data:`SCORED_PREFIX` characters) with the
    Polish dictionaries and ``parts`` as ``user_inputs``, worst case bounded
    (:mod:`backend.services.zxcvbn_bounded`)."""
    return dict(zxcvbn(prefix, user_inputs=parts))


def strength(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    names: list[str] | None = None,
    language: Language = Language.PL,
) -> Strength:
    """Score ``password`` (NFC) and say whether the policy accepts it; a refused password
    scores at most :data:`REFUSED_MAX_SCORE`.

    ``email``, ``identifiers`` (service identifiers, PESEL, customer number, birth date: any
    number of the customer's) and ``names`` are the customer's own data: zxcvbn counts them as
    guessable (``user_inputs``), and a password containing one (a name or e-mail part of 4+
    letters, with or without Polish letters, or a number of 6+ digits) is
    ``PASSWORD_CONTAINS_PERSONAL_DATA``. A password over :data:`MAX_LENGTH` characters is
    ``PASSWORD_TOO_LONG`` (score 0) without any scoring."""
    if len(password) > MAX_LENGTH:
        return Strength(0, "", [], False, ErrorCode.PASSWORD_TOO_LONG)
    password = normalise(password)
    parts = _personal_parts(email, identifiers or [], names)
    prefix = password[:SCORED_PREFIX]
    result = _score(prefix, parts) if prefix else None
    score = int(result["score"]) if result else 0
    feedback = result["feedback"] if result else {"warning": "", "suggestions": []}
    warning = _localise(str(feedback.get("warning") or ""), language)
    suggestions = [_localise(str(s), language) for s in feedback.get("suggestions") or []]
    problem: ErrorCode | None = None
    if len(password) < MIN_LENGTH:
        problem = ErrorCode.PASSWORD_TOO_SHORT
    elif len(password) > MAX_LENGTH:
        problem = ErrorCode.PASSWORD_TOO_LONG
    elif _contains_personal(password, parts):
        problem = ErrorCode.PASSWORD_CONTAINS_PERSONAL_DATA
    elif score < MIN_SCORE:
        problem = ErrorCode.PASSWORD_TOO_WEAK
    if problem is not None:
        # A refused password never looks strong: "Kowalska-Anna-1985" scored 4 ("very good")
        # for Anna while the submit refused it for her name.
        score = min(score, REFUSED_MAX_SCORE)
    return Strength(score, warning, suggestions, problem is None, problem)


SCORING_THREADS = 1
"""Worker threads that score passwords: all scoring shares them, so its CPU use never exceeds
one core and never takes the threads bcrypt (logins) runs in."""
METER_QUEUE = 4
"""The public strength query is refused ``PASSWORD_SCORING_BUSY`` when this many scorings
are already running or waiting (per process): it answers at once instead of after a minute."""
POLICY_QUEUE = 16
"""The same for the scorings of a submit (registration after its captcha, reset with its
link, change by the logged-in customer or staff member): a flood of meter requests, refused
beyond :data:`METER_QUEUE`, never fills the queue for them."""

SCORING_POOL = BoundedPool(SCORING_POOL_NAME, SCORING_THREADS, ErrorCode.PASSWORD_SCORING_BUSY)

T = TypeVar("T")


async def _in_scoring_pool(most: int, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in the scoring pool, or ``PASSWORD_SCORING_BUSY`` (no field)
    at once when ``most`` scorings are running or waiting already.

    One scoring costs at most ~0.15 s of CPU (:mod:`backend.services.zxcvbn_bounded`), so an
    admitted request waits at most ``most`` x 0.15 s."""
    return await SCORING_POOL.run(most, fn, *args, **kwargs)


async def strength_off_loop(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    names: list[str] | None = None,
    language: Language = Language.PL,
    most: int = METER_QUEUE,
) -> Strength:
    """:func:`strength` in the scoring pool, for the public (unauthenticated) strength query
    (and, with ``most`` = :data:`POLICY_QUEUE`, for :func:`check_policy`).

    Raises ``PASSWORD_SCORING_BUSY`` (no field, at once) when ``most`` scorings are running or
    waiting: six hostile requests in parallel made a legitimate one wait 57 s before the worst
    case was bounded."""
    return await _in_scoring_pool(
        most,
        strength,
        password,
        email=email,
        identifiers=identifiers,
        names=names,
        language=language,
    )


@dataclass(frozen=True)
class OwnData:
    """What the operator knows of a customer that a password must not be built from."""

    names: list[str]
    """First and last name."""
    numbers: list[str]
    """Service identifiers (card and phone numbers), the customer number, the PESEL's first six
    digits (its date part: the PESEL is stored only as a hash) and the birth date as
    DDMMYYYY and YYYYMMDD."""


async def own_data(customer_id: int) -> OwnData:
    customer = await Customer.get(id=customer_id)
    services = await Service.filter(customer_id=customer_id).values_list("identifier", flat=True)
    born = customer.birth_date
    numbers = [str(s) for s in services]
    numbers += [customer.number, pesel_date_part(born), f"{born:%d%m%Y}", f"{born:%Y%m%d}"]
    return OwnData([customer.first_name, customer.last_name], numbers)


async def meter(
    password: str,
    *,
    email: str | None = None,
    identifier: str | None = None,
    pesel: str | None = None,
    customer_id: int | None = None,
    reset_token: str | None = None,
    language: Language = Language.PL,
) -> Strength:
    """The strength meter's verdict (the public ``passwordStrength`` query), with the data the
    submit will check: the form's ``email``, ``identifier`` and ``pesel`` (registration), and
    the account's e-mail and :func:`own_data` for the logged-in ``customer_id`` (change) or the
    holder of a live ``reset_token`` (reset; a wrong token just adds nothing).

    Errors, before any work: ``TOO_LONG`` (``max``) on ``email`` over :data:`EMAIL_MAX`
    characters, on ``identifier`` or ``pesel`` over :data:`TYPED_MAX`. A password over
    :data:`MAX_LENGTH` is answered ``PASSWORD_TOO_LONG`` without scoring (:func:`strength`)."""
    for name, value, most in [
        ("email", email, EMAIL_MAX),
        ("identifier", identifier, TYPED_MAX),
        ("pesel", pesel, TYPED_MAX),
    ]:
        if value is not None and len(value) > most:
            raise DomainError(ErrorCode.TOO_LONG, name, {"max": most})
    identifiers = [n for n in (identifier, pesel) if n]
    names: list[str] = []
    account: Account | None = None
    if customer_id is not None:
        account = await Account.get_or_none(customer_id=customer_id)
    elif reset_token:
        try:
            account = (await tokens.check(reset_token, TokenPurpose.RESET_PASSWORD)).account
        except DomainError:
            account = None
    if account is not None:
        own = await own_data(account.customer_id)
        identifiers += own.numbers
        names = own.names
        email = email or account.email
    return await strength_off_loop(
        password, email=email, identifiers=identifiers, names=names, language=language
    )


def refusal(verdict: Strength, language: Language, field: str = "password") -> DomainError | None:
    """The error that refuses a scored password, or None when the policy accepts it."""
    if verdict.problem is None:
        return None
    params: dict[str, object] = {}
    if verdict.problem is ErrorCode.PASSWORD_TOO_SHORT:
        params = {"min": MIN_LENGTH}
    elif verdict.problem is ErrorCode.PASSWORD_TOO_LONG:
        params = {"max": MAX_LENGTH}
    elif verdict.problem is ErrorCode.PASSWORD_TOO_WEAK:
        hint = " ".join(filter(None, [verdict.warning, *verdict.suggestions]))
        params = {"hint": hint or _localise(_DEFAULT_HINT, language)}
    return DomainError(verdict.problem, field, params)


def check_form(password: str, field: str = "password") -> None:
    """The password checks that need no scoring, for a submit: ``REQUIRED`` (empty),
    ``PASSWORD_TOO_LONG`` (``max``, over :data:`MAX_LENGTH` characters), ``INVALID`` (half a
    surrogate pair: it could not be hashed), each on ``field``."""
    if not password:
        raise DomainError(ErrorCode.REQUIRED, field)
    if len(password) > MAX_LENGTH:
        raise DomainError(ErrorCode.PASSWORD_TOO_LONG, field, {"max": MAX_LENGTH})
    if not encodable(password):
        raise DomainError(ErrorCode.INVALID, field)


async def check_policy(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    names: list[str] | None = None,
    language: Language = Language.PL,
    field: str = "password",
) -> None:
    """Raise the reason a password is refused (a :class:`DomainError` on ``field``), scored
    with the customer's own data in the scoring pool; first the checks that need no scoring
    (:func:`check_form`). ``PASSWORD_SCORING_BUSY`` (on ``field``) when :data:`POLICY_QUEUE`
    scorings are running or waiting. Callers check what is cheap and what proves the caller
    (captcha, link, current password) first."""
    check_form(password, field)
    try:
        verdict = await strength_off_loop(
            password,
            email=email,
            identifiers=identifiers,
            names=names,
            language=language,
            most=POLICY_QUEUE,
        )
    except DomainError as exc:
        raise DomainError(exc.code, field) from None
    error = refusal(verdict, language, field)
    if error is not None:
        raise error

"""Password hashing and the password policy.

Hashing: bcrypt (cost 12) over a pre-hash. bcrypt only looks at 72 bytes (and bcrypt 5 raises
beyond that), so the password is first reduced to HMAC-SHA-384 keyed with a pepper derived from
the server secret, base64-encoded (64 ASCII bytes, no NUL). Long passphrases therefore count in
full, and a stolen database without the secret cannot be attacked offline. bcrypt runs in a
worker thread so the event loop keeps serving other requests.

Policy: 8 to 1024 characters, zxcvbn score at least 2, and not containing the e-mail address
(its local part) or the service identifier.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache

import bcrypt
from zxcvbn import zxcvbn

from backend.config import Settings
from backend.i18n import translate
from backend.models.enums import Language
from backend.services.errors import DomainError, ErrorCode
from backend.services.identifiers import normalise_identifier
from backend.services.text import encodable

MIN_LENGTH = 8
MAX_LENGTH = 1024
"""Generous for passphrases; bounded so one request cannot make the server hash megabytes."""
MIN_SCORE = 2
BCRYPT_ROUNDS = 12
# zxcvbn's matching is super-linear: ~25 ms for 100 characters but ~3 s for a repetitive
# 500-character input (measured, see bench/login_timing.py). A prefix of 100 characters already
# carries far more guessing entropy than any attacker can use, so only that part is scored.
SCORED_PREFIX = 100
_MIN_PERSONAL_PART = 3
_DEFAULT_HINT = "Add another word or two. Uncommon words are better."


def _pepper(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), b"icok:password-pepper", hashlib.sha256).digest()


def _prehash(password: str, settings: Settings) -> bytes:
    digest = hmac.new(_pepper(settings), password.encode("utf-8"), hashlib.sha384).digest()
    return base64.b64encode(digest)


def hash_password_sync(password: str, settings: Settings) -> str:
    return bcrypt.hashpw(_prehash(password, settings), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


def verify_password_sync(password: str, password_hash: str, settings: Settings) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password, settings), password_hash.encode())
    except ValueError:  # not a bcrypt hash (e.g. "!unusable"): never matches
        return False


async def hash_password(password: str, settings: Settings) -> str:
    return await asyncio.to_thread(hash_password_sync, password, settings)


async def verify_password(password: str, password_hash: str, settings: Settings) -> bool:
    return await asyncio.to_thread(verify_password_sync, password, password_hash, settings)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return bcrypt.hashpw(b"icok-dummy-password", bcrypt.gensalt(BCRYPT_ROUNDS)).decode()


async def dummy_verify(password: str, settings: Settings) -> None:
    """Spend the same time as a real check, for logins that match no account."""
    dummy = await asyncio.to_thread(_dummy_hash)
    await verify_password(password, dummy, settings)


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


def _personal_parts(email: str | None, identifiers: list[str]) -> list[str]:
    parts: list[str] = []
    if email:
        local = email.strip().lower().split("@", 1)[0]
        parts += [local, *re.split(r"[._+\-]", local)]
    for raw in identifiers:
        try:
            parts.append(normalise_identifier(raw))  # "+48 600 100 200" -> "600100200"
        except DomainError:
            parts.append(re.sub(r"\D", "", raw))
    return sorted({p for p in parts if len(p) >= _MIN_PERSONAL_PART}, key=len, reverse=True)


def _contains_personal(password: str, parts: list[str]) -> bool:
    lowered = password.lower()
    digits = re.sub(r"\D", "", password)
    for part in parts:
        if part.isdigit():
            # Identifiers are numbers: long ones must not appear, even split by spaces or dashes.
            if len(part) >= 6 and part in digits:
                return True
        elif len(part) >= 4 and part in lowered:
            return True
    return False


def strength(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    language: Language = Language.PL,
) -> Strength:
    """Score ``password`` and say whether the policy accepts it (the same answer the SPA shows)."""
    identifiers = identifiers or []
    parts = _personal_parts(email, identifiers)
    prefix = password[:SCORED_PREFIX]
    result = zxcvbn(prefix, user_inputs=parts, max_length=SCORED_PREFIX) if prefix else None
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
    return Strength(score, warning, suggestions, problem is None, problem)


_SCORING: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
"""One zxcvbn run at a time (per event loop) for the public strength query, so its CPU use
stays within one worker thread and never takes the bcrypt threads of logins."""


async def strength_off_loop(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    language: Language = Language.PL,
) -> Strength:
    """:func:`strength` in a worker thread, for the public (unauthenticated) strength query.

    A random 100-character password costs ~125 ms of pure Python; thirty aliases of the query
    in one request held the event loop for 1.4 s before, stopping every other request."""
    slot = _SCORING.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(1))
    async with slot:
        return await asyncio.to_thread(
            strength, password, email=email, identifiers=identifiers, language=language
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


def check_policy(
    password: str,
    *,
    email: str | None = None,
    identifiers: list[str] | None = None,
    language: Language = Language.PL,
    field: str = "password",
) -> None:
    """Raise the reason a password is refused (a :class:`DomainError` on ``field``)."""
    if not password:
        raise DomainError(ErrorCode.REQUIRED, field)
    if not encodable(password):  # half a surrogate pair: it could not be hashed
        raise DomainError(ErrorCode.INVALID, field)
    verdict = strength(password, email=email, identifiers=identifiers, language=language)
    error = refusal(verdict, language, field)
    if error is not None:
        raise error

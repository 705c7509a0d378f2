"""The arithmetic captcha ("7 + 5 = ?") of the registration, login, password-reset and
resend-confirmation forms, and the proof of work behind it.

Challenges live in the database (any app instance can check them), expire after five minutes
and are single-use: checking one spends it whether the answer is right or wrong, so an answer
cannot be guessed by retrying the same challenge.

Each challenge also comes with an ALTCHA proof-of-work challenge (v2, ``SHA-256``, deterministic
mode: the server picks the counter, publishes the first 16 bytes of ``SHA-256(salt ‖ nonce ‖
counter as big-endian uint32)`` as ``keyPrefix`` and signs the whole 32-byte key), so an automated
client pays ``captcha_proof_max_number / 2`` hashes on average per attempt while a server check is
two HMACs. The ALTCHA challenge carries the captcha's id (``data.captcha``) and its expiry
(``expiresAt``, Unix seconds), both under the signature: a solution is good for that captcha only,
and only once, because the captcha row is spent by the same check. Sources: ALTCHA PoW v2
(``altcha`` PyPI 2.3, ``altcha/v2.py``; altcha.org/docs/v2/server-integration: the library is
stateless, replay is stopped by the application).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import altcha

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import Captcha
from backend.models.enums import Language
from backend.services import ratelimit
from backend.services.errors import DomainError, ErrorCode
from backend.services.request import RequestMeta

log = logging.getLogger("icok.accounts")

LIFETIME = timedelta(minutes=5)
PROOF_ALGORITHM = "SHA-256"
PROOF_MAX_LENGTH = 4096
"""Characters of a ``captcha_proof`` read at most (a real one is about 700)."""
PER_IP = 100
PER_IP_WINDOW = timedelta(minutes=10)
_ANSWER = re.compile(r"-?[0-9]{1,4}")

_OPERATORS = {"+": "captcha.op.plus", "-": "captcha.op.minus"}


def accessible_question(question: str, language: Language) -> str:
    """The question in words, for screen readers ("Ile to jest siedem plus pięć?")."""
    a, op, b = question.split()
    return translate(
        "captcha.question",
        language,
        a=translate(f"captcha.number.{int(a)}", language),
        op=translate(_OPERATORS[op], language),
        b=translate(f"captcha.number.{int(b)}", language),
    )


async def create(meta: RequestMeta) -> Captcha:
    """A new challenge: a sum of two numbers 1–10, or a difference that is not negative.

    Each one is a row written for an anonymous caller, so callers are limited per address:
    over :data:`PER_IP` per :data:`PER_IP_WINDOW` raises ``DomainError`` ``RATE_LIMITED``
    (``minutes``), logged in one INFO line (an expected refusal, not the operator's error).
    """
    verdict = await ratelimit.hit(f"captcha-ip:{meta.ip}", limit=PER_IP, window=PER_IP_WINDOW)
    if not verdict.allowed:
        log.info("captcha refused: %s asked for %d in the window", meta.ip, verdict.count)
        raise DomainError(ErrorCode.RATE_LIMITED, None, {"minutes": verdict.retry_minutes})
    a, b = secrets.randbelow(10) + 1, secrets.randbelow(10) + 1
    if secrets.randbelow(3) == 0:
        a, b = max(a, b), min(a, b)
        question, answer = f"{a} - {b}", a - b
    else:
        question, answer = f"{a} + {b}", a + b
    at = now()
    # Expired challenges are useless; dropping them here keeps the table small without a job.
    await Captcha.filter(expires_at__lt=at - LIFETIME).delete()
    return await Captcha.create(
        id=uuid.uuid4(), question=question, answer=answer, created_at=at, expires_at=at + LIFETIME
    )


def _keys(settings: Settings) -> tuple[bytes, bytes]:
    """The HMAC keys of the proof of work (challenge signature, key signature), derived from the
    app secret so that no other signature made with it can pass for one."""
    secret = settings.secret_key.encode()
    return (
        hmac.new(secret, b"icok:altcha-challenge", hashlib.sha256).digest(),
        hmac.new(secret, b"icok:altcha-key", hashlib.sha256).digest(),
    )


def proof_challenge(captcha: Captcha, settings: Settings) -> str:
    """The ALTCHA v2 challenge bound to ``captcha``, as JSON:
    ``{"parameters": {"algorithm": "SHA-256", "cost": 1, "keyLength": 32, "keyPrefix": <32 hex>,
    "nonce": <32 hex>, "salt": <32 hex>, "expiresAt": <Unix s>, "data": {"captcha": <id>},
    "keySignature": <64 hex>}, "signature": <64 hex>}``.

    Costs the server one SHA-256 and two HMACs; the counter is uniform in
    ``[0, captcha_proof_max_number]``.
    """
    challenge_key, key_key = _keys(settings)
    challenge = altcha.create_challenge(
        PROOF_ALGORITHM,
        1,
        counter=secrets.randbelow(settings.captcha_proof_max_number + 1),
        expires_at=captcha.expires_at,
        data={"captcha": str(captcha.id)},
        hmac_secret=challenge_key,
        hmac_key_secret=key_key,
    )
    return json.dumps(challenge.to_dict(), separators=(",", ":"))


def _check_proof(proof: str, key: uuid.UUID, settings: Settings, field: str) -> None:
    """Raise ``CAPTCHA_PROOF_INVALID`` unless ``proof`` (base64 of the JSON
    ``{"challenge": <proof_challenge>, "solution": {"counter", "derivedKey", "time"?}}``) is a
    solved, unexpired challenge this server signed for the captcha ``key``."""
    challenge_key, key_key = _keys(settings)
    try:
        payload = altcha.Payload.from_dict(
            json.loads(base64.b64decode(proof.strip(), validate=True))
        )
        data = payload.challenge.parameters.data
        bound = isinstance(data, dict) and data.get("captcha") == str(key)
        result = altcha.verify_solution(payload, challenge_key, hmac_key_secret=key_key)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise DomainError(ErrorCode.CAPTCHA_PROOF_INVALID, field) from None
    # The fast path (the key signature) is the only one taken: a challenge without it is not ours.
    if not (result.verified and bound and payload.challenge.parameters.key_signature):
        raise DomainError(ErrorCode.CAPTCHA_PROOF_INVALID, field)


@dataclass(frozen=True)
class Solution:
    """What a form sends for its task: ``captchaId``, ``captchaAnswer`` and ``captchaProof``
    (the solved proof of work, or ``None`` when missing), as :func:`verify` takes them."""

    captcha_id: str
    answer: str
    proof: str | None


@dataclass(frozen=True)
class Spent:
    """A challenge :func:`verify` spent for a solved task: :func:`give_back` returns it."""

    key: uuid.UUID
    used_at: datetime


async def give_back(spent: Spent) -> bool:
    """Make a solved challenge usable again (e.g. its login was refused ``SERVER_BUSY`` before
    any work, so the customer may send the same form again). Conditional: only while its
    ``used_at`` is still the one :func:`verify` set, so a challenge is never returned twice or
    after another use. Returns whether it was returned (an expired one stays expired)."""
    return bool(await Captcha.filter(id=spent.key, used_at=spent.used_at).update(used_at=None))


async def verify(
    captcha_id: str,
    answer: str,
    proof: str | None,
    settings: Settings,
    *,
    field: str = "captcha_answer",
    proof_field: str = "captcha_proof",
) -> Spent:
    """Spend the challenge and raise unless both the task and its proof of work are solved;
    the spent challenge (for :func:`give_back`) when they are.

    Raises ``DomainError`` with ``CAPTCHA_INVALID`` (unknown, spent or wrong answer: ``field``),
    ``CAPTCHA_EXPIRED``, ``REQUIRED`` (no answer), ``CAPTCHA_PROOF_REQUIRED`` (no proof:
    ``proof_field``) or ``CAPTCHA_PROOF_INVALID`` (a proof that is malformed, unsigned, tampered
    with, unsolved, expired or made for another captcha). A proof is checked only once the
    captcha is spent, so it can never be used twice.
    """
    try:
        key = uuid.UUID((captcha_id or "").strip())
    except ValueError:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field) from None
    text = (answer or "").strip()
    if not text:
        raise DomainError(ErrorCode.REQUIRED, field)
    if not (proof or "").strip():
        raise DomainError(ErrorCode.CAPTCHA_PROOF_REQUIRED, proof_field)
    if len(proof or "") > PROOF_MAX_LENGTH:
        raise DomainError(ErrorCode.CAPTCHA_PROOF_INVALID, proof_field)
    captcha = await Captcha.get_or_none(id=key)
    if captcha is None or captcha.used_at is not None:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field)
    at = now()
    if captcha.expires_at <= at:
        raise DomainError(ErrorCode.CAPTCHA_EXPIRED, field)
    # Conditional: of two concurrent checks of one challenge only one may spend it.
    spent = await Captcha.filter(id=key, used_at__isnull=True).update(used_at=at)
    if not spent:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field)
    _check_proof(proof or "", key, settings, proof_field)
    if not _ANSWER.fullmatch(text) or int(text) != captcha.answer:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field)
    return Spent(key, at)

"""The arithmetic captcha ("7 + 5 = ?") of the registration and login forms.

Challenges live in the database (any app instance can check them), expire after five minutes
and are single-use: checking one spends it whether the answer is right or wrong, so an answer
cannot be guessed by retrying the same challenge.
"""

from __future__ import annotations

import re
import secrets
import uuid
from datetime import timedelta

from backend.clock import now
from backend.i18n import translate
from backend.models import Captcha
from backend.models.enums import Language
from backend.services import ratelimit
from backend.services.errors import DomainError, ErrorCode
from backend.services.request import RequestMeta

LIFETIME = timedelta(minutes=5)
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

    Each one is a row written for an anonymous caller, so callers are limited per address.
    """
    verdict = await ratelimit.hit(f"captcha-ip:{meta.ip}", limit=PER_IP, window=PER_IP_WINDOW)
    if not verdict.allowed:
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


async def verify(captcha_id: str, answer: str, *, field: str = "captcha_answer") -> None:
    """Spend the challenge and raise ``CAPTCHA_INVALID`` / ``CAPTCHA_EXPIRED`` unless solved."""
    try:
        key = uuid.UUID((captcha_id or "").strip())
    except ValueError:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field) from None
    text = (answer or "").strip()
    if not text:
        raise DomainError(ErrorCode.REQUIRED, field)
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
    if not _ANSWER.fullmatch(text) or int(text) != captcha.answer:
        raise DomainError(ErrorCode.CAPTCHA_INVALID, field)

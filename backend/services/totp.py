"""The TOTP second factor (RFC 6238, ``pyotp``) and its recovery codes, for staff members and
customers alike: the enrolment's QR code, checking and spending a code, making recovery codes.

The owners differ (``StaffMember`` + ``StaffRecoveryCode``, ``Account`` +
``AccountRecoveryCode``), so the functions that write take the model: an owner model has
``totp_secret``, ``totp_confirmed_at`` and ``totp_last_step`` (null or 0: no step accepted yet);
a recovery-code model has ``code_hash`` (SHA-256 of the folded code), ``used_at``,
``created_at`` and a foreign key to its owner. Spending is a conditional UPDATE, so of two
concurrent requests with the same code exactly one wins.
"""

from __future__ import annotations

import base64
import hmac
import io
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
import segno
from tortoise.expressions import Q
from tortoise.models import Model
from tortoise.transactions import in_transaction

from backend.clock import now
from backend.services.errors import DomainError, ErrorCode
from backend.services.sessions import hash_token
from backend.services.text import encodable, forbidden_character

RECOVERY_CODES = 10
"""Recovery codes made at a time (the old ones stop working)."""
RECOVERY_CODE_MAX = 40
"""Longer input is never a recovery code (``xxxxx-xxxxx``, with spaces a customer may add)."""
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
"""Recovery code characters (no 0/o, 1/l/i to misread)."""


@dataclass(frozen=True)
class Enrolment:
    """What someone setting up the second factor needs: shown once, before the first code."""

    secret: str
    """The TOTP secret in base32, for typing into the app by hand."""
    uri: str
    """The ``otpauth://totp/...`` URI (issuer: the operator's name) the QR code holds."""
    qr_svg: str
    """The QR code of :attr:`uri` as an SVG document (made here with segno, no third party)."""

    @property
    def qr_data_uri(self) -> str:
        """:attr:`qr_svg` as a ``data:image/svg+xml;base64,...`` URI, for an ``<img>``."""
        return f"data:image/svg+xml;base64,{base64.b64encode(self.qr_svg.encode()).decode()}"


def new_secret() -> str:
    """A fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32()


def enrolment(name: str, secret: str, issuer: str) -> Enrolment:
    """The QR code and URI for ``secret``; ``name`` (an e-mail) labels the entry in the app,
    ``issuer`` (the operator's name) groups it."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=issuer)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", xmldecl=False, scale=4, border=2)
    return Enrolment(secret=secret, uri=uri, qr_svg=buffer.getvalue().decode())


def grouped(secret: str) -> str:
    """``secret`` in groups of four for typing by hand: ``ABCD EFGH ...``."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str) -> int | None:
    """The time step (±1 around now, 30-second steps) whose TOTP code is ``code``, or None."""
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now())
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def could_be_code(value: str) -> bool:
    """Whether ``value`` (without spaces) has the shape of a TOTP code (6 digits) or of a
    recovery code (:func:`new_recovery_code`, compared folded by :func:`fold_code`)."""
    if len(value) == 6 and value.isascii() and value.isdigit():
        return True
    folded = fold_code(value)
    return len(folded) == 10 and all(ch in _CODE_ALPHABET for ch in folded)


def clean_code(code: str, field: str = "code") -> str:
    """A typed code without spaces; ``REQUIRED`` when empty, ``INVALID_SECOND_FACTOR`` for
    characters no code has (control, bidi, unencodable) or a shape no code has
    (:func:`could_be_code`, e.g. a typo of 5 digits), both on ``field``. Called before an
    attempt is counted: a value that cannot be a code costs the owner none of their attempts."""
    if not encodable(code or "") or forbidden_character(code or "") is not None:
        raise DomainError(ErrorCode.INVALID_SECOND_FACTOR, field)
    value = (code or "").strip().replace(" ", "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if not could_be_code(value):
        raise DomainError(ErrorCode.INVALID_SECOND_FACTOR, field)
    return value


def fold_code(code: str) -> str:
    """A recovery code as compared: lower case, without spaces, dashes and tabs."""
    return "".join(ch for ch in code.lower() if ch not in " -\t")


def hash_code(code: str) -> str:
    """The stored form of a recovery code: SHA-256 of :func:`fold_code`."""
    return hash_token(fold_code(code))


def new_recovery_code() -> str:
    """``xxxxx-xxxxx`` from an unambiguous alphabet (~49 bits)."""
    chars = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


async def usable_step(
    owner: type[Model], owner_id: int, secret: str | None, code: str
) -> int | None:
    """The time step of ``code`` when it is a valid TOTP code of ``secret`` for a step later
    than the last one ``owner_id`` used, else None; nothing is spent (:func:`spend_this_step`
    spends it)."""
    step = None if secret is None else matching_step(secret, code)
    if step is None:
        return None
    found = await owner.filter(id=owner_id).values("totp_last_step")
    if not found:
        return None
    last: int | None = found[0]["totp_last_step"]
    return step if last is None or last < step else None


async def spend_this_step(owner: type[Model], owner_id: int, step: int) -> bool:
    """Make ``step`` the last one ``owner_id`` used, unless it (or a later one) is used
    already: whether this call spent it (a conditional UPDATE of ``totp_last_step``: each step
    is accepted once, even by concurrent requests)."""
    later = Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step)
    return bool(await owner.filter(later, id=owner_id).update(totp_last_step=step))


async def spend_step(owner: type[Model], owner_id: int, secret: str | None, code: str) -> bool:
    """Whether ``code`` is a valid TOTP code of ``secret`` for a time step later than the last
    one ``owner_id`` used; if so that step is now the last one (:func:`spend_this_step`)."""
    step = None if secret is None else matching_step(secret, code)
    return step is not None and await spend_this_step(owner, owner_id, step)


def _recovery(codes: type[Model], owner: dict[str, Any], code: str) -> Any:
    """The unused recovery code ``code`` of ``owner`` as a query (None: never a code)."""
    if not code or len(code) > RECOVERY_CODE_MAX:
        return None
    return codes.filter(**owner, code_hash=hash_code(code), used_at__isnull=True)


async def recovery_unused(codes: type[Model], owner: dict[str, Any], code: str) -> bool:
    """Whether ``code`` is an unused recovery code among ``codes`` of ``owner``; nothing is
    spent (:func:`spend_recovery` spends it)."""
    query = _recovery(codes, owner, code)
    return query is not None and bool(await query.exists())


async def spend_recovery(codes: type[Model], owner: dict[str, Any], code: str) -> bool:
    """Whether ``code`` is an unused recovery code among ``codes`` of ``owner`` (e.g.
    ``{"account_id": 7}``); it is used from now on (conditional UPDATE: spent once)."""
    query = _recovery(codes, owner, code)
    return query is not None and bool(await query.update(used_at=now()))


async def replace_recovery_codes(codes: type[Model], owner: dict[str, Any]) -> tuple[str, ...]:
    """:data:`RECOVERY_CODES` new recovery codes for ``owner`` (e.g. ``{"staff_id": 3}``),
    returned in clear to be shown once; the owner's earlier codes are deleted."""
    made = tuple(new_recovery_code() for _ in range(RECOVERY_CODES))
    at = now()
    async with in_transaction():
        await codes.filter(**owner).delete()
        await codes.bulk_create(
            [codes(**owner, code_hash=hash_code(c), created_at=at) for c in made]
        )
    return made


async def unused_recovery_codes(codes: type[Model], owner: dict[str, Any]) -> int:
    """How many of ``owner``'s recovery codes are still unused."""
    return await codes.filter(**owner, used_at__isnull=True).count()

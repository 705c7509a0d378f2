"""Validation and normalisation of the identifiers customers type: PESEL, service numbers,
e-mail addresses, phone numbers and postal codes. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

from backend.services.errors import DomainError, ErrorCode

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
# The month field of a PESEL encodes the century: +80 for 1800s, +0 1900s, +20 2000s, ...
_CENTURY_OFFSETS = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}

CARD_LENGTH = 12
_SEPARATORS = re.compile(r"[\s\-().]")
_EMAIL = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$", re.ASCII)
EMAIL_MAX = 254


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts e.g. Arabic-Indic or superscript digits."""
    return value.isascii() and value.isdigit()


def pesel_checksum(first_ten: str) -> int:
    total = sum(int(d) * w for d, w in zip(first_ten, PESEL_WEIGHTS, strict=True))
    return (10 - total % 10) % 10


def pesel_birth_date(pesel: str) -> date | None:
    """The birth date encoded in a PESEL, or None when it is not a real date."""
    year, month, day = int(pesel[0:2]), int(pesel[2:4]), int(pesel[4:6])
    for offset, century in _CENTURY_OFFSETS.items():
        if offset < month <= offset + 12:
            try:
                return date(century + year, month - offset, day)
            except ValueError:
                return None
    return None


def parse_pesel(raw: str, *, today: date | None = None, field: str = "pesel") -> str:
    """Return the 11-digit PESEL or raise ``INVALID_PESEL`` (format, checksum, birth date)."""
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if len(value) != 11 or not _digits(value):
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    if pesel_checksum(value[:10]) != int(value[10]):
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    born = pesel_birth_date(value)
    if born is None or (today is not None and born > today):
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    return value


def make_pesel(born: date, serial: int, female: bool) -> str:
    """Build a valid PESEL (used for demo data and tests)."""
    offset = next(o for o, c in _CENTURY_OFFSETS.items() if c <= born.year < c + 100)
    serial = serial % 1000 * 10 + (serial // 1000 % 5) * 2 + (0 if female else 1)
    head = f"{born.year % 100:02d}{born.month + offset:02d}{born.day:02d}{serial:04d}"
    return head + str(pesel_checksum(head))


def pesel_hash(pesel: str, secret_key: str) -> str:
    """Keyed hash used to match a typed PESEL against the customer record."""
    key = hmac.new(secret_key.encode(), b"icok:pesel", hashlib.sha256).digest()
    return hmac.new(key, pesel.encode(), hashlib.sha256).hexdigest()


def mask_pesel(pesel: str) -> str:
    return "*" * 7 + pesel[7:]


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    """A Polish number as 9 national digits; accepts spaces, dashes, +48 and 0048."""
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if value.startswith("+48"):
        value = value[3:]
    elif value.startswith("0048"):
        value = value[4:]
    elif len(value) == 11 and value.startswith("48"):
        value = value[2:]
    if len(value) != 9 or not _digits(value) or value[0] == "0":
        raise DomainError(ErrorCode.INVALID_PHONE, field)
    return value


def normalise_identifier(raw: str, *, field: str = "identifier") -> str:
    """A service identifier: a 12-digit decoder card number, or a 9-digit phone number."""
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if _digits(value) and len(value) == CARD_LENGTH and not value.startswith("48"):
        return value
    try:
        return normalise_phone(value, field=field)
    except DomainError:
        raise DomainError(ErrorCode.INVALID_IDENTIFIER, field) from None


def normalise_email(raw: str, *, field: str = "email") -> str:
    """Trimmed and lower-cased; raises ``INVALID_EMAIL`` for anything that is not an address."""
    value = (raw or "").strip()
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if len(value) > EMAIL_MAX:
        raise DomainError(ErrorCode.TOO_LONG, field, {"max": EMAIL_MAX})
    if not _EMAIL.match(value):
        raise DomainError(ErrorCode.INVALID_EMAIL, field)
    return value.lower()


def normalise_postal_code(raw: str, *, field: str = "postal_code") -> str:
    value = (raw or "").strip()
    if len(value) == 5 and _digits(value):
        value = f"{value[:2]}-{value[2:]}"
    if not _POSTAL_CODE.match(value):
        raise DomainError(ErrorCode.INVALID_POSTAL_CODE, field)
    return value


def format_phone(national: str) -> str:
    return f"+48 {national[0:3]} {national[3:6]} {national[6:9]}"

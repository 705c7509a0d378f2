"""Validation and normalisation of the identifiers customers type: PESEL, service numbers,
e-mail addresses, phone numbers and postal codes. Pure functions, no I/O."""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError
from stdnum.pl import pesel as stdnum_pesel

from backend.services.errors import DomainError, ErrorCode

CARD_LENGTH = 12
_SEPARATORS = re.compile(r"[\s\-().]")
_POSTAL_CODE = re.compile(r"^\d{2}-\d{3}$", re.ASCII)
EMAIL_MAX = 254
TYPED_MAX = 32
"""A typed number (PESEL, service identifier, phone) longer than this is refused before any
other work (regular expressions, ``phonenumbers``, ``stdnum``): the longest valid one with
separators, e.g. ``+48 (600) 100-200`` or ``0048 600 100 200``, is well under it."""
# The month field of a PESEL encodes the century: +80 for 1800s, +0 1900s, +20 2000s, ...
_CENTURY_OFFSETS = {80: 1800, 0: 1900, 20: 2000, 40: 2100, 60: 2200}


def _digits(value: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts e.g. Arabic-Indic or superscript digits."""
    return value.isascii() and value.isdigit()


def pesel_checksum(first_ten: str) -> int:
    """The PESEL check digit of the first ten digits (``stdnum.pl.pesel``)."""
    return int(stdnum_pesel.calc_check_digit(first_ten))


def pesel_birth_date(pesel: str) -> date | None:
    """The birth date encoded in a PESEL, or None when it is not a real date."""
    try:
        return stdnum_pesel.get_birth_date(pesel)
    except (ValidationError, ValueError, KeyError):
        return None


def parse_pesel(raw: str, *, today: date | None = None, field: str = "pesel") -> str:
    """Return the 11-digit PESEL or raise ``INVALID_PESEL`` (format, checksum, birth date).

    Format, check digit and birth date are ``stdnum.pl.pesel.validate`` (python-stdnum); a
    birth date after ``today`` (the caller passes ``clock.today()``) is refused as well.
    """
    if len(raw or "") > TYPED_MAX:
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if not _digits(value):  # stdnum would accept e.g. lower-case letters folded by compact()
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    try:
        stdnum_pesel.validate(value)
    except ValidationError:
        raise DomainError(ErrorCode.INVALID_PESEL, field) from None
    born = pesel_birth_date(value)
    if born is None or (today is not None and born > today):
        raise DomainError(ErrorCode.INVALID_PESEL, field)
    return value


def pesel_date_part(born: date) -> str:
    """The first six digits of the PESEL of someone born on ``born`` (YYMMDD, the month with
    its century offset: 2005-03-09 -> "052309")."""
    offset = next(o for o, c in _CENTURY_OFFSETS.items() if c <= born.year < c + 100)
    return f"{born.year % 100:02d}{born.month + offset:02d}{born.day:02d}"


def make_pesel(born: date, serial: int, female: bool) -> str:
    """Build a valid PESEL (used for demo data and tests)."""
    serial = serial % 1000 * 10 + (serial // 1000 % 5) * 2 + (0 if female else 1)
    head = f"{pesel_date_part(born)}{serial:04d}"
    return head + str(pesel_checksum(head))


def pesel_hash(pesel: str, secret_key: str) -> str:
    """Keyed hash used to match a typed PESEL against the customer record."""
    key = hmac.new(secret_key.encode(), b"icok:pesel", hashlib.sha256).digest()
    return hmac.new(key, pesel.encode(), hashlib.sha256).hexdigest()


MASK_SHOWN = 2
"""How many of the PESEL's last digits its masked form shows."""


def mask_pesel(pesel: str) -> str:
    """The PESEL with all but its last :data:`MASK_SHOWN` digits hidden: ``*********59``.

    The customer's birth date is stored (it gives the PESEL's first six digits) and the last
    digit is a check digit, so showing the last four would give the whole number back (the
    seventh digit follows from the check digit). With two shown, three digits stay unknown and
    the check digit leaves 100 candidates that only the keyed hash (:func:`pesel_hash`, whose
    key is not in the database) could tell apart."""
    return "*" * (len(pesel) - MASK_SHOWN) + pesel[-MASK_SHOWN:]


def normalise_phone(raw: str, *, field: str = "phone") -> str:
    """A Polish number as 9 national digits; accepts spaces, dashes, +48 and 0048."""
    if len(raw or "") > TYPED_MAX:
        raise DomainError(ErrorCode.INVALID_PHONE, field)
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
    if len(raw or "") > TYPED_MAX:
        raise DomainError(ErrorCode.INVALID_IDENTIFIER, field)
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if _digits(value) and len(value) == CARD_LENGTH and not value.startswith("48"):
        return value
    try:
        return normalise_phone(value, field=field)
    except DomainError:
        raise DomainError(ErrorCode.INVALID_IDENTIFIER, field) from None


def _has_control(value: str) -> bool:
    """True for NUL, other control characters (Unicode category C*: Cc, Cf, Cs, Co, Cn)."""
    return any(unicodedata.category(ch).startswith("C") for ch in value)


def normalise_email(raw: str, *, field: str = "email") -> str:
    """The one canonical form of an e-mail address, or ``REQUIRED`` / ``TOO_LONG`` (param
    ``max``) / ``INVALID_EMAIL`` on ``field``. Every e-mail field goes through here.

    Syntax is checked by ``email-validator`` (RFC 5322 dot-atom local part: no ``..``, no
    leading or trailing dot, no quoted strings, at most 64 characters (RFC 5321 4.5.3.1.1); domain by IDNA 2008 / UTS #46 with a dot and a
    public-looking name; no DNS lookup). Local parts must be ASCII: an internationalised local
    part needs SMTPUTF8 from every server on the way, which the mailer does not ask for.
    Control characters (NUL, ...) and lone surrogates are ``INVALID_EMAIL`` before anything
    else, so they never reach the database.

    Canonical form (what is stored and compared): the local part lower-cased (addresses are
    matched case-insensitively, as before) and the domain in its Unicode form, normalised and
    lower-case: ``Jan@ŻÓŁW.pl`` and ``jan@xn--w-uga1v8h.pl`` are both ``jan@żółw.pl``. Mail is
    sent to :func:`ascii_email` of it.
    """
    value = (raw or "").strip()
    if not value:
        raise DomainError(ErrorCode.REQUIRED, field)
    if len(value) > EMAIL_MAX:
        raise DomainError(ErrorCode.TOO_LONG, field, {"max": EMAIL_MAX})
    if _has_control(value):
        raise DomainError(ErrorCode.INVALID_EMAIL, field)
    try:
        checked = validate_email(
            value, check_deliverability=False, allow_smtputf8=False, strict=True
        )
    except EmailNotValidError as exc:
        raise DomainError(ErrorCode.INVALID_EMAIL, field, _email_reason(value, str(exc))) from None
    return f"{checked.local_part.lower()}@{checked.domain}"


# email-validator's reasons (English sentences) as the keys of our translated texts
# (``INVALID_EMAIL.<reason>`` in backend.i18n.errors); anything else stays plain INVALID_EMAIL.
_EMAIL_REASONS = (
    ("special-use or reserved name", "reserved_domain"),
    ("It should have a period", "no_dot"),
    ("something before the @-sign", "no_local"),
    ("something after the @-sign", "no_domain"),
    ("two periods in a row", "two_dots"),
    ("invalid characters", "characters"),
)


def _email_reason(value: str, message: str) -> dict[str, str]:
    """``{"reason": key}`` saying why ``value`` is no address (email-validator's ``message``),
    or ``{}`` when it is none of the reasons with a text of their own."""
    if "@" not in value:
        return {"reason": "no_at"}
    for phrase, reason in _EMAIL_REASONS:
        if phrase in message:
            return {"reason": reason}
    return {}


def ascii_email(address: str) -> str:
    """A canonical address (:func:`normalise_email`) with its domain in ASCII (punycode), the
    form SMTP envelopes and headers carry: ``jan@żółw.pl`` -> ``jan@xn--w-uga1v8h.pl``."""
    if address.isascii():
        return address
    ascii_form = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    return str(ascii_form.ascii_email)


def normalise_postal_code(raw: str, *, field: str = "postal_code") -> str:
    value = (raw or "").strip()
    if len(value) == 5 and _digits(value):
        value = f"{value[:2]}-{value[2:]}"
    if not _POSTAL_CODE.match(value):
        raise DomainError(ErrorCode.INVALID_POSTAL_CODE, field)
    return value


def format_phone(national: str) -> str:
    return f"+48 {national[0:3]} {national[3:6]} {national[6:9]}"

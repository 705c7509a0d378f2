"""Free text typed by a customer: what the database can store.

JSON lets a client send a NUL character (``\\u0000``) or half of a surrogate pair
(``\\ud800``). PostgreSQL refuses NUL in text columns and neither backend can encode a lone
surrogate as UTF-8, so such input would fail in the database instead of as a coded error.
"""

from __future__ import annotations

from backend.services.errors import Collector, ErrorCode


def encodable(value: str) -> bool:
    """True when ``value`` has a UTF-8 form (no lone surrogates), e.g. to be hashed."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def storable(value: str) -> bool:
    """True when ``value`` is valid Unicode text without NUL characters."""
    return "\x00" not in value and encodable(value)


def check_text(errors: Collector, value: str, field: str, limit: int) -> None:
    """Add ``field``'s error to ``errors``: ``INVALID`` when ``value`` cannot be stored,
    ``TOO_LONG`` (param ``max``) when it has more than ``limit`` characters."""
    if not storable(value):
        errors.add(ErrorCode.INVALID, field)
    elif len(value) > limit:
        errors.add(ErrorCode.TOO_LONG, field, max=limit)

"""Free text typed by a customer: what the database can store.

JSON lets a client send a NUL character (``\\u0000``) or half of a surrogate pair
(``\\ud800``). PostgreSQL refuses NUL in text columns and neither backend can encode a lone
surrogate as UTF-8, so such input would fail in the database instead of as a coded error.
"""

from __future__ import annotations


def storable(value: str) -> bool:
    """True when ``value`` is valid Unicode text without NUL characters."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

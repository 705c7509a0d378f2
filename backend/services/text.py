"""Free text typed by a customer: what the database can store and what may be stored.

JSON lets a client send a NUL character (``\\u0000``) or half of a surrogate pair
(``\\ud800``). PostgreSQL refuses NUL in text columns and neither backend can encode a lone
surrogate as UTF-8, so such input would fail in the database instead of as a coded error.

Control characters and the bidirectional formatting characters are refused too: an escape
sequence (``"Łódź\\x1b[31m"``) or a bell (``\\x07``) in a city reached the invoice PDF's buyer
block and terminals that print the text, and a right-to-left override (``"ul. \\u202eabc 1"``)
shows a street other than the one stored (the "Trojan Source" kind, CVE-2021-42574).
"""

from __future__ import annotations

import re
import unicodedata

from backend.services.errors import Collector, ErrorCode

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""The explicit directional embeddings and overrides (U+202A–U+202E) and isolates
(U+2066–U+2069) of the Unicode Bidirectional Algorithm (UAX #9, section 2)."""
MULTILINE_ALLOWED = frozenset("\n\t")
"""The only control characters a multi-line text (a message body) keeps."""
_NEWLINES = re.compile(r"\r\n?")


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


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` a customer's text may not contain, or None.

    Forbidden: the C0 and C1 control characters and DEL (Unicode category ``Cc``: U+0000–U+001F,
    U+007F–U+009F) except, in a ``multiline`` text, line feed and tab; and :data:`BIDI_CONTROLS`.
    """
    for char in value:
        if char in BIDI_CONTROLS:
            return char
        if unicodedata.category(char) == "Cc" and not (multiline and char in MULTILINE_ALLOWED):
            return char
    return None


def displayable(value: str, replacement: str = "\ufffd") -> str:
    """``value`` with every character :func:`forbidden_character` refuses in one line (and any
    half surrogate pair) made ``replacement``: for text a client sends that cannot be refused,
    such as the ``User-Agent`` header stored with a session and shown in its list."""
    return "".join(
        replacement if forbidden_character(char) is not None or not encodable(char) else char
        for char in value
    )


def blank(value: str) -> bool:
    """True when ``value`` shows nothing: it is empty or has only whitespace (``str.isspace``:
    also NBSP, U+3000, U+2028) and format characters (category ``Cf``: U+200B, U+FEFF, ...)."""
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in value)


def check_text(
    errors: Collector,
    value: str,
    field: str,
    limit: int,
    *,
    multiline: bool = False,
    required: bool = False,
) -> str:
    """The form of ``value`` to store, adding at most one error for ``field`` to ``errors``.

    The text is trimmed; a single-line text has its runs of spaces collapsed to one, a
    ``multiline`` one has its line ends (``\\r\\n``, ``\\r``) made ``\\n``. Errors: ``INVALID``
    when it cannot be stored (half a surrogate pair), ``FORBIDDEN_CHARACTER`` (param
    ``character``, e.g. ``"U+001B"``) for a character :func:`forbidden_character` refuses (NUL
    included), ``REQUIRED`` when ``required`` and nothing visible is left (:func:`blank`), ``TOO_LONG`` (param ``max``)
    when it has more than ``limit`` characters."""
    if not encodable(value):
        errors.add(ErrorCode.INVALID, field)
        return value
    if multiline:
        value = _NEWLINES.sub("\n", value)
    value = value.strip(" \n\t")
    bad = forbidden_character(value, multiline=multiline)
    if bad is not None:
        errors.add(ErrorCode.FORBIDDEN_CHARACTER, field, character=f"U+{ord(bad):04X}")
        return value
    if not multiline:
        value = " ".join(value.split())
    if required and blank(value):
        errors.add(ErrorCode.REQUIRED, field)
    elif len(value) > limit:
        errors.add(ErrorCode.TOO_LONG, field, max=limit)
    return value


def escaped(value: str, limit: int) -> str:
    """``value`` made safe to store in an audit record and to show, at most ``limit`` characters:
    every character :func:`forbidden_character` refuses (NUL included, which PostgreSQL cannot
    store), every format character (category ``Cf``: U+200B, U+FEFF, ...), any half surrogate
    pair and the backslash are written as ``\\uXXXX``. For text a client sends that is recorded
    rather than refused, e.g. a crafted ID (``"\\x00abc"`` -> ``"\\u0000abc"``)."""
    out: list[str] = []
    size = 0
    for char in value[:limit]:
        unsafe = (
            char == "\\"
            or forbidden_character(char) is not None
            or unicodedata.category(char) in ("Cf", "Cs")
        )
        piece = f"\\u{ord(char):04x}" if unsafe else char
        size += len(piece)
        if size > limit:
            break  # never half an escape
        out.append(piece)
    return "".join(out)

"""Money is integer grosze in the database; these helpers turn it into text.

``amount`` is a plain decimal string ("49.99") for machines; ``formatted`` follows the reader's
language: "1 234,56 zł" in Polish, "PLN 1,234.56" in English.
"""

from __future__ import annotations

from backend.models.enums import Language

CURRENCY = "PLN"
_SYMBOLS = {"PLN": "zł"}


def decimal_string(minor: int) -> str:
    """49.99 for 4999, -5.00 for -500 (exact: no floating point)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_money(minor: int, currency: str = CURRENCY, language: Language = Language.PL) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    if language is Language.EN:
        return f"{sign}{currency} {whole:,}.{cents:02d}"
    grouped = f"{whole:,}".replace(",", " ")
    return f"{sign}{grouped},{cents:02d} {_SYMBOLS.get(currency, currency)}"

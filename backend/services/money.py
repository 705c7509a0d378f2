"""Money is integer grosze in the database; these helpers turn it into text.

``amount`` is a plain decimal string ("49.99") for machines; ``formatted`` follows the reader's
language through Babel (CLDR data): "1 234,56 zł" in Polish, "PLN 1,234.56" in English, the
spaces being no-break spaces (U+00A0) so an amount never wraps between its figures and currency.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache

from babel import Locale
from babel.numbers import format_currency

from backend.models.enums import Language

CURRENCY = "PLN"
NBSP = "\N{NO-BREAK SPACE}"


def decimal_string(minor: int) -> str:
    """49.99 for 4999, -5.00 for -500 (exact: no floating point)."""
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def format_money(minor: int, currency: str = CURRENCY, language: Language = Language.PL) -> str:
    """``minor`` (grosze, or the minor unit of ``currency``) as the reader of ``language`` writes
    it: Babel's ``format_currency`` with the language's standard currency pattern, e.g.
    "-5,00 zł" / "-PLN 5.00"."""
    return format_currency(
        Decimal(minor).scaleb(-2),
        currency,
        format=_pattern(language.value, currency),
        locale=language.value,
        currency_digits=False,
    )


@cache
def _pattern(locale_id: str, currency: str) -> str:
    """The locale's standard currency pattern with CLDR's currency spacing (which Babel does not
    apply): a no-break space between a symbol ending or starting in a letter ("PLN") and the
    figures next to it, so English gives "PLN 5.00" rather than "PLN5.00"."""
    locale = Locale.parse(locale_id)
    pattern = locale.currency_formats["standard"].pattern
    symbol = locale.currency_symbols.get(currency, currency)
    if symbol[-1].isalpha():
        pattern = pattern.replace("¤#", f"¤{NBSP}#").replace("¤0", f"¤{NBSP}0")
    if symbol[0].isalpha():
        pattern = pattern.replace("0¤", f"0{NBSP}¤")
    return pattern

"""Calendar days as text for the reader, through Babel (CLDR data): "1 grudnia 2026" in Polish,
"1 December 2026" in English (British order, as the SPA writes it with ``en-GB``).

The days themselves are Warsaw calendar days (``backend.clock``); machine-readable places (the
API's ``Date``, audit details) keep ISO 8601 ("2026-12-01").
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from backend.models.enums import Language

_LOCALES = {Language.PL: "pl_PL", Language.EN: "en_GB"}


def format_day(day: date, language: Language = Language.PL) -> str:
    """``day`` in the long form of ``language``: "1 grudnia 2026" / "1 December 2026"."""
    return format_date(day, format="long", locale=_LOCALES[language])

"""Calendar days as text for the reader, through Babel (CLDR data): "1 grudnia 2026" in Polish,
"1 December 2026" in English (British order, as the SPA writes it with ``en-GB``).

The days themselves are Warsaw calendar days (``backend.clock``); machine-readable places (the
API's ``Date``, audit details) keep ISO 8601 ("2026-12-01").
"""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_datetime

from backend.clock import OPERATOR_ZONE
from backend.models.enums import Language

_LOCALES = {Language.PL: "pl_PL", Language.EN: "en_GB"}


def format_day(day: date, language: Language = Language.PL) -> str:
    """``day`` in the long form of ``language``: "1 grudnia 2026" / "1 December 2026"."""
    return format_date(day, format="long", locale=_LOCALES[language])


def format_instant(instant: datetime, language: Language = Language.PL) -> str:
    """An aware ``instant`` as a Warsaw wall-clock time in ``language``, naming the zone:
    "30 listopada 2026, 18:21 (czas środkowoeuropejski standardowy)" /
    "30 November 2026, 18:21 (Central European Standard Time)"."""
    return format_datetime(
        instant, "d MMMM y, HH:mm (zzzz)", tzinfo=OPERATOR_ZONE, locale=_LOCALES[language]
    )

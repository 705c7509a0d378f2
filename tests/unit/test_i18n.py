"""Every error code has a Polish and an English message, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from backend.i18n import DEFAULT_LANGUAGE, MESSAGES, parse_language, translate
from backend.models.enums import Language
from backend.services.errors import ErrorCode


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", list(ErrorCode))
def test_every_code_has_both_languages(code: ErrorCode) -> None:
    polish = MESSAGES[Language.PL].get(code)
    english = MESSAGES[Language.EN].get(code)
    assert polish and polish.strip(), f"{code} has no Polish message"
    assert english and english.strip(), f"{code} has no English message"
    assert polish != english, f"{code}: the Polish message is not translated"
    assert _placeholders(polish) == _placeholders(english), code


def test_every_language_is_covered() -> None:
    assert set(MESSAGES) == set(Language)


def test_no_message_without_a_code() -> None:
    codes = {str(c) for c in ErrorCode}
    for language, catalog in MESSAGES.items():
        stale = {str(k) for k in catalog} - codes
        # other server-side texts may live here too, but never a removed error code
        assert not {k for k in stale if k.isupper() and "_" in k}, (language, stale)


def test_translate_fills_parameters() -> None:
    assert translate(ErrorCode.TOO_LONG, Language.PL, max=80) == (
        "Tekst jest za długi (maksymalnie 80 znaków)."
    )
    assert translate(ErrorCode.TOO_LONG, Language.EN, max=80) == (
        "The text is too long (at most 80 characters)."
    )


def test_translate_never_fails() -> None:
    # a missing parameter leaves the template rather than raising
    assert "{max}" in translate(ErrorCode.TOO_LONG, Language.EN)
    assert translate("no-such-key", Language.EN) == "no-such-key"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, DEFAULT_LANGUAGE),
        ("", Language.PL),
        ("en", Language.EN),
        ("en-GB,en;q=0.9", Language.EN),
        ("de-DE,de;q=0.9,en;q=0.8", Language.EN),
        ("pl-PL,pl;q=0.9,en;q=0.8", Language.PL),
        ("fr, de", Language.PL),
        ("EN-us", Language.EN),
    ],
)
def test_parse_language(header: str | None, language: Language) -> None:
    assert parse_language(header) is language

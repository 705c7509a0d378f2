"""Every text has a Polish and an English version with the same placeholders; every error code
has a message."""

from __future__ import annotations

import string
from types import ModuleType

import pytest

from backend.i18n import DEFAULT_LANGUAGE, KINDS, MESSAGES, parse_language, translate
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


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__.rsplit(".", 1)[-1])
def test_every_text_has_every_language(kind: ModuleType) -> None:
    assert set(kind.TEXTS) == set(Language)
    keys = set().union(*(texts.keys() for texts in kind.TEXTS.values()))
    for key in keys:
        versions = {language: kind.TEXTS[language].get(key) for language in Language}
        missing = [language for language, text in versions.items() if not (text and text.strip())]
        assert not missing, f"{key!r} has no text in {missing}"
        placeholders = {language: _placeholders(str(text)) for language, text in versions.items()}
        assert len(set(map(frozenset, placeholders.values()))) == 1, (key, placeholders)


def test_each_key_has_one_home() -> None:
    for language in Language:
        assert sum(len(kind.TEXTS[language]) for kind in KINDS) == len(MESSAGES[language])


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
    assert translate("A feedback text zxcvbn added later {", Language.PL) == (
        "A feedback text zxcvbn added later {"
    )


def test_texts_of_every_kind_are_found() -> None:
    assert translate("email.reset.subject", Language.EN) == "ICOK: set a new password"
    assert translate("notice.package_cancelled.subject", Language.PL, package="HBO") == (
        "Rezygnacja z pakietu HBO"
    )
    assert translate("captcha.number.7", Language.PL) == "siedem"
    assert translate("Avoid sequences.", Language.PL) == "Unikaj ciągów znaków."
    assert translate("Avoid sequences.", Language.EN) == "Avoid sequences."
    assert translate("payment_page.invoices", Language.EN, numbers="F/1") == "Invoices F/1"


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

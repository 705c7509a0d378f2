"""legalText: the terms of service and the personal-data clause (GDPR art. 13) in Polish and
English, filled from the settings, replaceable by the operator's files in the data directory."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from backend.config import Settings
from backend.legal import SHIPPED, LegalDocument
from backend.models.enums import Language

LEGAL = """
query($document: LegalDocument!, $language: Language) {
  legalText(document: $document, language: $language) { document language html }
}"""
OPERATOR = {
    "operator_name": "Sat & Net <TV> sp. z o.o.",
    "operator_address": "ul. Długa 5, 31-147 Kraków",
    "operator_contact": "bok@satnet.pl",
    "dpo_contact": "iod@satnet.pl",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(**OPERATOR)


async def _text(gql, document: str, language: str | None = None, **kwargs) -> dict:
    variables = {"document": document, "language": language}
    return (await gql(LEGAL, variables, **kwargs))["legalText"]


def test_every_document_is_shipped_in_both_languages_with_known_placeholders() -> None:
    known = {"operator_name", "operator_address", "operator_contact", "dpo_contact", "base_url"}
    for document in LegalDocument:
        for language in Language:
            text = (SHIPPED / f"{document.value}.{language.value}.html").read_text()
            assert set(re.findall(r"\$\{(\w+)\}", text)) <= known, (document, language)


async def test_the_privacy_clause_names_what_article_13_asks_for(gql) -> None:
    polish = await _text(gql, "PRIVACY")
    assert polish["language"] == "PL"
    body = polish["html"]
    assert "Sat &amp; Net &lt;TV&gt; sp. z o.o., ul. Długa 5, 31-147 Kraków" in body
    assert "iod@satnet.pl" in body  # the data protection officer
    assert "${" not in body
    for words in (
        "art. 6 ust. 1 lit. b",  # purposes with their legal bases
        "Okres przechowywania",
        "dostępu",
        "sprostowania",
        "usunięcia",
        "ograniczenia przetwarzania",
        "przenoszenia",
        "sprzeciwu",
        "Prezesa Urzędu Ochrony Danych Osobowych",
    ):
        assert words in body, words
    english = await _text(gql, "PRIVACY", "EN")
    assert english["language"] == "EN"
    for words in ("controller", "erasure", "portability", "object", "Personal Data Protection"):
        assert words in english["html"], words


async def test_the_terms_follow_the_request_language(gql) -> None:
    terms = await _text(gql, "TERMS", headers={"X-Icok-Language": "en"})
    assert terms["language"] == "EN"
    assert "Internet Customer Account" in terms["html"]
    assert 'href="/privacy"' in terms["html"]  # the terms point to the clause
    assert "http://testserver" in terms["html"]
    assert "Regulamin" in (await _text(gql, "TERMS", "PL"))["html"]


async def test_the_operator_replaces_a_text_with_a_file(gql, settings: Settings) -> None:
    own = Path(settings.data_dir) / "legal"
    own.mkdir()
    (own / "terms.pl.html").write_text(
        "<h2>Regulamin ${operator_name}</h2><p>${unknown} zostaje.</p>", encoding="utf-8"
    )
    terms = await _text(gql, "TERMS", "PL")
    assert (
        terms["html"]
        == "<h2>Regulamin Sat &amp; Net &lt;TV&gt; sp. z o.o.</h2><p>${unknown} zostaje.</p>"
    )
    # the other texts stay the shipped ones; a new file shows without a restart
    assert "Internet Customer Account" in (await _text(gql, "TERMS", "EN"))["html"]
    (own / "privacy.en.html").write_text("<p>Ours</p>", encoding="utf-8")
    assert (await _text(gql, "PRIVACY", "EN"))["html"] == "<p>Ours</p>"

"""The terms of service and the personal-data information clause, as HTML fragments.

Why they exist: a service provided by electronic means needs terms the customer can read before
accepting them (ustawa z dnia 18 lipca 2002 r. o świadczeniu usług drogą elektroniczną, art. 8),
and personal data collected from the data subject need the information of GDPR (Regulation (EU)
2016/679) art. 13 at the time they are collected, i.e. on the registration form.

The shipped texts (``backend/assets/legal/<document>.<language>.html``) are templates. An
operator replaces one by putting a file with the same name into ``<ICOK_DATA_DIR>/legal/``; it
is read on every request, so a new text shows without a restart. ``${placeholder}`` fields in
either are filled from the settings (HTML-escaped): ``operator_name``, ``operator_address``,
``operator_contact``, ``dpo_contact``, ``base_url``; an unknown one stays as written.
"""

from __future__ import annotations

import html
from enum import StrEnum
from pathlib import Path
from string import Template

from backend.config import Settings
from backend.models.enums import Language

SHIPPED = Path(__file__).resolve().parent / "assets" / "legal"


class LegalDocument(StrEnum):
    TERMS = "terms"
    PRIVACY = "privacy"


def document_path(settings: Settings, document: LegalDocument, language: Language) -> Path:
    """The operator's file in ``<data dir>/legal/`` if there is one, else the shipped one."""
    name = f"{document.value}.{language.value}.html"
    own = settings.data_dir / "legal" / name
    return own if own.is_file() else SHIPPED / name


def placeholders(settings: Settings) -> dict[str, str]:
    return {
        "operator_name": settings.operator_name,
        "operator_address": settings.operator_address,
        "operator_contact": settings.operator_contact,
        "dpo_contact": settings.dpo_contact,
        "base_url": settings.base_url,
    }


def legal_html(settings: Settings, document: LegalDocument, language: Language) -> str:
    """The document's HTML fragment (headings from ``<h2>``) with the placeholders filled."""
    template = document_path(settings, document, language).read_text(encoding="utf-8")
    values = {key: html.escape(value) for key, value in placeholders(settings).items()}
    return Template(template).safe_substitute(values)

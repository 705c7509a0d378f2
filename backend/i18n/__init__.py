"""Every text the server shows or sends, in Polish (default) and English, and the one lookup.

One shape: each module of this package holds ``TEXTS: dict[Language, dict[str, str]]`` for one
kind of text, merged here into :data:`MESSAGES`:

- :mod:`backend.i18n.errors`: messages for error codes (keys are the ``ErrorCode`` values)
- :mod:`backend.i18n.emails`: e-mails (``email.<kind>.<part>``)
- :mod:`backend.i18n.notices`: confirmations in the ICOK inbox (``notice.<kind>.<part>``)
- :mod:`backend.i18n.captcha`: the captcha question in words (``captcha.*``)
- :mod:`backend.i18n.passwords`: password-strength feedback (keys are zxcvbn's English texts)
- :mod:`backend.i18n.payment_page`: the sandbox payment page (``payment_page.*``)
- :mod:`backend.i18n.payments`: what a payment is for, its title (``payment.title.*``)
- :mod:`backend.i18n.provisioning`: why a device command failed (``provisioning.reason.*``)
- :mod:`backend.i18n.complaints`: complaints, their acknowledgement and answer (``complaint.*``)
- :mod:`backend.i18n.activity`: the details of an activity-history event in words (``activity.*``)

Look texts up with :func:`translate`. A test checks that every key has a text in every language
with the same ``{placeholders}``. Demo data (package names, announcements) are data, not texts,
and live with the demo data; the invoice PDF is a Polish document and has no translation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.i18n import (
    activity,
    captcha,
    complaints,
    emails,
    errors,
    notices,
    passwords,
    payment_page,
    payments,
    provisioning,
)
from backend.models.enums import Language

DEFAULT_LANGUAGE = Language.PL

KINDS = (
    errors,
    emails,
    notices,
    captcha,
    passwords,
    payment_page,
    payments,
    provisioning,
    complaints,
    activity,
)


def _merge() -> dict[Language, dict[str, str]]:
    merged: dict[Language, dict[str, str]] = {language: {} for language in Language}
    for kind in KINDS:
        for language, texts in kind.TEXTS.items():
            clash = merged[language].keys() & texts.keys()
            if clash:
                raise RuntimeError(f"{kind.__name__} redefines {sorted(clash)}")
            merged[language].update(texts)
    return merged


MESSAGES: dict[Language, dict[str, str]] = _merge()


def parse_language(value: str | None) -> Language:
    """The first supported language in an ``Accept-Language``-style value, else Polish."""
    if value:
        for part in value.split(","):
            tag = part.split(";", 1)[0].strip().lower()[:2]
            if tag in ("pl", "en"):
                return Language(tag)
    return DEFAULT_LANGUAGE


def request_language(headers: Mapping[str, str]) -> Language:
    """The language a request asks for: ``X-Icok-Language``, else ``Accept-Language``, else
    Polish (:func:`parse_language`). ``headers`` as Starlette's (case-insensitive)."""
    return parse_language(headers.get("x-icok-language") or headers.get("accept-language"))


def translate(key: str, language: Language = DEFAULT_LANGUAGE, /, **params: Any) -> str:
    """The text for ``key`` in ``language`` with ``{placeholders}`` filled from ``params``
    (``key`` and ``language`` are positional only, so a message may have a ``{key}`` or
    ``{language}`` placeholder, e.g. UNKNOWN_REFERENCE's ``{key}``).

    A ``reason`` param picks the more specific text ``<key>.<reason>`` when there is one
    (``INVALID_EMAIL`` with ``reason="reserved_domain"`` says why), else ``key``'s.

    Never raises: an unknown language falls back to Polish, an unknown key to the key itself (so
    zxcvbn feedback missing from the catalogue stays English), and a template whose placeholders
    are not all given is returned unfilled.
    """
    catalog = MESSAGES.get(language) or MESSAGES[DEFAULT_LANGUAGE]
    reason = params.get("reason")
    if isinstance(reason, str) and f"{key}.{reason}" in MESSAGES[DEFAULT_LANGUAGE]:
        key = f"{key}.{reason}"
    template = catalog.get(key) or MESSAGES[DEFAULT_LANGUAGE].get(key) or key
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template

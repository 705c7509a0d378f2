"""The account e-mails (Polish and English, plain text plus simple HTML) and their delivery.

Account e-mails are delivered in the background: the request answers at once, and the answer
takes the same time whether or not a message was sent (so its timing reveals no account).
"""

from __future__ import annotations

import asyncio
import html
import logging
from typing import Any

from backend.config import Settings
from backend.models.enums import Language
from backend.services import mailer
from backend.services.mailer import Mail

log = logging.getLogger("icok.mail")

_TEXTS: dict[str, dict[Language, dict[str, str]]] = {
    "confirm": {
        Language.PL: {
            "subject": "ICOK: potwierdź adres e-mail",
            "intro": "Dzień dobry,\n\ndziękujemy za założenie Internetowego Konta Klienta.",
            "action": "Aby potwierdzić adres e-mail, otwórz link (ważny przez 24 godziny):",
            "button": "Potwierdź adres e-mail",
            "outro": "Jeśli to nie Ty zakładałeś konto, zignoruj tę wiadomość.",
        },
        Language.EN: {
            "subject": "ICOK: confirm your e-mail address",
            "intro": "Hello,\n\nthank you for creating an Internet Customer Account.",
            "action": "To confirm your e-mail address, open this link (valid for 24 hours):",
            "button": "Confirm e-mail address",
            "outro": "If you did not create an account, ignore this message.",
        },
    },
    "already": {
        Language.PL: {
            "subject": "ICOK: próba ponownej rejestracji",
            "intro": (
                "Dzień dobry,\n\nktoś (być może Ty) próbował założyć konto ICOK dla klienta, "
                "który już ma konto, albo podał ten adres e-mail."
            ),
            "action": "Możesz się zalogować albo ustawić nowe hasło tutaj:",
            "button": "Nie pamiętam hasła",
            "outro": "Jeśli to nie Ty, zignoruj tę wiadomość: nic się nie zmieniło.",
        },
        Language.EN: {
            "subject": "ICOK: repeated registration",
            "intro": (
                "Hello,\n\nsomeone (perhaps you) tried to create an ICOK account for a customer "
                "who already has one, or entered this e-mail address."
            ),
            "action": "You can log in, or set a new password here:",
            "button": "Forgot password",
            "outro": "If it was not you, ignore this message: nothing has changed.",
        },
    },
    "reset": {
        Language.PL: {
            "subject": "ICOK: ustaw nowe hasło",
            "intro": "Dzień dobry,\n\notrzymaliśmy prośbę o ustawienie nowego hasła do konta ICOK.",
            "action": "Aby ustawić nowe hasło, otwórz link (ważny przez 1 godzinę):",
            "button": "Ustaw nowe hasło",
            "outro": "Jeśli to nie Ty, zignoruj tę wiadomość: hasło się nie zmieni.",
        },
        Language.EN: {
            "subject": "ICOK: set a new password",
            "intro": "Hello,\n\nwe received a request to set a new password for your ICOK account.",
            "action": "To set a new password, open this link (valid for 1 hour):",
            "button": "Set a new password",
            "outro": "If it was not you, ignore this message: your password stays the same.",
        },
    },
    "changed": {
        Language.PL: {
            "subject": "ICOK: hasło zostało zmienione",
            "intro": (
                "Dzień dobry,\n\nhasło do Twojego konta ICOK zostało zmienione, a inne sesje "
                "zakończone."
            ),
            "action": "Jeśli to nie Ty, natychmiast ustaw nowe hasło:",
            "button": "Ustaw nowe hasło",
            "outro": "Jeśli to Ty, nic nie musisz robić.",
        },
        Language.EN: {
            "subject": "ICOK: your password was changed",
            "intro": (
                "Hello,\n\nthe password of your ICOK account was changed and your other sessions "
                "were ended."
            ),
            "action": "If it was not you, set a new password at once:",
            "button": "Set a new password",
            "outro": "If it was you, there is nothing to do.",
        },
    },
}


def _render(kind: str, language: Language, to: str, link: str) -> Mail:
    t = _TEXTS[kind][language]
    text = f"{t['intro']}\n\n{t['action']}\n{link}\n\n{t['outro']}\n\n-- \nICOK\n"
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in t["intro"].split("\n\n"))
    body = (
        f'<!doctype html><html lang="{language.value}"><body style="font-family:sans-serif">'
        f"{paragraphs}<p>{html.escape(t['action'])}</p>"
        f'<p><a href="{html.escape(link)}">{html.escape(t["button"])}</a></p>'
        f"<p>{html.escape(t['outro'])}</p><p>ICOK</p></body></html>"
    )
    return Mail(to=to, subject=t["subject"], text=text, html=body)


def confirmation(settings: Settings, language: Language, to: str, token: str) -> Mail:
    return _render("confirm", language, to, f"{settings.base_url}/confirm-email?token={token}")


def already_registered(settings: Settings, language: Language, to: str) -> Mail:
    return _render("already", language, to, f"{settings.base_url}/forgot-password")


def password_reset(settings: Settings, language: Language, to: str, token: str) -> Mail:
    return _render("reset", language, to, f"{settings.base_url}/reset-password?token={token}")


def password_changed(settings: Settings, language: Language, to: str) -> Mail:
    return _render("changed", language, to, f"{settings.base_url}/forgot-password")


_pending: set[asyncio.Task[Any]] = set()


def deliver_later(settings: Settings, mail: Mail) -> asyncio.Task[Any]:
    """Send ``mail`` without making the request wait (the task is kept until it ends)."""
    task = asyncio.create_task(_deliver(settings, mail))
    _pending.add(task)
    task.add_done_callback(_pending.discard)
    return task


async def _deliver(settings: Settings, mail: Mail) -> None:
    try:
        await mailer.send(settings, mail)
    except Exception:  # the request has answered already: log, never lose the loop
        log.exception("could not deliver e-mail to %s", mail.to)


async def drain() -> None:
    """Wait for mail still being delivered (graceful shutdown, tests)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)

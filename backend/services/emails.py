"""The account e-mails and payment receipts (plain text plus simple HTML; texts in
``backend.i18n.emails``) and their delivery.

Account e-mails are delivered in the background: the request answers at once, and the answer
takes the same time whether or not a message was sent (so its timing reveals no account).
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import datetime
from typing import Any

from backend.config import Settings
from backend.i18n import translate
from backend.models.enums import Language, PaymentMethod
from backend.services import mailer
from backend.services.dates import format_instant
from backend.services.mailer import Mail

log = logging.getLogger("icok.mail")


def _render(kind: str, language: Language, to: str, link: str, **params: str) -> Mail:
    t = {
        part: translate(f"email.{kind}.{part}", language, **params)
        for part in ("subject", "intro", "action", "button", "outro")
    }
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


def second_factor_changed(settings: Settings, language: Language, to: str, *, on: bool) -> Mail:
    """Tells the customer that the second factor was turned on (``on``) or off."""
    kind = "factor_on" if on else "factor_off"
    return _render(kind, language, to, f"{settings.base_url}/forgot-password")


def contact_email_change(settings: Settings, language: Language, to: str, token: str) -> Mail:
    """The link that confirms a new contact e-mail address (plain text only)."""
    link = f"{settings.base_url}/confirm-contact-email?token={token}"
    return Mail(
        to=to,
        subject=translate("email.contact.subject", language),
        text=translate("email.contact.body", language, link=link),
    )


def contact_reply(
    settings: Settings,
    language: Language,
    to: str,
    *,
    number: int,
    subject: str,
    body: str,
    complaint: str | None = None,
) -> Mail:
    """The operator's reply ``body`` to the customer's contact request ``number`` (its
    ``subject``), with the link to the request on the SPA's contact page; on a complaint the
    mail names its ``complaint`` number (``R/2026/000001``), the one the customer knows, not the
    request's id."""
    link = f"{settings.base_url}/contact#request-{number}"
    if complaint is not None:
        return _render("complaint_reply", language, to, link, number=complaint, body=body)
    return _render("reply", language, to, link, number=str(number), subject=subject, body=body)


def complaint_acknowledgement(
    settings: Settings,
    language: Language,
    to: str,
    *,
    number: str,
    content: str,
    description: str,
    deadline: str,
) -> Mail:
    """The acknowledgement of complaint ``number`` (the durable medium, REFERENCE §3, reg. §2):
    its ``content`` ("label: value" lines: number, day of receipt, deadline, subject, refs,
    period, amount, refund), the customer's ``description`` and the ``deadline`` as text."""
    t = {
        part: translate(f"email.complaint.{part}", language, number=number, deadline=deadline)
        for part in ("subject", "intro", "description", "deadline", "action", "outro")
    }
    link = f"{settings.base_url}/contact"
    text = (
        f"{t['intro']}\n\n{content}\n\n{t['description']}:\n{description}\n\n"
        f"{t['deadline']}\n\n{t['action']}\n{link}\n\n{t['outro']}\n\n-- \nICOK\n"
    )
    esc = html.escape
    rows = "".join(
        f"<tr><th>{esc(label)}</th><td>{esc(value)}</td></tr>"
        for label, _, value in (line.partition(": ") for line in content.split("\n"))
    )
    body = (
        f'<!doctype html><html lang="{language.value}"><body style="font-family:sans-serif">'
        f"<p>{esc(t['intro'])}</p><table>{rows}</table>"
        f"<p><strong>{esc(t['description'])}</strong></p>"
        f'<p style="white-space:pre-wrap">{esc(description)}</p>'
        f"<p>{esc(t['deadline'])}</p>"
        f'<p>{esc(t["action"])} <a href="{esc(link)}">{esc(link)}</a></p>'
        f"<p>{esc(t['outro'])}</p><p>ICOK</p></body></html>"
    )
    return Mail(to=to, subject=t["subject"], text=text, html=body)


def payment_receipt(
    settings: Settings,
    language: Language,
    to: str,
    *,
    title: str,
    amount: str,
    paid_at: datetime,
    method: PaymentMethod,
    reference: str,
) -> Mail:
    """The receipt of a settled payment: ``title`` (what it paid, ``payments.title``), ``amount``
    as the customer reads it ("1 234,56 zł"), ``paid_at`` (an aware instant, shown in Warsaw
    time, e.g. "30 listopada 2026, 18:21 (czas środkowoeuropejski standardowy)"), the method and
    our reference of the payment (the one the provider knows it by)."""
    t = {
        part: translate(f"email.receipt.{part}", language)
        for part in ("intro", "what", "amount", "date", "method", "reference")
    }
    when = format_instant(paid_at, language)
    facts = [
        (t["what"], title),
        (t["amount"], amount),
        (t["date"], when),
        (t["method"], translate(f"email.receipt.method.{method.value}", language)),
        (t["reference"], reference),
    ]
    link = f"{settings.base_url}/payments"
    outro = translate("email.receipt.outro", language, link=link)
    lines = "\n".join(f"{label}: {value}" for label, value in facts)
    text = f"{t['intro']}\n\n{lines}\n\n{outro}\n\n-- \nICOK\n"
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in t["intro"].split("\n\n"))
    rows = "".join(
        f'<tr><th scope="row" style="text-align:left;padding-right:1em">{html.escape(label)}</th>'
        f"<td>{html.escape(value)}</td></tr>"
        for label, value in facts
    )
    outro_html = html.escape(outro).replace(
        html.escape(link), f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
    )
    body = (
        f'<!doctype html><html lang="{language.value}"><body style="font-family:sans-serif">'
        f"{paragraphs}<table>{rows}</table><p>{outro_html}</p><p>ICOK</p></body></html>"
    )
    subject = translate("email.receipt.subject", language, amount=amount)
    return Mail(to=to, subject=subject, text=text, html=body)


def login_change(settings: Settings, language: Language, to: str, token: str) -> Mail:
    """The link, mailed to the new address, that makes it the account's login."""
    return _render("login", language, to, f"{settings.base_url}/confirm-login-email?token={token}")


def login_change_requested(settings: Settings, language: Language, to: str, new: str) -> Mail:
    """Tells the current login address ``to`` that a change to ``new`` (masked) was asked for."""
    return _render(
        "login_requested", language, to, f"{settings.base_url}/security", new=mask_email(new)
    )


def login_taken(settings: Settings, language: Language, to: str) -> Mail:
    """Tells the owner of ``to`` that another account asked for it as its login (no change)."""
    return _render("login_taken", language, to, f"{settings.base_url}/forgot-password")


def login_changed(settings: Settings, language: Language, to: str, new: str) -> Mail:
    """Tells the previous login address ``to`` that the login is now ``new`` (masked)."""
    return _render("login_changed", language, to, f"{settings.base_url}/login", new=mask_email(new))


def mask_email(email: str) -> str:
    """``jan@example.com`` → ``j***@example.com``: enough to recognise, not to harvest (audit
    trail, notices to a previous address)."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


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

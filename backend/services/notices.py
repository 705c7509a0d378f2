"""Confirmations sent to a customer: a message in their ICOK inbox plus the same text by e-mail.

The e-mail goes to the customer's contact address (``Customer.email``) in their language. It is
delivered in the background (the request does not wait for SMTP); a failed delivery is recorded
by the mailer and never undoes the action being confirmed.
"""

from __future__ import annotations

from backend.clock import now
from backend.config import Settings
from backend.i18n import translate
from backend.models import Customer, Message
from backend.models.enums import MessageCategory
from backend.services import emails
from backend.services.mailer import Mail


async def notify(
    settings: Settings,
    customer: Customer,
    *,
    category: MessageCategory,
    subject: str,
    body: str,
) -> Message:
    message = await Message.create(
        customer=customer,
        category=category,
        subject=subject[:200],
        body=body,
        published_at=now(),
    )
    if customer.email:
        emails.deliver_later(settings, Mail(to=customer.email, subject=subject, text=body))
    return message


async def notify_of(settings: Settings, customer: Customer, kind: str, **params: str) -> Message:
    """:func:`notify` with the texts ``notice.<kind>.subject`` / ``.body`` in the customer's
    language, both filled from ``params`` (a SERVICE message)."""
    return await notify(
        settings,
        customer,
        category=MessageCategory.SERVICE,
        subject=translate(f"notice.{kind}.subject", customer.language, **params),
        body=translate(f"notice.{kind}.body", customer.language, **params),
    )

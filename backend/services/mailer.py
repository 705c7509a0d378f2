"""Outgoing e-mail. Configured by ``ICOK_MAIL_URL``:

- ``console://`` (development default): the message is kept in the outbox table and logged,
  links included, so a newcomer can finish registration without a mail server;
- ``smtp://[user:password@]host[:port]`` plain SMTP (add ``?starttls=1`` to upgrade),
  ``smtp+starttls://`` STARTTLS, ``smtps://`` implicit TLS.

Every message is recorded in the outbox with its delivery result. A delivery failure is logged
and recorded, never raised: the customer's action has already been saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from backend.clock import now
from backend.config import Settings
from backend.models import OutboxMessage
from backend.services.identifiers import ascii_email

log = logging.getLogger("icok.mail")

SMTP_TIMEOUT = 15


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str = ""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    start_tls: bool


def smtp_target(mail_url: str) -> SmtpTarget:
    parts = urlsplit(mail_url)
    query = parse_qs(parts.query)
    implicit_tls = parts.scheme == "smtps"
    start_tls = parts.scheme == "smtp+starttls" or query.get("starttls", ["0"])[0] in ("1", "true")
    default_port = 465 if implicit_tls else (587 if start_tls else 25)
    return SmtpTarget(
        host=parts.hostname or "localhost",
        port=parts.port or default_port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_tls=implicit_tls,
        start_tls=start_tls,
    )


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ascii_email(mail.to)  # an internationalised domain travels as punycode
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="icok.local")
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
    return message


async def send(settings: Settings, mail: Mail) -> OutboxMessage:
    backend = urlsplit(settings.mail_url).scheme or "console"
    record = await OutboxMessage.create(
        to=mail.to, subject=mail.subject, text=mail.text, html=mail.html, backend=backend
    )
    if backend == "console":
        log.info("e-mail to %s: %s\n%s", mail.to, mail.subject, mail.text)
        record.sent_at = now()
        await record.save(update_fields=["sent_at"])
        return record
    target = smtp_target(settings.mail_url)
    try:
        await aiosmtplib.send(
            build_message(settings, mail),
            hostname=target.host,
            port=target.port,
            username=target.username,
            password=target.password,
            use_tls=target.use_tls,
            start_tls=target.start_tls,
            timeout=SMTP_TIMEOUT,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        log.error("e-mail to %s failed: %s", mail.to, exc)
        record.error = str(exc)[:300]
        await record.save(update_fields=["error"])
        return record
    record.sent_at = now()
    await record.save(update_fields=["sent_at"])
    return record

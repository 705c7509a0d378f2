"""A real SMTP server (aiosmtpd) for tests that read the e-mails the portal sends.

Use it by overriding ``settings`` in a test module::

    @pytest.fixture
    def settings(settings, mailbox):
        return settings.with_overrides(mail_url=mailbox.url)

then ``msg = await mailbox.receive(to="a@example.com")`` and ``mailbox.link(msg, "/confirm-email")``.
The server runs once per test session on a free port; each test gets an empty mailbox.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from backend.services import emails
from tests.checkout import free_port


class _Collector:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.messages.append(([r.lower() for r in envelope.rcpt_tos], message))
        return "250 Message accepted for delivery"


class Mailbox:
    """What the SMTP server received during one test."""

    def __init__(self, collector: _Collector, port: int) -> None:
        self.collector = collector
        self.url = f"smtp://127.0.0.1:{port}"

    def clear(self) -> None:
        with self.collector.lock:
            self.collector.messages.clear()

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        with self.collector.lock:
            return [m for rcpt, m in self.collector.messages if to is None or to.lower() in rcpt]

    async def settle(self) -> None:
        """Wait until every message the app queued has been handed to the server."""
        await emails.drain()

    async def receive(self, to: str, *, count: int = 1, within: float = 10) -> EmailMessage:
        """The latest message to ``to`` once at least ``count`` have arrived."""
        await self.settle()
        deadline = asyncio.get_running_loop().time() + within
        while True:
            found = self.messages(to)
            if len(found) >= count:
                return found[-1]
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"no e-mail to {to} within {within} s (got {len(found)})")
            await asyncio.sleep(0.02)

    @staticmethod
    def text(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @staticmethod
    def html(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())

    @classmethod
    def link(cls, message: EmailMessage, path: str) -> str:
        """The ``token`` of the first link to ``path`` in the plain-text part."""
        match = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-]+)", cls.text(message))
        assert match, f"no {path} link in:\n{cls.text(message)}"
        return match.group(1)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[_Collector, int]]:
    collector = _Collector()
    port = free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[_Collector, int]) -> Mailbox:
    collector, port = smtp_server
    box = Mailbox(collector, port)
    box.clear()
    return box

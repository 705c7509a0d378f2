"""A real HTTP receiver of the portal's webhooks, served by the test on a free port: it verifies
every request with ``standardwebhooks.Webhook(secret).verify`` (the spec's own check, 400 when it
fails), records what arrived, and answers from a plan the test sets (a status, a
``Retry-After``, or ``HANG``: no answer until the receiver stops, so the sender times out)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from backend.config import WebhookEndpoint
from tests.checkout import free_port
from tests.serving import serve

HANG = -1
"""In a plan: do not answer (the sender's timeout ends the attempt)."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(32)).decode()


@dataclass
class Received:
    id: str
    body: dict[str, Any]
    headers: dict[str, str]
    answered: int
    at: float = field(default_factory=time.time)
    """When it arrived (Unix seconds)."""


@dataclass
class Receiver:
    secret: str = field(default_factory=new_secret)
    plan: list[int | tuple[int, str]] = field(default_factory=list)
    """Answers for the next requests in turn (then 200): a status, (status, Retry-After) or HANG."""
    received: list[Received] = field(default_factory=list)
    error_body: str = "nope"
    """The body of answers that are not 2xx."""
    rejected: int = 0
    hanging: int = 0
    """Requests held without an answer (HANG) so far."""
    url: str = ""
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def endpoint(self, name: str = "bss") -> WebhookEndpoint:
        return WebhookEndpoint(name=name, url=self.url, secret=self.secret)

    def delivered(self) -> list[Received]:
        """The requests answered with 2xx, in the order they arrived."""
        return [r for r in self.received if 200 <= r.answered < 300]

    async def handle(self, request: Request) -> Response:
        raw = await request.body()
        try:
            body = Webhook(self.secret).verify(raw, dict(request.headers))
        except WebhookVerificationError:
            self.rejected += 1
            return Response("bad signature", status_code=400)
        answer = self.plan.pop(0) if self.plan else 200
        if answer == HANG:
            self.hanging += 1
            await self._release.wait()
            return Response(status_code=200)  # too late: the sender has given up
        status, retry_after = answer if isinstance(answer, tuple) else (answer, None)
        self.received.append(Received(body["id"], body, dict(request.headers), status))
        headers = {"retry-after": retry_after} if retry_after else {}
        text = self.error_body if status >= 300 else ""
        return Response(text, status_code=status, headers=headers)


def receiver_app(receiver: Receiver) -> Starlette:
    """The receiver as an ASGI app answering ``POST /hooks``."""
    return Starlette(routes=[Route("/hooks", receiver.handle, methods=["POST"])])


@contextlib.asynccontextmanager
async def receiving(receiver: Receiver | None = None) -> AsyncIterator[Receiver]:
    """Serve a receiver (a new one by default) in the test's event loop while the block runs."""
    receiver = receiver or Receiver()
    async with serve(receiver_app(receiver), free_port()) as base:
        receiver.url = f"{base}/hooks"
        try:
            yield receiver
        finally:
            receiver._release.set()

"""A request id per HTTP request: the client's (or its proxy's) ``X-Request-ID`` when it is sane,
else a new one; echoed in the response's ``X-Request-ID`` and carried in :data:`current` into
every log record written while the request runs (``backend.logging_setup.RequestIdFilter``),
the access line and an unhandled exception's traceback included."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
MAX_LENGTH = 128
"""Characters of an incoming request id kept at most (longer ones are replaced)."""
_SANE = re.compile(rf"[A-Za-z0-9._:+=/-]{{1,{MAX_LENGTH}}}")
"""What an incoming id may be: a UUID, hex, base64 or a trace id such as
``Root=1-6789abcd-…``; no spaces, quotes, control characters or anything beyond ASCII."""

current: ContextVar[str | None] = ContextVar("icok_request_id", default=None)
"""The id of the request being served in this task (None outside one: start-up, workers)."""


def new_request_id() -> str:
    """A fresh id: 32 lowercase hex digits (a random UUID)."""
    return uuid.uuid4().hex


def accepted(value: str | None) -> str | None:
    """``value`` when it is a sane request id (1 to :data:`MAX_LENGTH` characters of
    ``A-Z a-z 0-9 . _ : + = / -``), else None."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return None


class RequestIdMiddleware:
    """Gives each HTTP request its id (:func:`accepted` incoming ``X-Request-ID``, else
    :func:`new_request_id`), sets :data:`current` and answers with the id in ``X-Request-ID``.

    :data:`current` is set and not reset: uvicorn runs each request in a task of its own, so the
    value ends with the task, and it is still set when the request's access line is written
    (by ``MetricsMiddleware``, outside this one) or uvicorn logs an exception that escaped the
    app (which happen after this middleware returns)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = accepted(Headers(scope=scope).get(HEADER)) or new_request_id()
        current.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)

"""Plain ASGI middleware: security headers, and the CSRF guard for state-changing requests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.config import Settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if self.settings.secure_cookies:
                    headers.setdefault(
                        "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)


class OriginCheckMiddleware:
    """Refuses cross-site state-changing requests and non-JSON GraphQL posts.

    A browser always sends ``Origin`` on a cross-origin POST; it must match this site. GraphQL
    operations must be JSON (a form post cannot forge one without a CORS preflight).
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        base = urlsplit(settings.base_url)
        self.allowed_origins = {f"{base.scheme}://{base.netloc}"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin and origin != "null":
            host = headers.get("host", "")
            scheme = scope.get("scheme", "http")
            if origin not in self.allowed_origins and origin != f"{scheme}://{host}":
                await _refuse(send, 403, "CROSS_ORIGIN", "Cross-origin request refused.")
                return
        elif origin == "null":
            await _refuse(send, 403, "CROSS_ORIGIN", "Cross-origin request refused.")
            return
        if scope["path"] in BODY_LIMITS:  # the GraphQL endpoints
            content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if content_type != "application/json":
                await _refuse(
                    send,
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "GraphQL requests must be application/json.",
                )
                return
        await self.app(scope, receive, send)


MAX_GRAPHQL_BODY = 1024 * 1024
"""Bytes a GraphQL request may carry. The token limit bounds the query document only; without
this a client could send megabytes of variables (a million IDs took 1.5 s of the event loop
to coerce before any resolver could refuse them). The SPA's largest request is a few KiB."""
MAX_OPERATOR_BODY = 8 * 1024 * 1024
"""Bytes a request to the operator API may carry: a batch of 500 invoices with their lines (the
operator's system, authenticated by its key, which is checked before the body is read)."""
BODY_LIMITS = {
    "/graphql": MAX_GRAPHQL_BODY,
    "/operator/graphql": MAX_OPERATOR_BODY,
    "/console/graphql": MAX_GRAPHQL_BODY,
}
"""The GraphQL endpoints and the bytes a request to each may carry."""


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses request bodies to a path of ``limits`` (:data:`BODY_LIMITS`) over its limit with
    413, by ``Content-Length`` or, for a body sent without one (chunked), while it is read."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int] = BODY_LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope["path"]) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse_too_large(send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except _BodyTooLarge:  # raised while the body is read, before any response started
            await _refuse_too_large(send, limit)


async def _refuse_too_large(send: Send, limit: int) -> None:
    await _refuse(send, 413, "REQUEST_TOO_LARGE", f"Request bodies are limited to {limit} bytes.")


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})

"""Plain ASGI middleware: security headers, the answer to a request the database's outage stopped,
the CSRF guard for state-changing requests, and the limit on request bodies."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend import db
from backend.config import Settings
from backend.http_errors import error_response, service_unavailable
from backend.i18n import request_language, translate
from backend.paths import CONSOLE_GRAPHQL, CUSTOMER_GRAPHQL, GRAPHQL_PATHS, OPERATOR_GRAPHQL

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

log = logging.getLogger("icok.http")


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
                await _refuse(scope, receive, send, 403, "CROSS_ORIGIN", "request.cross_origin")
                return
        elif origin == "null":
            await _refuse(scope, receive, send, 403, "CROSS_ORIGIN", "request.cross_origin")
            return
        if scope["path"] in GRAPHQL_PATHS:
            content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if content_type != "application/json":
                await _refuse(
                    scope,
                    receive,
                    send,
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "request.unsupported_media_type",
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
MAX_WEBHOOK_BODY = 64 * 1024
"""Bytes a payment provider's notification may carry: a few KiB (PayU's carries the order and
its products)."""
MAX_FORM_BODY = 4096
"""Bytes the sandbox's payment form may post (a token, the method, a BLIK code: ~150 bytes)."""
DEFAULT_BODY_LIMIT = 16 * 1024
"""Bytes any other request may carry (no other route reads a body: they are refused early)."""
BODY_LIMITS = {
    CUSTOMER_GRAPHQL: MAX_GRAPHQL_BODY,
    OPERATOR_GRAPHQL: MAX_OPERATOR_BODY,
    CONSOLE_GRAPHQL: MAX_GRAPHQL_BODY,
    "/payments/webhook/": MAX_WEBHOOK_BODY,
    "/sandbox-pay/": MAX_FORM_BODY,
}
"""The bytes a request's body may carry, by path: an exact path, or every path under a prefix
that ends with ``/``; any other path: :data:`DEFAULT_BODY_LIMIT`."""


def body_limit(path: str, limits: Mapping[str, int] = BODY_LIMITS) -> int:
    """The bytes a request to ``path`` may carry (:data:`BODY_LIMITS`)."""
    if path in limits:
        return limits[path]
    for prefix, limit in limits.items():
        if prefix.endswith("/") and path.startswith(prefix):
            return limit
    return DEFAULT_BODY_LIMIT


class _BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses a request whose body is over its path's limit (:func:`body_limit`) with 413
    ``REQUEST_TOO_LARGE`` (in the request's language), by ``Content-Length`` before anything
    reads it or, for a body sent without one (chunked), as soon as the bytes read pass the
    limit: whoever reads the body (strawberry, a route's ``request.body()``) never holds more
    than the limit and one chunk, whatever the client sends.

    A client that goes away before its body is read (Starlette's ``ClientDisconnect``, raised
    to whoever was reading it) is logged in one INFO line: nobody is left to answer."""

    def __init__(self, app: ASGIApp, limits: Mapping[str, int] = BODY_LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope["path"], self.limits)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse_too_large(scope, receive, send, limit)
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
            await _refuse_too_large(scope, receive, send, limit)
        except ClientDisconnect:
            log.info(
                "client went away before its request body was read: %s %s (%d bytes received)",
                scope["method"],
                scope["path"],
                received,
            )


async def _refuse_too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    await _refuse(scope, receive, send, 413, "REQUEST_TOO_LARGE", "request.too_large", limit=limit)


async def _refuse(
    scope: Scope, receive: Receive, send: Send, status: int, code: str, key: str, **params: object
) -> None:
    """Answers ``status`` with a GraphQL error ``code`` and the text ``key`` (``params`` filled)
    in the request's language."""
    message = translate(key, request_language(Headers(scope=scope)), **params)
    await error_response(status, code, message)(scope, receive, send)


class DatabaseOutageMiddleware:
    """Answers a request that fails because the database is unavailable
    (:func:`backend.db.is_unavailable`: down, unreachable, its connections killed, SQLite's file
    unusable) with 503 ``SERVICE_UNAVAILABLE`` and ``Retry-After``
    (:func:`backend.http_errors.service_unavailable`), wherever it failed before its answer
    started: the rate limit's sync, the session or operator-key lookup while a GraphQL context
    is built, a download, the payment routes. On the GraphQL endpoints the answer has the
    media type the client prefers (``application/graphql-response+json`` or
    ``application/json``, as the endpoints' own). Never the driver's message, never a traceback:
    the outage is logged once (:data:`backend.db.incident`), and after a request that did not
    meet it the database is asked whether it is back (one INFO line when it is).

    Errors inside GraphQL execution (a resolver's query) are the schema's
    (``IcokSchema.process_errors``) and the endpoints' (503 as well)."""

    def __init__(self, app: ASGIApp) -> None:
        from backend.app import GRAPHQL_RESPONSE, accepts_graphql_response  # (it imports this)

        self.app = app
        self._graphql_response = GRAPHQL_RESPONSE
        self._accepts_graphql_response = accepts_graphql_response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def watching_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except Exception as exc:
            if status or not db.is_unavailable(exc):
                raise
            db.incident.report(exc)
            await self._unavailable(scope)(scope, receive, send)
            return
        if status != 503:
            await db.incident.check_recovery()

    def _unavailable(self, scope: Scope) -> Response:
        headers = Headers(scope=scope)
        response = service_unavailable(request_language(headers))
        if scope["path"] in GRAPHQL_PATHS and self._accepts_graphql_response(headers.get("accept")):
            response.headers["content-type"] = f"{self._graphql_response}; charset=utf-8"
        return response

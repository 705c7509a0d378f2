"""The Starlette application factory: GraphQL, health checks, the static SPA, middleware."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from cross_web import HTTPException as GraphQLHTTPException  # (strawberry's, for its 4xx)
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.types import ExecutionResult

from backend import db, metrics
from backend.config import Settings, load_settings
from backend.db import prepare_database
from backend.downloads import invoice_pdf_download
from backend.graphiql import graphiql_page
from backend.http_errors import error_response
from backend.i18n import request_language, translate
from backend.middleware import (
    BodySizeLimitMiddleware,
    DatabaseOutageMiddleware,
    OriginCheckMiddleware,
    SecurityHeadersMiddleware,
)
from backend.paths import CONSOLE_GRAPHQL, CUSTOMER_GRAPHQL, OPERATOR_GRAPHQL
from backend.payments.routes import payment_routes
from backend.ratelimit_middleware import RateLimitMiddleware, note_authenticated
from backend.readiness import Readiness
from backend.request_id import RequestIdMiddleware
from backend.schema import build_schema
from backend.schema.context import BACKGROUND_HEADER, SESSION_COOKIE, Context
from backend.services import emails, housekeeping, sessions
from backend.services.errors import ErrorCode
from backend.services.provisioning import build_worker
from backend.services.request import RequestMeta
from backend.services.webhooks import WebhookWorker
from backend.static_assets import ASSETS, FrontendFiles, FrontendTree
from backend.trusted_documents import CUSTOMER_MANIFEST, TrustedDocuments, TrustedDocumentsView

log = logging.getLogger("icok")

ContextT = TypeVar("ContextT")

FRONTEND_DIR = Path(__file__).resolve().parent.parent / "frontend"
CONSOLE_DIR = FRONTEND_DIR / "console"
"""The customer-service console's frontend, served at ``/console/``."""


def client_ip(request: Request, settings: Settings) -> str:
    host = request.client.host if request.client else ""
    if host in settings.trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return host


INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'
"""The ``WWW-Authenticate`` header of an answer to a request whose bearer token is not accepted
(RFC 6750 §3): the app calls ``refreshSession`` or logs in again."""


def is_bearer(request: Request) -> bool:
    """Whether the request sends an ``Authorization: Bearer …`` header (a script or a mobile
    app; the SPA uses the cookie)."""
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def session_token(request: Request) -> str:
    if is_bearer(request):
        return request.headers["authorization"][7:].strip()
    return request.cookies.get(SESSION_COOKIE, "")


def request_meta(request: Request, settings: Settings) -> RequestMeta:
    """Who is asking: the client's address, user agent and language (``X-Icok-Language``, else
    ``Accept-Language``, else Polish)."""
    return RequestMeta(
        ip=client_ip(request, settings),
        user_agent=request.headers.get("user-agent", ""),
        language=request_language(request.headers),
    )


def is_background(request: Request) -> bool:
    """Whether the request is the page's own polling (``X-Icok-Background: 1``/``true``), which
    must not extend a session's idle timer."""
    return request.headers.get(BACKGROUND_HEADER, "") in ("1", "true")


class UnreadableBody(Exception):
    """A GraphQL request body (or a ``variables``/``extensions`` query parameter) that is not a
    JSON object: answered by :func:`invalid_json`."""


def decode_json_object(data: str | bytes) -> object:
    """A GraphQL request body as JSON: a dict (or a list, which strawberry refuses as a batch).

    Raises :class:`UnreadableBody` for bytes that are not UTF-8, malformed JSON, JSON that is not
    an object or a list, and JSON nested too deeply for the parser (``json.loads`` raises
    ``RecursionError`` at about a thousand levels, e.g. 3,000 ``[`` in 6 KB)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # (JSONDecodeError and UnicodeDecodeError are ValueErrors)
        raise UnreadableBody from None
    if not isinstance(value, dict | list):
        raise UnreadableBody
    return value


def invalid_json(request: Request, settings: Settings) -> Response:
    """The answer to an :class:`UnreadableBody`: 400 and a GraphQL error ``INVALID_JSON`` in the
    request's language (the same on ``/graphql`` and ``/operator/graphql``)."""
    message = translate("request.invalid_json", request_meta(request, settings).language)
    return error_response(400, ErrorCode.INVALID_JSON, message)


GRAPHQL_RESPONSE = "application/graphql-response+json"
"""The GraphQL-over-HTTP media type (https://graphql.github.io/graphql-over-http/draft/): sent
when the client's ``Accept`` prefers it, with that spec's status codes."""

_HTTP_ERROR_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}
_HTTP_ERROR_TEXTS = {404: "request.not_found", 405: "request.method_not_allowed"}


def accepts_graphql_response(accept: str | None) -> bool:
    """Whether an ``Accept`` header prefers ``application/graphql-response+json``: listed by
    name with a quality (``q``) at least that of ``application/json`` (or of ``application/*``,
    ``*/*``, which mean ``application/json`` here). No header, ``*/*`` alone or
    ``application/json`` alone: no (GraphQL-over-HTTP keeps ``application/json`` for them)."""
    ours = legacy = 0.0
    for part in (accept or "").split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = max(0.0, min(1.0, float(value)))
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if media == GRAPHQL_RESPONSE:
            ours = max(ours, quality)
        elif media in ("application/json", "application/*", "*/*"):
            legacy = max(legacy, quality)
    return ours > 0 and ours >= legacy


def is_request_error(result: ExecutionResult) -> bool:
    """Whether ``result`` is a *request error* (GraphQL spec): the operation never ran (the
    document did not parse or validate, a variable did not fit, a limit refused it), so it has no
    data and none of its errors has a path (a field's error always has one)."""
    errors: list[GraphQLError] = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


def is_unavailable_result(result: ExecutionResult) -> bool:
    """Whether the database's unavailability stopped part of ``result``: one of its errors is
    ``SERVICE_UNAVAILABLE`` (``IcokSchema.process_errors`` turns such failures into it)."""
    return any(
        (error.extensions or {}).get("code") == ErrorCode.SERVICE_UNAVAILABLE
        for error in result.errors or []
    )


class JSONGraphQL(GraphQL[ContextT, None]):
    """Strawberry's ASGI view, answering every request with JSON (``settings`` is set by the
    subclass):

    - a body it cannot read (:func:`decode_json_object`) is a 400 :func:`invalid_json`, never a
      500 with a traceback; strawberry's own refusals (a batch ``[...]``, ``variables`` that are
      not an object, no query, a GET in production, another method) are coded GraphQL errors
      (``BAD_REQUEST``, ``NOT_FOUND``, ``METHOD_NOT_ALLOWED``) in the request's language with
      strawberry's status, not its plain-text reasons;
    - with ``Accept`` preferring ``application/graphql-response+json``
      (:func:`accepts_graphql_response`) the answer has that media type and GraphQL-over-HTTP's
      status codes: a request error (:func:`is_request_error`) is 400 without a ``data`` entry;
      otherwise (no header, ``*/*``, ``application/json``) ``application/json``, with 200 for
      every GraphQL result;
    - in both, a result the database's unavailability cut short (:func:`is_unavailable_result`)
      is 503 with ``Retry-After`` (its body still the GraphQL result: what did run, ``data``, and
      the coded ``SERVICE_UNAVAILABLE`` errors). A failure before execution (the context's
      session lookup) is :class:`backend.middleware.DatabaseOutageMiddleware`'s 503."""

    settings: Settings

    def decode_json(self, data: str | bytes) -> object:
        return decode_json_object(data)

    def known_operations(self) -> Mapping[str, frozenset[str]]:
        """The operation names ``/metrics`` labels this endpoint's requests with, by document
        hash (none here: every operation is "other"; the trusted-documents views have theirs)."""
        return {}

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        label = metrics.operation_label(
            request_data.query, request_data.operation_name, self.known_operations()
        )
        metrics.note_operation(request.scope, label)
        return await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        metrics.note_outcome(request.scope, result)
        processed = process_result(result)
        if is_unavailable_result(result):
            request.state.database_unavailable = True
        if is_request_error(result) and accepts_graphql_response(request.headers.get("accept")):
            request.state.request_error = True
            del processed["data"]
        return processed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await self.run(request)
        except UnreadableBody:  # (raised while parsing, before anything is sent)
            response = invalid_json(request, self.settings)
        except GraphQLHTTPException as exc:
            response = self.refusal(request, exc.status_code)
        if accepts_graphql_response(request.headers.get("accept")) and response.headers.get(
            "content-type", ""
        ).startswith("application/json"):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if getattr(request.state, "request_error", False) and response.status_code == 200:
                response.status_code = 400
        if getattr(request.state, "database_unavailable", False) and response.status_code in (
            200,
            400,
        ):
            response.status_code = 503
            response.headers["Retry-After"] = str(db.RETRY_AFTER_SECONDS)
        await response(scope, receive, send)

    def refusal(self, request: Request, status: int) -> Response:
        """The answer to a request strawberry refuses with ``status`` (400, 404, 405)."""
        language = request_meta(request, self.settings).language
        key = _HTTP_ERROR_TEXTS.get(status, "request.bad_request")
        code = _HTTP_ERROR_CODES.get(status, "BAD_REQUEST")
        headers = {"Allow": "GET, POST"} if status == 405 else None
        return error_response(status, code, translate(key, language), headers=headers)


class IcokGraphQL(TrustedDocumentsView, JSONGraphQL[Context]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_schema(production=settings.production),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=not settings.production,
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.trusted_documents = TrustedDocuments.from_files(
            CUSTOMER_MANIFEST,
            settings.trusted_documents_manifest,
            enforce=settings.trusted_documents,
        )

    async def render_graphql_ide(self, request: Request) -> Response:
        """The offline GraphiQL page (only reached in development: no IDE in production)."""
        return graphiql_page()

    async def get_context(self, request: Request, response: Response) -> Context:  # type: ignore[override]
        settings = self.settings
        background = is_background(request)
        token = session_token(request)
        auth = await sessions.resolve(token, settings, background=background) if token else None
        if auth is not None:
            note_authenticated(request.scope)
        elif is_bearer(request):
            # The mobile app's signal that its access token has ended (idle time, logout,
            # rotation) or was never good: RFC 6750 §3's challenge, on the usual 200 answer.
            response.headers["WWW-Authenticate"] = INVALID_TOKEN_CHALLENGE
        return Context(
            request=request,
            response=response,
            settings=settings,
            meta=request_meta(request, settings),
            auth=auth,
            background=background,
        )


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 when the database is reachable, migrated and takes writes, else 503 with the reason
    (``backend.readiness``)."""
    verdict = await request.app.state.readiness.verdict()
    return JSONResponse(
        verdict.as_json(),
        status_code=200 if verdict.ready else 503,
        headers={"Cache-Control": "no-store"},
    )


def freeze_start_up_objects() -> None:
    """Move every object alive after start-up (modules, the schemas, the app) out of the
    garbage collector's sight: a full collection then walks only what requests left behind.

    Without it every full collection walked the ~170,000 start-up objects and paused the
    process for 109-127 ms (issue 17; ``bench/gc_pauses.py`` measures it: full collections'
    median pause 341 ms without, 4.3 ms with, on a loaded machine). Frozen objects are still
    freed by reference counting; cycles among them are not (they are meant to live as long as
    the process). Undone (``gc.unfreeze``) when the app stops."""
    gc.collect()
    gc.freeze()


def create_app(settings: Settings | None = None, *, manage_database: bool = True) -> Starlette:
    """Build the app. ``manage_database=False`` leaves the ORM to the caller (tests)."""
    settings = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        if manage_database:
            await prepare_database(settings, wait_seconds=settings.database_timeout_seconds)
        # Completes queued device commands, reconciles pending payments with their provider and
        # expires stale ones; every instance may run one (claims, settlement and expiry are
        # conditional updates).
        worker = build_worker(settings, chores=housekeeping.chores(settings))
        worker.start()
        # Delivers the outbox's events to the operator's webhook endpoints (claims are
        # conditional updates too); idle when none are configured.
        webhooks = WebhookWorker(settings)
        webhooks.start()
        freeze_start_up_objects()
        try:
            yield {}
        finally:
            gc.unfreeze()  # (tests start many apps in one process: their objects may go)
            await webhooks.stop()
            await worker.stop()
            await emails.drain()  # mail queued by the last requests goes out before the DB closes
            if manage_database:
                await db.close()

    from backend.console.endpoint import ConsoleGraphQL  # (they import this module)
    from backend.operator.endpoint import OperatorGraphQL

    graphql = IcokGraphQL(settings)
    tree = FrontendTree(FRONTEND_DIR, immutable=settings.production)
    routes = [
        # Every method reaches the endpoints, which refuse all but POST (and GET in development)
        # with a coded JSON error; so nothing falls through to the SPA's catch-all mount below.
        Route(CUSTOMER_GRAPHQL, graphql),
        Route(OPERATOR_GRAPHQL, OperatorGraphQL(settings)),
        Route(CONSOLE_GRAPHQL, ConsoleGraphQL(settings)),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics.MetricsEndpoint(settings), methods=["GET"]),
        Route("/invoices/{invoice_id:path}.pdf", invoice_pdf_download, methods=["GET"]),
        *payment_routes(settings),
        # The whole frontend under its version (backend.static_assets), cached for good.
        Mount(ASSETS, FrontendFiles(directory=FRONTEND_DIR, tree=tree, versioned=True)),
        # The console's own index.html for its client-side routes (after /console/graphql).
        Mount("/console", FrontendFiles(directory=CONSOLE_DIR, tree=tree)),
        Mount("/", FrontendFiles(directory=FRONTEND_DIR, tree=tree)),
    ]
    app = Starlette(
        debug=False,
        routes=routes,
        lifespan=lifespan,
        middleware=[
            # Outermost: every answer is counted and timed, refusals by the others too.
            Middleware(metrics.MetricsMiddleware),
            # Then: every answer (refusals by the others too) and every log line of the
            # request carry its id.
            Middleware(RequestIdMiddleware),
            Middleware(SecurityHeadersMiddleware, settings=settings),
            # Outside everything that queries the database (the rate limit's sync included).
            Middleware(DatabaseOutageMiddleware),
            # Before anything reads the body (a client over its limit costs no more).
            Middleware(RateLimitMiddleware, settings=settings),
            Middleware(OriginCheckMiddleware, settings=settings),
            Middleware(BodySizeLimitMiddleware),
        ],
    )
    app.state.settings = settings
    app.state.readiness = Readiness(
        settings.database_url,
        timeout=settings.readiness_timeout_seconds,
        cache_seconds=settings.readiness_cache_seconds,
    )
    return app

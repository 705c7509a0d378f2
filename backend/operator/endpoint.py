"""``/operator/graphql``: the operator schema over HTTP, authenticated by an operator API key.

Only ``Authorization: Bearer <operator key>`` authenticates: customers' session cookies are never
read, and a customer's bearer session token is not an operator key. A request without a valid
key (missing, malformed, unknown or revoked: the answer does not say which) gets 401 before its
body is read. GraphiQL (``GET`` from a browser) and queries by ``GET`` exist only in development;
the page itself needs no key (the key goes into GraphiQL's headers).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from backend.app import JSONGraphQL, request_meta
from backend.config import Settings
from backend.graphiql import graphiql_page
from backend.http_errors import error_response
from backend.i18n import translate
from backend.operator.context import OperatorContext
from backend.operator.schema import build_operator_schema
from backend.paths import OPERATOR_GRAPHQL
from backend.ratelimit_middleware import note_authenticated
from backend.services import operator_keys
from backend.services.errors import ErrorCode

_KEY_STATE = "operator_key"


def bearer_key(request: Request) -> str | None:
    """The credentials of an ``Authorization: Bearer ...`` header, or None (no such header)."""
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip() or None


def not_authenticated(request: Request, settings: Settings) -> Response:
    """The one answer to a request without a valid key: 401, ``NOT_AUTHENTICATED``, and the
    same message whatever was wrong with the key (in the request's language)."""
    message = translate("operator.not_authenticated", request_meta(request, settings).language)
    return error_response(
        401, ErrorCode.NOT_AUTHENTICATED, message, headers={"WWW-Authenticate": "Bearer"}
    )


class OperatorGraphQL(JSONGraphQL[OperatorContext]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_operator_schema(production=settings.production),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=not settings.production,
            multipart_uploads_enabled=False,
        )
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticates the key, then lets strawberry serve the request (401 without a key)."""
        request = Request(scope, receive)
        if self.graphql_ide and self.should_render_graphql_ide(self.request_adapter_class(request)):
            await graphiql_page(OPERATOR_GRAPHQL)(scope, receive, send)
            return
        key = await operator_keys.authenticate(bearer_key(request))
        if key is None:
            await not_authenticated(request, self.settings)(scope, receive, send)
            return
        scope.setdefault("state", {})[_KEY_STATE] = key
        note_authenticated(scope)
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request, response: Response) -> OperatorContext:  # type: ignore[override]
        return OperatorContext(
            request=request,
            response=response,
            settings=self.settings,
            key=request.scope["state"][_KEY_STATE],
            meta=request_meta(request, self.settings),
        )

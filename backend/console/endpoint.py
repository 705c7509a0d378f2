"""``/console/graphql``: the console schema over HTTP, authenticated by a staff session.

Only the console's own cookie (``icok_staff``, path ``/console``) authenticates: customers'
session cookies and bearer tokens and operator API keys are never read. Anonymous requests reach
the schema (to log in); every other field declares the role it needs
(:func:`backend.console.permissions.requires_role`). GraphiQL and queries by ``GET`` exist only
in development.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from backend.app import JSONGraphQL, is_background, request_meta
from backend.config import Settings
from backend.console.context import STAFF_COOKIE, ConsoleContext
from backend.console.schema import build_console_schema
from backend.graphiql import graphiql_page
from backend.paths import CONSOLE_GRAPHQL
from backend.ratelimit_middleware import note_authenticated
from backend.services import staff
from backend.trusted_documents import CONSOLE_MANIFEST, TrustedDocuments, TrustedDocumentsView


class ConsoleGraphQL(TrustedDocumentsView, JSONGraphQL[ConsoleContext]):
    def __init__(self, settings: Settings) -> None:
        super().__init__(
            build_console_schema(production=settings.production),
            graphql_ide=None if settings.production else "graphiql",
            allow_queries_via_get=not settings.production,
            multipart_uploads_enabled=False,
        )
        self.settings = settings
        self.trusted_documents = TrustedDocuments.from_files(
            CONSOLE_MANIFEST, enforce=settings.trusted_documents
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if self.graphql_ide and self.should_render_graphql_ide(self.request_adapter_class(request)):
            await graphiql_page(CONSOLE_GRAPHQL)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request, response: Response) -> ConsoleContext:  # type: ignore[override]
        token = request.cookies.get(STAFF_COOKIE, "")
        background = is_background(request)
        auth = await staff.resolve_session(token, background=background) if token else None
        if auth is not None:
            note_authenticated(request.scope)
        return ConsoleContext(
            request=request,
            response=response,
            settings=self.settings,
            meta=request_meta(request, self.settings),
            auth=auth,
        )

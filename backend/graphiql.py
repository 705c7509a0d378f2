"""The GraphiQL explorer page for development, built from the vendored assets in
``frontend/vendor/graphiql`` (no CDN, so it works offline) and without inline scripts, so it
runs under the app's strict Content-Security-Policy. Never served in production mode (the
GraphQL view has no IDE there).
"""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from backend.paths import CUSTOMER_GRAPHQL

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>ICOK GraphiQL</title>
  <link rel="icon" href="/img/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="/vendor/graphiql/graphiql.min.css">
  <link rel="stylesheet" href="/css/graphiql-page.css">
  <script src="/vendor/graphiql/react.production.min.js" defer></script>
  <script src="/vendor/graphiql/react-dom.production.min.js" defer></script>
  <script src="/vendor/graphiql/graphiql.min.js" defer></script>
  <script src="/js/graphiql-init.js" defer></script>
</head>
<body>
  <div id="graphiql" class="graphiql-root" data-endpoint="{endpoint}">Loading GraphiQL…</div>
</body>
</html>
"""


# The app's CSP (backend.middleware.CSP) with one difference: GraphiQL's stylesheet embeds its
# fonts as data: URLs. The middleware keeps a CSP the response already has.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def graphiql_page(endpoint: str = CUSTOMER_GRAPHQL) -> HTMLResponse:
    """The page, exploring the GraphQL endpoint at the path ``endpoint`` (one of
    ``backend.paths``; on the operator's, the key goes into GraphiQL's headers)."""
    page = PAGE.replace("{endpoint}", html.escape(endpoint, quote=True))
    return HTMLResponse(page, headers={"Content-Security-Policy": CSP})

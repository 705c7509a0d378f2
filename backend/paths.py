"""The GraphQL endpoints' paths: the one list the routes (``backend.app``), the endpoints'
GraphiQL pages, the JSON-only guard and body limits (``backend.middleware``) and the request
rate limit (``backend.ratelimit_middleware``) all take them from."""

from __future__ import annotations

CUSTOMER_GRAPHQL = "/graphql"
"""The customers' API (the SPA, mobile apps)."""
CONSOLE_GRAPHQL = "/console/graphql"
"""The staff console's API."""
OPERATOR_GRAPHQL = "/operator/graphql"
"""The operator's API (its systems, with a key)."""
GRAPHQL_PATHS = frozenset({CUSTOMER_GRAPHQL, CONSOLE_GRAPHQL, OPERATOR_GRAPHQL})
"""Every GraphQL endpoint."""

"""The coded JSON error answered outside GraphQL execution (a refused request: cross-origin, not
JSON, too large, rate limited, unreadable, a wrong method, no operator key, a download refused):
``{"errors": [{"message": ..., "extensions": {"code": ..., ...}}]}``, the shape of a GraphQL
request error, so a client reads every refusal the same way. Built here only."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    headers: Mapping[str, str] | None = None,
    **extensions: object,
) -> JSONResponse:
    """``status`` with one error: ``message`` (already translated) and ``extensions`` ``code``
    followed by ``extensions`` (e.g. ``retryAfterSeconds``). Also an ASGI app, for plain
    middleware: ``await error_response(...)(scope, receive, send)``."""
    error = {"message": message, "extensions": {"code": code, **extensions}}
    return JSONResponse({"errors": [error]}, status_code=status, headers=headers)

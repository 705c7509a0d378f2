"""The coded JSON error answered outside GraphQL execution (a refused request: cross-origin, not
JSON, too large, rate limited, unreadable, a wrong method, no operator key, a download refused):
``{"errors": [{"message": ..., "extensions": {"code": ..., ...}}]}``, the shape of a GraphQL
request error, so a client reads every refusal the same way. Built here only."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.responses import JSONResponse

from backend.db import RETRY_AFTER_SECONDS
from backend.i18n import translate
from backend.models.enums import Language
from backend.services.errors import ErrorCode


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


def service_unavailable(language: Language) -> JSONResponse:
    """The answer to a request the database's unavailability stopped
    (:func:`backend.db.is_unavailable`): 503 with ``Retry-After``, ``SERVICE_UNAVAILABLE`` in
    ``language`` and ``retryAfterSeconds``; never the driver's message."""
    return error_response(
        503,
        ErrorCode.SERVICE_UNAVAILABLE,
        translate(ErrorCode.SERVICE_UNAVAILABLE, language),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        retryAfterSeconds=RETRY_AFTER_SECONDS,
    )

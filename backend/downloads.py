"""Authenticated file downloads: ``GET /invoices/{globalId}.pdf``.

The same session as the API (the HttpOnly cookie, or ``Authorization: Bearer`` for mobile apps).
Logged out: 401. An invoice of another customer, an unknown or malformed ID: 404, the same
answer for all three so nothing leaks. A GET changes nothing, so it needs no CSRF guard.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from backend.documents import invoice_pdf
from backend.http_errors import error_response
from backend.services import sessions
from backend.services.errors import ErrorCode


async def invoice_pdf_download(request: Request) -> Response:
    from backend.app import session_token  # the app module imports this one
    from backend.schema.relay import from_global_id

    token = session_token(request)
    auth = await sessions.resolve(token, request.app.state.settings) if token else None
    if auth is None:
        return error_response(401, ErrorCode.NOT_AUTHENTICATED, "Log in first.")
    parsed = from_global_id(request.path_params["invoice_id"])
    if parsed is None or parsed[0] != "Invoice":
        return error_response(404, ErrorCode.NOT_FOUND, "Not found.")
    document = await invoice_pdf.load(request.app.state.settings, auth.customer_id, parsed[1])
    if document is None:
        return error_response(404, ErrorCode.NOT_FOUND, "Not found.")
    body = await asyncio.to_thread(invoice_pdf.render, document)
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{invoice_pdf.filename(document.invoice)}"',
            "Cache-Control": "private, no-store",
        },
    )

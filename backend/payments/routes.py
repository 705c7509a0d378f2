"""HTTP endpoints of the payment flow.

- ``GET /sandbox-pay/{ref}``: the sandbox provider's hosted payment page (static HTML and CSS,
  no scripts; the app's strict CSP applies). It sets a random cookie and puts an HMAC of it and
  the payment reference into the form, so only this page, opened in this browser, can post it.
- ``POST /sandbox-pay/{ref}``: approve / decline / cancel. The sandbox then notifies the app
  exactly like a real provider, a signed webhook, delivered in-process to the same handler as the
  HTTP endpoint, and sends the customer back to ``/payments/return`` of the SPA.
- ``POST /payments/webhook/{provider}``: the providers' notifications (PayU's ``notifyUrl``).
- ``GET /payments/continue/{ref}``: where a provider sends the customer back (PayU's
  ``continueUrl``); it forwards to the SPA's ``/payments/return`` page of that payment.

The sandbox's routes exist only in development mode (:func:`payment_routes`).
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.config import Settings
from backend.i18n import parse_language, translate
from backend.models import Payment
from backend.models.enums import Language, PaymentMethod, PaymentPurpose, PaymentStatus
from backend.payments.base import WebhookRejected
from backend.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from backend.schema.relay import to_global_id
from backend.services import payments
from backend.services.money import format_money

log = logging.getLogger("icok.payments")

NONCE_COOKIE = "icok_sandbox"
CSS = (Path(__file__).parent / "sandbox.css").read_text()
_BLIK = re.compile(r"^[0-9]{6}$")
# BLIK code the sandbox bank always refuses, to try the declined path without a button.
BLIK_DECLINED = "000000"
RETURN_STATUS = {
    PaymentStatus.PENDING: "pending",
    PaymentStatus.PAID: "paid",
    PaymentStatus.FAILED: "failed",
    PaymentStatus.CANCELLED: "cancelled",
    PaymentStatus.EXPIRED: "failed",
}


def _t(key: str, language: Language, **params: object) -> str:
    return translate(f"payment_page.{key}", language, **params)


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def return_url(settings: Settings, payment: Payment) -> str:
    query = urlencode(
        {
            "payment": to_global_id("Payment", payment.id),
            "status": RETURN_STATUS.get(payment.status, "failed"),
        }
    )
    return f"{settings.base_url}/payments/return?{query}"


def _page(language: Language, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        f'<!doctype html><html lang="{language.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(_t('title', language))}</title>"
        '<link rel="stylesheet" href="/sandbox-pay.css"></head>'
        f'<body><main><span class="badge">{escape(_t("badge", language))}</span>{body}</main></body></html>'
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _sandbox_payment(reference: str) -> Payment | None:
    if not reference.startswith("sbx_") or len(reference) > 64:
        return None
    return await Payment.get_or_none(provider=SandboxProvider.name, provider_ref=reference)


async def _description(payment: Payment, language: Language) -> str:
    if payment.purpose is PaymentPurpose.WALLET_TOP_UP:
        return _t("top_up", language)
    numbers = await payment.invoices.all().order_by("number").values_list("number", flat=True)
    return _t("invoices", language, numbers=", ".join(str(n) for n in numbers))


async def _form(
    payment: Payment, language: Language, token: str, *, method: PaymentMethod, error: str = ""
) -> str:
    choices = "".join(
        f'<label><input type="radio" name="method" value="{m.value}"'
        f"{' checked' if m is method else ''}> {escape(_t(m.value, language))}</label>"
        for m in PaymentMethod
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<h1>{escape(_t('title', language))}</h1>"
        f'<p class="amount">{escape(format_money(payment.amount, payment.currency, language))}</p>'
        f"<dl><dt>{escape(_t('merchant', language))}</dt><dd>ICOK</dd>"
        f"<dt>{escape(_t('for', language))}</dt><dd>{escape(await _description(payment, language))}</dd></dl>"
        f'<form method="post" action="/sandbox-pay/{escape(payment.provider_ref or "")}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f"<fieldset><legend>{escape(_t('method', language))}</legend>{choices}</fieldset>"
        f'<label for="blik">{escape(_t("blik_code", language))}</label>'
        '<input type="text" id="blik" name="blik" inputmode="numeric" autocomplete="one-time-code" '
        'maxlength="6" pattern="[0-9]{6}" aria-describedby="blik-hint">'
        f'<p class="hint" id="blik-hint">{escape(_t("blik_hint", language))}</p>{alert}'
        '<div class="actions">'
        f'<button class="approve" name="action" value="approve">{escape(_t("approve", language))}</button>'
        f'<button class="decline" name="action" value="decline">{escape(_t("decline", language))}</button>'
        f'<button class="cancel" name="action" value="cancel" formnovalidate>{escape(_t("cancel", language))}</button>'
        "</div></form>"
    )


def _finished(settings: Settings, payment: Payment, language: Language) -> HTMLResponse:
    """The page of a payment that is no longer pending: only a link back to the SPA."""
    link = escape(return_url(settings, payment))
    text = _t("timed_out" if payment.status is PaymentStatus.EXPIRED else "done", language)
    return _page(
        language,
        f'<h1>{escape(text)}</h1><p><a href="{link}">{escape(_t("back", language))}</a></p>',
    )


def _language(request: Request) -> Language:
    return parse_language(request.headers.get("accept-language"))


async def payment_page(request: Request) -> Response:
    settings = _settings(request)
    language = _language(request)
    payment = await _sandbox_payment(request.path_params["ref"])
    if payment is None:
        return _page(language, f"<h1>{escape(_t('missing', language))}</h1>", 404)
    payment = await payments.refresh_status(settings, payment)
    if payment.status is not PaymentStatus.PENDING:
        return _finished(settings, payment, language)
    provider = SandboxProvider(settings)
    nonce = request.cookies.get(NONCE_COOKIE) or secrets.token_urlsafe(24)
    token = provider.form_token(payment.provider_ref or "", nonce)
    response = _page(language, await _form(payment, language, token, method=payment.method))
    response.set_cookie(
        NONCE_COOKIE,
        nonce,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/sandbox-pay/",
    )
    return response


async def payment_submit(request: Request) -> Response:
    settings = _settings(request)
    language = _language(request)
    payment = await _sandbox_payment(request.path_params["ref"])
    if payment is None:
        return _page(language, f"<h1>{escape(_t('missing', language))}</h1>", 404)
    body = await request.body()  # (at most MAX_FORM_BODY: backend.middleware.BODY_LIMITS)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    provider = SandboxProvider(settings)
    nonce = request.cookies.get(NONCE_COOKIE, "")
    expected = provider.form_token(payment.provider_ref or "", nonce)
    if not nonce or not hmac.compare_digest(expected, form.get("token", "")):
        return _page(language, f"<h1>{escape(_t('expired', language))}</h1>", 403)
    payment = await payments.refresh_status(settings, payment)
    if payment.status is not PaymentStatus.PENDING:
        return _finished(settings, payment, language)
    try:
        method = PaymentMethod(form.get("method", payment.method.value))
    except ValueError:
        method = payment.method
    action = form.get("action", "")
    status, reason = "cancelled", "cancelled by the customer"
    if action == "approve":
        code = form.get("blik", "").strip()
        if method is PaymentMethod.BLIK and not _BLIK.match(code):
            page = await _form(
                payment, language, expected, method=method, error=_t("bad_blik", language)
            )
            return _page(language, page, 400)
        status, reason = "paid", ""
        if method is PaymentMethod.BLIK and code == BLIK_DECLINED:
            status, reason = "failed", "BLIK code refused by the bank"
    elif action == "decline":
        status, reason = "failed", "declined by the customer"
    event = provider.event_body(payment, status, method, reason)
    headers = {SIGNATURE_HEADER: provider.signature_header(event)}
    try:
        outcome = await payments.handle_webhook(settings, provider.name, headers, event)
    except WebhookRejected as exc:  # cannot happen for our own event, unless the row changed
        log.error("sandbox webhook for payment %s rejected: %s", payment.id, exc.reason)
        return _page(language, f"<h1>{escape(_t('expired', language))}</h1>", 409)
    if outcome.payment.status is PaymentStatus.EXPIRED:  # it timed out while the form was open
        return _finished(settings, outcome.payment, language)
    return RedirectResponse(return_url(settings, outcome.payment), status_code=303)


async def webhook(request: Request) -> Response:
    body = await request.body()  # (at most MAX_WEBHOOK_BODY: backend.middleware.BODY_LIMITS)
    try:
        outcome = await payments.handle_webhook(
            _settings(request), request.path_params["provider"], request.headers, body
        )
    except WebhookRejected as exc:
        # (a client's mistake, or a forgery: one line at INFO, never a flood of warnings)
        log.info("webhook rejected (%s): %s", request.path_params["provider"], exc.reason)
        return JSONResponse({"error": exc.reason}, status_code=exc.status_code)
    if outcome.settled:
        result = "settled"
    elif outcome.payment.status is PaymentStatus.PENDING:
        result = "pending"  # the provider is still waiting (PayU's PENDING): nothing to do yet
    else:
        result = "already-final"  # a resend, or an event after the payment ended otherwise
    return JSONResponse({"result": result, "status": outcome.payment.status.value})


async def continue_to_spa(request: Request) -> Response:
    """The provider sent the customer back: show the payment's result page in the SPA (which
    waits for the notification if it has not come yet). An unknown reference goes to the
    payments screen; nothing here reveals whether a reference exists."""
    settings = _settings(request)
    payment = await payments.by_reference(request.path_params["ref"])
    if payment is None:
        return RedirectResponse(f"{settings.base_url}/payments", status_code=303)
    return RedirectResponse(return_url(settings, payment), status_code=303)


async def stylesheet(_: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


def payment_routes(settings: Settings) -> list[Route]:
    """The payment routes of this app: the sandbox's pages only in development mode."""
    routes = [
        Route("/payments/webhook/{provider}", webhook, methods=["POST"]),
        Route("/payments/continue/{ref}", continue_to_spa, methods=["GET"]),
    ]
    if not settings.production:
        routes += [
            Route("/sandbox-pay.css", stylesheet, methods=["GET"]),
            Route("/sandbox-pay/{ref}", payment_page, methods=["GET"]),
            Route("/sandbox-pay/{ref}", payment_submit, methods=["POST"]),
        ]
    return routes

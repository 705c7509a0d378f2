"""HTTP endpoints of the payment flow.

- ``GET /sandbox-pay/{ref}``: the sandbox provider's hosted payment page (static HTML and CSS,
  no scripts; the app's strict CSP applies). It sets a random cookie and puts an HMAC of it and
  the payment reference into the form, so only this page, opened in this browser, can post it.
- ``POST /sandbox-pay/{ref}``: approve / decline / cancel. The sandbox then notifies the app
  exactly like a real provider, a signed webhook, delivered in-process to the same handler as the
  HTTP endpoint, and sends the customer back to ``/payments/return`` of the SPA.
- ``POST /payments/webhook/{provider}``: the webhook endpoint for real (out-of-process) use.
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
from backend.i18n import parse_language
from backend.models import Payment
from backend.models.enums import Language, PaymentMethod, PaymentPurpose, PaymentStatus
from backend.payments.base import WebhookRejected
from backend.payments.sandbox import MAX_BODY, SIGNATURE_HEADER, SandboxProvider
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
    PaymentStatus.PAID: "paid",
    PaymentStatus.FAILED: "failed",
    PaymentStatus.CANCELLED: "cancelled",
    PaymentStatus.EXPIRED: "failed",
}

T = {
    Language.PL: {
        "title": "Płatność testowa",
        "badge": "SANDBOX: pieniądze nie są pobierane",
        "merchant": "Odbiorca",
        "for": "Tytułem",
        "invoices": "Faktury {numbers}",
        "top_up": "Doładowanie portmonetki ICOK",
        "method": "Metoda płatności",
        "card": "Karta płatnicza",
        "blik": "BLIK",
        "transfer": "Przelew bankowy",
        "blik_code": "Kod BLIK (6 cyfr, tylko dla BLIK)",
        "blik_hint": "Kod 000000 zostanie odrzucony przez bank testowy.",
        "approve": "Zapłać",
        "decline": "Odrzuć",
        "cancel": "Anuluj i wróć",
        "bad_blik": "Podaj 6-cyfrowy kod BLIK.",
        "done": "Ta płatność jest już zakończona.",
        "timed_out": "Ta płatność wygasła, bo nie została dokończona na czas. "
        "Nie pobrano pieniędzy. Rozpocznij płatność ponownie w ICOK.",
        "back": "Wróć do ICOK",
        "missing": "Nie ma takiej płatności.",
        "expired": "Formularz wygasł. Otwórz stronę płatności ponownie.",
    },
    Language.EN: {
        "title": "Test payment",
        "badge": "SANDBOX: no money is taken",
        "merchant": "Payee",
        "for": "For",
        "invoices": "Invoices {numbers}",
        "top_up": "ICOK wallet top-up",
        "method": "Payment method",
        "card": "Payment card",
        "blik": "BLIK",
        "transfer": "Bank transfer",
        "blik_code": "BLIK code (6 digits, BLIK only)",
        "blik_hint": "The test bank refuses the code 000000.",
        "approve": "Pay",
        "decline": "Decline",
        "cancel": "Cancel and return",
        "bad_blik": "Enter the 6-digit BLIK code.",
        "done": "This payment is already finished.",
        "timed_out": "This payment has expired because it was not completed in time. "
        "No money was taken. Start the payment again in ICOK.",
        "back": "Back to ICOK",
        "missing": "There is no such payment.",
        "expired": "The form has expired. Open the payment page again.",
    },
}


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
    t = T[language]
    html = (
        f'<!doctype html><html lang="{language.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(t['title'])}</title>"
        '<link rel="stylesheet" href="/sandbox-pay.css"></head>'
        f'<body><main><span class="badge">{escape(t["badge"])}</span>{body}</main></body></html>'
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
        return T[language]["top_up"]
    numbers = await payment.invoices.all().order_by("number").values_list("number", flat=True)
    return T[language]["invoices"].format(numbers=", ".join(str(n) for n in numbers))


async def _form(
    payment: Payment, language: Language, token: str, *, method: PaymentMethod, error: str = ""
) -> str:
    t = T[language]
    choices = "".join(
        f'<label><input type="radio" name="method" value="{m.value}"'
        f"{' checked' if m is method else ''}> {escape(t[m.value])}</label>"
        for m in PaymentMethod
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return (
        f"<h1>{escape(t['title'])}</h1>"
        f'<p class="amount">{escape(format_money(payment.amount, payment.currency, language))}</p>'
        f"<dl><dt>{escape(t['merchant'])}</dt><dd>ICOK</dd>"
        f"<dt>{escape(t['for'])}</dt><dd>{escape(await _description(payment, language))}</dd></dl>"
        f'<form method="post" action="/sandbox-pay/{escape(payment.provider_ref or "")}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f"<fieldset><legend>{escape(t['method'])}</legend>{choices}</fieldset>"
        f'<label for="blik">{escape(t["blik_code"])}</label>'
        '<input type="text" id="blik" name="blik" inputmode="numeric" autocomplete="one-time-code" '
        'maxlength="6" pattern="[0-9]{6}" aria-describedby="blik-hint">'
        f'<p class="hint" id="blik-hint">{escape(t["blik_hint"])}</p>{alert}'
        '<div class="actions">'
        f'<button class="approve" name="action" value="approve">{escape(t["approve"])}</button>'
        f'<button class="decline" name="action" value="decline">{escape(t["decline"])}</button>'
        f'<button class="cancel" name="action" value="cancel" formnovalidate>{escape(t["cancel"])}</button>'
        "</div></form>"
    )


def _finished(settings: Settings, payment: Payment, language: Language) -> HTMLResponse:
    """The page of a payment that is no longer pending: only a link back to the SPA."""
    t = T[language]
    link = escape(return_url(settings, payment))
    text = t["timed_out"] if payment.status is PaymentStatus.EXPIRED else t["done"]
    return _page(
        language, f'<h1>{escape(text)}</h1><p><a href="{link}">{escape(t["back"])}</a></p>'
    )


def _language(request: Request) -> Language:
    return parse_language(request.headers.get("accept-language"))


async def payment_page(request: Request) -> Response:
    settings = _settings(request)
    language = _language(request)
    payment = await _sandbox_payment(request.path_params["ref"])
    if payment is None:
        return _page(language, f"<h1>{escape(T[language]['missing'])}</h1>", 404)
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
        return _page(language, f"<h1>{escape(T[language]['missing'])}</h1>", 404)
    body = await request.body()
    if len(body) > MAX_BODY:
        return _page(language, f"<h1>{escape(T[language]['expired'])}</h1>", 413)
    form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
    provider = SandboxProvider(settings)
    nonce = request.cookies.get(NONCE_COOKIE, "")
    expected = provider.form_token(payment.provider_ref or "", nonce)
    if not nonce or not hmac.compare_digest(expected, form.get("token", "")):
        return _page(language, f"<h1>{escape(T[language]['expired'])}</h1>", 403)
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
                payment, language, expected, method=method, error=T[language]["bad_blik"]
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
        return _page(language, f"<h1>{escape(T[language]['expired'])}</h1>", 409)
    if outcome.payment.status is PaymentStatus.EXPIRED:  # it timed out while the form was open
        return _finished(settings, outcome.payment, language)
    return RedirectResponse(return_url(settings, outcome.payment), status_code=303)


async def webhook(request: Request) -> Response:
    body = await request.body()
    try:
        outcome = await payments.handle_webhook(
            _settings(request), request.path_params["provider"], request.headers, body
        )
    except WebhookRejected as exc:
        log.warning("webhook rejected (%s): %s", request.path_params["provider"], exc.reason)
        return JSONResponse({"error": exc.reason}, status_code=exc.status_code)
    return JSONResponse(
        {
            "result": "settled" if outcome.settled else "already-final",
            "status": outcome.payment.status.value,
        }
    )


async def stylesheet(_: Request) -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


routes = [
    Route("/sandbox-pay.css", stylesheet, methods=["GET"]),
    Route("/sandbox-pay/{ref}", payment_page, methods=["GET"]),
    Route("/sandbox-pay/{ref}", payment_submit, methods=["POST"]),
    Route("/payments/webhook/{provider}", webhook, methods=["POST"]),
]

"""The built-in sandbox provider: a hosted payment page served by the app itself, which reports
the result through a signed webhook exactly as a real provider would.

Webhook signature (Stripe-like): header ``X-Sandbox-Signature: t=<unix time>,v1=<hex>`` where
``v1 = HMAC-SHA-256(key, "<t>." + body)`` and ``key`` is derived from the app's secret key.
Webhooks older (or newer) than ``TOLERANCE`` are refused, so a captured one cannot be replayed
later; a replay inside the window is harmless because settlement happens at most once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import timedelta

from backend.clock import now
from backend.config import Settings
from backend.models import Payment
from backend.models.enums import PaymentMethod, PaymentStatus
from backend.payments.base import CreatedOrder, OrderRequest, ProviderEvent, WebhookRejected

SIGNATURE_HEADER = "x-sandbox-signature"
TOLERANCE = timedelta(minutes=5)
MAX_BODY = 4096
_CURRENCY = re.compile(r"^[A-Z]{3}\Z")
_STATUSES = {
    "paid": PaymentStatus.PAID,
    "failed": PaymentStatus.FAILED,
    "cancelled": PaymentStatus.CANCELLED,
}


class SandboxProvider:
    name = "sandbox"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._key = hmac.new(
            settings.secret_key.encode(), b"icok:sandbox-webhook", hashlib.sha256
        ).digest()
        self._form_key = hmac.new(
            settings.secret_key.encode(), b"icok:sandbox-form", hashlib.sha256
        ).digest()

    # --- provider protocol -------------------------------------------------------------

    def new_reference(self) -> str:
        return "sbx_" + secrets.token_urlsafe(18)

    async def create_order(self, order: OrderRequest) -> CreatedOrder:
        """The sandbox's "order" is the payment itself: its page is served by this app."""
        return CreatedOrder(
            redirect_url=f"{self.settings.base_url}/sandbox-pay/{order.payment.provider_ref}"
        )

    async def fetch_status(self, payment: Payment) -> ProviderEvent | None:
        """The sandbox keeps no state of its own: a payment is pending until its page is used."""
        return ProviderEvent(
            provider_ref=payment.provider_ref or "",
            status=PaymentStatus.PENDING,
            amount=payment.amount,
            currency=payment.currency,
        )

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        if len(body) > MAX_BODY:
            raise WebhookRejected(413, "body too large")
        lowered = {k.lower(): v for k, v in headers.items()}
        stamp, signature = _parse_signature(lowered.get(SIGNATURE_HEADER, ""))
        expected = self._sign(stamp, body)
        if signature is None or not hmac.compare_digest(expected, signature):
            raise WebhookRejected(401, "bad signature")
        age = abs(int(now().timestamp()) - stamp)  # (integers: a 400-digit stamp is only old)
        if age > TOLERANCE.total_seconds():
            raise WebhookRejected(400, "timestamp outside the tolerance")
        try:
            data = json.loads(body)
            status = _STATUSES[data["status"]]
            amount = data["amount"]
            currency = data["currency"]
            reference = str(data["reference"])
            method = PaymentMethod(data["method"]) if data.get("method") else None
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise WebhookRejected(400, "malformed body") from None
        # An amount is a whole number of grosze: 1000.9, 1000.0, "1000" or true are refused,
        # never rounded or truncated.
        if type(amount) is not int or amount <= 0:
            raise WebhookRejected(400, "amount must be a positive whole number of grosze")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            raise WebhookRejected(400, "currency must be a three-letter ISO 4217 code")
        return ProviderEvent(
            provider_ref=reference,
            status=status,
            amount=amount,
            currency=currency,
            method=method,
            reason=str(data.get("reason", ""))[:200],
        )

    # --- the sandbox's own side (the "provider" sending webhooks) ----------------------

    def event_body(
        self, payment: Payment, status: str, method: PaymentMethod, reason: str = ""
    ) -> bytes:
        return json.dumps(
            {
                "reference": payment.provider_ref,
                "status": status,
                "amount": payment.amount,
                "currency": payment.currency,
                "method": method.value,
                "reason": reason,
                "eventId": secrets.token_hex(8),
            },
            separators=(",", ":"),
        ).encode()

    def signature_header(self, body: bytes, stamp: int | None = None) -> str:
        stamp = int(now().timestamp()) if stamp is None else stamp
        return f"t={stamp},v1={self._sign(stamp, body)}"

    def form_token(self, reference: str, nonce: str) -> str:
        """The hosted form's CSRF token: bound to the payment and to the browser's cookie."""
        message = f"{reference}:{nonce}".encode()
        return hmac.new(self._form_key, message, hashlib.sha256).hexdigest()

    def _sign(self, stamp: int, body: bytes) -> str:
        return hmac.new(self._key, str(stamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _parse_signature(header: str) -> tuple[int, str | None]:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        stamp = int(parts.get("t", ""))
    except ValueError:
        raise WebhookRejected(401, "bad signature") from None
    return stamp, parts.get("v1")

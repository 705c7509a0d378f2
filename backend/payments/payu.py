"""PayU REST API v2.1 (PayU GPO Europe), the production payment provider.

Sources (details in ``/work/shared/REFERENCE.md`` §1): **PO** = PayU's OpenAPI description
(repository ``api-evangelist/payu``, ``openapi/payu-{order,authorize}-api-openapi.yml``),
**SDK** = PayU's PHP SDK (``PayU-EMEA/openpayu_php``), **DP** = developers.payu.com/europe/docs.

- **Token** [PO authorize; DP payment-flows/auth-and-order]: ``POST
  /pl/standard/user/oauth/authorize`` with the form-encoded body
  ``grant_type=client_credentials&client_id=…&client_secret=…`` (the ``Content-Type`` must be
  ``application/x-www-form-urlencoded`` or PayU answers 401) → ``{"access_token",
  "token_type": "bearer", "expires_in": 43199}``. The token is cached per POS until
  ``EXPIRY_MARGIN`` before ``expires_in`` runs out (time from :mod:`backend.clock`) and fetched
  again once when an API call answers 401 (a token PayU revoked early).
- **Order** [PO create; developers.payu.com/en/restapi.html]: ``POST /api/v2_1/orders``, JSON,
  ``Authorization: Bearer …``. Amounts are strings of minor units (``"1000"`` = 10.00 PLN).
  PayU answers **302** with the JSON body (``status.statusCode: "SUCCESS"``, ``redirectUri``,
  ``orderId``): redirects are never followed here (following one gives the HTML page with 200).
  201/200 with the same body are accepted too, and ``WARNING_CONTINUE_REDIRECT`` counts as
  success as in the SDK (``lib/OpenPayU/OpenPayU.php``). ``validityTime`` is our
  ``payment_timeout_seconds``, so PayU cancels an order we have expired (PayU's default is a day).
- **Pay methods** [DP pl/card-payments/payu-form; DP payment-solutions/blik/integration; DP
  get-started/payment-methods/implementation-details]: card → ``{"type": "PBL", "value": "c"}``
  (PayU's card form), BLIK → ``{"type": "PBL", "value": "blik"}`` (PayU's BLIK page); a transfer
  names no method, so the hosted page lets the buyer pick the bank.
- **Retrieve** [PO; SDK ``lib/OpenPayU/v2/Order.php``]: ``GET /api/v2_1/orders/{orderId}`` →
  ``{"orders": [{…, "status"}]}``; an order PayU does not know answers 404 (``DATA_NOT_FOUND``).
- **Notifications** [SDK ``lib/OpenPayU/Util.php`` ``parseSignature``/``verifySignature``,
  ``HttpCurl.php``; sample body in openpayu_php#23]: a JSON ``{"order": {orderId, extOrderId,
  totalAmount, currencyCode, status, …}, …}`` posted to ``notifyUrl``, signed in the header
  ``OpenPayu-Signature`` (the SDK also reads ``X-OpenPayU-Signature``):
  ``sender=…;signature=<hex>;algorithm=MD5;content=DOCUMENT``. The signature is the hex digest of
  the **raw body** followed by the POS's second key, with the named algorithm; PayU still signs
  with MD5 (openpayu_php#56). Our answer 200 stops PayU's resends.
- **Statuses** [DP payment-flows/lifecycle; SDK ``OpenPayuOrderStatus.php``]: NEW and PENDING
  (being processed) and WAITING_FOR_CONFIRMATION → our PENDING (nothing changes); COMPLETED →
  PAID; CANCELED → CANCELLED; REJECTED → FAILED. Notifications come repeated and out of order
  (PENDING after COMPLETED, openpayu_php#27; COMPLETED twice, plugin_prestashop#176): a
  payment settles once and never leaves a final status (:func:`backend.services.payments.settle`).
- **WAITING_FOR_CONFIRMATION** is an order PayU holds for the merchant to capture; it happens
  only when the POS has automatic collection ("autoodbiór") switched off. We do **not** capture
  (no ``PUT /api/v2_1/orders/{id}/status``): the POS must keep automatic collection on, which is
  PayU's default, and an order that does wait is left to PayU, which cancels an uncaptured order
  (CANCELED → our CANCELLED), so money is never taken without the payment settling here.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import re
import secrets
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from backend.clock import now
from backend.config import PayUSettings, Settings
from backend.models import Payment
from backend.models.enums import PaymentMethod, PaymentStatus
from backend.payments.base import (
    CreatedOrder,
    OrderRequest,
    ProviderEvent,
    ProviderUnavailable,
    WebhookRejected,
)

log = logging.getLogger("icok.payments.payu")

TOKEN_PATH = "/pl/standard/user/oauth/authorize"
ORDERS_PATH = "/api/v2_1/orders"
TIMEOUT = httpx.Timeout(10.0, connect=10.0)
"""Seconds to wait for PayU to accept the connection and to answer: the customer is waiting."""
EXPIRY_MARGIN = timedelta(minutes=1)
MAX_TOKEN_SECONDS = 86400
"""The longest a token is cached, whatever ``expires_in`` says (seconds)."""
"""A cached token is fetched anew this long before PayU said it expires."""
SIGNATURE_HEADERS = ("openpayu-signature", "x-openpayu-signature")
ALGORITHMS = {
    "MD5": "md5",
    "SHA1": "sha1",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}
"""Signature algorithms a notification may name (SDK ``Util.php``); any other is refused. The
SDK's bare "SHA" is not accepted: it means SHA-1 when verifying and SHA-256 when signing."""
CREATED = {"SUCCESS", "WARNING_CONTINUE_REDIRECT"}
PAY_METHODS = {
    PaymentMethod.CARD: {"type": "PBL", "value": "c"},
    PaymentMethod.BLIK: {"type": "PBL", "value": "blik"},
}
STATUSES = {
    "NEW": PaymentStatus.PENDING,
    "PENDING": PaymentStatus.PENDING,
    "WAITING_FOR_CONFIRMATION": PaymentStatus.PENDING,
    "COMPLETED": PaymentStatus.PAID,
    "CANCELED": PaymentStatus.CANCELLED,
    "REJECTED": PaymentStatus.FAILED,
}
REASONS = {"CANCELED": "cancelled at PayU", "REJECTED": "rejected by PayU"}
_DIGITS = re.compile(r"^[0-9]{1,12}\Z")
_CURRENCY = re.compile(r"^[A-Z]{3}\Z")
_HEX = re.compile(r"^[0-9a-fA-F]{32,128}\Z")
_FALLBACK_IP = "127.0.0.1"


@dataclass
class _Token:
    value: str
    expires_at: datetime


_TOKENS: dict[tuple[str, str, str], _Token] = {}
"""Access tokens by (API URL, POS id, client id). Plain data, no HTTP client and no lock, so it
works from any event loop (each call opens its own short-lived client)."""


class PayUProvider:
    name = "payu"

    def __init__(self, settings: Settings) -> None:
        if settings.payu is None:
            raise LookupError("payment provider 'payu' is not configured (ICOK_PAYU_*)")
        self.settings = settings
        self.pos: PayUSettings = settings.payu
        self._key = (self.pos.api_url, self.pos.pos_id, self.pos.client_id)

    # --- provider protocol -------------------------------------------------------------

    def new_reference(self) -> str:
        """Our ``extOrderId`` (unique per POS, PO: at most 1024 characters)."""
        return "payu_" + secrets.token_urlsafe(18)

    async def create_order(self, order: OrderRequest) -> CreatedOrder:
        """Create PayU's order for ``order.payment``; raises :class:`ProviderUnavailable` on any
        answer but a successful one (with a message for the log, never a secret)."""
        payment = order.payment
        body: dict[str, Any] = {
            "merchantPosId": self.pos.pos_id,
            "extOrderId": payment.provider_ref,
            "description": order.description,
            "currencyCode": payment.currency,
            "totalAmount": str(payment.amount),
            "customerIp": _customer_ip(order.customer_ip),
            "notifyUrl": order.notify_url,
            "continueUrl": order.continue_url,
            "validityTime": str(self.settings.payment_timeout_seconds),
            "buyer": {"language": order.language.value},
            "products": [
                {"name": name[:255], "unitPrice": str(amount), "quantity": "1"}
                for name, amount in order.lines
            ],
        }
        if order.buyer_email:
            body["buyer"]["email"] = order.buyer_email
        if payment.method in PAY_METHODS:
            body["payMethods"] = {"payMethod": PAY_METHODS[payment.method]}
        response = await self._api("POST", ORDERS_PATH, json=body)
        data = _json(response)
        status = _status_code(data)
        redirect = data.get("redirectUri") if isinstance(data, dict) else None
        order_id = data.get("orderId") if isinstance(data, dict) else None
        if response.status_code not in (200, 201, 302) or status not in CREATED:
            raise ProviderUnavailable(
                f"PayU refused the order: HTTP {response.status_code}, statusCode {status!r}"
            )
        if not isinstance(redirect, str) or not redirect.startswith(("https://", "http://")):
            raise ProviderUnavailable("PayU created an order without a redirectUri")
        if not isinstance(order_id, str) or not order_id:
            raise ProviderUnavailable("PayU created an order without an orderId")
        return CreatedOrder(redirect_url=redirect, order_id=order_id)

    async def fetch_status(self, payment: Payment) -> ProviderEvent | None:
        """PayU's order of ``payment`` now (``orders[0]``), or ``None`` when the payment has no
        PayU order id or PayU does not know the order (404)."""
        if not payment.provider_order_id:
            return None
        path = f"{ORDERS_PATH}/{quote(payment.provider_order_id, safe='')}"
        response = await self._api("GET", path)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ProviderUnavailable(
                f"PayU did not tell the order's status: HTTP {response.status_code}, "
                f"statusCode {_status_code(_json(response))!r}"
            )
        data = _json(response)
        orders = data.get("orders") if isinstance(data, dict) else None
        if not isinstance(orders, list) or not orders or not isinstance(orders[0], dict):
            raise ProviderUnavailable("PayU answered the order's status without orders[0]")
        found = dict(orders[0])
        found.setdefault("extOrderId", payment.provider_ref)
        try:
            return _event(found)
        except ValueError as exc:
            raise ProviderUnavailable(f"PayU answered a malformed order: {exc}") from None

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> ProviderEvent:
        """Check the ``OpenPayu-Signature`` of ``body`` and read the order in it.

        Raises ``WebhookRejected``: 401 without a readable signature header or with a wrong
        signature, 400 for an algorithm not in :data:`ALGORITHMS` or a malformed body (also an
        amount that is not a string of digits: ``"1000.9"``, ``"10.00"``, ``1000``, ``""``)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        header = next((lowered[h] for h in SIGNATURE_HEADERS if lowered.get(h)), "")
        parts = _signature_parts(header)
        if parts is None or "signature" not in parts or "algorithm" not in parts:
            raise WebhookRejected(401, "missing or malformed OpenPayu-Signature")
        algorithm = ALGORITHMS.get(parts["algorithm"].upper())
        if algorithm is None:
            raise WebhookRejected(400, "unsupported signature algorithm")
        expected = hashlib.new(algorithm, body + self.pos.second_key.encode()).hexdigest()
        if not hmac.compare_digest(expected, parts["signature"].lower()):
            raise WebhookRejected(401, "bad signature")
        try:
            data = json.loads(body)
            order = data["order"]
            if not isinstance(order, dict):
                raise ValueError("order is not an object")
            return _event(order)
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: deep nesting
            raise WebhookRejected(400, "malformed body") from None

    # --- HTTP ----------------------------------------------------------------------------

    async def _api(self, method: str, path: str, json: object = None) -> httpx.Response:
        """One call of PayU's API with a Bearer token, fetched again once on 401."""
        async with httpx.AsyncClient(
            base_url=self.pos.api_url, timeout=TIMEOUT, follow_redirects=False, verify=_tls()
        ) as client:
            token = await self._token(client)
            response = await self._send(client, method, path, token, json)
            if response.status_code == 401:
                log.info("PayU refused the cached token (401): fetching a new one")
                _TOKENS.pop(self._key, None)
                token = await self._token(client)
                response = await self._send(client, method, path, token, json)
            if response.status_code >= 500:
                raise ProviderUnavailable(f"PayU {method} {path}: HTTP {response.status_code}")
            return response

    async def _send(
        self, client: httpx.AsyncClient, method: str, path: str, token: str, body: object
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            return await client.request(method, path, json=body, headers=headers)
        except httpx.TimeoutException:
            raise ProviderUnavailable(f"PayU {method} {path}: no answer in time") from None
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"PayU {method} {path}: {type(exc).__name__} (connection failed)"
            ) from None

    async def _token(self, client: httpx.AsyncClient) -> str:
        """A valid access token of this POS: the cached one, or a new one from PayU."""
        cached = _TOKENS.get(self._key)
        if cached is not None and now() < cached.expires_at:
            return cached.value
        form = {
            "grant_type": "client_credentials",
            "client_id": self.pos.client_id,
            "client_secret": self.pos.client_secret,
        }
        try:
            response = await client.post(TOKEN_PATH, data=form)
        except httpx.TimeoutException:
            raise ProviderUnavailable("PayU OAuth: no answer in time") from None
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(
                f"PayU OAuth: {type(exc).__name__} (connection failed)"
            ) from None
        data = _json(response)
        value = data.get("access_token") if isinstance(data, dict) else None
        expires_in = data.get("expires_in") if isinstance(data, dict) else None
        if response.status_code != 200 or not isinstance(value, str) or not value:
            raise ProviderUnavailable(
                f"PayU OAuth refused a token for client {self.pos.client_id}: "
                f"HTTP {response.status_code}"
            )
        # PayU's tokens live ~12 h (43199 s); a longer promise is capped at a day.
        seconds = min(expires_in, MAX_TOKEN_SECONDS) if type(expires_in) is int else 0
        seconds = max(seconds, 0)
        _TOKENS[self._key] = _Token(value, now() + timedelta(seconds=seconds) - EXPIRY_MARGIN)
        return value


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings of every PayU call, made once (httpx's defaults): a client making its
    own loads the CA bundle again, tens of milliseconds of CPU on the event loop per call."""
    return httpx.create_ssl_context()


def _customer_ip(raw: str) -> str:
    """The buyer's address as PayU takes it (IPv4 or IPv6; PayU refuses ``0.0.0.0``); the
    loopback address when the request had none (a test client, a local proxy)."""
    try:
        address = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return _FALLBACK_IP
    return _FALLBACK_IP if address.is_unspecified else str(address)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def _status_code(data: Any) -> str | None:
    status = data.get("status") if isinstance(data, dict) else None
    code = status.get("statusCode") if isinstance(status, dict) else None
    return code if isinstance(code, str) else None


def _signature_parts(header: str) -> dict[str, str] | None:
    """``sender=…;signature=…;algorithm=…;content=DOCUMENT`` as a dict (SDK ``parseSignature``:
    every part is exactly one ``key=value``), or ``None`` when it is not that."""
    if not header.strip():
        return None
    parts: dict[str, str] = {}
    for piece in header.strip().rstrip(";").split(";"):
        key, sep, value = piece.strip().partition("=")
        if not sep or not key or "=" in value:
            return None
        parts[key.strip().lower()] = value.strip()
    signature = parts.get("signature", "")
    if signature and not _HEX.match(signature):
        return None
    return parts


def _event(order: dict[str, Any]) -> ProviderEvent:
    """A PayU order (a notification's ``order`` or ``orders[0]`` of a retrieve) as an event;
    raises ``ValueError`` (or ``KeyError``) for a field that is missing or not as documented.

    ``totalAmount`` must be a string of digits (minor units, PO): ``"1000.9"``, ``"10.00"``, the
    number ``1000`` or ``""`` are refused, never rounded or truncated."""
    amount = order["totalAmount"]
    if not isinstance(amount, str) or not _DIGITS.match(amount) or int(amount) <= 0:
        raise ValueError("totalAmount must be a string of digits")
    currency = order["currencyCode"]
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise ValueError("currencyCode must be three capital letters")
    raw_status = order["status"]
    if raw_status not in STATUSES:
        raise ValueError(f"unknown status {raw_status!r}")
    reference = order["extOrderId"]
    if not isinstance(reference, str) or not reference:
        raise ValueError("extOrderId missing")
    pay_method = order.get("payMethod")
    method = None
    if isinstance(pay_method, dict) and pay_method.get("type") == "CARD_TOKEN":
        method = PaymentMethod.CARD  # PBL is a bank transfer or BLIK alike: not told apart
    own_id = order.get("orderId")
    return ProviderEvent(
        provider_ref=reference,
        status=STATUSES[raw_status],
        amount=int(amount),
        currency=currency,
        method=method,
        reason=REASONS.get(raw_status, ""),
        order_id=own_id if isinstance(own_id, str) and own_id else None,
    )

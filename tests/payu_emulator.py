"""A PayU emulator: PayU's REST API v2.1 as a real HTTP server for the tests, and the fixtures
that start it and the app on free ports.

It implements the documented protocol (``backend/payments/payu.py`` lists the sources): the
OAuth token (form-encoded ``client_credentials``, tokens expiring after ``expires_in`` seconds of
the frozen clock), order create (required fields checked, amounts as strings of digits, answered
with **302** and the JSON body, ``redirectUri`` pointing at its own page), order retrieve, and
notifications signed ``OpenPayu-Signature: sender=checkout;signature=<hex>;algorithm=MD5;
content=DOCUMENT`` (hex digest of body + second key) posted over real HTTP to the order's
``notifyUrl`` when the test pays or cancels an order.

Fault switches: :meth:`PayUEmulator.fail_next` (the next N calls answer 5xx),
:meth:`PayUEmulator.hold_next` (the next call gets no answer until the test releases it: a
timeout, or a PayU slower than a second request, with no real time involved),
:meth:`PayUEmulator.revoke_tokens` (a 401 for the cached token), ``drop_notifications`` (status
changes without a notification, as when PayU's notifications do not get through), and
:meth:`PayUEmulator.notify` to send any notification again or out of order.

Fixtures (registered in ``tests/conftest.py``): ``payu_emulator`` (the running emulator),
``payu_settings`` (the test's ``settings`` with ``payment_provider=payu``, the emulator's POS and
``base_url`` on the port the app will be served on), ``payu_server`` (the app with
``payu_settings`` served on that port, for notifications to reach it) and ``payu_client`` (an
``httpx.AsyncClient`` on it).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from backend.app import create_app
from backend.clock import now
from backend.config import PaymentProviderName, PayUSettings, Settings
from tests.checkout import free_port
from tests.serving import serve

_DIGITS = re.compile(r"^[0-9]+\Z")
DIGESTS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


@dataclass
class Hold:
    """A request the emulator keeps unanswered until the test calls :meth:`release`."""

    path: str
    reached: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()


@dataclass
class EmulatedOrder:
    order_id: str
    ext_order_id: str | None
    request: dict[str, Any]
    """The order create request as PayU received it."""
    status: str = "NEW"
    created_at: datetime = field(default_factory=now)
    notifications: list[httpx.Response] = field(default_factory=list)
    """Our app's answers to the notifications sent for this order."""

    def as_json(self, status: str | None = None) -> dict[str, Any]:
        """The order as PayU shows it in a notification or a retrieve."""
        r = self.request
        shown: dict[str, Any] = {
            "orderId": self.order_id,
            "orderCreateDate": self.created_at.isoformat(timespec="milliseconds"),
            "notifyUrl": r.get("notifyUrl"),
            "customerIp": r["customerIp"],
            "merchantPosId": r["merchantPosId"],
            "description": r["description"],
            "currencyCode": r["currencyCode"],
            "totalAmount": r["totalAmount"],
            "buyer": r.get("buyer", {}),
            "products": r["products"],
            "status": status or self.status,
        }
        if self.ext_order_id is not None:
            shown["extOrderId"] = self.ext_order_id
        if (status or self.status) == "COMPLETED":
            shown["payMethod"] = {"type": "PBL"}
        return shown


class PayUEmulator:
    """One PayU POS. Attributes a test may read or set: ``orders`` (by ``orderId``),
    ``calls`` (``(method, path)`` of every request), ``token_requests``, ``expires_in``,
    ``drop_notifications`` (how many of the next notifications are not delivered)."""

    def __init__(
        self,
        *,
        pos_id: str = "300746",
        client_id: str = "300746",
        client_secret: str = "2ee86a66e5d97e3fadc400c9f19b065d",
        second_key: str = "b6ca15b0d1020e8094d9b5f8d163db54",
        expires_in: int = 43199,
    ) -> None:
        self.pos_id = pos_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.second_key = second_key
        self.expires_in = expires_in
        self.url = ""
        self.tokens: dict[str, datetime] = {}
        self.orders: dict[str, EmulatedOrder] = {}
        self.calls: list[tuple[str, str]] = []
        self.token_requests = 0
        self.drop_notifications = 0
        self._fail: list[tuple[str, int]] = []
        self._holds: list[Hold] = []
        self._held: list[Hold] = []

    # --- what a test controls ---------------------------------------------------------

    def pos_settings(self) -> PayUSettings:
        return PayUSettings(
            pos_id=self.pos_id,
            client_id=self.client_id,
            client_secret=self.client_secret,
            second_key=self.second_key,
            api_url=self.url,
        )

    def fail_next(self, count: int = 1, status: int = 503, path: str = "/") -> None:
        """The next ``count`` requests whose path starts with ``path`` (default: any; e.g.
        ``"/api/"`` for the API but not the token) answer ``status`` with PayU's error body."""
        self._fail += [(path, status)] * count

    def hold_next(self, path: str = "/") -> Hold:
        """The next request whose path starts with ``path`` is answered only once the test calls
        ``release()`` on what this returns (every hold is released when the test ends);
        ``reached`` is set when the request has arrived."""
        hold = Hold(path)
        self._holds.append(hold)
        self._held.append(hold)
        return hold

    def release_all(self) -> None:
        for hold in self._held:
            hold.release()

    def revoke_tokens(self) -> None:
        """Every token issued so far is refused (401) from now on."""
        self.tokens.clear()

    def order(self, reference: str) -> EmulatedOrder:
        """The order with ``orderId`` or ``extOrderId`` ``reference``."""
        for order in self.orders.values():
            if reference in (order.order_id, order.ext_order_id):
                return order
        raise KeyError(reference)

    async def pay(self, reference: str, **sending: Any) -> httpx.Response | None:
        """The buyer pays: the order goes PENDING (notified) then COMPLETED (notified); returns
        the app's answer to the COMPLETED notification (None when dropped)."""
        await self.set_status(reference, "PENDING", **sending)
        return await self.set_status(reference, "COMPLETED", **sending)

    async def cancel(self, reference: str, **sending: Any) -> httpx.Response | None:
        """The buyer gives up (or PayU cancels the order): CANCELED, notified."""
        return await self.set_status(reference, "CANCELED", **sending)

    async def set_status(
        self, reference: str, status: str, **sending: Any
    ) -> httpx.Response | None:
        """Move the order to ``status`` and notify it (unless notifications are dropped)."""
        order = self.order(reference)
        order.status = status
        if self.drop_notifications > 0:
            self.drop_notifications -= 1
            return None
        return await self.notify(reference, status, **sending)

    def notification(self, reference: str, status: str | None = None, **changes: Any) -> bytes:
        """The body PayU posts for the order (its current status unless ``status``), with the
        order's fields replaced by ``changes`` (e.g. ``totalAmount="1000.9"``)."""
        order = self.order(reference)
        shown = {**order.as_json(status), **changes}
        body: dict[str, Any] = {"order": shown}
        if shown["status"] == "COMPLETED":
            body["localReceiptDateTime"] = now().isoformat(timespec="milliseconds")
            body["properties"] = [{"name": "PAYMENT_ID", "value": str(secrets.randbelow(10**10))}]
        return json.dumps(body).encode()

    def signature(self, body: bytes, algorithm: str = "MD5") -> str:
        """The ``OpenPayu-Signature`` header value for ``body``."""
        digest = hashlib.new(DIGESTS[algorithm], body + self.second_key.encode()).hexdigest()
        return f"sender=checkout;signature={digest};algorithm={algorithm};content=DOCUMENT"

    async def notify(
        self,
        reference: str,
        status: str | None = None,
        *,
        algorithm: str = "MD5",
        header: str = "OpenPayu-Signature",
        signature: str | None = None,
        body: bytes | None = None,
        **changes: Any,
    ) -> httpx.Response:
        """Post a notification of the order (``status``, default its own) to its ``notifyUrl``
        over HTTP, signed with ``algorithm`` (or with the header value ``signature``); returns
        the app's answer (also kept in the order's ``notifications``)."""
        order = self.order(reference)
        body = self.notification(reference, status, **changes) if body is None else body
        headers = {
            "Content-Type": "application/json;charset=UTF-8",
            header: signature if signature is not None else self.signature(body, algorithm),
        }
        async with httpx.AsyncClient(timeout=30) as client:
            answer = await client.post(order.request["notifyUrl"], content=body, headers=headers)
        order.notifications.append(answer)
        return answer

    # --- the HTTP side ------------------------------------------------------------------

    def app(self) -> Starlette:
        async def faults(request: Request) -> Response | None:
            path = request.url.path
            self.calls.append((request.method, path))
            hold = next((h for h in self._holds if path.startswith(h.path)), None)
            if hold is not None:
                self._holds.remove(hold)
                hold.reached.set()
                await hold.released.wait()
            fail = next((f for f in self._fail if path.startswith(f[0])), None)
            if fail is not None:
                self._fail.remove(fail)
                return _error(fail[1], "ERROR_INTERNAL", "PayU system is unavailable")
            return None

        async def token(request: Request) -> Response:
            if (fault := await faults(request)) is not None:
                return fault
            self.token_requests += 1
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            if (
                content_type != "application/x-www-form-urlencoded"
                or form.get("grant_type") != "client_credentials"
                or form.get("client_id") != self.client_id
                or form.get("client_secret") != self.client_secret
            ):
                return JSONResponse(
                    {"error": "invalid_client", "error_description": "Bad client credentials"},
                    status_code=401,
                )
            value = secrets.token_hex(16)
            self.tokens[value] = now() + timedelta(seconds=self.expires_in)
            return JSONResponse(
                {
                    "access_token": value,
                    "token_type": "bearer",
                    "expires_in": self.expires_in,
                    "grant_type": "client_credentials",
                }
            )

        def authorised(request: Request) -> bool:
            scheme, _, value = request.headers.get("authorization", "").partition(" ")
            expires = self.tokens.get(value)
            return scheme.lower() == "bearer" and expires is not None and now() < expires

        async def create(request: Request) -> Response:
            if (fault := await faults(request)) is not None:
                return fault
            if not authorised(request):
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            try:
                data = await request.json()
            except ValueError:
                return _error(400, "ERROR_SYNTAX", "Incorrect request syntax")
            problem = _order_problem(data, self.pos_id)
            if problem is not None:
                return _error(400, "ERROR_VALUE_INVALID", problem)
            ext = data.get("extOrderId")
            if ext is not None and any(o.ext_order_id == ext for o in self.orders.values()):
                return _error(400, "ERROR_ORDER_NOT_UNIQUE", "extOrderId already used")
            order_id = secrets.token_hex(10).upper() + "GUEST000P01"
            self.orders[order_id] = EmulatedOrder(order_id, ext, data)
            redirect = f"{self.url}/pay/?orderId={order_id}"
            return JSONResponse(
                {
                    "status": {"statusCode": "SUCCESS"},
                    "redirectUri": redirect,
                    "orderId": order_id,
                    **({"extOrderId": ext} if ext is not None else {}),
                },
                status_code=302,
                headers={"Location": redirect},
            )

        async def retrieve(request: Request) -> Response:
            if (fault := await faults(request)) is not None:
                return fault
            if not authorised(request):
                return JSONResponse({"error": "invalid_token"}, status_code=401)
            order = self.orders.get(request.path_params["order_id"])
            if order is None:
                return _error(404, "DATA_NOT_FOUND", "Could not find data for given criteria.")
            return JSONResponse(
                {"orders": [order.as_json()], "status": {"statusCode": "SUCCESS"}},
            )

        async def page(request: Request) -> Response:
            """PayU's hosted page, reduced to two buttons: pay (PENDING then COMPLETED are
            notified) or cancel (CANCELED); then the buyer goes to the order's continueUrl."""
            order = self.orders.get(request.query_params.get("orderId", ""))
            if order is None:
                return HTMLResponse("<h1>Unknown order</h1>", status_code=404)
            if request.method == "POST":
                form = parse_qs((await request.body()).decode())
                if form.get("action") == ["pay"]:
                    await self.pay(order.order_id)
                else:
                    await self.cancel(order.order_id)
                return Response(status_code=302, headers={"Location": order.request["continueUrl"]})
            amount = escape(order.request["totalAmount"])
            return HTMLResponse(
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>PayU emulator</title></head><body><main><h1>PayU emulator</h1>"
                f"<p>{escape(order.order_id)}: {amount} {escape(order.request['currencyCode'])}</p>"
                '<form method="post"><button name="action" value="pay">Pay</button>'
                '<button name="action" value="cancel">Cancel</button></form></main></body></html>'
            )

        return Starlette(
            routes=[
                Route("/pl/standard/user/oauth/authorize", token, methods=["POST"]),
                Route("/api/v2_1/orders", create, methods=["POST"]),
                Route("/api/v2_1/orders/{order_id}", retrieve, methods=["GET"]),
                Route("/pay/", page, methods=["GET", "POST"]),
            ]
        )


def _error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"status": {"statusCode": code, "statusDesc": description}}, status_code=status
    )


def _order_problem(data: Any, pos_id: str) -> str | None:
    """Why PayU would refuse this order create request (None: it would not)."""
    if not isinstance(data, dict):
        return "body must be an object"
    for name in ("customerIp", "merchantPosId", "description", "currencyCode", "totalAmount"):
        if not isinstance(data.get(name), str) or not data[name]:
            return f"{name} is required (a string)"
    if data["merchantPosId"] != pos_id:
        return "merchantPosId is not this POS"
    if data["customerIp"] in ("0.0.0.0", "::"):  # noqa: S104  (PayU refuses it)
        return "customerIp is invalid"
    if not _DIGITS.match(data["totalAmount"]):
        return "totalAmount must be a string of digits (minor units)"
    products = data.get("products")
    if not isinstance(products, list) or not products:
        return "products are required"
    for product in products:
        if not isinstance(product, dict) or not product.get("name"):
            return "product name is required"
        if not _DIGITS.match(str(product.get("unitPrice", ""))):
            return "product unitPrice must be a string of digits"
        if not _DIGITS.match(str(product.get("quantity", ""))):
            return "product quantity must be a number"
    for url in ("notifyUrl", "continueUrl"):
        if url in data and not str(data[url]).startswith(("http://", "https://")):
            return f"{url} must be a URL"
    return None


# --- fixtures ---------------------------------------------------------------------------


@pytest_asyncio.fixture
async def payu_emulator() -> AsyncIterator[PayUEmulator]:
    """A PayU emulator served on a free port for this test."""
    emulator = PayUEmulator()
    async with serve(emulator.app(), free_port()) as url:
        emulator.url = url
        try:
            yield emulator
        finally:
            emulator.release_all()  # held requests answer, so the server can stop


@pytest.fixture
def payu_port() -> int:
    """The port the app under test is served on (``payu_server``)."""
    return free_port()


@pytest.fixture
def payu_settings(settings: Settings, payu_emulator: PayUEmulator, payu_port: int) -> Settings:
    """The test's settings with PayU (the emulator's POS) as the payment provider and the app's
    public address on ``payu_port``, where ``payu_server`` serves it."""
    return settings.with_overrides(
        payment_provider=PaymentProviderName.PAYU,
        payu=payu_emulator.pos_settings(),
        base_url=f"http://127.0.0.1:{payu_port}",
    )


@pytest_asyncio.fixture
async def payu_server(payu_settings: Settings, payu_port: int, db: str) -> AsyncIterator[str]:
    """The app with ``payu_settings`` served over HTTP (the test's database); its base URL."""
    async with serve(create_app(payu_settings, manage_database=False), payu_port) as url:
        yield url


@pytest_asyncio.fixture
async def payu_client(payu_server: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of ``payu_server`` over real HTTP (keeps cookies: ``login_as`` works)."""
    async with httpx.AsyncClient(base_url=payu_server, timeout=30) as client:
        yield client

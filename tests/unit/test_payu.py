"""PayU's notification signature and body as the adapter reads them, without HTTP (the HTTP
side, end to end, is ``tests/api/test_payu.py``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from backend.config import PaymentProviderName, PayUSettings, Settings
from backend.models.enums import PaymentMethod, PaymentStatus
from backend.payments import PayUProvider, WebhookRejected, get_provider
from backend.payments.payu import _customer_ip

KEY = "b6ca15b0d1020e8094d9b5f8d163db54"
PAYU = PayUSettings(pos_id="300746", client_id="300746", client_secret="s", second_key=KEY)
SETTINGS = Settings(payment_provider=PaymentProviderName.PAYU, payu=PAYU)


def _body(**changes: Any) -> bytes:
    order = {
        "orderId": "LDLW5N7MF4140324GUEST000P01",
        "extOrderId": "payu_abc",
        "totalAmount": "5000",
        "currencyCode": "PLN",
        "status": "COMPLETED",
        **changes,
    }
    return json.dumps({"order": order, "properties": []}).encode()


def _header(body: bytes, algorithm: str = "MD5", digest: str = "md5") -> str:
    signature = hashlib.new(digest, body + KEY.encode()).hexdigest()
    return f"sender=checkout;signature={signature};algorithm={algorithm};content=DOCUMENT"


def _verify(body: bytes, header: str, name: str = "OpenPayu-Signature") -> Any:
    return PayUProvider(SETTINGS).verify_webhook({name: header}, body)


def test_a_signed_notification_becomes_an_event() -> None:
    body = _body(payMethod={"type": "CARD_TOKEN"})
    event = _verify(body, _header(body))
    assert event.provider_ref == "payu_abc" and event.order_id == "LDLW5N7MF4140324GUEST000P01"
    assert event.status is PaymentStatus.PAID and event.amount == 5000 and event.currency == "PLN"
    assert event.method is PaymentMethod.CARD
    # PBL is a transfer or BLIK alike: the method stays the one the customer chose
    body = _body(payMethod={"type": "PBL"})
    assert _verify(body, _header(body)).method is None


@pytest.mark.parametrize(
    ("status", "ours", "reason"),
    [
        ("NEW", PaymentStatus.PENDING, ""),
        ("PENDING", PaymentStatus.PENDING, ""),
        ("WAITING_FOR_CONFIRMATION", PaymentStatus.PENDING, ""),
        ("COMPLETED", PaymentStatus.PAID, ""),
        ("CANCELED", PaymentStatus.CANCELLED, "cancelled at PayU"),
        ("REJECTED", PaymentStatus.FAILED, "rejected by PayU"),
    ],
)
def test_statuses(status: str, ours: PaymentStatus, reason: str) -> None:
    body = _body(status=status)
    event = _verify(body, _header(body))
    assert (event.status, event.reason) == (ours, reason)


@pytest.mark.parametrize(
    "header",
    [
        lambda b: _header(b) + ";",  # a trailing separator (SDK: rtrim)
        lambda b: _header(b).upper().replace("ALGORITHM=MD5", "algorithm=MD5"),  # upper hex
        lambda b: _header(b, "SHA-256", "sha256"),
        lambda b: _header(b, "sha-256", "sha256"),
        lambda b: _header(b, "SHA256", "sha256"),
        lambda b: _header(b, "SHA-1", "sha1"),
        lambda b: "algorithm=MD5; signature=" + hashlib.md5(b + KEY.encode()).hexdigest(),  # noqa: S324
    ],
)
def test_accepted_signature_headers(header: Any) -> None:
    body = _body()
    assert _verify(body, header(body)).status is PaymentStatus.PAID
    assert _verify(body, header(body), "X-OpenPayU-Signature").status is PaymentStatus.PAID


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("", 401),
        ("sender=checkout;algorithm=MD5", 401),  # no signature
        ("signature=" + "a" * 32, 401),  # no algorithm
        ("signature=zz;algorithm=MD5", 401),  # not hex
        ("signature=a=b;algorithm=MD5", 401),  # not key=value
        ("signature;algorithm=MD5", 401),
        ("signature=" + "a" * 32 + ";algorithm=SHA", 400),  # ambiguous in PayU's SDK
        ("signature=" + "a" * 32 + ";algorithm=CRC32", 400),
        ("signature=" + "a" * 32 + ";algorithm=MD5", 401),  # wrong
    ],
)
def test_refused_signature_headers(header: str, status: int) -> None:
    with pytest.raises(WebhookRejected) as refused:
        _verify(_body(), header)
    assert refused.value.status_code == status


@pytest.mark.parametrize(
    "changes",
    [
        {"totalAmount": "1000.9"},
        {"totalAmount": "10.00"},
        {"totalAmount": 1000},
        {"totalAmount": 1000.0},
        {"totalAmount": ""},
        {"totalAmount": "0"},
        {"totalAmount": "-100"},
        {"totalAmount": " 100"},
        {"totalAmount": "1e3"},
        {"totalAmount": None},
        {"currencyCode": "pln"},
        {"currencyCode": "PLNX"},
        {"currencyCode": 985},
        {"status": "PAID"},
        {"status": None},
        {"extOrderId": ""},
        {"extOrderId": 12},
    ],
)
def test_malformed_orders_are_refused_never_rounded(changes: dict[str, Any]) -> None:
    body = _body(**changes)
    with pytest.raises(WebhookRejected) as refused:
        _verify(body, _header(body))
    assert refused.value.status_code == 400


@pytest.mark.parametrize("body", [b"", b"[]", b'{"order": []}', b'{"x": 1}', b"\xff"])
def test_malformed_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(WebhookRejected) as refused:
        _verify(body, _header(body))
    assert refused.value.status_code == 400


def test_customer_ip() -> None:
    assert _customer_ip("203.0.113.7") == "203.0.113.7"
    assert _customer_ip(" 2001:db8::1 ") == "2001:db8::1"
    assert _customer_ip("0.0.0.0") == "127.0.0.1"  # noqa: S104  (PayU refuses it)
    assert _customer_ip("") == "127.0.0.1"
    assert _customer_ip("unknown") == "127.0.0.1"


def test_the_registry_gives_payu_only_with_its_settings() -> None:
    assert isinstance(get_provider(SETTINGS), PayUProvider)
    assert isinstance(get_provider(Settings(payu=PAYU), "payu"), PayUProvider)  # old payments
    with pytest.raises(LookupError):
        get_provider(Settings(), "payu")

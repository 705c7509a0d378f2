"""The webhook endpoint: only a correctly signed, fresh, matching notification changes anything."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

from backend.clock import clock
from backend.config import Settings
from backend.models import Payment, Wallet, WalletTransaction
from backend.models.enums import PaymentMethod, PaymentStatus
from backend.payments import SandboxProvider
from backend.services import payments, wallet
from tests.factories import make_customer, make_meta

URL = "/payments/webhook/sandbox"


async def _started(
    settings: Settings, customer_id: int, amount: str = "40", key: str = "hook-key-0001"
) -> Payment:
    return (
        await payments.start_top_up(settings, customer_id, amount, "card", key, meta=make_meta())
    ).payment


def _signed(
    settings: Settings, payment: Payment, status: str = "paid", **override: Any
) -> tuple[bytes, dict[str, str]]:
    sandbox = SandboxProvider(settings)
    body = sandbox.event_body(payment, status, PaymentMethod.CARD)
    if override:
        body = json.dumps({**json.loads(body), **override}).encode()
    return body, {
        "X-Sandbox-Signature": sandbox.signature_header(body),
        "Content-Type": "application/json",
    }


async def test_settles_once_and_answers_replays(client, settings, db) -> None:
    customer = await make_customer(settings)
    payment = await _started(settings, customer.id)
    body, headers = _signed(settings, payment)
    first = await client.post(URL, content=body, headers=headers)
    assert first.status_code == 200 and first.json() == {"result": "settled", "status": "paid"}
    replay = await client.post(URL, content=body, headers=headers)
    assert replay.status_code == 200 and replay.json() == {
        "result": "already-final",
        "status": "paid",
    }
    assert (await Wallet.get(customer_id=customer.id)).balance == 4000
    assert await WalletTransaction.all().count() == 1


async def test_forged_late_wrong_and_unknown_change_nothing(client, settings, db) -> None:
    customer = await make_customer(settings)
    payment = await _started(settings, customer.id)
    body, headers = _signed(settings, payment)
    forged = SandboxProvider(settings.with_overrides(secret_key="f" * 48)).signature_header(body)
    stamp = int((clock.now() - timedelta(minutes=10)).timestamp())
    late = SandboxProvider(settings).signature_header(body, stamp=stamp)
    huge = SandboxProvider(settings).signature_header(body, stamp=10**400)  # no float fits it
    wrong_body, wrong_headers = _signed(settings, payment, amount=400000)
    unknown_body, unknown_headers = _signed(settings, payment, reference="sbx_doesnotexist")
    attempts = [
        (body, {"Content-Type": "application/json"}, 401),
        (body, {"X-Sandbox-Signature": forged}, 401),
        (body + b" ", headers, 401),
        (body, {"X-Sandbox-Signature": late}, 400),
        (body, {"X-Sandbox-Signature": huge}, 400),
        (wrong_body, wrong_headers, 409),
        (unknown_body, unknown_headers, 404),
        (b"x" * 5000, headers, 413),
    ]
    for content, hdrs, status in attempts:
        response = await client.post(URL, content=content, headers=hdrs)
        assert response.status_code == status, (status, response.text)
        assert "error" in response.json()
    assert (
        await client.post("/payments/webhook/other", content=body, headers=headers)
    ).status_code == 404
    # a webhook is not a browser: no Origin, no cookies, and a cross-site form cannot reach it
    cross = await client.post(
        URL, content=body, headers={**headers, "Origin": "https://evil.example"}
    )
    assert cross.status_code == 403
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING
    assert await WalletTransaction.all().count() == 0
    # a too-late notification is refused even for the real event
    clock.advance(minutes=6)
    assert (await client.post(URL, content=body, headers=headers)).status_code == 400


async def test_fifty_simultaneous_webhooks_over_http(client, settings, db, monkeypatch) -> None:
    # 50 open payments of one wallet at once: lift the cap on pending payments for this test
    monkeypatch.setattr(payments, "MAX_PENDING", 50)
    customer = await make_customer(settings)
    started = [
        await _started(settings, customer.id, f"{10 + i}.01", f"http-bulk-{i:03d}")
        for i in range(50)
    ]
    signed = [_signed(settings, p) for p in started]
    # each notification delivered three times at once, in an interleaved order
    calls = [client.post(URL, content=b, headers=h) for _ in range(3) for b, h in signed]
    responses = await asyncio.gather(*calls)
    assert all(r.status_code == 200 for r in responses)
    assert sum(r.json()["result"] == "settled" for r in responses) == 50
    expected = sum(1000 + i * 100 + 1 for i in range(50))
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == expected == await wallet.ledger_sum(purse.id)
    running = 0
    for entry in await WalletTransaction.filter(wallet=purse).order_by("id"):
        running += entry.amount
        assert entry.balance_after == running
    assert await Payment.filter(status=PaymentStatus.PAID).count() == 50


async def test_amounts_are_exact_whole_grosze(client, settings, db) -> None:
    """A notification's amount is never rounded or truncated into a match: 40.00 zł is 4000."""
    customer = await make_customer(settings)
    payment = await _started(settings, customer.id)
    for override in (
        {"amount": 4000.9},
        {"amount": 4000.0},
        {"amount": "4000"},
        {"amount": True},
        {"amount": None},
        {"amount": -4000},
        {"currency": "pln"},
        {"currency": "PLNX"},
        {"currency": 985},
    ):
        body, headers = _signed(settings, payment, **override)
        response = await client.post(URL, content=body, headers=headers)
        assert response.status_code == 400, (override, response.text)
    body, headers = _signed(settings, payment, currency="EUR")
    assert (await client.post(URL, content=body, headers=headers)).status_code == 409
    # longer than any reference: unknown (404), not a database error
    body, headers = _signed(settings, payment, reference="sbx_" + "x" * 61)
    assert (await client.post(URL, content=body, headers=headers)).status_code == 404
    sandbox = SandboxProvider(settings)
    nested = b"[" * 2000  # json.loads raises RecursionError, not ValueError
    response = await client.post(
        URL, content=nested, headers={"X-Sandbox-Signature": sandbox.signature_header(nested)}
    )
    assert response.status_code == 400, response.text
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING
    assert await WalletTransaction.all().count() == 0
    body, headers = _signed(settings, payment)  # the exact one still settles
    assert (await client.post(URL, content=body, headers=headers)).json()["status"] == "paid"


async def test_production_has_no_sandbox(settings, db) -> None:
    """In production the sandbox's page, form and notifications do not exist (a started
    sandbox payment from development cannot be approved there)."""
    import httpx

    from backend.app import create_app
    from backend.config import Mode

    customer = await make_customer(settings)
    payment = await _started(settings, customer.id)
    body, headers = _signed(settings, payment)
    app = create_app(settings.with_overrides(mode=Mode.PRODUCTION), manage_database=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
        ref = payment.provider_ref
        page = await client.get(f"/sandbox-pay/{ref}")  # the SPA's own "not found", if any
        assert 'action="/sandbox-pay/' not in page.text and "token" not in page.text
        assert (
            await client.post(f"/sandbox-pay/{ref}", data={"action": "approve"})
        ).status_code in (
            404,
            405,
        )
        assert (await client.get("/sandbox-pay.css")).status_code == 404
        assert (await client.post(URL, content=body, headers=headers)).status_code == 404
    await payment.refresh_from_db()
    assert payment.status is PaymentStatus.PENDING


async def test_continue_url_leads_to_the_payments_result_page(client, settings, db) -> None:
    from backend.schema.relay import to_global_id

    customer = await make_customer(settings)
    payment = await _started(settings, customer.id)
    response = await client.get(f"/payments/continue/{payment.provider_ref}?error=501")
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("http://testserver/payments/return?")
    assert f"payment={to_global_id('Payment', payment.id)}" in location.replace("%3D", "=")
    assert "status=pending" in location
    unknown = await client.get("/payments/continue/sbx_nosuchpayment")
    assert unknown.status_code == 303
    assert unknown.headers["location"] == "http://testserver/payments"

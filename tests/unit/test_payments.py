"""Starting payments, and settling them exactly once from the sandbox provider's webhooks."""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import timedelta
from typing import Any

import pytest

from backend.clock import clock, today
from backend.config import Settings
from backend.models import (
    AuditEvent,
    DeviceCommand,
    Invoice,
    Payment,
    Service,
    Wallet,
    WalletTransaction,
)
from backend.models.enums import (
    AuditKind,
    CommandKind,
    DeviceKind,
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
    ServiceStatus,
    SuspensionReason,
)
from backend.payments import SandboxProvider, WebhookRejected
from backend.services import payments, wallet
from backend.services.errors import DomainError, ErrorCode
from tests.factories import make_customer, make_device, make_invoice, make_meta, make_service
from tests.raises import domain_error


def test_parse_amount() -> None:
    assert payments.parse_amount("50") == 5000
    assert payments.parse_amount(" 12,5 ") == 1250
    assert payments.parse_amount("0.01") == 1
    assert payments.parse_amount("1 000,50") == 100050  # a thousands separator
    assert payments.parse_amount("1\u00a0000") == 100000
    for bad in ("12.345", "-5", "1e3", "abc", "12.", "٣٣", "1 0 0", "4 9,9 9", "10 00", "1 000 0"):
        with pytest.raises(DomainError) as caught:
            payments.parse_amount(bad)
        assert caught.value.code is ErrorCode.INVALID
    with pytest.raises(DomainError) as caught:
        payments.parse_amount("  ")
    assert caught.value.code is ErrorCode.REQUIRED


async def deliver(
    settings: Settings, payment: Payment, status: str = "paid", **override: Any
) -> payments.WebhookOutcome:
    """What the sandbox page does: sign an event and hand it to the webhook handler."""
    sandbox = SandboxProvider(settings)
    body = sandbox.event_body(payment, status, PaymentMethod.BLIK)
    if override:
        body = json.dumps({**json.loads(body), **override}).encode()
    headers = {"x-sandbox-signature": sandbox.signature_header(body)}
    return await payments.handle_webhook(settings, "sandbox", headers, body)


async def test_top_up_validation(db, settings) -> None:
    customer = await make_customer(settings)
    cases = [
        (("5", "card", "key-00000001"), ErrorCode.AMOUNT_OUT_OF_RANGE, "amount"),
        (("9.99", "card", "key-00000001"), ErrorCode.AMOUNT_OUT_OF_RANGE, "amount"),
        (("500.01", "card", "key-00000001"), ErrorCode.AMOUNT_OUT_OF_RANGE, "amount"),
        (("501", "card", "key-00000001"), ErrorCode.AMOUNT_OUT_OF_RANGE, "amount"),
        (("", "card", "key-00000001"), ErrorCode.REQUIRED, "amount"),
        (("12,345", "card", "key-00000001"), ErrorCode.INVALID, "amount"),
        (("50", "cash", "key-00000001"), ErrorCode.INVALID, "method"),
        (("50", "card", ""), ErrorCode.REQUIRED, "idempotency_key"),
        (("50", "card", "short"), ErrorCode.INVALID, "idempotency_key"),
        (("50", "card", "x" * 65), ErrorCode.INVALID, "idempotency_key"),
        (("50", "card", "bad key with spaces"), ErrorCode.INVALID, "idempotency_key"),
    ]
    for args, code, field in cases:
        error = await domain_error(
            payments.start_top_up(settings, customer.id, *args, meta=make_meta())
        )
        assert (error.code, error.field) == (code, field), args
    assert await Payment.all().count() == 0
    low = await payments.start_top_up(
        settings, customer.id, "10", "card", "key-00000002", meta=make_meta()
    )
    high = await payments.start_top_up(
        settings, customer.id, "500.00", "blik", "key-00000003", meta=make_meta()
    )
    assert (low.payment.amount, high.payment.amount) == (1_000, 50_000)  # 10-500 zł
    assert low.redirect_url == f"http://testserver/sandbox-pay/{low.payment.provider_ref}"


async def test_idempotency_key(db, settings) -> None:
    customer = await make_customer(settings)
    other = await make_customer(settings)
    first = await payments.start_top_up(
        settings, customer.id, "50", "card", "retry-key-1", meta=make_meta()
    )
    again = await payments.start_top_up(
        settings, customer.id, "50.00", "card", "retry-key-1", meta=make_meta()
    )
    assert again.payment.id == first.payment.id and again.redirect_url == first.redirect_url
    for amount, method in (("60", "card"), ("50", "blik")):
        error = await domain_error(
            payments.start_top_up(
                settings, customer.id, amount, method, "retry-key-1", meta=make_meta()
            )
        )
        assert error.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    invoice = await make_invoice(customer)
    error = await domain_error(
        payments.start_invoice_payment(
            settings, customer.id, [invoice.id], "card", "retry-key-1", meta=make_meta()
        )
    )
    assert error.code is ErrorCode.IDEMPOTENCY_KEY_REUSED
    # keys are per customer: another customer may use the same one
    theirs = await payments.start_top_up(
        settings, other.id, "50", "card", "retry-key-1", meta=make_meta()
    )
    assert theirs.payment.id != first.payment.id
    assert await Payment.all().count() == 2


async def test_concurrent_retries_create_one_payment(db, settings) -> None:
    customer = await make_customer(settings)
    results = await asyncio.gather(
        *(
            payments.start_top_up(
                settings, customer.id, "20", "card", "double-click-1", meta=make_meta()
            )
            for _ in range(10)
        )
    )
    assert len({r.payment.id for r in results}) == 1
    assert await Payment.filter(customer_id=customer.id).count() == 1


async def test_invoice_payment_validation(db, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    mine = await make_invoice(customer, gross=10000)
    second = await make_invoice(customer, gross=2345)
    paid = await make_invoice(customer, status=InvoiceStatus.PAID)
    theirs = await make_invoice(stranger)
    start = functools.partial(payments.start_invoice_payment, meta=make_meta())
    assert (await domain_error(start(settings, customer.id, [], "card", "k-000001"))).code is (
        ErrorCode.NOTHING_TO_PAY
    )
    foreign = await domain_error(
        start(settings, customer.id, [mine.id, theirs.id], "card", "k-000001")
    )
    assert (foreign.code, foreign.field) == (ErrorCode.NOT_FOUND, "invoice_ids")
    assert foreign.params == {}  # nothing about the other customer's invoice leaks
    already = await domain_error(start(settings, customer.id, [paid.id], "card", "k-000001"))
    assert already.code is ErrorCode.INVOICE_ALREADY_PAID
    assert already.params == {"number": paid.number}
    cancelled = await make_invoice(customer, status=InvoiceStatus.CANCELLED)
    assert (
        await domain_error(start(settings, customer.id, [cancelled.id], "card", "k-000001"))
    ).code is (ErrorCode.NOTHING_TO_PAY)
    too_many = await domain_error(
        start(settings, customer.id, list(range(1, 60)), "card", "k-000001")
    )
    assert too_many.code is ErrorCode.INVALID
    started = await start(settings, customer.id, [mine.id, second.id, mine.id], "card", "k-000002")
    assert started.payment.amount == 12345
    again = await start(settings, customer.id, [second.id, mine.id], "card", "k-000002")
    assert again.payment.id == started.payment.id
    reused = await domain_error(start(settings, customer.id, [mine.id], "card", "k-000002"))
    assert reused.code is ErrorCode.IDEMPOTENCY_KEY_REUSED


async def test_top_up_settles_exactly_once(db, settings) -> None:
    customer = await make_customer(settings)
    started = await payments.start_top_up(
        settings, customer.id, "50", "card", "topup-once-1", meta=make_meta()
    )
    outcome = await deliver(settings, started.payment)
    assert outcome.settled and outcome.payment.status is PaymentStatus.PAID
    assert outcome.payment.method is PaymentMethod.BLIK  # the method chosen on the page
    replay = await deliver(settings, started.payment)
    assert not replay.settled
    late_failure = await deliver(settings, started.payment, "failed")
    assert not late_failure.settled and late_failure.payment.status is PaymentStatus.PAID
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 5000
    entries = await WalletTransaction.filter(wallet=purse)
    assert [(e.amount, e.balance_after, e.payment_id) for e in entries] == [
        (5000, 5000, started.payment.id)
    ]
    assert await AuditEvent.filter(kind=AuditKind.PAYMENT_SETTLED).count() == 1


async def test_declined_payment_changes_nothing_else(db, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer)
    started = await payments.start_invoice_payment(
        settings, customer.id, [invoice.id], "card", "declined-01", meta=make_meta()
    )
    outcome = await deliver(settings, started.payment, "failed", reason="card declined")
    assert outcome.payment.status is PaymentStatus.FAILED
    assert outcome.payment.failure_reason == "card declined"
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.UNPAID
    assert not (await deliver(settings, started.payment, "paid")).settled
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.UNPAID


async def test_rejected_webhooks_change_nothing(db, settings) -> None:
    customer = await make_customer(settings)
    started = await payments.start_top_up(
        settings, customer.id, "50", "card", "rejected-01", meta=make_meta()
    )
    sandbox = SandboxProvider(settings)
    body = sandbox.event_body(started.payment, "paid", PaymentMethod.CARD)
    good = sandbox.signature_header(body)

    async def attempt(headers: dict[str, str], payload: bytes = body) -> int:
        with pytest.raises(WebhookRejected) as caught:
            await payments.handle_webhook(settings, "sandbox", headers, payload)
        return caught.value.status_code

    stamp = good.split(",")[0]
    assert await attempt({}) == 401
    assert await attempt({"x-sandbox-signature": "garbage"}) == 401
    assert await attempt({"x-sandbox-signature": f"{stamp},v1={'0' * 64}"}) == 401
    forged_sig = SandboxProvider(settings.with_overrides(secret_key="z" * 40)).signature_header(
        body
    )
    assert await attempt({"x-sandbox-signature": forged_sig}) == 401
    tampered = body.replace(b'"amount":5000', b'"amount":500000')
    assert await attempt({"x-sandbox-signature": good}, tampered) == 401
    old = sandbox.signature_header(
        body, stamp=int((clock.now() - timedelta(minutes=6)).timestamp())
    )
    assert await attempt({"x-sandbox-signature": old}) == 400
    wrong_amount = json.dumps({**json.loads(body), "amount": 1}).encode()
    assert (
        await attempt({"x-sandbox-signature": sandbox.signature_header(wrong_amount)}, wrong_amount)
        == 409
    )
    unknown = json.dumps({**json.loads(body), "reference": "sbx_nope"}).encode()
    assert await attempt({"x-sandbox-signature": sandbox.signature_header(unknown)}, unknown) == 404
    malformed = b'{"reference": 1}'
    assert (
        await attempt({"x-sandbox-signature": sandbox.signature_header(malformed)}, malformed)
        == 400
    )
    with pytest.raises(WebhookRejected):
        await payments.handle_webhook(settings, "paypal", {"x-sandbox-signature": good}, body)
    await started.payment.refresh_from_db()
    assert started.payment.status is PaymentStatus.PENDING
    assert await Wallet.filter(customer_id=customer.id, balance__gt=0).count() == 0
    assert await WalletTransaction.all().count() == 0


async def test_paying_overdue_invoices_lifts_debt_suspension(db, settings) -> None:
    customer = await make_customer(settings)
    service = await make_service(
        customer,
        status=ServiceStatus.SUSPENDED,
        suspension_reason=SuspensionReason.DEBT,
        suspended_at=clock.now(),
    )
    card = await make_device(service, kind=DeviceKind.SMART_CARD)
    other_tech = await make_service(
        customer, status=ServiceStatus.SUSPENDED, suspension_reason=SuspensionReason.TECHNICAL
    )
    old = await make_invoice(customer, due_on=today() - timedelta(days=40))
    older = await make_invoice(customer, due_on=today() - timedelta(days=10))
    upcoming = await make_invoice(customer, due_on=today() + timedelta(days=10))
    first = await payments.start_invoice_payment(
        settings, customer.id, [old.id], "card", "debt-0001", meta=make_meta()
    )
    await deliver(settings, first.payment)
    assert (await Service.get(id=service.id)).status is ServiceStatus.SUSPENDED  # one still overdue
    second = await payments.start_invoice_payment(
        settings, customer.id, [older.id], "transfer", "debt-0002", meta=make_meta()
    )
    await deliver(settings, second.payment)
    lifted = await Service.get(id=service.id)
    assert lifted.status is ServiceStatus.ACTIVE and lifted.suspension_reason is None
    assert (await Service.get(id=other_tech.id)).status is ServiceStatus.SUSPENDED
    assert (await Invoice.get(id=upcoming.id)).status is InvoiceStatus.UNPAID
    paid = await Invoice.filter(status=InvoiceStatus.PAID).values_list("id", flat=True)
    assert sorted(paid) == sorted([old.id, older.id])
    refresh = await DeviceCommand.get(device=card)
    assert refresh.kind is CommandKind.SIGNAL_REFRESH
    assert today()  # time untouched


async def test_fifty_simultaneous_settlements(db, settings, monkeypatch) -> None:
    # 50 open payments of one wallet at once: lift the cap on pending payments for this test
    monkeypatch.setattr(payments, "MAX_PENDING", 50)
    customer = await make_customer(settings)
    started = [
        await payments.start_top_up(
            settings, customer.id, f"{10 + i}", "card", f"bulk-key-{i:03d}", meta=make_meta()
        )
        for i in range(50)
    ]
    # every webhook delivered twice, all at once: 50 credits, 50 no-ops
    outcomes = await asyncio.gather(
        *(deliver(settings, s.payment) for s in started for _ in range(2))
    )
    assert sum(o.settled for o in outcomes) == 50
    expected = sum((10 + i) * 100 for i in range(50))
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == expected
    entries = await WalletTransaction.filter(wallet=purse).order_by("id")
    assert len(entries) == 50 and await wallet.ledger_sum(purse.id) == expected
    running = 0
    for entry in entries:  # each balance_after is the running sum in commit order
        running += entry.amount
        assert entry.balance_after == running


async def test_invoice_paid_twice_is_refunded_to_the_wallet(db, settings) -> None:
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, gross=5000)
    other = await make_invoice(customer, gross=700)
    tab1 = await payments.start_invoice_payment(
        settings, customer.id, [invoice.id], "card", "tab-one-01", meta=make_meta()
    )
    tab2 = await payments.start_invoice_payment(
        settings, customer.id, [invoice.id, other.id], "blik", "tab-two-01", meta=make_meta()
    )
    await asyncio.gather(deliver(settings, tab1.payment), deliver(settings, tab2.payment))
    assert await Invoice.filter(status=InvoiceStatus.PAID).count() == 2
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 5000 == await wallet.ledger_sum(purse.id)
    refund = await WalletTransaction.get(wallet=purse)
    assert refund.kind.value == "refund"

"""Reconciliation with PayU over real HTTP: the PayU emulator (``tests/payu_emulator.py``) holds
the orders, ``payments.reconcile`` asks it (``GET /api/v2_1/orders/{orderId}``) about payments
whose notification was lost, and the app served on a free port receives the notifications that
do arrive, also at the same moment as a reconciliation."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import httpx
import pytest

from backend.clock import clock
from backend.config import Settings
from backend.models import AuditEvent, Customer, Invoice, OutboxMessage, Payment, Wallet
from backend.models.enums import AuditKind, InvoiceStatus, PaymentStatus
from backend.services import emails, housekeeping, payments, provisioning, wallet
from tests.factories import make_customer, make_invoice, make_meta
from tests.payu_emulator import PayUEmulator

pytestmark = pytest.mark.usefixtures("db")

WAIT = 5  # minutes: reconcile's default older_than


async def _top_up(settings: Settings, customer: Customer, key: str, amount: str = "20") -> Payment:
    """A top-up started through PayU: the emulator holds its order."""
    started = await payments.start_top_up(
        settings, customer.id, amount, "blik", key, meta=make_meta()
    )
    assert started.payment.provider == "payu" and started.payment.provider_order_id
    return started.payment


async def _paid_unnotified(
    settings: Settings, emulator: PayUEmulator, customer: Customer, key: str
) -> Payment:
    """A top-up the customer paid at PayU whose two notifications (PENDING, COMPLETED) were lost."""
    payment = await _top_up(settings, customer, key)
    emulator.drop_notifications += 2
    assert await emulator.pay(payment.provider_ref or "") is None
    return payment


async def _status(payment: Payment) -> PaymentStatus:
    return (await Payment.get(id=payment.id)).status


async def _receipts(customer: Customer) -> int:
    assert customer.email
    return await OutboxMessage.filter(to=customer.email).count()


async def test_a_payment_whose_notification_was_lost_is_settled_once(
    payu_settings: Settings, payu_emulator: PayUEmulator, payu_server: str
) -> None:
    customer = await make_customer(payu_settings, email="lost@example.com")
    top_up = await _top_up(payu_settings, customer, "payu-lost-0001")
    invoice = await make_invoice(customer, gross=12345)
    for_invoice = (
        await payments.start_invoice_payment(
            payu_settings, customer.id, [invoice.id], "card", "payu-lost-0002", meta=make_meta()
        )
    ).payment
    payu_emulator.drop_notifications = 4  # PENDING and COMPLETED of both never reach us
    for payment in (top_up, for_invoice):
        assert await payu_emulator.pay(payment.provider_ref or "") is None
    assert await _status(top_up) is PaymentStatus.PENDING

    clock.advance(minutes=WAIT - 1, seconds=59)
    assert (await payments.reconcile(payu_settings)).payments == []  # too young to ask about
    clock.advance(seconds=1)
    asked = len(payu_emulator.calls)
    report = await payments.reconcile(payu_settings)
    assert [(c.payment_id, c.old, c.new, c.provider_status) for c in report.changes] == [
        (top_up.id, PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.PAID),
        (for_invoice.id, PaymentStatus.PENDING, PaymentStatus.PAID, PaymentStatus.PAID),
    ]
    gets = [c for c in payu_emulator.calls[asked:] if c[0] == "GET"]
    assert gets == [
        ("GET", f"/api/v2_1/orders/{top_up.provider_order_id}"),
        ("GET", f"/api/v2_1/orders/{for_invoice.provider_order_id}"),
    ]
    assert report.describe()[0] == (
        f"payment {top_up.id} (payu {top_up.provider_ref}): pending -> paid (payu: paid)"
    )
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 2000 == await wallet.ledger_sum(purse.id)
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.PAID
    await emails.drain()
    assert await _receipts(customer) == 2

    # nothing left to do; PayU's late resend of COMPLETED changes nothing either
    assert (await payments.reconcile(payu_settings)).payments == []
    late = await payu_emulator.notify(top_up.provider_ref or "")
    assert late.status_code == 200 and late.json()["result"] == "already-final"
    await purse.refresh_from_db()
    assert purse.balance == 2000
    await emails.drain()
    assert await _receipts(customer) == 2


async def test_cancelled_rejected_and_still_pending_orders(
    payu_settings: Settings, payu_emulator: PayUEmulator, payu_server: str
) -> None:
    customer = await make_customer(payu_settings)
    cancelled = await _top_up(payu_settings, customer, "payu-canc-0001")
    rejected = await _top_up(payu_settings, customer, "payu-rej-00001")
    waiting = await _top_up(payu_settings, customer, "payu-wait-0001")
    payu_emulator.drop_notifications = 3
    assert await payu_emulator.cancel(cancelled.provider_ref or "") is None
    await payu_emulator.set_status(rejected.provider_ref or "", "REJECTED")
    await payu_emulator.set_status(waiting.provider_ref or "", "WAITING_FOR_CONFIRMATION")
    clock.advance(minutes=WAIT)
    report = await payments.reconcile(payu_settings)
    assert {c.payment_id: c.new for c in report.changes} == {
        cancelled.id: PaymentStatus.CANCELLED,
        rejected.id: PaymentStatus.FAILED,
    }
    assert report.unchanged == 1 and report.problems == []
    assert (await Payment.get(id=cancelled.id)).failure_reason
    assert await _status(waiting) is PaymentStatus.PENDING
    assert not await Wallet.filter(customer_id=customer.id, balance__gt=0).exists()

    # still waiting at PayU when our timeout has passed: it expires (PayU cancels it too, as
    # the order was created valid only for payment_timeout_seconds)
    clock.advance(seconds=payu_settings.payment_timeout_seconds)
    report = await payments.reconcile(payu_settings)
    assert [(c.payment_id, c.new, c.provider_status) for c in report.changes] == [
        (waiting.id, PaymentStatus.EXPIRED, PaymentStatus.PENDING)
    ]


async def test_an_order_payu_does_not_know_expires_after_the_timeout(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    unknown = await _top_up(payu_settings, customer, "payu-unknown-1")
    no_order = await _top_up(payu_settings, customer, "payu-noorder-1")
    # PayU lost the first order; the process stopped before PayU created the second one's
    await Payment.filter(id=unknown.id).update(provider_order_id="NOSUCHORDER000")
    await Payment.filter(id=no_order.id).update(provider_order_id=None, redirect_url=None)
    clock.advance(minutes=WAIT)
    report = await payments.reconcile(payu_settings)
    assert report.changes == [] and report.unchanged == 2 and report.problems == []
    assert ("GET", "/api/v2_1/orders/NOSUCHORDER000") in payu_emulator.calls
    clock.advance(seconds=payu_settings.payment_timeout_seconds)
    report = await payments.reconcile(payu_settings)
    assert [(c.payment_id, c.new, c.provider_status) for c in report.changes] == [
        (unknown.id, PaymentStatus.EXPIRED, None),
        (no_order.id, PaymentStatus.EXPIRED, None),
    ]
    assert report.describe()[0].endswith("pending -> expired (payu: no order)")


async def test_payu_failing_leaves_payments_pending_and_reported(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    first = await make_customer(payu_settings)
    second = await make_customer(payu_settings)
    made = [await _top_up(payu_settings, first, f"payu-down-{i:04d}") for i in range(3)]
    made += [await _top_up(payu_settings, second, f"payu-down-{i:04d}") for i in range(3, 5)]
    payu_emulator.drop_notifications = 10
    await payu_emulator.pay(made[1].provider_ref or "")
    clock.advance(minutes=WAIT)

    payu_emulator.fail_next(1, status=503)  # one answer lost: that payment only
    report = await payments.reconcile(payu_settings)
    assert [r.payment_id for r in report.problems] == [made[0].id]
    assert "did not answer" in report.problems[0].problem
    assert [c.payment_id for c in report.changes] == [made[1].id]  # the run went on
    assert report.unchanged == 3
    assert report.describe()[0].startswith(
        f"payment {made[0].id} (payu {made[0].provider_ref}): left pending: payu did not answer"
    )
    assert await _status(made[0]) is PaymentStatus.PENDING

    payu_emulator.fail_next(50, status=500)  # PayU down: three tries, the rest wait
    calls = len(payu_emulator.calls)
    report = await payments.reconcile(payu_settings)
    assert len(report.problems) == payments.RECONCILE_GIVE_UP and report.changes == []
    assert report.deferred == 4 - payments.RECONCILE_GIVE_UP
    assert len(payu_emulator.calls) - calls <= 2 * payments.RECONCILE_GIVE_UP  # token + order
    assert report.describe()[-1] == (
        "asked about 3 pending payment(s): 0 changed, 0 unchanged, 3 not answered or refused; "
        "1 left for the next run, 0 of providers not configured here"
    )
    statuses = {p.id: p.status for p in await Payment.filter(id__in=[p.id for p in made])}
    assert statuses[made[1].id] is PaymentStatus.PAID
    assert [s for i, s in statuses.items() if i != made[1].id] == [PaymentStatus.PENDING] * 4


async def test_a_wrong_amount_from_payu_is_refused_and_reported(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    payment = await _paid_unnotified(payu_settings, payu_emulator, customer, "payu-amount-01")
    order = payu_emulator.order(payment.provider_ref or "")
    order.request["totalAmount"] = "1999"  # PayU says 19.99 for our 20.00
    clock.advance(minutes=WAIT)
    report = await payments.reconcile(payu_settings)
    assert [r.payment_id for r in report.problems] == [payment.id]
    assert "refused" in report.problems[0].problem
    assert await _status(payment) is PaymentStatus.PENDING
    assert not await Wallet.filter(customer_id=customer.id, balance__gt=0).exists()


async def test_paid_at_payu_is_never_expired_without_asking_payu(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    """Past the timeout with its notifications lost (our server was down, say): the expiry sweep
    does not guess; reconciliation asks PayU and settles the money PayU took."""
    customer = await make_customer(payu_settings)
    payment = await _paid_unnotified(payu_settings, payu_emulator, customer, "payu-late-0001")
    clock.advance(seconds=payu_settings.payment_timeout_seconds)  # nobody asked in time
    assert await payments.expire_stale(payu_settings) == 0
    report = await payments.reconcile(payu_settings)
    [change] = report.changes
    assert (change.payment_id, change.old, change.new) == (
        payment.id,
        PaymentStatus.PENDING,
        PaymentStatus.PAID,
    )
    assert (await Wallet.get(customer_id=customer.id)).balance == 2000


async def test_a_late_completion_settles_a_payment_that_expired_here(
    payu_settings: Settings, payu_emulator: PayUEmulator, payu_server: str
) -> None:
    """Reconciliation expired the payment (PayU said pending); then the bank confirmed and
    PayU notifies COMPLETED: the money is credited, not left at PayU."""
    customer = await make_customer(payu_settings, email="late@example.com")
    payment = await _top_up(payu_settings, customer, "payu-late-0002")
    clock.advance(seconds=payu_settings.payment_timeout_seconds)
    [change] = (await payments.reconcile(payu_settings)).changes
    assert change.new is PaymentStatus.EXPIRED and change.provider_status is PaymentStatus.PENDING
    answer = await payu_emulator.pay(payment.provider_ref or "")
    assert answer is not None and answer.json() == {"result": "settled", "status": "paid"}
    settled = await Payment.get(id=payment.id)
    assert settled.status is PaymentStatus.PAID and settled.failure_reason == ""
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 2000 == await wallet.ledger_sum(purse.id)
    await emails.drain()
    assert await _receipts(customer) == 1
    # a repeated COMPLETED changes nothing; a CANCELED after it neither
    again = await payu_emulator.notify(payment.provider_ref or "")
    assert again.json() == {"result": "already-final", "status": "paid"}
    assert (await Wallet.get(customer_id=customer.id)).balance == 2000


async def test_an_order_payu_cannot_be_asked_about_expires_a_day_after_the_timeout(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    payment = await _top_up(payu_settings, customer, "payu-late-0003")
    clock.advance(seconds=payu_settings.payment_timeout_seconds)
    assert await payments.expire_stale(payu_settings) == 0
    clock.advance(seconds=payments.ORDER_GRACE.total_seconds() - 1)
    assert await payments.expire_stale(payu_settings) == 0
    clock.advance(seconds=1)
    assert await payments.expire_stale(payu_settings) == 1
    assert await _status(payment) is PaymentStatus.EXPIRED


async def test_reconcile_racing_the_notification_settles_each_payment_once(
    payu_settings: Settings, payu_emulator: PayUEmulator, payu_server: str
) -> None:
    customer = await make_customer(payu_settings, email="race@example.com")
    made = [
        await _paid_unnotified(payu_settings, payu_emulator, customer, f"payu-race-{i:04d}")
        for i in range(5)
    ]
    clock.advance(minutes=WAIT)

    # PayU's resends of COMPLETED arrive over HTTP while a reconciliation asks about the same
    # payments (and a second reconciliation, as another server process's sweep would)
    async def resend_all() -> list[httpx.Response]:
        notices = (payu_emulator.notify(p.provider_ref or "") for p in reversed(made))  # meet
        return list(await asyncio.gather(*notices))

    first, answers, second = await asyncio.gather(
        payments.reconcile(payu_settings), resend_all(), payments.reconcile(payu_settings)
    )
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    by_notification = sum(a.json()["result"] == "settled" for a in answers)
    by_reconcile = len(first.changes) + len(second.changes)
    assert by_notification + by_reconcile == 5
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == 5 * 2000 == await wallet.ledger_sum(purse.id)
    settled = await AuditEvent.filter(kind=AuditKind.PAYMENT_SETTLED).count()
    assert settled == 5
    await emails.drain()
    assert await _receipts(customer) == 5
    assert all(p.status is PaymentStatus.PAID for p in await Payment.all())


async def test_the_background_sweep_settles_a_lost_notification_instead_of_expiring(
    payu_settings: Settings, payu_emulator: PayUEmulator
) -> None:
    customer = await make_customer(payu_settings)
    payment = await _paid_unnotified(payu_settings, payu_emulator, customer, "payu-sweep-001")
    worker = provisioning.build_worker(payu_settings, chores=housekeeping.chores(payu_settings))
    clock.advance(minutes=WAIT)
    assert await worker.run_chores(force=True) == len(worker.chores)
    assert await _status(payment) is PaymentStatus.PAID
    assert (await Wallet.get(customer_id=customer.id)).balance == 2000


async def test_calls_to_payu_share_one_tls_context(
    payu_settings: Settings, payu_emulator: PayUEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the CA bundle for a new TLS context costs tens of milliseconds of CPU on the
    event loop: it happens once, not per call to PayU (``bench/settlement.py`` prints rates)."""
    customer = await make_customer(payu_settings)
    for i in range(3):
        await _paid_unnotified(payu_settings, payu_emulator, customer, f"payu-tls-{i:04d}")
    clock.advance(minutes=WAIT)
    made: list[object] = []
    real = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        made.append(args or kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counted)
    report = await payments.reconcile(payu_settings)
    assert len(report.changes) == 3
    assert len(made) <= 1  # none when an earlier test of this process made it

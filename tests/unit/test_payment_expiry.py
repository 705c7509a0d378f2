"""Pending payments expire after ``payment_timeout_seconds``; a customer has at most
``MAX_PENDING`` pending payments. Time moves with the test clock, nothing sleeps."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from backend.clock import clock
from backend.config import ConfigError, Settings, load_settings
from backend.i18n import translate
from backend.models import Invoice, Payment, Wallet, WalletTransaction
from backend.models.enums import InvoiceStatus, Language, PaymentStatus
from backend.services import housekeeping, payments, provisioning, wallet
from backend.services.errors import DomainError, ErrorCode
from tests.factories import make_customer, make_invoice, make_meta
from tests.raises import domain_error
from tests.unit.test_payments import deliver

TIMEOUT_MINUTES = 30  # the default payment_timeout_seconds


async def _top_up(settings: Settings, customer_id: int, key: str, amount: str = "20") -> Payment:
    return (
        await payments.start_top_up(settings, customer_id, amount, "card", key, meta=make_meta())
    ).payment


def test_timeout_setting(tmp_path: Path) -> None:
    base = {"ICOK_DATA_DIR": str(tmp_path)}
    assert load_settings(base, env_file=None).payment_timeout_seconds == 1800
    tuned = load_settings({**base, "ICOK_PAYMENT_TIMEOUT_SECONDS": "120"}, env_file=None)
    assert tuned.payment_timeout_seconds == 120
    for bad, needle in (("abc", "whole number"), ("59", "at least 60"), ("86401", "at most")):
        with pytest.raises(ConfigError) as caught:
            load_settings({**base, "ICOK_PAYMENT_TIMEOUT_SECONDS": bad}, env_file=None)
        message = str(caught.value)
        assert "ICOK_PAYMENT_TIMEOUT_SECONDS" in message and needle in message, message


async def test_the_sweep_expires_only_stale_pending_payments(db, settings) -> None:
    customer = await make_customer(settings)
    stale = await _top_up(settings, customer.id, "stale-0001")
    paid = await _top_up(settings, customer.id, "paid-00001")
    await deliver(settings, paid)
    clock.advance(minutes=TIMEOUT_MINUTES - 1)
    younger = await _top_up(settings, customer.id, "young-0001")
    assert await payments.expire_stale(settings) == 0  # 29 minutes: not yet
    clock.advance(minutes=1)
    assert await payments.expire_stale(settings) == 1  # exactly the timeout
    assert await payments.expire_stale(settings) == 0  # once
    statuses = {p.id: p.status for p in await Payment.all()}
    assert statuses == {
        stale.id: PaymentStatus.EXPIRED,
        paid.id: PaymentStatus.PAID,
        younger.id: PaymentStatus.PENDING,
    }
    row = await Payment.get(id=stale.id)
    assert row.failure_reason == payments.EXPIRED_REASON and row.paid_at is None
    clock.advance(hours=5)  # a paid payment never expires
    assert await payments.expire_stale(settings) == 1
    assert (await Payment.get(id=paid.id)).status is PaymentStatus.PAID


async def test_a_late_failure_changes_nothing_a_late_payment_is_credited(db, settings) -> None:
    """Past the timeout the payment expires; a failure reported then changes nothing, but money
    the provider did take is credited (an expired payment settles as paid), exactly once."""
    customer = await make_customer(settings)
    invoice = await make_invoice(customer, gross=4321)
    for_invoice = (
        await payments.start_invoice_payment(
            settings, customer.id, [invoice.id], "card", "late-inv-1", meta=make_meta()
        )
    ).payment
    top_up = await _top_up(settings, customer.id, "late-top-1")
    clock.advance(minutes=TIMEOUT_MINUTES, seconds=1)
    # no sweep ran: the webhook handler expires the payment itself
    for payment in (for_invoice, top_up):
        failed = await deliver(settings, payment, "failed")
        assert not failed.settled and failed.payment.status is PaymentStatus.EXPIRED
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.UNPAID
    assert await WalletTransaction.all().count() == 0
    for payment in (for_invoice, top_up):
        paid = await deliver(settings, payment)
        assert paid.settled and paid.payment.status is PaymentStatus.PAID
        assert paid.payment.failure_reason == ""
        again = await deliver(settings, payment)
        assert not again.settled and again.payment.status is PaymentStatus.PAID
    assert (await Invoice.get(id=invoice.id)).status is InvoiceStatus.PAID
    purse = await Wallet.get(customer_id=customer.id)
    assert purse.balance == top_up.amount == await wallet.ledger_sum(purse.id)


async def test_reads_and_retries_see_the_expiry(db, settings) -> None:
    customer = await make_customer(settings)
    payment = await _top_up(settings, customer.id, "read-key-01")
    clock.advance(minutes=TIMEOUT_MINUTES + 5)
    shown = await payments.get_payment(customer.id, payment.id, settings)
    assert shown.status is PaymentStatus.EXPIRED
    # a retry with the key answers with the same, now expired, payment and starts nothing
    retry = await payments.start_top_up(
        settings, customer.id, "20", "card", "read-key-01", meta=make_meta()
    )
    assert retry.payment.id == payment.id and retry.payment.status is PaymentStatus.EXPIRED
    other = await _top_up(settings, customer.id, "read-key-02")
    clock.advance(minutes=TIMEOUT_MINUTES)
    retry = await payments.start_top_up(
        settings, customer.id, "20", "card", "read-key-02", meta=make_meta()
    )
    assert retry.payment.id == other.id and retry.payment.status is PaymentStatus.EXPIRED
    assert await Payment.all().count() == 2


async def test_sweep_racing_webhooks_settles_or_expires_each_payment_once(db, settings) -> None:
    customer = await make_customer(settings)
    started = [await _top_up(settings, customer.id, f"race-{i:04d}", f"{10 + i}") for i in range(5)]
    other = await make_customer(settings)
    started += [await _top_up(settings, other.id, f"race-{i:04d}", f"{10 + i}") for i in range(5)]
    clock.advance(minutes=TIMEOUT_MINUTES)  # due now: sweep and webhooks race for each payment
    # Started in this order: a sweep, the 10 webhooks, another sweep.
    first = asyncio.ensure_future(payments.expire_stale(settings))
    delivered = asyncio.gather(*(deliver(settings, p) for p in started))
    last = asyncio.ensure_future(payments.expire_stale(settings))
    expired_first, outcomes, expired_last = await asyncio.gather(first, delivered, last)
    # whichever came first, each payment is settled once: a paid notification also settles a
    # payment the sweep expired a moment before
    assert expired_first + expired_last <= 10
    assert sum(o.settled for o in outcomes) == 10
    assert await Payment.filter(status=PaymentStatus.PAID).count() == 10
    for who in (customer, other):
        credited = sum(
            p.amount for p in await Payment.filter(customer_id=who.id, status=PaymentStatus.PAID)
        )
        purse = await Wallet.get_or_none(customer_id=who.id)
        balance = purse.balance if purse else 0
        assert balance == credited == (await wallet.ledger_sum(purse.id) if purse else 0)


async def test_at_most_five_pending_payments(db, settings) -> None:
    customer = await make_customer(settings)
    stranger = await make_customer(settings)
    invoice = await make_invoice(customer)
    first = await payments.start_invoice_payment(
        settings, customer.id, [invoice.id], "card", "cap-key-00", meta=make_meta()
    )
    clock.advance(minutes=10)
    for n in range(1, payments.MAX_PENDING):
        await _top_up(settings, customer.id, f"cap-key-{n:02d}")
    sixth = await domain_error(_top_up(settings, customer.id, "cap-key-99"))
    assert (sixth.code, sixth.field) == (ErrorCode.TOO_MANY_PENDING_PAYMENTS, None)
    # the oldest pending payment expires in 20 minutes
    assert sixth.params == {"max": 5, "minutes": 20}
    assert translate(sixth.code, Language.EN, **sixth.params) == (
        "You already have 5 started payments that are not finished. Finish one of them or try "
        "again in 20 min."
    )
    assert "(limit: 5)" in translate(sixth.code, Language.PL, **sixth.params)
    also_invoices = await domain_error(
        payments.start_invoice_payment(
            settings, customer.id, [invoice.id], "blik", "cap-key-98", meta=make_meta()
        )
    )
    assert also_invoices.code is ErrorCode.TOO_MANY_PENDING_PAYMENTS
    # retries of existing keys are answered as before, the cap does not apply to them
    again = await payments.start_invoice_payment(
        settings, customer.id, [invoice.id], "card", "cap-key-00", meta=make_meta()
    )
    assert again.payment.id == first.payment.id
    await _top_up(settings, customer.id, "cap-key-04")
    # another customer is not affected
    await _top_up(settings, stranger.id, "cap-key-99")
    # a finished payment frees a place
    await deliver(settings, first.payment, "failed")
    freed = await _top_up(settings, customer.id, "cap-key-05")
    assert freed.status is PaymentStatus.PENDING
    assert (await domain_error(_top_up(settings, customer.id, "cap-key-06"))).code is (
        ErrorCode.TOO_MANY_PENDING_PAYMENTS
    )
    # and so does the timeout: the five pending ones, started at minute 10, expire at minute 40
    clock.advance(minutes=TIMEOUT_MINUTES)
    assert (await _top_up(settings, customer.id, "cap-key-06")).status is PaymentStatus.PENDING
    assert await Payment.filter(customer_id=customer.id, status=PaymentStatus.EXPIRED).count() == 5
    assert await Payment.filter(customer_id=customer.id).count() == 7


async def test_simultaneous_starts_respect_the_cap(db, settings) -> None:
    customer = await make_customer(settings)
    results = await asyncio.gather(
        *(_top_up(settings, customer.id, f"burst-{i:04d}") for i in range(12)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, DomainError)]
    assert all(r.code is ErrorCode.TOO_MANY_PENDING_PAYMENTS for r in refused)
    assert len(refused) == 12 - payments.MAX_PENDING
    assert all(isinstance(r, (Payment, DomainError)) for r in results), results
    assert await Payment.filter(customer_id=customer.id).count() == payments.MAX_PENDING


async def test_simultaneous_retries_are_not_blocked_by_the_cap(db, settings) -> None:
    customer = await make_customer(settings)
    for n in range(payments.MAX_PENDING - 1):
        await _top_up(settings, customer.id, f"full-{n:04d}")
    # the fifth payment, double-clicked ten times at once: one payment, nobody refused
    new_key = await asyncio.gather(
        *(_top_up(settings, customer.id, "full-last") for _ in range(10))
    )
    assert len({p.id for p in new_key}) == 1
    # at the cap, retries of any existing key still answer with their payment
    retries = await asyncio.gather(
        *(_top_up(settings, customer.id, f"full-{n % 4:04d}") for n in range(12)),
        _top_up(settings, customer.id, "full-last"),
    )
    assert len({p.id for p in retries}) == 5
    assert await Payment.filter(customer_id=customer.id).count() == 5


async def test_the_background_worker_sweeps(db, settings) -> None:
    customer = await make_customer(settings)
    payment = await _top_up(settings, customer.id, "sweep-key-1")
    worker = provisioning.build_worker(settings, chores=housekeeping.chores(settings))
    assert await worker.run_chores() == len(worker.chores)  # every chore due at start
    assert await worker.run_chores() == 0  # then once a minute of real time
    clock.advance(minutes=TIMEOUT_MINUTES)
    assert (await Payment.get(id=payment.id)).status is PaymentStatus.PENDING
    assert await worker.run_chores(force=True) == len(worker.chores)
    assert (await Payment.get(id=payment.id)).status is PaymentStatus.EXPIRED


async def test_a_failing_chore_does_not_stop_the_worker(db, settings) -> None:
    calls: list[str] = []

    async def broken() -> None:
        calls.append("broken")
        raise RuntimeError("database unavailable")

    async def fine() -> None:
        calls.append("fine")

    worker = provisioning.ProvisioningWorker(
        provisioning.SimulatedProvisioning(0),
        chores=[
            provisioning.Chore("broken", broken, every=0),
            provisioning.Chore("fine", fine, every=0),
        ],
    )
    assert await worker.run_chores() == 2
    assert await worker.run_chores() == 2
    assert calls == ["broken", "fine", "broken", "fine"]

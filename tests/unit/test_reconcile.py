"""``payments.reconcile`` with the sandbox provider: it asks about payments pending past a few
minutes; the sandbox keeps no state of its own (a payment is pending until its page is used), so
the only change is expiry past ``payment_timeout_seconds``. The PayU side (settling a payment
whose notification was lost, cancellations, a provider that does not answer, a race with the
notification, the background sweep) is in ``tests/api/test_payu_reconcile.py``, the command
in ``tests/test_cli_reconcile.py``."""

from __future__ import annotations

from datetime import timedelta

from backend.clock import clock
from backend.config import Mode, Settings
from backend.models import Payment
from backend.models.enums import PaymentStatus
from backend.services import payments
from tests.factories import make_customer, make_meta
from tests.unit.test_payments import deliver

TIMEOUT_MINUTES = 30  # the default payment_timeout_seconds


async def _top_up(settings: Settings, customer_id: int, key: str) -> Payment:
    started = await payments.start_top_up(
        settings, customer_id, "20", "card", key, meta=make_meta()
    )
    return started.payment


async def _statuses() -> dict[int, PaymentStatus]:
    return {p.id: p.status for p in await Payment.all()}


async def test_sandbox_a_payment_pending_past_the_timeout_expires_nothing_else_changes(
    db, settings
) -> None:
    customer = await make_customer(settings)
    stale = await _top_up(settings, customer.id, "recon-stale-1")
    paid = await _top_up(settings, customer.id, "recon-paid-01")
    await deliver(settings, paid)
    clock.advance(minutes=TIMEOUT_MINUTES - 11)
    waiting = await _top_up(settings, customer.id, "recon-wait-01")  # 10 minutes old below
    clock.advance(minutes=6)
    young = await _top_up(settings, customer.id, "recon-young-1")  # 4 minutes old below
    clock.advance(minutes=4)

    report = await payments.reconcile(settings)
    # asked about the two pending ones older than 5 minutes, oldest first; nothing changed yet
    assert [r.payment_id for r in report.payments] == [stale.id, waiting.id]
    assert report.changes == [] and report.problems == [] and report.unchanged == 2
    assert all(r.provider_status is PaymentStatus.PENDING for r in report.payments)

    clock.advance(minutes=1)  # the first one is now exactly the timeout old, the last 5 minutes
    report = await payments.reconcile(settings)
    assert [r.payment_id for r in report.payments] == [stale.id, waiting.id, young.id]
    assert len(report.changes) == 1
    change = report.changes[0]
    assert (change.payment_id, change.reference, change.provider) == (
        stale.id,
        stale.provider_ref,
        "sandbox",
    )
    assert (change.old, change.new) == (PaymentStatus.PENDING, PaymentStatus.EXPIRED)
    assert not change.paid_but_not_settled and report.unchanged == 2
    assert await _statuses() == {
        stale.id: PaymentStatus.EXPIRED,
        paid.id: PaymentStatus.PAID,
        waiting.id: PaymentStatus.PENDING,
        young.id: PaymentStatus.PENDING,
    }
    assert (await Payment.get(id=stale.id)).failure_reason == payments.EXPIRED_REASON
    lines = report.describe()
    assert lines[0] == (
        f"payment {stale.id} (sandbox {stale.provider_ref}): pending -> expired (sandbox: pending)"
    )
    assert lines[-1] == (
        "asked about 3 pending payment(s): 1 changed, 2 unchanged, 0 not answered or refused; "
        "0 left for the next run, 0 of providers not configured here"
    )
    again = await payments.reconcile(settings)  # the expired one is not asked about again
    assert [r.payment_id for r in again.payments] == [waiting.id, young.id]
    assert again.changes == []


async def test_older_than_and_limit_bound_the_run(db, settings) -> None:
    customer = await make_customer(settings)
    payments.MAX_PENDING, cap = 10, payments.MAX_PENDING
    try:
        made = [await _top_up(settings, customer.id, f"recon-limit-{i}") for i in range(4)]
    finally:
        payments.MAX_PENDING = cap
    clock.advance(minutes=2)
    assert (await payments.reconcile(settings)).payments == []
    now_too = await payments.reconcile(settings, older_than=timedelta(minutes=2))
    assert [r.payment_id for r in now_too.payments] == [p.id for p in made]
    clock.advance(minutes=TIMEOUT_MINUTES)
    first = await payments.reconcile(settings, limit=3)  # the oldest three
    assert [r.payment_id for r in first.changes] == [p.id for p in made[:3]]
    second = await payments.reconcile(settings, limit=3)
    assert [r.payment_id for r in second.changes] == [made[3].id]


async def test_a_provider_not_configured_here_is_left_alone(db, settings) -> None:
    customer = await make_customer(settings)
    payment = await _top_up(settings, customer.id, "recon-prod-01")
    clock.advance(minutes=TIMEOUT_MINUTES + 1)
    production = settings.with_overrides(mode=Mode.PRODUCTION)  # no sandbox there
    report = await payments.reconcile(production)
    assert report.payments == [] and report.skipped == 1
    assert report.describe()[-1].endswith("1 of providers not configured here")
    assert (await Payment.get(id=payment.id)).status is PaymentStatus.PENDING
    # the expiry sweep still ends it
    assert await payments.expire_stale(production) == 1

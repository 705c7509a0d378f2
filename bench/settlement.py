"""Settlement throughput: how fast payments settle from signed provider notifications, with the
built-in sandbox (in process) and with PayU (real HTTP, against the PayU emulator).

**Sandbox.** Creates one customer, N pending top-ups, then delivers every webhook (each twice, to
include replays) with C concurrent tasks through ``payments.handle_webhook`` (signature check,
lookup, conditional status UPDATE, wallet credit and ledger entry in one transaction, the
receipt queued).

**PayU.** Serves the app and the PayU emulator (``tests/payu_emulator.py``) on free ports of
127.0.0.1. Starts M top-ups through PayU (token, order create over HTTP), then the emulator pays
them with C concurrent tasks: per payment the notifications PENDING and COMPLETED and a resent
COMPLETED, signed (MD5 of body + second key), posted over HTTP to ``/payments/webhook/payu``.
A fifth of the orders are paid with their notifications lost and are settled by
``payments.reconcile`` instead (one ``GET /api/v2_1/orders/{id}`` each).

Each part prints its rates and checks that the balance equals the ledger and every payment
settled exactly once.

    python bench/settlement.py                       # SQLite in a temporary directory
    python bench/settlement.py --database postgres://postgres@127.0.0.1:5432/icok_bench
    python bench/settlement.py -n 2000 -m 500 -c 50
    python bench/settlement.py --only payu
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

import httpx

from backend import db
from backend.app import create_app
from backend.config import PaymentProviderName, Settings
from backend.models import Customer, OutboxMessage, Payment, Wallet
from backend.models.enums import PaymentMethod, PaymentStatus
from backend.payments import SandboxProvider
from backend.services import emails, payments, wallet
from backend.services.identifiers import make_pesel, mask_pesel, pesel_hash
from tests.checkout import free_port
from tests.factories import make_meta
from tests.payu_emulator import PayUEmulator
from tests.serving import serve

SECRET = "bench-secret-" + "x" * 40
TOP_UP = 1000  # grosze: every top-up is 10 zł


async def _customer(label: str) -> Customer:
    """A new customer with an e-mail address (receipts are queued to the outbox)."""
    stamp = time.time_ns()
    pesel = make_pesel(date(1985, 5, 5), stamp % 1000, female=True)
    return await Customer.create(
        number=f"B{stamp % 10**9}",
        first_name="Bench",
        last_name="Mark",
        pesel_hash=pesel_hash(pesel + str(stamp), SECRET),
        pesel_masked=mask_pesel(pesel),
        birth_date=date(1985, 5, 5),
        email=f"bench-{label}-{stamp}@example.com",
    )


async def _start(settings: Settings, customer: Customer, n: int, label: str) -> list[Payment]:
    stamp = time.time_ns()
    started = []
    for i in range(n):
        result = await payments.start_top_up(
            settings, customer.id, "10", "card", f"bench-{label}-{stamp}-{i}", meta=make_meta()
        )
        started.append(result.payment)
    return started


async def _check(customer: Customer, n: int) -> tuple[int, int, int]:
    """Balance, ledger sum and receipts of ``customer``; fails unless all n settled once."""
    await emails.drain()
    purse = await Wallet.get(customer_id=customer.id)
    ledger = await wallet.ledger_sum(purse.id)
    receipts = await OutboxMessage.filter(to=customer.email).count()
    paid = await Payment.filter(customer_id=customer.id, status=PaymentStatus.PAID).count()
    assert paid == n and purse.balance == ledger == n * TOP_UP and receipts == n, (
        paid,
        purse.balance,
        ledger,
        receipts,
    )
    return purse.balance, ledger, receipts


async def _spread(
    items: Sequence[Any], concurrency: int, act: Callable[[Any], Awaitable[None]]
) -> float:
    """Run ``act(item)`` for every item with ``concurrency`` tasks; seconds taken."""

    async def worker(share: Sequence[Any]) -> None:
        for item in share:
            await act(item)

    started = time.perf_counter()
    await asyncio.gather(*(worker(items[k::concurrency]) for k in range(concurrency)))
    return time.perf_counter() - started


async def bench_sandbox(settings: Settings, n: int, concurrency: int) -> None:
    customer = await _customer("sandbox")
    started = time.perf_counter()
    pending = await _start(settings, customer, n, "sandbox")
    create_s = time.perf_counter() - started
    sandbox = SandboxProvider(settings)
    events = []
    for payment in pending:
        body = sandbox.event_body(payment, "paid", PaymentMethod.CARD)
        events.append((body, {"x-sandbox-signature": sandbox.signature_header(body)}))
    queue = [e for _ in range(2) for e in events]
    settled = 0

    async def deliver(event: tuple[bytes, dict[str, str]]) -> None:
        nonlocal settled
        body, headers = event
        outcome = await payments.handle_webhook(settings, "sandbox", headers, body)
        settled += outcome.settled

    settle_s = await _spread(queue, concurrency, deliver)
    balance, ledger, receipts = await _check(customer, n)
    print("sandbox (in process)")
    print(f"  payments started  {n} in {create_s:.2f} s ({n / create_s:.0f}/s)")
    print(
        f"  webhooks          {len(queue)} ({settled} settled + {len(queue) - settled} replays) "
        f"with {concurrency} concurrent tasks in {settle_s:.2f} s"
    )
    print(
        f"  throughput        {len(queue) / settle_s:.0f} webhooks/s, "
        f"{settled / settle_s:.0f} settlements/s"
    )
    print(
        f"  balance / ledger  {balance} / {ledger} grosze, {receipts} receipts, settled {settled}"
    )
    assert settled == n


async def bench_payu(settings: Settings, m: int, concurrency: int) -> None:
    emulator = PayUEmulator()
    app_port = free_port()
    async with serve(emulator.app(), free_port()) as url:
        emulator.url = url
        settings = settings.with_overrides(
            payment_provider=PaymentProviderName.PAYU,
            payu=emulator.pos_settings(),
            base_url=f"http://127.0.0.1:{app_port}",
        )
        async with serve(create_app(settings, manage_database=False), app_port):
            await _bench_payu(settings, emulator, m, concurrency)


async def _bench_payu(settings: Settings, emulator: PayUEmulator, m: int, concurrency: int) -> None:
    customer = await _customer("payu")
    started = time.perf_counter()
    pending = await _start(settings, customer, m, "payu")
    create_s = time.perf_counter() - started
    lost = pending[::5]  # their notifications never arrive: reconciliation settles them
    notified = [p for p in pending if p not in lost]
    answers: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:  # PayU's side keeps its connections

        async def notify(reference: str, status: str) -> str:
            """The emulator's order goes to ``status``; its signed notification is posted."""
            emulator.order(reference).status = status
            body = emulator.notification(reference)
            answer = await http.post(
                f"{settings.base_url}/payments/webhook/payu",
                content=body,
                headers={
                    "Content-Type": "application/json;charset=UTF-8",
                    "OpenPayu-Signature": emulator.signature(body),
                },
            )
            assert answer.status_code == 200, answer.text
            return str(answer.json()["result"])

        async def pay(payment: Payment) -> None:
            reference = payment.provider_ref or ""
            for status in ("PENDING", "COMPLETED", "COMPLETED"):  # the last one a resend
                answers.append(await notify(reference, status))

        settle_s = await _spread(notified, concurrency, pay)
    sent = len(answers)
    settled = answers.count("settled")
    for payment in lost:
        emulator.order(payment.provider_ref or "").status = "COMPLETED"  # not notified
    started = time.perf_counter()
    report = await payments.reconcile(settings, older_than=timedelta(0), limit=len(lost))
    reconcile_s = time.perf_counter() - started
    balance, ledger, receipts = await _check(customer, m)
    print("PayU (emulator, real HTTP)")
    print(
        f"  payments started  {m} in {create_s:.2f} s ({m / create_s:.0f}/s): "
        "token, order create over HTTP"
    )
    print(
        f"  notifications     {sent} signed over HTTP ({settled} settled, "
        f"{sent - settled} PENDING or resent) with {concurrency} concurrent senders in "
        f"{settle_s:.2f} s"
    )
    print(
        f"  throughput        {sent / settle_s:.0f} notifications/s, "
        f"{settled / settle_s:.0f} settlements/s"
    )
    print(
        f"  reconcile         {len(report.payments)} lost notifications: "
        f"{len(report.changes)} settled in {reconcile_s:.2f} s "
        f"({len(report.payments) / reconcile_s:.0f} payments/s, one order GET each)"
    )
    print(f"  balance / ledger  {balance} / {ledger} grosze, {receipts} receipts")
    assert settled == len(notified) and len(report.changes) == len(lost)


async def run(database_url: str, n: int, m: int, concurrency: int, only: str | None) -> None:
    await db.migrate(database_url)
    await db.close()
    await db.init(database_url)
    settings = Settings(database_url=database_url, secret_key=SECRET, base_url="http://bench")
    payments.MAX_PENDING = max(n, m)  # many open payments of one wallet, beyond the usual cap
    print(f"database            {db.describe_url(database_url).split('?')[0]}")
    try:
        if only in (None, "sandbox"):
            await bench_sandbox(settings, n, concurrency)
        if only in (None, "payu"):
            await bench_payu(settings, m, concurrency)
    finally:
        await emails.drain()
        await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("-n", type=int, default=200, help="sandbox payments to settle")
    parser.add_argument("-m", type=int, default=100, help="PayU payments to settle")
    parser.add_argument("-c", type=int, default=20, help="concurrent notification deliveries")
    parser.add_argument("--only", choices=("sandbox", "payu"), help="run one part only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("icok.mail").setLevel(logging.ERROR)  # console mail logs every receipt
    if args.database:
        asyncio.run(run(args.database, args.n, args.m, args.c, args.only))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(url, args.n, args.m, args.c, args.only))


if __name__ == "__main__":
    main()

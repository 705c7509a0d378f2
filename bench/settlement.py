"""Settlement throughput: how many signed sandbox webhooks per second the service layer settles.

Creates one customer, N pending top-ups, then delivers every webhook (each twice, to include
replays) with C concurrent tasks through ``payments.handle_webhook`` (signature check, lookup,
conditional status UPDATE, wallet credit and ledger entry in one transaction). Prints the rate
and checks that the balance equals the ledger.

    python bench/settlement.py                       # SQLite in a temporary directory
    python bench/settlement.py --database postgres://postgres@127.0.0.1:5432/icok_bench
    python bench/settlement.py -n 2000 -c 50
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from backend import db
from backend.config import Settings
from backend.models import Customer, Payment, Wallet
from backend.models.enums import PaymentMethod
from backend.payments import SandboxProvider
from backend.services import payments, wallet
from backend.services.identifiers import make_pesel, mask_pesel, pesel_hash
from tests.factories import make_meta

SECRET = "bench-secret-" + "x" * 40


async def run(database_url: str, n: int, concurrency: int) -> None:
    await db.migrate(database_url)
    await db.close()
    await db.init(database_url)
    settings = Settings(database_url=database_url, secret_key=SECRET, base_url="http://bench")
    stamp = int(time.time())
    pesel = make_pesel(date(1985, 5, 5), stamp % 1000, female=True)
    customer = await Customer.create(
        number=f"B{stamp % 10**9}",
        first_name="Bench",
        last_name="Mark",
        pesel_hash=pesel_hash(pesel + str(stamp), SECRET),
        pesel_masked=mask_pesel(pesel),
        birth_date=date(1985, 5, 5),
    )
    payments.MAX_PENDING = n  # n open payments of one wallet at once, beyond the usual cap
    started = time.perf_counter()
    pending: list[Payment] = []
    for i in range(n):
        result = await payments.start_top_up(
            settings, customer.id, "10", "card", f"bench-{stamp}-{i}", meta=make_meta()
        )
        pending.append(result.payment)
    create_s = time.perf_counter() - started
    sandbox = SandboxProvider(settings)
    events = []
    for payment in pending:
        body = sandbox.event_body(payment, "paid", PaymentMethod.CARD)
        events.append((body, {"x-sandbox-signature": sandbox.signature_header(body)}))
    queue = [e for _ in range(2) for e in events]
    settled = 0

    async def worker(items: list[tuple[bytes, dict[str, str]]]) -> None:
        nonlocal settled
        for body, headers in items:
            outcome = await payments.handle_webhook(settings, "sandbox", headers, body)
            settled += outcome.settled

    started = time.perf_counter()
    await asyncio.gather(*(worker(queue[k::concurrency]) for k in range(concurrency)))
    settle_s = time.perf_counter() - started
    purse = await Wallet.get(customer_id=customer.id)
    ledger = await wallet.ledger_sum(purse.id)
    print(f"database          {db.describe_url(database_url).split('?')[0]}")
    print(f"payments started  {n} in {create_s:.2f} s ({n / create_s:.0f}/s)")
    print(
        f"webhooks          {len(queue)} ({n} settled + {len(queue) - settled} replays) "
        f"with {concurrency} concurrent tasks in {settle_s:.2f} s"
    )
    print(
        f"throughput        {len(queue) / settle_s:.0f} webhooks/s, {settled / settle_s:.0f} settlements/s"
    )
    print(
        f"balance / ledger  {purse.balance} / {ledger} grosze (expected {n * 1000}), settled {settled}"
    )
    assert settled == n and purse.balance == ledger == n * 1000
    await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("-n", type=int, default=500, help="payments to settle")
    parser.add_argument("-c", type=int, default=20, help="concurrent webhook deliveries")
    args = parser.parse_args()
    if args.database:
        asyncio.run(run(args.database, args.n, args.c))
        return
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(run(f"sqlite://{Path(tmp) / 'bench.sqlite3'}", args.n, args.c))


if __name__ == "__main__":
    main()

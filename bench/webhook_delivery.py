"""Webhook delivery: how fast the outbox's events reach a receiver, on SQLite and PostgreSQL.

The app's own :class:`backend.services.webhooks.WebhookWorker` delivers to a local receiver
(``tests/webhook_receiver.py``, in a thread of its own, verifying every signature with
``standardwebhooks``) over real HTTP. Two runs per database:

- **backlog**: N events (default 2,000, spread over 200 customers) are written first, then the
  worker drains them: events delivered per second;
- **steady**: events are written at a fixed rate (default 50/s) while the worker runs: delivery
  delay p50/p99, from the event's ``created_at`` to its receipt.

Figures, not assertions (nothing in the test suite depends on speed).

    python bench/webhook_delivery.py
    python bench/webhook_delivery.py -n 5000 --only sqlite
    python bench/webhook_delivery.py --postgres postgresql://postgres@127.0.0.1:5432/
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from tortoise.transactions import in_transaction

from backend import db
from backend.config import Settings
from backend.models import Customer, EventDelivery
from backend.models.enums import DeliveryStatus
from backend.services import outbox
from backend.services.outbox import EventType
from backend.services.webhooks import WebhookWorker
from tests.checkout import free_port
from tests.conftest import _pg_admin, _with_database
from tests.factories import make_customer
from tests.serving import serve_in_thread
from tests.waiting import wait_until
from tests.webhook_receiver import Receiver, receiver_app

SECRET = "bench-secret-" + "x" * 40
DEADLINE = 600.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def delays_ms(receiver: Receiver, since: int) -> list[float]:
    return [
        (r.at - datetime.fromisoformat(r.body["createdAt"]).timestamp()) * 1000
        for r in receiver.received[since:]
    ]


async def write(settings: Settings, customers: list[Customer], n: int, start: int) -> None:
    async with in_transaction():
        for i in range(start, start + n):
            customer = customers[i % len(customers)]
            await outbox.emit(settings, EventType.PACKAGE_ORDERED, customer.id, {"n": i})


async def wait_for(receiver: Receiver, count: int) -> None:
    deadline = time.monotonic() + DEADLINE
    while len(receiver.received) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"only {len(receiver.received)} of {count} arrived in {DEADLINE} s")
        await asyncio.sleep(0.005)


async def run(label: str, url: str, receiver: Receiver, args: argparse.Namespace) -> None:
    settings = Settings(
        database_url=url, secret_key=SECRET, webhook_endpoints=(receiver.endpoint(),)
    )
    await db.migrate(url)
    await db.close()
    await db.init(url)
    try:
        customers = [await make_customer(settings) for _ in range(args.customers)]
        base = len(receiver.received)
        for start in range(0, args.n, 500):
            await write(settings, customers, min(500, args.n - start), start)
        worker = WebhookWorker(settings)
        started = time.perf_counter()
        worker.start()
        await wait_for(receiver, base + args.n)
        drained = time.perf_counter() - started
        backlog = delays_ms(receiver, base)

        steady_base = len(receiver.received)
        period = 1 / args.rate
        started_steady = time.perf_counter()
        for i in range(args.steady):
            await write(settings, customers, 1, args.n + i)
            next_at = started_steady + (i + 1) * period
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
        await wait_for(receiver, steady_base + args.steady)
        steady = delays_ms(receiver, steady_base)
        total = args.n + args.steady

        async def recorded() -> bool:  # the last answers are being recorded
            return await EventDelivery.filter(status=DeliveryStatus.DELIVERED).count() == total

        await wait_until(recorded, within=DEADLINE, every=0.05)
        await worker.stop()
        assert receiver.rejected == 0, receiver.rejected
        ids = [r.id for r in receiver.received[base:]]
        assert len(ids) == len(set(ids)), "an event arrived twice"
    finally:
        await db.close()
    print(f"{label}")
    print(
        f"  backlog  {args.n} events, {args.customers} customers: drained in {drained:.2f} s, "
        f"{args.n / drained:.0f} events/s (delay p50 {statistics.median(backlog):.0f} ms, "
        f"p99 {percentile(backlog, 99):.0f} ms)"
    )
    print(
        f"  steady   {args.steady} events at {args.rate:g}/s: delay p50 "
        f"{statistics.median(steady):.1f} ms, p99 {percentile(steady, 99):.1f} ms, "
        f"max {max(steady):.1f} ms",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=2000, help="backlog events (2000)")
    parser.add_argument("--customers", type=int, default=200, help="customers (200)")
    parser.add_argument("--steady", type=int, default=500, help="steady-rate events (500)")
    parser.add_argument("--rate", type=float, default=50.0, help="steady events per second (50)")
    parser.add_argument(
        "--only", choices=("sqlite", "postgres"), help="one database instead of both"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("ICOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/"),
        help="the PostgreSQL server; a throw-away database is made there (ICOK_TEST_POSTGRES_URL)",
    )
    args = parser.parse_args()
    receiver = Receiver()
    with serve_in_thread(receiver_app(receiver), free_port()) as base:
        receiver.url = f"{base}/hooks"
        if args.only != "postgres":
            with tempfile.TemporaryDirectory(prefix="icok-webhook-bench-") as tmp:
                sqlite = f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
                asyncio.run(run("SQLite", sqlite, receiver, args))
        if args.only != "sqlite":
            asyncio.run(on_postgres(args.postgres, receiver, args))


async def on_postgres(server: str, receiver: Receiver, args: argparse.Namespace) -> None:
    """The run on a PostgreSQL database made for it on ``server`` and dropped afterwards."""
    name = f"icok_webhook_bench_{secrets.token_hex(4)}"
    await _pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        await run("PostgreSQL", _with_database(server, name), receiver, args)
    finally:
        await _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

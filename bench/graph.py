"""Customer-graph latency and SQL statements: a small customer (1 service, 1 invoice) against a
big one (10 services, 200 invoices), for the dashboard query and a query walking the whole
graph, through the real ASGI app (session cookie, GraphQL, loaders, database).

    python bench/graph.py                      # SQLite in a temporary directory
    python bench/graph.py --database postgres://postgres@127.0.0.1:5432/icok_bench -n 50

(``--database`` must name an empty database: the test factories' numbering starts afresh.)

Prints, per query and customer: SQL statements per request, median and p95 latency.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's backend and tests, not an installed copy

from backend import db
from backend.app import create_app
from backend.config import Settings
from tests.api.graph_queries import DASHBOARD, WHOLE_GRAPH
from tests.factories import login_as, make_catalogue, make_customer, make_graph
from tests.statements import count_statements

SECRET = "bench-secret-" + "x" * 40


async def measure(client: httpx.AsyncClient, query: str, n: int) -> tuple[int, list[float]]:
    times: list[float] = []
    statements = 0
    for _ in range(n):
        with count_statements() as seen:
            started = time.perf_counter()
            response = await client.post("/graphql", json={"query": query})
            times.append((time.perf_counter() - started) * 1000)
        body = response.json()
        assert "errors" not in body and body["data"]["viewer"], body
        statements = len(seen)
    return statements, times


async def run(database_url: str, data_dir: Path, n: int) -> None:
    await db.migrate(database_url)
    await db.close()
    await db.init(database_url)
    settings = Settings(
        data_dir=data_dir, database_url=database_url, secret_key=SECRET, base_url="http://bench"
    )
    cat = await make_catalogue()
    small = await make_customer(settings)
    await make_graph(small, cat, services=1, invoices=1)
    big = await make_customer(settings)
    await make_graph(big, cat, services=10, invoices=200)
    app = create_app(settings, manage_database=False)
    print(f"database: {db.describe_url(database_url)}, {n} requests per line")
    print(f"{'query':<12} {'customer':<26} {'statements':>10} {'median ms':>10} {'p95 ms':>8}")
    for name, query in (("dashboard", DASHBOARD), ("whole graph", WHOLE_GRAPH)):
        for label, customer in (
            ("1 service, 1 invoice", small),
            ("10 services, 200 invoices", big),
        ):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                await login_as(client, settings, customer)
                await measure(client, query, 2)  # warm the parser and validation caches
                statements, times = await measure(client, query, n)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
            print(
                f"{name:<12} {label:<26} {statements:>10} "
                f"{statistics.median(times):>10.1f} {p95:>8.1f}"
            )
    await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("-n", type=int, default=30, help="requests per measurement (30)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite://{Path(tmp) / 'bench.sqlite3'}"
        asyncio.run(run(url, Path(tmp), args.n))


if __name__ == "__main__":
    main()
